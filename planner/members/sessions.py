"""Who is signed in (Flask-Login's loader) and which network the request serves."""

from functools import cache

from flask import Flask, g, has_request_context, request
from sqlalchemy import bindparam, select, true

from planner.core import page_cache
from planner.extensions import db, login_manager
from planner.members.models import Network, User
from planner.members.queries import current_network


@cache
def _user_and_network_query():
    # Built once, run with a bound id. The network is the first one, as current_network()
    # reads it, and what kept pages are checked against (core/page_cache.py): one statement
    # instead of three on every signed-in request.
    return (
        select(User, Network, *page_cache.account_columns())
        .outerjoin(Network, true())
        .where(User.id == bindparam("user_id"))
        .order_by(Network.id)
        .limit(1)
    )


def load_user(user_id: str) -> User | None:
    """Accept a cookie only if it carries the user's current session version."""
    try:
        raw_id, raw_version = user_id.split(".", 1)
        wanted_id, wanted_version = int(raw_id), int(raw_version)
    except (AttributeError, ValueError):
        return None
    row = db.session.execute(_user_and_network_query(), {"user_id": wanted_id}).first()
    if row is None:
        return None
    user, network, *kept_pages = row
    if has_request_context():
        _serve(network)
        page_cache.note_account_columns(kept_pages)
    if not user.is_active or user.session_version != wanted_version:
        return None
    return user


def _serve(network) -> None:
    g.network = network
    if network is not None:
        g.network_timezone = network.timezone
        g.network_locale = network.default_language


def init_sessions(app: Flask) -> None:
    login_manager.user_loader(load_user)

    @app.before_request
    def _load_network() -> None:
        if request.endpoint in ("static", "health.healthz"):
            return  # served without touching the database (health reports it itself)
        if "network" not in g:  # not read already with the signed-in account
            _serve(current_network())
