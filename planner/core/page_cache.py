"""Whole pages kept per process until anything in the database changes (README, Performance).

A page a person reloads (the consensus map during a vote, the plan during a review) is the
same page until a row changes. Every transaction that writes moves the data revision on, a
one-row counter, in that transaction, as its last statement before COMMIT (so that on
PostgreSQL no writer holds the counter's row while it waits for another lock). A signed-in
request reads the revision with its account, in the same statement (members/sessions.py),
and a page kept at that revision, for that account, address, host and language, is sent
again without running its view: the revision a page was kept at is the database it was
rendered from, so a kept page is never stale. Its CSRF token is the requester's own: pages
are kept with a placeholder in its place, replaced at each answer.

What the database does not hold: time. A kept page lasts a minute at most (dates such as
"overdue" or "in 3 days" are at most a minute late) and never past the next moment a rule
acts on time (a round closing at its deadline: the next load runs the view, which closes
it; see `expires_before`).

Pages are kept only when they are opted in (`@kept_page`, read views whose answer depends
on nothing but the database, the account, the address and the language), answered 200 with
HTML, carried no flashed message, and wrote nothing; within a budget of bytes per process
(PAGE_CACHE_BYTES; 0 turns it off), the least recently used going first.
"""

import secrets
import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from flask import Flask, Response, current_app, g, has_request_context, request, session
from flask.globals import request_ctx
from flask_babel import get_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from planner.core.security import csrf_token
from planner.core.time import utcnow
from planner.extensions import db, login_manager

LIFETIME = timedelta(minutes=1)
HEADER = "X-Page-Cache"  # answers say "hit" or "miss"; a request may ask "bypass" (benchmark)
_WRITTEN = "data_written"  # this transaction flushed or ran a write statement
# Tokens are URL-safe base64 and dots: the placeholder can never appear in one, nor be
# typed by a user (it is random per process and never shown).
PLACEHOLDER = "csrf-placeholder-" + secrets.token_hex(16)
_time_limits: list = []  # scalar subqueries: the next moment a rule acts on time


class DataRevision(db.Model):
    """One row: a counter that every writing transaction moves on (module docstring)."""

    __tablename__ = "data_revision"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(default=1)


# Read as a column of the signed-in account's statement: no statement of its own.
CURRENT_REVISION = (
    select(DataRevision.revision).where(DataRevision.id == 1).scalar_subquery()
)
# Portable upsert (SQLite ≥ 3.24, PostgreSQL): the first change makes the row, so a
# database emptied by TRUNCATE (as the tests do) keeps working.
_BUMP = (
    "INSERT INTO data_revision (id, revision) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET revision = data_revision.revision + 1"
)


def kept_page(view):
    """Mark a read view whose page may be kept (module docstring says when it is)."""
    view.page_may_be_kept = True
    return view


def expires_at(moment) -> None:
    """Register a scalar subquery: the next moment at which a rule acts on time (the
    proposals domain: the earliest deadline of an open round), or NULL. It is read with the
    account and the revision; kept pages expire at it, and a moment already past (a round
    due but not closed yet) keeps nothing until a write settles it."""
    _time_limits.append(moment)


def account_columns() -> list:
    """What the signed-in account's statement reads for this module: the revision, then the
    time limits. Given back to `note_account_columns` in the same order."""
    return [CURRENT_REVISION, *_time_limits]


def note_account_columns(values) -> None:
    revision, *limits = values
    g.data_revision = revision
    g.page_time_limit = min((moment for moment in limits if moment is not None), default=None)


class PageCache:
    """Rendered pages by key, each with the revision it was rendered at and its expiry."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, revision: int, now: datetime):
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] != revision or found[1] <= now:
                return None
            self.entries.move_to_end(key)
            return found

    def put(self, key: tuple, revision: int, expires: datetime, body: bytes, headers) -> None:
        if len(body) > self.budget // 4:
            return  # one page never pushes most of the others out
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.used -= len(old[2])
            self.entries[key] = (revision, expires, body, headers)
            self.used += len(body)
            while self.used > self.budget:
                _key, dropped = self.entries.popitem(last=False)
                self.used -= len(dropped[2])


# --- the revision: moved on by every writing transaction ------------------------------------


def note_write(session: Session) -> None:
    """The session's transaction wrote: its commit moves the revision on."""
    session.info[_WRITTEN] = True


@event.listens_for(Session, "before_flush")
def _flushing(session, _context, _instances) -> None:
    note_write(session)  # a flush runs only when rows were added, changed or deleted


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        note_write(state.session)


@event.listens_for(Session, "before_commit")
def _committing(session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit would flush after this hook: write first, count last
    if session.info.pop(_WRITTEN, False):
        # Straight to the connection: the ORM's statement machinery cost more than the SQL.
        session.connection().exec_driver_sql(_BUMP)
        if has_request_context():
            g.page_cache_wrote = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITTEN, None)


# --- serving and keeping pages --------------------------------------------------------------


def _cache_key() -> tuple | None:
    """The request's key, or None when its page is not to be kept or served from the cache."""
    if request.method != "GET":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "page_may_be_kept", False) or "_flashes" in session:
        return None
    # The account's statement reads the revision (members/sessions.py); none is kept before
    # the database's first change. Who is signed in is known without the account's objects.
    account = login_manager.signed_in()
    if account is None or g.get("data_revision") is None:
        return None
    if current_app.config["PAGE_CACHE_BYPASS"] and request.headers.get(HEADER) == "bypass":
        return None
    return (request.host, request.full_path, account.get_id(), str(get_locale()))


def _expiry(now: datetime) -> datetime | None:
    """When a page rendered now stops being kept, or None: not to be kept at all."""
    lasts = now + LIFETIME
    limit = g.get("page_time_limit")
    if limit is None:
        return lasts
    return min(lasts, limit) if limit > now else None


def _real_token(body: bytes) -> bytes:
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    return body.replace(PLACEHOLDER.encode(), csrf_token().encode())


def init_page_cache(app: Flask) -> None:
    """Serve and keep pages; the hooks run after the session and security ones."""
    app.config.setdefault("PAGE_CACHE_BYTES", 8 * 1024 * 1024)
    app.config.setdefault("PAGE_CACHE_BYPASS", False)
    if not app.config["PAGE_CACHE_BYTES"]:
        return
    cache = app.extensions["page_cache"] = PageCache(app.config["PAGE_CACHE_BYTES"])

    @app.before_request
    def _serve_kept_page():
        key = _cache_key()
        if key is None:
            return None
        now = utcnow()
        found = cache.get(key, g.data_revision, now)
        if found is None:
            g.page_cache_key, g.page_cache_now = key, now
            # Forms render the placeholder; the answer carries the real token (_keep_page).
            setattr(g, app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), PLACEHOLDER)
            return None
        _revision, _expires, body, headers = found
        response = Response(_real_token(body), headers=headers)
        response.headers[HEADER] = "hit"
        return response

    @app.after_request
    def _keep_page(response):
        key = g.pop("page_cache_key", None)
        if key is None or response.is_streamed:
            return response
        body = response.get_data()
        if (
            response.status_code == 200
            and response.mimetype == "text/html"
            and not g.get("page_cache_wrote")
            and not getattr(request_ctx, "flashes", None)  # a message shown once
            and "_flashes" not in session
        ):
            expires = _expiry(g.page_cache_now)
            if expires is not None:
                headers = [
                    (name, value) for name, value in response.headers
                    if name.lower() not in ("set-cookie", "content-length")
                ]
                cache.put(key, g.data_revision, expires, body, headers)
        response.set_data(_real_token(body))
        response.headers[HEADER] = "miss"
        return response
