"""Who is signed in (Flask-Login's loader) and which network the request serves.

The signed-in account is read once a request, as columns (`_account_row`). Most requests
need it as objects (`load_user`, for `current_user`); a page kept by core/page_cache.py needs
only who is signed in and in which language (`signed_in`), so it is served without making
the account's, its cluster's and the network's ORM objects (README, Performance).
"""

from functools import cache
from typing import NamedTuple

from flask import Flask, g, request, session
from sqlalchemy import bindparam, inspect, select, true
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from planner.core import page_cache
from planner.extensions import db, login_manager
from planner.members.models import Member, Network, User
from planner.members.queries import current_network

# The account's statement reads these tables' columns, in this order, then the kept pages'
# columns (core/page_cache.py).
_ACCOUNT_TABLES = (User, Network, Member)
_SESSION_KEY = "_user_id"  # where Flask-Login keeps the signed-in account's get_id()


class SignedIn(NamedTuple):
    """The signed-in account, as much of it as a kept page needs."""

    id: int
    session_version: int
    preferred_language: str | None

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"  # as User.get_id


@cache
def _account_statement():
    # Built once, run with a bound id. The network is the first one, as current_network()
    # reads it, and what kept pages are checked against (core/page_cache.py): one statement
    # instead of three on every signed-in request.
    users, networks, members = (model.__table__ for model in _ACCOUNT_TABLES)
    return (
        select(*users.c, *networks.c, *members.c, *page_cache.account_columns())
        .select_from(users)
        .outerjoin(networks, true())
        .outerjoin(members, members.c.id == users.c.member_id)
        .where(users.c.id == bindparam("user_id"))
        .order_by(networks.c.id)
        .limit(1)
    )


def _parse(user_id) -> tuple[int, int] | None:
    try:
        raw_id, raw_version = user_id.split(".", 1)
        return int(raw_id), int(raw_version)
    except (AttributeError, ValueError):
        return None


def _account_row(user_id: str):
    """The account's columns, split by table: (user, network, member), or None. Read once a
    request; the network's language and time zone, and the kept pages' columns, are noted
    for the request as they are read."""
    kept = g.get("account_row")
    if kept is not None and kept[0] == user_id:
        return kept[1]
    parsed = _parse(user_id)
    row = None if parsed is None else db.session.connection().execute(
        _account_statement(), {"user_id": parsed[0]}).first()
    parts = None
    if row is not None:
        values, parts = tuple(row), []
        for model in _ACCOUNT_TABLES:
            width = len(model.__table__.c)
            parts.append(values[:width])
            values = values[width:]
        if parts[1][0] is not None:
            g.network_timezone = _column(Network, parts[1], "timezone")
            g.network_locale = _column(Network, parts[1], "default_language")
        page_cache.note_account_columns(values)
    g.account_row = (user_id, parts)
    return parts


def _valid(parts, user_id: str) -> bool:
    """The account may use this session: it is active and the cookie carries its current
    session version (a password change or "sign out everywhere" moves it on)."""
    return (bool(_column(User, parts[0], "is_active_account"))
            and _column(User, parts[0], "session_version") == _parse(user_id)[1])


def _session_account_row():
    """The columns of the account this request's session names, or None."""
    user_id = session.get(_SESSION_KEY)
    return None if user_id is None else _account_row(user_id)


def signed_in() -> SignedIn | None:
    """Who is signed in with this request's session, without making the account's objects;
    None when nobody is (a remembered login is restored by `current_user`). Asked three
    times a request (the session rules, the locale, the kept page's key): made once for the
    session's account, again only if a login or logout changed it."""
    user_id = session.get(_SESSION_KEY)
    known = g.get("signed_in")
    if known is not None and known[0] == user_id:
        return known[1]
    parts = _session_account_row()
    account = None
    if parts is not None and _valid(parts, user_id):
        user = parts[0]
        account = SignedIn(_column(User, user, "id"), _column(User, user, "session_version"),
                           _column(User, user, "preferred_language"))
    g.signed_in = (user_id, account)
    return account


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: accept a cookie only if it carries the user's current session
    version. The account's objects are made from the columns already read, as the ORM's
    loader would have made them."""
    parts = _account_row(user_id)
    if parts is None or not _valid(parts, user_id):
        return None
    user, network, member = (
        _as_loaded(model, values) for model, values in zip(_ACCOUNT_TABLES, parts, strict=True))
    if "member" in inspect(user).unloaded:
        set_committed_value(user, "member", member)
    g.network = network
    return user


@cache
def _attribute_keys(model) -> tuple[str, ...]:
    """The mapped attribute of each of the model's table columns, in the table's order."""
    mapper = model.__mapper__
    return tuple(mapper.get_property_by_column(column).key for column in model.__table__.c)


@cache
def _position(model, key: str) -> int:
    return _attribute_keys(model).index(key)


def _column(model, values, key: str):
    """One attribute's value in a row of the model's table columns."""
    return values[_position(model, key)]


def _as_loaded(model, values):
    """The object a query of `model` would give for this row of its table's columns (its
    key first): the session's own if it holds one, its expired columns filled in; else a new
    one in the session, unchanged, its relationships loaded when first used."""
    if values[0] is None:  # the outer join found no row
        return None
    db_session = db.session()
    keys = _attribute_keys(model)
    instance = db_session.identity_map.get(db_session.identity_key(model, values[0]))
    if instance is not None:  # the tests' code read it in this session between requests
        unloaded = inspect(instance).unloaded
        for key, value in zip(keys, values, strict=True):
            if key in unloaded:
                set_committed_value(instance, key, value)
        return instance
    instance = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(zip(keys, values, strict=True))  # as the ORM's loader fills it
    make_transient_to_detached(instance)
    db_session.add(instance)
    return instance


def _serve(network) -> None:
    g.network = network
    if network is not None:
        g.network_timezone = network.timezone
        g.network_locale = network.default_language


def init_sessions(app: Flask) -> None:
    """Registered after the kept pages' hook (create_app): a kept page needs no network."""
    login_manager.user_loader(load_user)
    login_manager.signed_in_loader(signed_in)

    @app.before_request
    def _load_network() -> None:
        if request.endpoint in ("static", "health.healthz"):
            return  # served without touching the database (health reports it itself)
        if "network" in g:  # made with the signed-in account
            return
        parts = _session_account_row()
        if parts is not None:  # read with the account already: made from its columns
            g.network = _as_loaded(Network, parts[1])
        else:
            _serve(current_network())
