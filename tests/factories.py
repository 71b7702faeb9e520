"""Builders of test data: make_*(**overrides), each through the domain's own rules."""

import itertools

from sqlalchemy import select

from planner.extensions import db
from planner.members import rules as member_rules
from planner.members.models import Member, Network, User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_password_hash: str | None = None


def password_hash() -> str:
    """One real scrypt hash of PASSWORD, computed once per test run (it costs ~0.1 s)."""
    global _password_hash
    if _password_hash is None:
        _password_hash = member_rules.hash_password(PASSWORD)
    return _password_hash


def make_network(**overrides) -> Network:
    network = db.session.scalar(select(Network).limit(1))
    if network is None:
        values = {"name": "Test Network", "timezone": "Africa/Casablanca", "quorum_percent": 50,
                  "max_proxies_per_holder": 1, "default_language": "fr", "currency": "MAD"}
        values.update(overrides)
        network = Network(**values)
        db.session.add(network)
        db.session.commit()
    return network


def make_member(**overrides) -> Member:
    make_network()
    n = next(_counter)
    values = {"name": f"Cluster number {n}", "short_name": f"C{n}", "sector": "Industry",
              "city": "Casablanca"}
    values.update(overrides)
    member = member_rules.create_member(None, **values)
    db.session.commit()
    return member


def make_user(
    *, role: str = "director", member: Member | None = None, with_password: bool = True,
    **overrides,
) -> User:
    """role: director (of `member`, made if missing), secretariat, observer."""
    n = next(_counter)
    values = {"email": f"user{n}@example.org", "full_name": f"Person {n}"}
    if role == "director":
        values["member_id"] = (member or make_member()).id
    elif role == "secretariat":
        values["is_secretariat"] = True
        if member is not None:
            values["member_id"] = member.id
    elif role == "observer":
        values["is_observer"] = True
    values.update(overrides)
    user = member_rules.create_user(None, **values)
    user.password_hash = password_hash() if with_password else None
    db.session.commit()
    return user


class DemoLookup:
    """Find demo rows by their natural names in tests."""

    def member(self, short_name: str) -> Member:
        return db.session.scalar(select(Member).where(Member.short_name == short_name))

    def user(self, email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))


class World:
    """One of every kind of record, and one account per role, for the permission matrix.

    `users` maps a role name to its account; `url_values` maps every URL argument name
    (member_id, user_id, ...) to the id of a record that exists. Each domain adds its
    records in make_world() so that every route can be called.
    """

    ROLES = ("anonymous", "director", "other_director", "secretariat", "observer")

    def __init__(self):
        self.users: dict[str, User] = {}
        self.url_values: dict[str, object] = {}


def make_world() -> World:
    world = World()
    make_network()
    member = make_member(short_name="OWN")
    other = make_member(short_name="OTHER")
    world.members = {"own": member, "other": other}
    world.users["director"] = make_user(member=member)
    world.users["other_director"] = make_user(member=other)
    world.users["secretariat"] = make_user(role="secretariat")
    world.users["observer"] = make_user(role="observer")
    target = make_user(member=other, email="target@example.org")
    world.url_values.update(member_id=member.id, user_id=target.id, token="not-a-real-token")
    _add_meetings_to_world(world)
    _add_proposals_to_world(world)
    _add_plan_to_world(world)
    _add_minutes_to_world(world)
    return world


# --- meetings -------------------------------------------------------------------------------


def make_meeting(*, status: str = "draft", items: int = 0, **overrides):
    """A meeting through the meetings rules; `status` draft, convened, in_session, closed,
    cancelled; `items` agenda items of 15 minutes each. Times are naive UTC."""
    from datetime import datetime, timedelta

    from planner.meetings import rules as meeting_rules

    make_network()
    starts_at = overrides.pop("starts_at", datetime(2030, 3, 14, 9, 0))
    values = {"title": f"Strategy meeting {next(_counter)}", "starts_at": starts_at,
              "ends_at": starts_at + timedelta(hours=3), "venue": "Casablanca",
              "minutes_language": "fr"}
    values.update(overrides)
    meeting = meeting_rules.create_meeting(None, **values)
    for n in range(1, items + 1):
        meeting_rules.add_item(None, meeting, title=f"Item {n}", duration_minutes=15)
    steps = {"draft": [], "convened": ["convene"], "in_session": ["convene", "open"],
             "closed": ["convene", "open", "close"], "cancelled": ["cancel"]}[status]
    for step in steps:
        meeting_rules.move_meeting(None, meeting, step,
                                   reason="Test cancellation" if step == "cancel" else "")
    db.session.commit()
    return meeting


