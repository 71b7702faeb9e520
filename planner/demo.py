"""Loads the whole demo network, domain by domain, through each domain's own rules."""

from sqlalchemy import select

from planner.extensions import db
from planner.meetings.demo import load_meetings_demo
from planner.members.demo import load_members_demo
from planner.members.models import Network
from planner.plan.demo import load_plan_demo
from planner.proposals.demo import load_proposals_demo


def database_is_empty() -> bool:
    return db.session.scalar(select(Network.id).limit(1)) is None


def load_demo() -> None:
    """Load the demo into an empty database; the caller commits."""
    if not database_is_empty():
        raise RuntimeError(
            "The database already holds a network; the demo loads only into an empty one."
        )
    load_members_demo()
    load_plan_demo()
    load_meetings_demo()
    load_proposals_demo()  # after the meetings: proposals sit on their decision items
