"""The app's PostgreSQL connections: one lost while it waited in the pool (the server
restarted, a failover, a firewall's idle timeout) is found and replaced before a request
uses it, without a liveness check before every request."""

import time

import pytest
import sqlalchemy as sa

from planner import database_url
from planner.core import database
from tests.conftest import APP_CONNECTION_NAME, PG_URL, page_text
from tests.factories import make_user


def _cut_the_apps_connections() -> int:
    """As a server restart would: end every connection of the app's pool, server side."""
    engine = sa.create_engine(database_url(PG_URL))
    try:
        with engine.connect() as connection:
            cut = connection.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"), {"name": APP_CONNECTION_NAME}).scalar()
            for _ in range(100):  # the backends end asynchronously
                connection.commit()  # pg_stat_activity is read once per transaction
                left = connection.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": APP_CONNECTION_NAME}).scalar()
                if not left:
                    break
                time.sleep(0.05)
    finally:
        engine.dispose()
    return cut


@pytest.mark.parametrize("backend", ["postgresql"])
def test_after_the_server_drops_idle_connections_the_next_page_still_opens(app, as_user):
    client = as_user(make_user(role="secretariat", full_name="Amina Secrétariat"))
    assert client.get("/account").status_code == 200
    assert _cut_the_apps_connections() >= 1

    time.sleep(database.IDLE_BEFORE_PING_SECONDS + 0.1)  # the pool's connection is now idle
    response = client.get("/account")

    assert response.status_code == 200
    assert "Amina Secrétariat" in page_text(response)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_connection_cut_while_in_use_fails_one_request_politely_and_the_next_recovers(
        app, as_user, monkeypatch):
    # A connection back in the pool within the second is not checked (that would cost a
    # round trip per request): the one request that meets the cut gets the "try again"
    # page, and the pool is renewed for the next. A longer idle limit keeps the connection
    # "just used" however slowly the machine ends the backends.
    monkeypatch.setattr(database, "IDLE_BEFORE_PING_SECONDS", 60.0)
    client = as_user(make_user(role="secretariat", full_name="Amina Secrétariat"))
    assert client.get("/account").status_code == 200
    assert _cut_the_apps_connections() >= 1

    failed = client.get("/account")
    assert failed.status_code == 503
    assert "Réessayez dans un instant." in page_text(failed)
    assert "Traceback" not in failed.get_data(as_text=True)

    again = client.get("/account")
    assert again.status_code == 200
    assert "Amina Secrétariat" in page_text(again)