def make_item(meeting, **overrides):
    from planner.meetings import rules as meeting_rules

    values = {"title": f"Item {next(_counter)}", "duration_minutes": 15}
    values.update(overrides)
    item = meeting_rules.add_item(None, meeting, **values)
    db.session.commit()
    return item


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_document(item, *, name: str = "programme.pdf", data: bytes = PDF_BYTES):
    """A document attached through the rules; files go to a temporary folder in tests."""
    import tempfile

    from flask import current_app

    from planner.meetings import rules as meeting_rules

    current_app.config.setdefault("UPLOAD_FOLDER", tempfile.mkdtemp(prefix="planner-uploads-"))
    secretariat = make_user(role="secretariat")
    document = meeting_rules.add_document(secretariat, item, name, data)
    db.session.commit()
    return document


def make_suggestion(director: User, meeting, **overrides):
    from planner.meetings import rules as meeting_rules

    values = {"title": f"Suggested item {next(_counter)}", "duration_minutes": 20,
              "description": "Why it matters."}
    values.update(overrides)
    suggestion = meeting_rules.suggest_item(director, meeting, **values)
    db.session.commit()
    return suggestion


def _add_meetings_to_world(world: World) -> None:
    meeting = make_meeting(status="convened", items=1)
    item = make_item(meeting, title="Legal status")
    document = make_document(item)
    suggestion = make_suggestion(world.users["director"], meeting)
    world.url_values.update(meeting_id=meeting.id, item_id=item.id, document_id=document.id,
                            suggestion_id=suggestion.id)


# --- proposals ------------------------------------------------------------------------------


def make_attendance(meeting, member, status: str = "present", holder=None):
    """Attendance through the meetings rules (a proxy holder must be present)."""
    from planner.meetings import rules as meeting_rules
    from planner.meetings.models import AttendanceStatus

    row = meeting_rules.record_attendance(None, meeting, member, AttendanceStatus(status), holder)
    db.session.commit()
    return row


def make_proposal(*, actor: User | None = None, open_round: bool = False, closes_at=None,
                  **overrides):
    """A proposal through the proposals rules: a motion under consensus between meetings by
    default; `open_round` opens round 1 (closing in a week when no agenda item is given)."""
    from datetime import timedelta

    from planner.core.time import utcnow
    from planner.proposals import rules as proposal_rules
    from planner.proposals.models import DecisionRule, ProposalKind

    make_network()
    actor = actor or make_user(role="secretariat")
    values = {"title": f"Proposal {next(_counter)}", "text": "The network decides **this**.",
              "kind": ProposalKind.MOTION, "rule": DecisionRule.CONSENSUS}
    values.update(overrides)
    for key, enum_class in (("kind", ProposalKind), ("rule", DecisionRule)):
        if isinstance(values[key], str):
            values[key] = enum_class(values[key])
    proposal = proposal_rules.create_proposal(actor, **values)
    db.session.commit()
    if open_round:
        if closes_at is None and proposal.agenda_item_id is None:
            closes_at = utcnow() + timedelta(days=7)
        proposal_rules.open_round(actor, current_round_of(proposal), closes_at)
        db.session.commit()
    return proposal


def current_round_of(proposal):
    from planner.proposals.queries import current_round

    return current_round(proposal.id)


def make_ballot(director: User, proposal, member=None, position: str = "agree",
                reason: str = "", option_id=None):
    """A ballot cast through the rules by `director` for `member` (their own by default)."""
    from planner.proposals import rules as proposal_rules
    from planner.proposals.models import Ballot, Position

    member = member or db.session.get(Member, director.member_id)
    ballot_id = proposal_rules.cast(
        director, current_round_of(proposal), member,
        position=Position(position) if position and option_id is None else None,
        option_id=option_id, reason=reason,
    )
    db.session.commit()
    return db.session.get(Ballot, ballot_id)


def _add_proposals_to_world(world: World) -> None:
    """A proposal whose round 1 ended without consensus (OTHER objected), round 2 open."""
    from datetime import timedelta

    from planner.core.time import utcnow
    from planner.proposals import rules as proposal_rules

    secretariat = world.users["secretariat"]
    proposal = make_proposal(actor=secretariat, open_round=True, title="World proposal")
    make_ballot(world.users["other_director"], proposal, position="object",
                reason="Not yet.")
    proposal_rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    round_ = proposal_rules.new_round(secretariat, proposal, "Amended text.")
    db.session.commit()
    proposal_rules.open_round(secretariat, round_, utcnow() + timedelta(days=7))
    db.session.commit()
    follow_up = proposal_rules.queries.follow_ups(round_.id)[0]
    world.url_values.update(proposal_id=proposal.id, round_number=round_.number,
                            follow_up_id=follow_up.id)


