"""Who may do what: named predicates used by views to refuse and by templates to hide.

Every view declares its route-level permission with @allow(predicate) or @public, so
a route cannot be added without saying who may use it (tests/test_permissions_matrix.py
checks that). Object-level checks (a director acting only for their own cluster) are
predicates too, called by the view once the objects are loaded.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, request
from flask_login import current_user

from planner.core.database import start_writing
from planner.core.security import SAFE_METHODS
from planner.extensions import db, login_manager

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


def can_manage_proposals(user) -> bool:
    """Draft proposals, open and close rounds, put amended texts to a new round."""
    return secretariat(user)


def can_follow_up_objections(user) -> bool:
    """The secretariat, and directors (each for their own cluster's objections)."""
    return secretariat(user) or director(user)


def can_manage_meetings(user) -> bool:
    """Create meetings, move them through their states, build agendas, record attendance."""
    return secretariat(user)


def can_suggest_agenda_items(user) -> bool:
    """Directors ask for agenda items for their cluster; the secretariat answers."""
    return director(user)


def can_see_meeting(user, meeting) -> bool:
    """A draft meeting is not announced yet: only the secretariat sees it."""
    return secretariat(user) or (signed_in(user) and meeting.status.value != "draft")


def can_see_suggestion(user, suggestion) -> bool:
    """An agenda suggestion and its answer: the secretariat and the suggesting cluster."""
    return secretariat(user) or (
        director(user) and user.member_id == suggestion.member_id
    )


def can_manage_plan(user) -> bool:
    """Strategy, action items, milestones and funding sources: the secretariat."""
    return secretariat(user)


def can_update_actions(user) -> bool:
    """Route level: directors (for their cluster's actions) and the secretariat (for all)."""
    return director(user) or secretariat(user)


def anyone(_user) -> bool:
    return True


def allow(predicate: Predicate, *, writes_from_rule: bool = False):
    """Route decorator: anonymous users go to the login page, others failing get 403.

    A form's view then runs in a write transaction. With `writes_from_rule=True` it reads
    and validates first, and calls start_writing() itself just before its rule, which must
    re-read under its lock everything it decides on (the cast: the round's state, the
    elector, the proxy): the write lock is then held for the rule alone.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if predicate is not anyone and not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            if request.method not in SAFE_METHODS and not writes_from_rule:
                start_writing(db.session())
            return view(*args, **kwargs)

        wrapped.permission = predicate
        return wrapped

    return decorate


public = allow(anyone)


def require(allowed: bool) -> None:
    """Object-level check inside a view: 403 unless `allowed`."""
    if not allowed:
        abort(403)
