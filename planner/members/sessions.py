"""Who is signed in (Flask-Login's loader) and which network the request serves."""

from flask import Flask, g, request
from sqlalchemy import select

from planner.extensions import db, login_manager
from planner.members.models import User
from planner.members.queries import current_network


def load_user(user_id: str) -> User | None:
    """Accept a cookie only if it carries the user's current session version."""
    try:
        raw_id, raw_version = user_id.split(".", 1)
        wanted_id, wanted_version = int(raw_id), int(raw_version)
    except (AttributeError, ValueError):
        return None
    user = db.session.scalar(select(User).where(User.id == wanted_id))
    if user is None or not user.is_active or user.session_version != wanted_version:
        return None
    return user


def init_sessions(app: Flask) -> None:
    login_manager.user_loader(load_user)

    @app.before_request
    def _load_network() -> None:
        if request.endpoint in ("static", "health.healthz"):
            return  # served without touching the database (health reports it itself)
        network = current_network()
        g.network = network
        if network is not None:
            g.network_timezone = network.timezone
            g.network_locale = network.default_language