# --- minutes --------------------------------------------------------------------------------


def _add_minutes_to_world(world: World) -> None:
    """A share link on the world's meeting (its minutes need nothing else to exist)."""
    from planner.meetings.models import Meeting
    from planner.minutes import rules as minutes_rules

    meeting = db.session.get(Meeting, world.url_values["meeting_id"])
    link, _token = minutes_rules.create_share_link(world.users["secretariat"], meeting)
    db.session.commit()
    world.url_values.update(link_id=link.id)


# --- plan -----------------------------------------------------------------------------------


def _plan_actor(actor: User | None) -> User:
    from planner.members.models import User as UserModel

    if actor is not None:
        return actor
    existing = db.session.scalar(
        select(UserModel).where(UserModel.is_secretariat.is_(True)).limit(1)
    )
    return existing or make_user(role="secretariat")


def make_axis(*, actor: User | None = None, **overrides):
    from planner.plan import rules as plan_rules

    make_network()
    values = {"title": f"Axis {next(_counter)}", "description": ""}
    values.update(overrides)
    axis = plan_rules.create_axis(_plan_actor(actor), **values)
    db.session.commit()
    return axis


def make_objective(*, axis=None, horizon: str = "medium", actor: User | None = None,
                   **overrides):
    from planner.plan import rules as plan_rules
    from planner.plan.models import Horizon

    axis = axis or make_axis(actor=actor)
    values = {"title": f"Objective {next(_counter)}", "description": ""}
    values.update(overrides)
    objective = plan_rules.create_objective(
        _plan_actor(actor), axis_id=axis.id, horizon=Horizon(horizon), **values
    )
    db.session.commit()
    return objective


def make_funding_source(*, actor: User | None = None, **overrides):
    from planner.plan import rules as plan_rules

    values = {"name": f"Funder {next(_counter)}", "description": ""}
    values.update(overrides)
    source = plan_rules.create_funding_source(_plan_actor(actor), **values)
    db.session.commit()
    return source


def make_action(*, objective=None, owner: Member | None = None, actor: User | None = None,
                starts_in: int = -30, due_in: int = 30, **overrides):
    """An action through the plan's rules, owned by `owner` (a member) or the secretariat;
    dates are days from today (the network's today)."""
    from datetime import timedelta

    from planner.plan import rules as plan_rules
    from planner.plan.dates import local_today

    objective = objective or make_objective(actor=actor)
    today = local_today()
    values = {
        "objective_id": objective.id, "title": f"Action {next(_counter)}",
        "owner": str(owner.id) if owner is not None else plan_rules.SECRETARIAT_OWNER,
        "starts_on": today + timedelta(days=starts_in), "due_on": today + timedelta(days=due_in),
    }
    decision_id = overrides.pop("decision_id", None)
    values.update(overrides)
    action = plan_rules.create_action(
        _plan_actor(actor), plan_rules.ActionValues(**values), decision_id=decision_id
    )
    db.session.commit()
    return action


def make_update(author: User, action, *, text: str = "Progress made.", progress: int = 50,
                status: str = "in_progress", reason: str = "", **extra):
    from planner.plan import rules as plan_rules
    from planner.plan.models import ActionStatus

    update = plan_rules.post_update(
        author, action, action.version, text=text, progress=progress,
        status=ActionStatus(status), status_reason=reason, **extra,
    )
    db.session.commit()
    return update


def make_milestone(action, *, due_in: int = 0, actor: User | None = None, **overrides):
    from datetime import timedelta

    from planner.plan import rules as plan_rules
    from planner.plan.dates import local_today

    values = {"title": f"Milestone {next(_counter)}",
              "due_on": local_today() + timedelta(days=due_in)}
    values.update(overrides)
    milestone = plan_rules.add_milestone(_plan_actor(actor), action, **values)
    db.session.commit()
    return milestone


def _add_plan_to_world(world: World) -> None:
    """An axis, an objective with an indicator, a funding source and an action owned by the
    director's cluster (OWN), with a milestone."""
    from decimal import Decimal

    from planner.plan import rules as plan_rules

    secretariat = world.users["secretariat"]
    objective = make_objective(actor=secretariat)
    indicator = plan_rules.create_indicator(
        secretariat, objective, plan_rules.IndicatorValues(name="Clusters", target=Decimal(13))
    )
    source = make_funding_source(actor=secretariat)
    action = make_action(objective=objective, owner=world.members["own"], actor=secretariat)
    milestone = make_milestone(action, actor=secretariat)
    db.session.commit()
    world.url_values.update(
        axis_id=objective.axis_id, objective_id=objective.id, indicator_id=indicator.id,
        source_id=source.id, action_id=action.id, milestone_id=milestone.id,
    )
