"""Browser tests: the real app served on 127.0.0.1, driven in Debian's headless Chromium.

Each test gets a fresh SQLite database built by the migrations and loaded with the demo
network, a live server for it, and a Playwright page. Chromium is never downloaded: the
tests use /usr/bin/chromium, and are skipped (with the reason) only when it is absent and
PLANNER_REQUIRE_BROWSER is unset; CI sets it, so there they fail instead.
"""

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from planner import create_app
from planner.extensions import db
from tests.conftest import base_config

CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
DEMO_PASSWORD = "demo-password-2016"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _require_chromium():
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    if os.environ.get("PLANNER_REQUIRE_BROWSER"):
        pytest.fail(
            f"{CHROMIUM} is missing but PLANNER_REQUIRE_BROWSER is set: install Debian's chromium"
        )
    pytest.skip(f"browser tests skipped: {CHROMIUM} is not installed (apt-get install chromium)")


# The browser tests do not run twice: they use SQLite only (the database tests cover PostgreSQL).
@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@contextmanager
def serve_demo(folder: Path):
    """The app on a fresh, migrated SQLite database in `folder` holding the demo network."""
    from flask_migrate import upgrade

    from planner.demo import load_demo

    config = base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'browser.sqlite3'}")
    config.pop("SERVER_NAME")
    config["TESTING"] = False  # behave as in production: error pages, no propagation
    app = create_app(config)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        load_demo()
        db.session.commit()
        db.session.remove()
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(tmp_path):
    """The app on a fresh, migrated SQLite database holding the demo network."""
    with serve_demo(tmp_path) as server:
        yield server


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def log_in(page, server, email: str, password: str = DEMO_PASSWORD):
    """Log in through the login form, as a person does."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def sign_in(page, server, email: str, password: str = DEMO_PASSWORD):
    """Log in whatever the page's language (by the fields' ids, not their labels)."""
    page.goto(f"{server.url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()


def screenshot(page, name: str):
    """Keep a picture of the page for a person to look at (tests/browser/screenshots/)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
