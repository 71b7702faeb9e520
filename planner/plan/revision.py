"""Plan-wide figures kept per process until the plan changes.

Progress by objective, attention counts by owner, funding totals and list counts are
aggregates over every action: at 20,000 actions they cost more than the rest of their pages.
They change only when a plan row does, so each is kept in this process under the plan's
revision, a counter that every flush touching a plan table moves on in the same transaction
(before its own statements, so that on PostgreSQL writers queue on the counter's row first
and never lock one another's rows the other way round). A page reads the revision (one small
query) and reuses the figures counted at that revision; they are exact, never "a few seconds
old": a change commits with its new revision, and the next page counts again.

A transaction that wrote to the plan neither reads nor fills the cache (its revision is not
committed, and may roll back). Figures also depend on the day (overdue, due soon) and the
stale limit, which are part of each key.
"""

import threading
from collections import OrderedDict
from itertools import chain

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from planner.extensions import db
from planner.plan import models

PLAN_MODELS = (
    models.StrategicAxis, models.Objective, models.Indicator, models.ActionItem,
    models.Milestone, models.ProgressUpdate, models.FundingSource,
)
PLAN_TABLES = frozenset(model.__tablename__ for model in PLAN_MODELS)
KEPT = 256  # figure sets kept per process (filter combinations of the list count included)

# Portable upsert (SQLite ≥ 3.24 and PostgreSQL): the row is made by the first change, so a
# database emptied by TRUNCATE (as the tests do) keeps working.
_BUMP = text(
    "INSERT INTO plan_revision (id, revision) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET revision = plan_revision.revision + 1"
)
_READ = text("SELECT revision FROM plan_revision WHERE id = 1")
_WRITTEN = "plan_written"  # this transaction changed the plan (cleared at its end)
_BUMPED = "plan_bumped"  # the revision moved on in the current (nested) transaction
_READ_AT = "plan_revision"  # the revision this transaction read
MISSING = object()  # figures may be empty or zero, so "not kept" is a value of its own


class FigureCache:
    """The last figures computed for each key, with the revision they were computed at."""

    def __init__(self, size: int = KEPT):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, revision):
        """The value kept for `key` at `revision`, or MISSING."""
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] != revision:
                return MISSING
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key, revision, value) -> None:
        with self.lock:
            self.entries[key] = (revision, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def kept(key: tuple, compute):
    """`compute()`, or its value already computed at the plan's current revision. The value is
    shared with later requests of this process: callers read it and never change it."""
    session = db.session()
    if session.info.get(_WRITTEN):
        return compute()
    revision = session.info.get(_READ_AT)
    if revision is None:
        revision = session.execute(_READ).scalar()
        if revision is None:  # no change yet since the tables were made: count every time
            return compute()
        session.info[_READ_AT] = revision
    cache = current_app.extensions.setdefault("plan_figures", FigureCache())
    found = cache.get(key, revision)
    if found is not MISSING:
        return found
    value = compute()
    cache.put(key, revision, value)
    return value


def _bump(session: Session) -> None:
    session.info[_WRITTEN] = True
    if not session.info.get(_BUMPED):
        session.info[_BUMPED] = True
        session.execute(_BUMP)


@event.listens_for(Session, "before_flush")
def _before_flush(session, _context, _instances) -> None:
    if any(isinstance(row, PLAN_MODELS)
           for row in chain(session.new, session.dirty, session.deleted)):
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    """INSERT, UPDATE or DELETE statements on a plan table skip the flush."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in PLAN_TABLES:
            _bump(state.session)


@event.listens_for(Session, "after_transaction_end")
def _transaction_end(session, transaction) -> None:
    # A savepoint's end forgets its bump (a rolled back one undid it); only the outermost
    # transaction's end forgets that the plan was written and the revision it read.
    session.info.pop(_BUMPED, None)
    if transaction.parent is None:
        session.info.pop(_WRITTEN, None)
        session.info.pop(_READ_AT, None)
