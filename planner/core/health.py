"""/healthz: is the application up and its database reachable."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from planner.core.permissions import public
from planner.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="reachable"), 200
