"""Security baseline every response carries, and the safety nets behind every page."""

import sqlite3
import time

import pytest
from flask import abort
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from planner import create_app
from planner.core.permissions import public
from planner.extensions import db
from planner.members.models import Member
from tests.conftest import base_config, csrf_token, page_text, post
from tests.factories import make_member, make_user


def test_every_page_carries_the_security_headers(client, network):
    response = client.get("/login")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_no_inline_script_or_style_in_pages(as_user, network):
    client = as_user(make_user(role="secretariat"))
    for url in ("/", "/members/", "/accounts/", "/network/settings", "/account"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and " style=" not in page and "<style" not in page, url


def test_session_cookie_is_httponly_and_samesite_lax(client, network):
    make_user()
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_cookies_are_secure_behind_https(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_HTTPS", "1")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_first_run_generates_a_secret_key_in_instance_config(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert len(first) >= 64 and first == second
    assert (tmp_path / "config.py").stat().st_mode & 0o077 == 0


def test_postgres_urls_use_psycopg3():
    from planner import database_url

    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_form_posted_from_another_site_is_refused(as_user, network):
    client = as_user(make_user(role="secretariat"))
    response = post(
        client,
        "/members/new",
        {"name": "Evil", "short_name": "EVIL"},
        page="/members/new",
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 400
    assert "autre site" in response.get_data(as_text=True)
    assert db.session.query(Member).filter_by(short_name="EVIL").count() == 0


def test_request_body_is_capped(app, client, network):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_unexpected_error_shows_an_incident_number_and_no_traceback(app, client, network, caplog):
    @app.route("/explode")
    @public
    def explode():
        raise ValueError("secret internal detail")

    response = client.get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in page and "secret internal detail" not in page
    assert "Numéro d'incident" in page
    incident = page.split("<code>")[1].split("</code>")[0]
    assert incident in caplog.text  # the log has the details under the same number


def test_integrity_error_becomes_409(app, client, network):
    make_member(short_name="DUP", name="Duplicate")

    @app.route("/duplicate", methods=["GET"])
    @public
    def duplicate():
        db.session.add(Member(name="Duplicate", short_name="DUP2", slug="dup2"))
        db.session.commit()
        return "saved"

    response = client.get("/duplicate")
    assert response.status_code == 409
    assert "entre en conflit" in response.get_data(as_text=True)


@pytest.mark.parametrize("status", [400, 403, 404, 405, 409, 429])
def test_error_pages_are_in_the_layout(app, client, network, status):
    @app.route(f"/abort/{status}")
    @public
    def aborting():
        abort(status)

    response = client.get(f"/abort/{status}")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert f"Erreur {status}" in page and 'id="main"' in page


def test_healthz_reports_the_database(client, network):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "reachable"}


def test_healthz_says_503_when_the_database_is_down():
    app = create_app(
        base_config(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    page = app.test_client().get("/login")
    assert page.status_code == 503  # a clear page, not a traceback
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, backend):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    # A large network's home page reads more pages than SQLite's default 2 MB hold.
    assert db.session.execute(text("PRAGMA cache_size")).scalar() == -8192


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_write_requests_take_the_lock_at_begin(app, backend):
    """A form's transaction holds the write lock from its first statement, so two writers
    queue on busy_timeout instead of one failing half-way with 'database is locked'."""
    from planner.core.database import write_intent

    path = db.engine.url.database
    token = write_intent.set(True)
    try:
        db.session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        db.session.rollback()
        write_intent.reset(token)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_writer_queued_behind_another_gets_the_lock_soon_after_it_is_released(
    app, backend, monkeypatch
):
    """A writer waiting for SQLite's lock tries again within a fraction of a millisecond at
    first (SQLite's own handler sleeps 1, 2, 5… ms), then waits as long as before."""
    import threading

    from planner.core import database

    naps = []
    real_sleep = time.sleep
    monkeypatch.setattr(database.time, "sleep", lambda s: (naps.append(s), real_sleep(s)))
    other = sqlite3.connect(db.engine.url.database, timeout=0, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.05, other.rollback)
    token = database.write_intent.set(True)
    release.start()
    try:
        member = make_member()  # commits: the write went through once the other let go
        assert db.session.get(Member, member.id) is not None
        assert naps[0] < 0.001
        assert max(naps) <= database.LONGEST_NAP
        assert sum(naps) < 1  # it waited about the 50 ms the lock was held
        # The statements after BEGIN keep SQLite's own wait, the same 10 s.
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    finally:
        release.join()
        database.write_intent.reset(token)
        other.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_writer_gives_up_with_locked_when_the_lock_is_held_past_the_limit(
    app, backend, monkeypatch
):
    from planner.core import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_SECONDS", 0.05)
    other = sqlite3.connect(db.engine.url.database, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    token = database.write_intent.set(True)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            db.session.execute(text("SELECT 1"))
        assert time.monotonic() - started < 1
    finally:
        db.session.rollback()
        database.write_intent.reset(token)
        other.rollback()
        other.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_form_sent_while_the_lock_stays_held_answers_503_and_says_why(
    app, backend, as_user, network, monkeypatch
):
    from planner.core import database
    from planner.meetings.models import Meeting

    monkeypatch.setattr(database, "BUSY_TIMEOUT_SECONDS", 0.05)
    client = as_user(make_user(role="secretariat"))
    token = csrf_token(client, "/meetings/new")
    other = sqlite3.connect(db.engine.url.database, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/meetings/new", data={
            "csrf_token": token, "title": "Board", "starts_at": "2026-06-10T10:00",
            "ends_at": "2026-06-10T13:30", "minutes_language": "fr"})
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    page = page_text(response)
    assert "Try again in a moment" in page or "Réessayez" in page
    assert "Traceback" not in page
    assert db.session.scalar(select(func.count(Meeting.id))) == 0  # nothing half-written


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_refused_form_does_not_wait_for_the_write_lock(app, backend, as_user, network):
    """Signing in and checking the permission only read: while another writer holds SQLite's
    lock, a form the person may not send is refused at once (403), not queued behind it."""
    client = as_user(make_user(role="observer"))
    token = csrf_token(client, "/")
    other = sqlite3.connect(db.engine.url.database, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.post("/meetings/new", data={"csrf_token": token, "title": "x"})
        waited = time.monotonic() - started
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 403
    assert waited < 5  # the busy timeout is 10 s


def test_a_write_that_follows_a_read_only_requests_reads_is_still_all_or_nothing(app):
    """A read-only request reads outside a transaction on PostgreSQL (one round trip a
    statement); a write that comes after its reads still runs in a transaction of its own,
    which a rollback undoes entirely."""
    from planner.core.database import write_intent

    make_member(short_name="KEPT")
    db.session.commit()
    with app.test_request_context("/"):
        write_intent.set(False)  # as a GET request begins (core/security.py)
        assert db.session.scalar(select(func.count(Member.id))) == 1
        for name in ("UNDONE-1", "UNDONE-2"):  # two statements, one after the other
            db.session.add(Member(name=f"Cluster {name}", short_name=name, slug=name.lower(),
                                  sector="Industry", city="Casablanca"))
            db.session.flush()
        db.session.rollback()
        write_intent.set(True)
    db.session.remove()
    names = db.session.scalars(select(Member.short_name)).all()
    assert names == ["KEPT"]


def test_after_a_page_the_next_statements_write_by_default(client, network):
    from planner.core.database import write_intent

    client.get("/login")
    assert write_intent.get() is True  # e.g. the CLI or a test's own code after a request
