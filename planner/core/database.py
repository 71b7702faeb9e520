"""Engine tuning: SQLite in WAL mode with foreign keys and queued writers; PostgreSQL reads
of read-only requests outside a transaction."""

import sqlite3
import time
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError, OperationalError
from sqlalchemy.orm import Session

# Read-only requests begin deferred transactions so readers never wait on writers;
# everything else (a form's view, the CLI) takes the write lock at BEGIN and queues for it
# (begin_immediate) instead of failing half-way with "database is locked".
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)

BUSY_TIMEOUT_SECONDS = 10.0  # how long a statement waits for a lock before it fails
FIRST_NAP, LONGEST_NAP = 0.0001, 0.002  # seconds between a writer's tries for the lock
# SQLite's page cache per connection, in KiB (its default is 2,000). The home page at large
# size reads more pages than 2 MB hold (the open rounds, their electorates and ballots, their
# proposals): they pushed each other out, 750 reads of the file a request, and its statement
# of awaited answers took 1.8 ms instead of 0.8. A sync worker holds one connection.
PAGE_CACHE_KIB = 8192
# A PostgreSQL connection back from the pool after this long idle is pinged before use.
IDLE_BEFORE_PING_SECONDS = 1.0


def _busy_timeout() -> str:
    return f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}"


def start_writing(session) -> None:
    """From here on the request writes (a form's view is about to run, its permission checked).

    The signed-in user and the network were loaded in a read transaction: end it, keeping
    those objects as they were read, so that the next statement begins the write
    transaction (BEGIN IMMEDIATE on SQLite, which queues for the lock). Writers then hold
    the lock for the view's own work only, not for the session's and the account's look-ups,
    and a refused form never waits for it.
    """
    write_intent.set(True)
    if session.in_transaction():
        keep = session.expire_on_commit
        session.expire_on_commit = False
        try:
            session.commit()  # nothing was written: this only ends the read
        finally:
            session.expire_on_commit = keep


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(_busy_timeout())
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Straight to the driver: BEGIN needs none of SQLAlchemy's statement machinery, which
        # cost a twentieth of a cast (two transactions each: the read, then the write).
        dbapi_connection = connection.connection.dbapi_connection
        if write_intent.get():
            begin_immediate(dbapi_connection)
        else:
            dbapi_connection.execute("BEGIN")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record) -> None:
        if dbapi_connection is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is not None and (
                time.monotonic() - checked_in_at > IDLE_BEFORE_PING_SECONDS):
            _ping(engine, dbapi_connection)
        # A read-only request's statements run outside a transaction: under READ COMMITTED
        # each statement sees its own snapshot either way, and a page served from the cache
        # (core/page_cache.py) is then its statement alone, not BEGIN, SELECT and
        # ROLLBACK. A writer's transaction checks out a connection again (start_writing)
        # and gets a real one; so does any write that comes first (_writes_in_a_transaction).
        autocommit = not write_intent.get()
        if dbapi_connection.autocommit != autocommit:
            dbapi_connection.autocommit = autocommit


def _ping(engine: Engine, dbapi_connection) -> None:
    """Check that an idle connection still reaches the server (a restart, a failover or a
    firewall's timeout may have cut it); if not, the pool drops it and every connection
    older, and connects afresh.

    SQLAlchemy's pool_pre_ping does this at every checkout: a round trip to the server
    (0.13 ms here) before each request's first statement, when a kept page is that one
    statement. A connection back in the pool within the second was in use a moment ago;
    should the server go away in that second, the one statement that finds out fails (503,
    core/errors.py) and the pool is renewed for the next request.
    """
    try:
        dbapi_connection.autocommit = True  # the ping opens no transaction
        dbapi_connection.execute("SELECT 1")
    except engine.dialect.loaded_dbapi.Error as error:
        raise InvalidatePoolError(f"connection lost while idle: {error}") from error


def _in_a_transaction(session: Session) -> None:
    """Before a write or a locking read: leave autocommit (nothing is pending in it)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    dbapi_connection = session.connection().connection.dbapi_connection
    if dbapi_connection.autocommit:
        dbapi_connection.autocommit = False


@event.listens_for(Session, "before_flush")
def _writes_in_a_transaction(session, _context, _instances) -> None:
    _in_a_transaction(session)


@event.listens_for(Session, "do_orm_execute")
def _statement_in_a_transaction(state) -> None:
    if state.is_insert or state.is_update or state.is_delete or (
        state.is_select and state.statement._for_update_arg is not None
    ):
        _in_a_transaction(state.session)


def execute_write(statement, parameters):
    """A plain INSERT, UPDATE or DELETE of the request's transaction, run on its connection
    without the ORM's execution machinery (two thirds of such a statement's cost).

    Kept pages see it as a write (core/page_cache.py), and on PostgreSQL it runs inside a
    transaction. Not for the plan's tables, whose writes plan/revision.py counts through the
    session's events."""
    return _execute_in_transaction(statement, parameters, writes=True)


def execute_locking_read(statement, parameters):
    """A SELECT … FOR UPDATE of the request's transaction that reads columns, not objects,
    run the same way (on PostgreSQL inside a transaction, as the lock needs)."""
    return _execute_in_transaction(statement, parameters, writes=False)


def _execute_in_transaction(statement, parameters, *, writes: bool):
    from planner.core.page_cache import note_write
    from planner.extensions import db

    session = db.session()
    session.flush()  # as the session's own execution would: rows it holds are written first
    _in_a_transaction(session)
    if writes:
        note_write(session)
    return session.connection().execute(statement, parameters)


def begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, queueing for the write lock in naps of our own.

    SQLite's busy handler naps 1, 2, 5, 10… ms between tries, and a cast holds the lock about
    1 ms: a writer that arrived behind another slept longer than the lock was held, its
    worker idle meanwhile (the benchmark's casts: 87 % of the 2 cores busy, 91 % with these
    naps, 10–15 % more casts a second). The naps here start at 0.1 ms and double up to 2 ms,
    for the same limit in all; the statements that follow keep SQLite's own handler.
    """
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        nap = FIRST_NAP
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                busy = getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() + nap > deadline:
                    # As SQLAlchemy wraps a statement's error, so that a request answers 503
                    # "database unavailable" (core/errors.py), not an unexpected 500.
                    raise OperationalError("BEGIN IMMEDIATE", None, error) from error
            time.sleep(nap)
            nap = min(nap * 2, LONGEST_NAP)
    finally:
        dbapi_connection.execute(_busy_timeout())


def analyze(connection) -> None:
    """Refresh the query planner's statistics of every table (SQLite and PostgreSQL).

    Without them SQLite guesses, and picks a sort of every action over an index walk (ten
    times slower on a large plan). Run after a bulk load and at each deployment (init-db).
    """
    connection.exec_driver_sql("ANALYZE")
