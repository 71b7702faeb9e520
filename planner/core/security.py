"""Response headers, same-origin checks, session lifetime rules and CSRF tokens."""

import threading
import time
from collections import OrderedDict
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import logout_user, user_loaded_from_cookie
from flask_wtf.csrf import generate_csrf

from planner.core.database import write_intent
from planner.core.errors import abort_with
from planner.core.time import utcnow
from planner.extensions import login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_safe_redirect(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative '//evil'."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def start_session(remember: bool) -> None:
    """Called at login: a fresh session (new cookie) stamped for the timeout rules."""
    now = utcnow().isoformat()
    session["login_at"] = now
    session["seen_at"] = now
    session["remember"] = remember


def _expired(now: datetime) -> bool:
    login_at = session.get("login_at")
    seen_at = session.get("seen_at")
    if not login_at or not seen_at:
        return True
    if session.get("remember"):
        limit = current_app.config["REMEMBER_COOKIE_DURATION"]
        return now - datetime.fromisoformat(login_at) > limit
    config = current_app.config
    return (
        now - datetime.fromisoformat(seen_at) > config["SESSION_IDLE_TIMEOUT"]
        or now - datetime.fromisoformat(login_at) > config["SESSION_ABSOLUTE_TIMEOUT"]
    )


# --- CSRF tokens: signed once a minute per session -------------------------------------------

# Flask-WTF signs the session's token (a timestamp and an HMAC, about a twentieth of a page
# served from the cache) for every page with a form, and every page has one (the language
# switch). A signature stays valid for WTF_CSRF_TIME_LIMIT (an hour) whenever it was made:
# the one made for a session in the last minute is given again.
SIGNATURE_REUSE_SECONDS = 60.0
_SIGNATURES_KEPT = 4096  # sessions per process; the least recently signed go first
_signatures: OrderedDict = OrderedDict()  # session's token -> (signed token, monotonic time)
_signatures_lock = threading.Lock()


def _token_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _reuse_signature() -> None:
    """Give this request the session's recent signed token (Flask-WTF takes a signed token
    already in g as the request's own)."""
    field = _token_field()
    raw = session.get(field)
    if raw is None or field in g:
        return
    found = _signatures.get(raw)
    if found is not None and time.monotonic() - found[1] < SIGNATURE_REUSE_SECONDS:
        setattr(g, field, found[0])


def csrf_token() -> str:
    """The requester's signed CSRF token, as forms carry it (Flask-WTF's generate_csrf, whose
    signature is made once a minute per session), for an answer that puts it in place of a
    placeholder (core/page_cache.py). Forms and templates find the recent signature in g
    (_reuse_signature, before each request)."""
    _reuse_signature()
    token = generate_csrf()
    raw = session.get(_token_field())
    with _signatures_lock:
        found = _signatures.get(raw)
        if found is None or found[0] != token:
            _signatures[raw] = (token, time.monotonic())
            _signatures.move_to_end(raw)
            while len(_signatures) > _SIGNATURES_KEPT:
                _signatures.popitem(last=False)
    return token


def init_security(app: Flask) -> None:
    @user_loaded_from_cookie.connect_via(app)
    def _restored_from_remember_cookie(_sender, user) -> None:
        start_session(remember=True)

    @app.before_request
    def _before() -> None:
        write_intent.set(False)  # until a form's view starts writing (core/permissions.py)
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("Origin")
            if origin and origin != "null" and urlsplit(origin).netloc != request.host:
                abort_with(400, _("This form was sent from another site and was refused."))
        if request.endpoint == "static":
            return
        _reuse_signature()
        if login_manager.signed_in() is None:  # no account objects: a kept page needs none
            return
        now = utcnow()
        if _expired(now):
            logout_user()
            session.clear()
            flash(_("Your session has expired. Please log in again."), "info")
            return
        # Refresh the idle clock at most once a minute to avoid a new cookie per request.
        if (now - datetime.fromisoformat(session["seen_at"])).total_seconds() > 60:
            session["seen_at"] = now.isoformat()

    @app.teardown_request
    def _writes_by_default(_error) -> None:
        # The request's thread serves the next request, or the tests' code between
        # requests: outside a request, statements write by default again.
        write_intent.set(True)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint != "static":
            # Pages carry personal data or a CSRF token: never keep them in a cache.
            headers["Cache-Control"] = "no-store"
        headers.pop("Server", None)
        return response
