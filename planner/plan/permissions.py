"""Object-level permissions of the plan: who may report on which action item."""

from planner.core.permissions import director, secretariat
from planner.plan.models import ActionItem


def can_update_action(user, action: ActionItem) -> bool:
    """The secretariat updates every action; a director only those their cluster owns."""
    if secretariat(user):
        return True
    return (
        director(user)
        and action.owner_member_id is not None
        and action.owner_member_id == user.member_id
    )


def can_cancel_action(user) -> bool:
    """Cancelling takes an action out of the plan: a network decision, so the secretariat's."""
    return secretariat(user)
