"""Who may answer for which member in a round: predicates that need the round and its meeting."""

from sqlalchemy import select

from planner.core.permissions import secretariat
from planner.extensions import db
from planner.meetings.models import Attendance, AttendanceStatus
from planner.proposals.models import ObjectionFollowUp, Round


def represented_by(holder_member_id: int, meeting_id: int | None) -> list[int]:
    """The members whose proxy `holder_member_id` holds for this meeting (none between meetings)."""
    if meeting_id is None:
        return []
    return list(
        db.session.scalars(
            select(Attendance.member_id).where(
                Attendance.meeting_id == meeting_id,
                Attendance.status == AttendanceStatus.REPRESENTED,
                Attendance.proxy_holder_id == holder_member_id,
            )
        )
    )


def cast_right(user, member_id: int, proxy_holder_id: int | None) -> bool | None:
    """Whether `user` may answer for `member_id`: None if not, else whether by proxy.

    A director answers for their own cluster and for each cluster that gave their cluster its
    proxy for the round's meeting (`proxy_holder_id`: the member holding `member_id`'s proxy
    for that meeting, None between meetings). The secretariat role alone gives no ballot.
    """
    if not (user.is_authenticated and user.member_id is not None):
        return None
    if member_id == user.member_id:
        return False
    if proxy_holder_id is not None and proxy_holder_id == user.member_id:
        return True
    return None


def castable_members(user, round_: Round) -> dict[int, bool]:
    """member id -> by proxy: the members `user` may answer for in this round (cast_right)."""
    if not (user.is_authenticated and user.member_id is not None):
        return {}
    allowed = {user.member_id: False}
    for member_id in represented_by(user.member_id, round_.meeting_id):
        allowed.setdefault(member_id, True)
    return allowed


def can_cast_for(user, round_: Round, member_id: int) -> bool:
    # A director's own cluster needs no look-up of the meeting's proxies.
    if cast_right(user, member_id, None) is False:
        return True
    return member_id in castable_members(user, round_)


def can_update_follow_up(user, follow_up: ObjectionFollowUp) -> bool:
    """The secretariat records any status; the objecting cluster's director may withdraw."""
    return secretariat(user) or (
        user.is_authenticated and user.member_id is not None
        and user.member_id == follow_up.member_id
    )
