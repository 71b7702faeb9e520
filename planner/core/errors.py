"""Error pages in the layout and the user's language; no traceback ever reaches a user."""

import logging
import secrets

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from planner.core.database import write_intent
from planner.extensions import db

log = logging.getLogger("planner.errors")

TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You are not allowed to do this"),
    404: _l("This page does not exist"),
    405: _l("This action is not available here"),
    409: _l("This change conflicts with the current data"),
    413: _l("The file or form is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is temporarily unavailable"),
}

EXPLANATIONS = {
    400: _l("Check what you entered and try again."),
    403: _l("Your account does not give you access to this page or action."),
    404: _l("The address may be mistyped, or the item was removed or never shared."),
    405: _l("Use the buttons of the application rather than typing the address."),
    409: _l("Someone else may have changed the same data. Reload the page and try again."),
    413: _l("Send a smaller file (at most 10 MB)."),
    429: _l("Wait a few minutes before trying again."),
    500: _l(
        "The error was recorded. If it happens again, give the incident number below to the secretariat."
    ),
    503: _l("Try again in a moment."),
}


def render_error(status: int, message: str | None = None, incident: str | None = None):
    # An error page only reads (the account, for the menu): its transaction must not queue
    # for SQLite's write lock, which may be what the request failed on.
    write_intent.set(False)
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        body = {"error": str(TITLES.get(status, status)), "message": message, "incident": incident}
        return jsonify(body), status
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, TITLES[500]),
            explanation=EXPLANATIONS.get(status, ""),
            message=message,
            incident=incident,
        ),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _l(
            "The form had expired or was not sent from this site. Reload the page and send it again."
        )
        return render_error(400, str(message))

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        db.session.rollback()
        log.warning("integrity error on %s: %s", request.path, error.orig)
        return render_error(409)

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError):
        db.session.rollback()
        return render_error(409)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        db.session.rollback()
        incident = secrets.token_hex(4)
        log.error("database error %s on %s", incident, request.path, exc_info=error)
        return render_error(503, incident=incident)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            db.session.rollback()
        # Werkzeug descriptions are English developer text: show our own explanations,
        # and only messages we set ourselves through abort(status, description=...).
        custom = getattr(error, "planner_message", None)
        response = render_error(status, custom)
        if status == 405 and error.valid_methods:
            body, code = response
            return body, code, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        incident = secrets.token_hex(4)
        log.error("incident %s on %s %s", incident, request.method, request.path, exc_info=error)
        return render_error(500, incident=incident)


def abort_with(status: int, message: str):
    """Stop the request with `status` and a message written for the user."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[status]()
    error.planner_message = message
    raise error
