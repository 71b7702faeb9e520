"""What the benchmark loads: the pages' addresses and the ballots to cast, read from the data
set; and the ballot checks made once the casting is over.

Run as `python -m planner.benchmark.targets pages|ballots SIZE` (the runner does, with the
data set's DATABASE_URL), it prints JSON.
"""

import json
import sys

from sqlalchemy import func, select

from planner.extensions import db
from planner.meetings.demo import TITLE as FOUNDING_TITLE
from planner.meetings.models import Meeting, MeetingStatus
from planner.members.models import User
from planner.minutes.models import Minutes
from planner.plan.models import StrategicAxis
from planner.proposals.models import (
    Ballot,
    BallotChange,
    Proposal,
    ProposalKind,
    ProposalOption,
    Round,
    RoundElector,
    RoundStatus,
)

DEMO_DIRECTORS = 13  # the demo's directors are electors of every round, at every size


def _open_rounds() -> list:
    """Open rounds: those held at a meeting first (as the demo's are, so that the consensus
    map is the same kind of page at every size), the largest electorate and the most
    answers first."""
    answered = (
        select(Ballot.round_id, func.count(Ballot.id).label("n"))
        .group_by(Ballot.round_id)
        .subquery()
    )
    electors = (
        select(RoundElector.round_id, func.count().label("n"))
        .group_by(RoundElector.round_id)
        .subquery()
    )
    return db.session.execute(
        select(
            Round.id,
            Round.proposal_id,
            Round.number,
            Proposal.kind,
            func.coalesce(answered.c.n, 0),
            electors.c.n,
        )
        .join(Proposal, Proposal.id == Round.proposal_id)
        .join(electors, electors.c.round_id == Round.id)
        .outerjoin(answered, answered.c.round_id == Round.id)
        .where(Round.status == RoundStatus.OPEN)
        .order_by(
            Round.meeting_id.is_(None),
            electors.c.n.desc(),
            func.coalesce(answered.c.n, 0).desc(),
            Round.id,
        )
    ).all()


def pages(size: str) -> dict:
    """The pages to load, as (name, path), and what the consensus map holds."""
    if size == "demo":  # the demo's founding meeting
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.title == FOUNDING_TITLE))
    else:  # the first coming generated meeting
        meeting_id = db.session.scalar(
            select(Meeting.id)
            .where(
                Meeting.status == MeetingStatus.CONVENED, Meeting.title.like("Réunion du réseau%")
            )
            .order_by(Meeting.starts_at)
            .limit(1)
        )
    minutes_meeting = db.session.scalar(
        select(Minutes.meeting_id)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(Meeting.title.like("Assemblée annuelle%"))
    )
    rounds = _open_rounds()
    map_round = next(r for r in rounds if r[3] is ProposalKind.MOTION)
    axis = db.session.scalar(select(StrategicAxis.id).order_by(StrategicAxis.position).limit(1))
    return {
        "pages": [
            ["home", "/"],
            ["meeting with agenda", f"/meetings/{meeting_id}"],
            ["consensus map (open round)", f"/proposals/{map_round[1]}/rounds/{map_round[2]}"],
            ["decisions list", "/decisions/"],
            ["action plan", "/plan/"],
            ["action plan, filtered", f"/plan/?axis={axis}&status=in_progress&sort=deadline"],
            ["follow-up cockpit", "/plan/follow-up"],
            ["minutes (30 items)", f"/meetings/{minutes_meeting}/minutes"],
            ["timeline", "/plan/timeline"],
        ],
        "map_electors": map_round[5],
        "map_ballots": map_round[4],
        "casts": casts(rounds),
    }


def casts(rounds: list) -> list[dict]:
    """(director, round) pairs to cast on, each with the two answers the requests alternate
    (every request also carries a reason of its own, so each one changes the ballot)."""
    directors = db.session.execute(
        select(User.email, User.member_id)
        .where(User.member_id.is_not(None), User.email.like("director.%@example.org"))
        .order_by(User.id)
        .limit(DEMO_DIRECTORS)
    ).all()
    found = []
    for round_id, proposal_id, number, kind, _answered, _electors in rounds:
        electors = set(
            db.session.scalars(
                select(RoundElector.member_id).where(RoundElector.round_id == round_id)
            )
        )
        options = list(
            db.session.scalars(
                select(ProposalOption.id)
                .where(ProposalOption.proposal_id == proposal_id)
                .order_by(ProposalOption.position)
            )
        )
        values = (
            [f"option-{options[0]}", f"option-{options[1]}"]
            if kind is ProposalKind.CHOICE
            else ["agree", "reservations"]
        )
        for email, member_id in directors:
            if member_id not in electors:
                continue
            found.append(
                {
                    "email": email,
                    "member_id": member_id,
                    "values": values,
                    "path": f"/proposals/{proposal_id}/rounds/{number}/members/{member_id}/cast",
                }
            )
    return found


def ballot_facts() -> dict:
    """Duplicated ballots (there must be none: GROUP BY round, member HAVING count > 1) and
    how many changes the ballots' history holds."""
    duplicates = db.session.execute(
        select(Ballot.round_id, Ballot.member_id)
        .group_by(Ballot.round_id, Ballot.member_id)
        .having(func.count(Ballot.id) > 1)
    ).all()
    return {
        "duplicates": len(duplicates),
        "changes": db.session.scalar(select(func.count(BallotChange.id))) or 0,
    }


def main(argv: list[str]) -> None:
    from planner import create_app

    app = create_app()
    with app.app_context():
        what = argv[0]
        result = pages(argv[1]) if what == "pages" else ballot_facts()
        print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
