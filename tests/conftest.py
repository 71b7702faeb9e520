"""Fixtures: an app on a fresh database per test (SQLite, and PostgreSQL when configured),
clients signed in as each role, and query counting."""

import contextvars
import html
import os
import re
import uuid
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import event

from planner import create_app, database_url
from planner.core.time import utcnow
from planner.extensions import db
from tests import factories

PG_URL = os.environ.get("PLANNER_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]
APP_CONNECTION_NAME = f"planner-tests-{os.getpid()}"  # this run's app connections


def pytest_report_header(config):
    if PG_URL:
        return "planner: every database test runs on SQLite and on PostgreSQL"
    return (
        "planner: PLANNER_TEST_DATABASE_URL is not set, the PostgreSQL variants are SKIPPED "
        "(set it, e.g. postgresql://postgres@127.0.0.1:5432/test)"
    )


@pytest.fixture(scope="session")
def pg_schema():
    """One throw-away schema for the whole run; tables are emptied after each test."""
    if not PG_URL:
        pytest.skip("PostgreSQL run skipped: PLANNER_TEST_DATABASE_URL is not set")
    schema = f"planner_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(database_url(PG_URL))
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _pg_config(schema: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(PG_URL),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            # The name lets a test find the app's own connections on the shared server.
            "connect_args": {"options": f"-csearch_path={schema}",
                             "application_name": APP_CONNECTION_NAME},
        },
    }


def base_config(**overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        # Tests hash with the real method (PASSWORD_HASH_METHOD), cached once in factories.
        "SERVER_NAME": "localhost",
    }
    config.update(overrides)
    return config


class Client(FlaskClient):
    """Each request runs as in production: its own app context, g and database session.

    The test body holds an app context of its own (for factories and checks); without this
    the requests would share its `g`, and a user or CSRF token cached there would leak
    from one request, or one client, to the next.
    """

    def open(self, *args, **kwargs):
        db.session.commit()  # the test's pending data is visible, and no lock is held
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.expire_all()  # the test reads what the request wrote


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def app(backend, request, tmp_path):
    if backend == "postgresql":
        schema = request.getfixturevalue("pg_schema")
        config = base_config(**_pg_config(schema))
    else:
        config = base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'test.sqlite3'}")
    application = create_app(config)
    application.test_client_class = Client
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        if backend == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def network(app):
    return factories.make_network()


@pytest.fixture
def demo(app):
    """The full demo network, loaded through the same code as `flask load-demo`."""
    from planner.demo import load_demo

    load_demo()
    db.session.commit()
    return factories.DemoLookup()


def sign_in(client, user, remember: bool = False) -> None:
    """Put `user` in the client's session, as a successful login does."""
    now = utcnow().isoformat()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["login_at"] = now
        session["seen_at"] = now
        session["remember"] = remember


CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client, page: str | None = None) -> str:
    """The CSRF token a form of the page carries (every page has the language form)."""
    response = client.get(page or "/login")
    if response.status_code in (301, 302):
        response = client.get("/account")
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {page or '/login'}"
    return match.group(1)


def post(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    """POST a form the way a browser does: with the CSRF token of the page it came from."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, page))
    return client.post(url, data=payload, **kwargs)


@pytest.fixture
def as_user(app):
    """A client signed in as the given user: as_user(user)."""

    def make(user, remember: bool = False):
        client = app.test_client()
        sign_in(client, user, remember)
        return client

    return make


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block: `with count_queries() as counter:`."""
    statements: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def page_text(response) -> str:
    """The page as a person reads it: HTML entities such as &#39; turned back into text, and
    the <bdi> marks that isolate people's text from the page's direction left out."""
    return html.unescape(re.sub(r"</?bdi>", "", response.get_data(as_text=True)))


class _ExecutableFinder(HTMLParser):
    """Collects what a browser would run: script/style elements, on* attributes, script URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name == "style":
                self.found.append(f"{tag} style=")
            if name in ("href", "src", "action", "formaction") and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.found.append(f"{tag} {name}={value}")


def executable_html(html_text: str, allowed_scripts: tuple[str, ...] = ("/static/",)) -> list[str]:
    """Everything executable in a page, except our own static scripts."""
    finder = _ExecutableFinder()
    prefixes = "|".join(re.escape(prefix) for prefix in allowed_scripts)
    finder.feed(re.sub(rf'<script src="(?:{prefixes})[^"]*"[^>]*></script>', "", html_text))
    return finder.found
