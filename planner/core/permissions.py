"""Who may do what: named predicates used by views to refuse and by templates to hide.

Every view declares its route-level permission with @allow(predicate) or @public, so
a route cannot be added without saying who may use it (tests/test_permissions_matrix.py
checks that). Object-level checks (a director acting only for their own cluster) are
predicates too, called by the view once the objects are loaded.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from planner.extensions import login_manager

Predicate = Callable[[object], bool]


def signed_in(user) -> bool:
    """Any active account: directors, secretariat and observers read the network."""
    return bool(user.is_authenticated)


def secretariat(user) -> bool:
    return bool(user.is_authenticated and user.is_secretariat)


def director(user) -> bool:
    return bool(user.is_authenticated and user.member_id is not None)


def can_manage_members(user) -> bool:
    return secretariat(user)


def can_manage_accounts(user) -> bool:
    return secretariat(user)


def can_read_audit_log(user) -> bool:
    return secretariat(user)


def anyone(_user) -> bool:
    return True


def allow(predicate: Predicate):
    """Route decorator: anonymous users go to the login page, others failing get 403."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if predicate is not anyone and not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = predicate
        return wrapped

    return decorate


public = allow(anyone)


def require(allowed: bool) -> None:
    """Object-level check inside a view: 403 unless `allowed`."""
    if not allowed:
        abort(403)
