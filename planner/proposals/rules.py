"""State changes of proposals: drafting, opening and closing rounds, casting, amending."""

import json
from collections.abc import Mapping
from datetime import datetime
from functools import cache

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, insert, literal, select
from sqlalchemy.orm.attributes import set_committed_value

from planner.core import audit
from planner.core.database import execute_locking_read, execute_write
from planner.core.permissions import secretariat
from planner.core.rules import RuleError
from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from planner.members.models import Member, Network, User
from planner.proposals import decision_rules as dr
from planner.proposals import queries
from planner.proposals.models import (
    Ballot,
    BallotChange,
    Criterion,
    CriterionScore,
    Decision,
    DecisionRule,
    FollowUpStatus,
    ObjectionFollowUp,
    Outcome,
    Position,
    Proposal,
    ProposalKind,
    ProposalOption,
    Round,
    RoundElector,
    RoundStatus,
    remember_locked_round,
)
from planner.proposals.permissions import can_update_follow_up, cast_right

REASON_MAX = 4000
LABEL_MAX = 200
TEXT_MAX = 50_000


def _require_secretariat(actor) -> None:
    if not secretariat(actor):
        raise RuleError(_("Only the secretariat can do this."), 403)


def _network() -> Network:
    network = db.session.scalar(select(Network).order_by(Network.id).limit(1))
    if network is None:
        raise RuleError(_("The network is not set up yet."), 409)
    return network


def _lock(round_: Round) -> None:
    """Reload the round and lock its row, so a cast and a closing never interleave."""
    db.session.refresh(round_, with_for_update=True)
    remember_locked_round(db.session.connection(), round_)


@cache
def _cast_lock_query():
    """The round's state, locked, and in the same statement what a cast needs: whether the
    member is an elector of the round, its ballot, and who holds its proxy for the round's
    meeting. Columns, not objects: a cast reads them once and writes with plain statements
    (reading and flushing through the ORM's unit of work was a fifth of a cast).
    Built once, run with bound parameters (see queries.py)."""
    member_id = bindparam("member_id")
    return (
        select(Round.status, Round.closes_at, RoundElector.member_id.label("elector"),
               Ballot.id.label("ballot_id"), Ballot.position, Ballot.option_id, Ballot.reason,
               Attendance.proxy_holder_id)
        .select_from(Round)
        .outerjoin(RoundElector, and_(RoundElector.round_id == Round.id,
                                      RoundElector.member_id == member_id))
        .outerjoin(Ballot, and_(Ballot.round_id == Round.id, Ballot.member_id == member_id))
        .outerjoin(Attendance, and_(Attendance.meeting_id == Round.meeting_id,
                                    Attendance.member_id == member_id,
                                    Attendance.status == AttendanceStatus.REPRESENTED))
        .where(Round.id == bindparam("round_id"))
        .with_for_update(of=Round)
    )


def _lock_for_cast(round_: Round, member_id: int):
    """_lock, reading the columns a cast needs (_cast_lock_query); `round_` is brought up to
    date with what was read under the lock, as a refresh would, without loading it again."""
    state = execute_locking_read(
        _cast_lock_query(), {"round_id": round_.id, "member_id": member_id}).one()
    set_committed_value(round_, "status", state.status)
    set_committed_value(round_, "closes_at", state.closes_at)
    remember_locked_round(db.session.connection(), round_)
    return state


# Every ballot written by a cast carries the closed-round guard of models.py in its own
# statement: the round's row is locked and checked open above, and a statement that finds
# it closed all the same writes nothing (and the rule refuses, below).
_ROUND_NOT_CLOSED = (
    select(Round.id)
    .where(Round.id == bindparam("the_round_id"), Round.status != RoundStatus.CLOSED)
    .exists()
)
_BALLOT_VALUES = ("position", "option_id", "reason", "cast_by_id", "by_proxy", "updated_at")


@cache
def _insert_ballot():
    columns = Ballot.__table__.c
    names = ("round_id", "member_id", *_BALLOT_VALUES, "cast_at")
    # Bound names may not be the columns' own in an INSERT or UPDATE: "new_" + column.
    values = select(*(bindparam("new_" + name, type_=columns[name].type) for name in names))
    return (
        insert(Ballot.__table__)
        .from_select(names, values.where(_ROUND_NOT_CLOSED))
        .returning(columns.id)
    )


@cache
def _insert_history():
    return insert(BallotChange.__table__)


@cache
def _update_ballot():
    columns = Ballot.__table__.c
    return (
        Ballot.__table__.update()
        .where(columns.id == bindparam("ballot_id"), _ROUND_NOT_CLOSED)
        .values({name: bindparam("new_" + name, type_=columns[name].type)
                 for name in _BALLOT_VALUES})
    )


def _clean_lines(lines: list[str], field: str) -> list[str]:
    cleaned: list[str] = []
    for line in lines:
        label = " ".join(line.split())
        if not label:
            continue
        if len(label) > LABEL_MAX:
            raise RuleError(
                _("Each line may have at most %(n)d characters.", n=LABEL_MAX), field=field
            )
        if label.casefold() in (c.casefold() for c in cleaned):
            raise RuleError(_("“%(label)s” is listed twice.", label=label), field=field)
        cleaned.append(label)
    return cleaned


def _check_agenda_item(agenda_item_id: int | None) -> AgendaItem | None:
    if agenda_item_id is None:
        return None
    item = db.session.get(AgendaItem, agenda_item_id)
    if item is None:
        raise RuleError(_("This agenda item does not exist."), field="agenda_item_id")
    if item.kind is not AgendaItemKind.DECISION:
        raise RuleError(
            _("A proposal goes on a decision item of the agenda: choose a decision item, or "
              "hold the vote between meetings."),
            field="agenda_item_id",
        )
    meeting = db.session.get(Meeting, item.meeting_id)
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise RuleError(
            _("This meeting is closed or cancelled: choose a coming meeting, or hold the vote "
              "between meetings."),
            409, field="agenda_item_id",
        )
    return item


def _check_shape(kind: ProposalKind, rule: DecisionRule, options: list[str]) -> None:
    if kind is ProposalKind.CHOICE:
        if rule is not DecisionRule.SIMPLE_MAJORITY:
            raise RuleError(
                _("A choice among options is decided by simple majority: the option with most "
                  "votes wins. Choose that rule, or make the proposal a motion."),
                field="rule",
            )
        if len(options) < 2:
            raise RuleError(_("A choice needs at least two options, one per line."),
                            field="options")
    elif options:
        raise RuleError(_("Only a choice has options: make the proposal a choice, or remove "
                          "the options."), field="options")


# --- drafting -----------------------------------------------------------------------------


def create_proposal(
    actor: User,
    *,
    title: str,
    text: str,
    kind: ProposalKind,
    rule: DecisionRule,
    is_secret: bool = False,
    agenda_item_id: int | None = None,
    options: list[str] | None = None,
    criteria: list[str] | None = None,
) -> Proposal:
    """A new proposal and its first round, in draft."""
    _require_secretariat(actor)
    options = _clean_lines(options or [], "options")
    criteria = _clean_lines(criteria or [], "criteria")
    _check_shape(kind, rule, options)
    if criteria and kind is not ProposalKind.CHOICE:
        raise RuleError(_("A criteria grid scores the options of a choice: make the proposal "
                          "a choice, or remove the criteria."), field="criteria")
    _check_agenda_item(agenda_item_id)
    proposal = Proposal(
        title=title.strip(), text=text, kind=kind, rule=rule, is_secret=is_secret,
        agenda_item_id=agenda_item_id, created_by_id=actor.id,
    )
    proposal.options = [ProposalOption(position=i, label=label) for i, label in enumerate(options)]
    proposal.criteria = [Criterion(position=i, label=label) for i, label in enumerate(criteria)]
    proposal.rounds = [Round(number=1, text=text, status=RoundStatus.DRAFT,
                             created_by_id=actor.id)]
    db.session.add(proposal)
    db.session.flush()
    audit.record(actor, "proposal.created", proposal, title=proposal.title, kind=kind.value,
                 rule=rule.value, secret=is_secret, agenda_item_id=agenda_item_id)
    return proposal


def update_proposal(
    actor: User,
    proposal: Proposal,
    version: int,
    *,
    title: str,
    text: str,
    kind: ProposalKind,
    rule: DecisionRule,
    is_secret: bool,
    agenda_item_id: int | None,
    options: list[str],
    criteria: list[str],
) -> Proposal:
    """Edit while the next round is still a draft; options and kind only before any vote."""
    _require_secretariat(actor)
    if version != proposal.version:
        raise RuleError(
            _("Someone else changed this proposal while you were editing it. The current "
              "values are shown below: check them and save again."),
            409,
        )
    current = queries.current_round(proposal.id)
    if current is None or current.status is not RoundStatus.DRAFT:
        raise RuleError(
            _("A round of this proposal is open or closed: its text can no longer be edited. "
              "After the round closes without a decision, put an amended text to a new round."),
            409,
        )
    options = _clean_lines(options, "options")
    criteria = _clean_lines(criteria, "criteria")
    _check_shape(kind, rule, options)
    if criteria and kind is not ProposalKind.CHOICE:
        raise RuleError(_("A criteria grid scores the options of a choice: make the proposal "
                          "a choice, or remove the criteria."), field="criteria")
    if agenda_item_id != proposal.agenda_item_id:
        _check_agenda_item(agenda_item_id)
    existing_options = list(db.session.scalars(
        select(ProposalOption).where(ProposalOption.proposal_id == proposal.id)
        .order_by(ProposalOption.position)))
    existing_criteria = list(db.session.scalars(
        select(Criterion).where(Criterion.proposal_id == proposal.id).order_by(Criterion.position)))
    if current.number > 1 and (kind != proposal.kind
                               or [o.label for o in existing_options] != options):
        raise RuleError(
            _("Members already voted on these options: the kind and the options can no longer "
              "change. Draft a new proposal instead."),
            409, field="options",
        )
    before = {"title": proposal.title, "rule": proposal.rule.value}
    proposal.title = title.strip()
    proposal.text = text
    proposal.kind = kind
    proposal.rule = rule
    proposal.is_secret = is_secret
    proposal.agenda_item_id = agenda_item_id
    current.text = text
    _sync_labels(proposal, existing_options, options, ProposalOption)
    _sync_labels(proposal, existing_criteria, criteria, Criterion)
    db.session.flush()
    audit.record(actor, "proposal.updated", proposal, before=before, title=proposal.title,
                 rule=rule.value, secret=is_secret)
    return proposal


def _sync_labels(proposal: Proposal, existing: list, wanted: list[str], model) -> None:
    """Keep rows whose label stays (and their scores), add new ones, delete the removed."""
    by_label = {row.label: row for row in existing}
    for row in existing:
        if row.label not in wanted:
            db.session.delete(row)
    db.session.flush()
    for position, label in enumerate(wanted):
        row = by_label.get(label)
        if row is None:
            db.session.add(model(proposal_id=proposal.id, position=position, label=label))
        else:
            row.position = position


# --- opening and casting -----------------------------------------------------------------


def open_round(actor: User, round_: Round, closes_at: datetime | None = None) -> Round:
    """Open a draft round: the active members at this moment become its electorate."""
    _require_secretariat(actor)
    _lock(round_)
    if round_.status is not RoundStatus.DRAFT:
        raise RuleError(_("This round is already open or closed."), 409)
    proposal = db.session.get(Proposal, round_.proposal_id)
    now = utcnow()
    item = _check_agenda_item(proposal.agenda_item_id) if proposal.agenda_item_id else None
    if item is None and closes_at is None:
        raise RuleError(
            _("A vote between meetings needs a closing date and time."), field="closes_at"
        )
    if closes_at is not None and closes_at <= now:
        raise RuleError(_("The closing time must be in the future."), field="closes_at")
    if proposal.kind is ProposalKind.CHOICE:
        count = len(queries.options_of(proposal.id))
        if count < 2:
            raise RuleError(_("A choice needs at least two options: edit the proposal first."),
                            409)
    network = _network()
    # The active members become the electorate in one INSERT … SELECT, inside the database:
    # a thousand-member network opens a round without a thousand ids going through Python.
    # The round was locked and checked a draft above, so the electors' closed-round guard
    # (models.py), which a plain statement skips, has nothing to refuse here. The electorate
    # is then counted as written (through psycopg, the INSERT … SELECT gives no row count).
    electors = RoundElector.__table__
    db.session.execute(electors.insert().from_select(
        [electors.c.round_id, electors.c.member_id],
        select(literal(round_.id), Member.id).where(Member.is_active.is_(True))
        .order_by(Member.id),
    ))
    electorate = db.session.scalar(
        select(func.count()).select_from(electors).where(electors.c.round_id == round_.id))
    if not electorate:
        raise RuleError(_("There is no active member cluster to vote."), 409)
    round_.status = RoundStatus.OPEN
    round_.text = proposal.text
    round_.meeting_id = item.meeting_id if item is not None else None
    round_.quorum_percent = network.quorum_percent
    round_.electorate_count = electorate
    round_.opened_at = now
    round_.opened_by_id = actor.id
    round_.closes_at = closes_at
    db.session.flush()
    audit.record(actor, "round.opened", round_, proposal_id=proposal.id, number=round_.number,
                 electorate=electorate, meeting_id=round_.meeting_id, closes_at=closes_at)
    return round_


def _refuse_unless_open(round_: Round, now: datetime) -> None:
    if round_.status is RoundStatus.DRAFT:
        raise RuleError(_("This round is not open yet: positions cannot be given."), 409)
    if round_.status is RoundStatus.CLOSED:
        raise RuleError(
            _("This round is closed: its positions and its outcome are final."), 409
        )
    if round_.closes_at is not None and round_.closes_at <= now:
        raise RuleError(
            _("This round closed on %(when)s: positions can no longer be given or changed.",
              when=format_datetime(round_.closes_at, "medium")),
            409,
        )


def cast(
    actor: User,
    round_: Round,
    member: Member,
    *,
    position: Position | None = None,
    option_id: int | None = None,
    reason: str = "",
) -> int:
    """Give or change `member`'s answer in an open round; every change is kept in the history.
    Gives back the ballot's id."""
    state = _lock_for_cast(round_, member.id)
    now = utcnow()
    _refuse_unless_open(round_, now)
    by_proxy = cast_right(actor, member.id, state.proxy_holder_id)
    if by_proxy is None:
        raise RuleError(
            _("You can answer only for your own cluster, or for a cluster that gave your "
              "cluster its proxy for this meeting."),
            403,
        )
    if state.elector is None:
        raise RuleError(
            _("%(member)s was not an active member when this round opened, so it does not "
              "vote in it.", member=member.short_name),
            409,
        )
    proposal = db.session.get(Proposal, round_.proposal_id)
    reason = (reason or "").strip()
    if proposal.kind is ProposalKind.CHOICE:
        if option_id is not None:
            option = db.session.get(ProposalOption, option_id)
            if option is None or option.proposal_id != proposal.id:
                raise RuleError(_("Choose one of the options."), field="position")
            position = None
        elif position is not Position.ABSTAIN:
            raise RuleError(_("Choose one of the options, or abstain."), field="position")
    else:
        if option_id is not None or position is None:
            raise RuleError(_("Choose your position."), field="position")
    if position is Position.RESERVATIONS and not reason:
        raise RuleError(
            _("Say what your reservations are: they are shown beside your position."),
            field="reason",
        )
    if position is Position.OBJECT and not reason:
        raise RuleError(
            _("An objection needs its reason: say what blocks you, so that the text can be "
              "amended."),
            field="reason",
        )
    if len(reason) > REASON_MAX:
        raise RuleError(_("The reason may have at most %(n)d characters.", n=REASON_MAX),
                        field="reason")

    ballot_id = state.ballot_id
    if ballot_id is not None and (state.position, state.option_id, state.reason) == (
            position, option_id, reason):
        return ballot_id  # nothing changed: no history row, no audit entry
    values = {"the_round_id": round_.id, "new_position": position, "new_option_id": option_id,
              "new_reason": reason, "new_cast_by_id": actor.id, "new_by_proxy": by_proxy,
              "new_updated_at": now}
    if ballot_id is None:
        ballot_id = execute_write(_insert_ballot(), {
            **values, "new_round_id": round_.id, "new_member_id": member.id, "new_cast_at": now,
        }).scalar()
        action = "ballot.cast"
    else:
        written = execute_write(_update_ballot(), {**values, "ballot_id": ballot_id})
        action = "ballot.changed" if written.rowcount == 1 else None
    if ballot_id is None or action is None:
        raise RuntimeError("This round is closed: its ballots and electorate are frozen.")
    # The history row is append-only and nothing reads it back here: a plain INSERT.
    execute_write(_insert_history(), {
        "ballot_id": ballot_id, "round_id": round_.id, "member_id": member.id,
        "position": position, "option_id": option_id, "reason": reason,
        "cast_by_id": actor.id, "by_proxy": by_proxy, "at": now,
    })
    secret_details = {} if proposal.is_secret else {
        "position": position.value if position else None, "option_id": option_id,
        "reason": reason,
    }
    audit.record_row(actor, action, Ballot.__tablename__, ballot_id, round_id=round_.id,
                     member=member.short_name, by_proxy=by_proxy, **secret_details)
    return ballot_id


# --- closing ------------------------------------------------------------------------------


def close_round(actor: User | None, round_: Round, *, now: datetime | None = None) -> Decision:
    """Close an open round and freeze its outcome. `actor` None: closed at its deadline."""
    if actor is not None:
        _require_secretariat(actor)
    _lock(round_)
    if round_.status is RoundStatus.DRAFT:
        raise RuleError(_("This round is not open yet: there is nothing to close."), 409)
    if round_.status is RoundStatus.CLOSED:
        raise RuleError(_("This round is already closed: its outcome is final."), 409)
    now = now or utcnow()
    automatic = actor is None
    closed_at = round_.closes_at if automatic and round_.closes_at else now
    proposal = db.session.get(Proposal, round_.proposal_id)

    electors = queries.elector_names(round_.id)  # member id -> short name
    ballots = queries.ballot_rows(round_.id)
    present = None
    if round_.meeting_id is not None:
        present = queries.present_or_represented(round_.meeting_id)
    needed = dr.quorum_needed(len(electors), round_.quorum_percent or 50)
    result = dr.decide(
        proposal.rule.value, electors.keys(), {b["member_id"]: b["answer"] for b in ballots},
        needed=needed, present=present, is_choice=proposal.is_choice,
    )
    options = {o.id: o.label for o in queries.options_of(proposal.id)}
    tally = dict(result.counts)
    if proposal.is_choice:
        tally = {"options": {options[int(k)]: v for k, v in result.counts.items()
                             if k != dr.ABSTAIN},
                 dr.ABSTAIN: result.counts.get(dr.ABSTAIN, 0),
                 "tied": [options[o] for o in result.tied]}
    secret = proposal.is_secret
    positions = [] if secret else [
        {"member_id": b["member_id"], "member": electors[b["member_id"]],
         "position": b["position"], "option": options.get(b["option_id"], ""),
         "reason": b["reason"], "by_proxy": b["by_proxy"], "cast_by": b["cast_by"]}
        for b in sorted(ballots, key=lambda b: electors[b["member_id"]].casefold())
    ]
    follow_ups = [] if secret else [
        {"member": f.member.short_name, "reason": f.reason, "status": f.status.value,
         "note": f.note}
        for f in queries.follow_ups(round_.id)
    ]
    decision = Decision(
        round_id=round_.id, proposal_id=proposal.id, meeting_id=round_.meeting_id,
        outcome=Outcome(result.outcome), rule=proposal.rule, is_secret=secret,
        is_choice=proposal.is_choice, title=proposal.title, text=round_.text,
        winning_option_id=result.winner, winning_option_label=options.get(result.winner, ""),
        electorate_count=len(electors), answered_count=len(ballots),
        participants_count=result.participants, quorum_needed=needed,
        quorum_percent=round_.quorum_percent or 50, quorum_reached=result.quorum_reached,
        tally_json=_json(tally), positions_json=_json(positions),
        objectors_json=_json([] if secret else [electors[m] for m in result.objectors]),
        missing_json=_json([] if secret else [electors[m] for m in result.missing]),
        follow_ups_json=_json(follow_ups),
        closed_at=closed_at, closed_by_id=getattr(actor, "id", None),
    )
    round_.status = RoundStatus.CLOSED
    round_.closed_at = closed_at
    round_.closed_by_id = getattr(actor, "id", None)
    db.session.add(decision)
    db.session.flush()
    audit.record(actor, "round.closed", round_, proposal_id=proposal.id, number=round_.number,
                 outcome=result.outcome, automatic=automatic, answered=len(ballots),
                 electorate=len(electors))
    return decision


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def close_due_rounds(now: datetime | None = None, proposal_id: int | None = None) -> list[Decision]:
    """Close every open round whose closing time has passed (optionally of one proposal)."""
    now = now or utcnow()
    decisions = []
    for round_ in queries.due_rounds(now, proposal_id):
        _lock(round_)
        if round_.is_due(now):  # another request may have closed it meanwhile
            decisions.append(close_round(None, round_, now=now))
    return decisions


# --- the next round -------------------------------------------------------------------------


def new_round(
    actor: User,
    proposal: Proposal,
    text: str,
    follow_up_statuses: Mapping[int, FollowUpStatus] | None = None,
) -> Round:
    """A new draft round with amended text after a round that decided nothing.

    Each objection of the previous round is tracked in the new one (named rounds only).
    """
    _require_secretariat(actor)
    previous = queries.current_round(proposal.id)
    if previous is None or previous.status is not RoundStatus.CLOSED:
        raise RuleError(
            _("The current round is not closed: close it before putting a new text to vote."),
            409,
        )
    decision = db.session.scalar(select(Decision).where(Decision.round_id == previous.id))
    if decision.outcome in (Outcome.ADOPTED, Outcome.REJECTED):
        raise RuleError(
            _("This proposal is decided: it was adopted or rejected. Draft a new proposal to "
              "reopen the question."),
            409,
        )
    text = (text or "").strip()
    if not text:
        raise RuleError(_("Write the amended text."), field="text")
    if len(text) > TEXT_MAX:
        raise RuleError(_("The text is too long."), field="text")
    round_ = Round(proposal_id=proposal.id, number=previous.number + 1, text=text,
                   status=RoundStatus.DRAFT, created_by_id=actor.id)
    proposal.text = text
    db.session.add(round_)
    db.session.flush()
    statuses = follow_up_statuses or {}
    tracked = 0
    if not proposal.is_secret:
        for ballot in queries.objections(previous.id):
            db.session.add(ObjectionFollowUp(
                round_id=round_.id, member_id=ballot.member_id, objection_ballot_id=ballot.id,
                reason=ballot.reason, status=statuses.get(ballot.member_id, FollowUpStatus.OPEN),
                updated_by_id=actor.id,
            ))
            tracked += 1
    db.session.flush()
    audit.record(actor, "round.created", round_, proposal_id=proposal.id, number=round_.number,
                 amended=text != previous.text, objections_tracked=tracked)
    return round_


def update_follow_up(
    actor: User, follow_up: ObjectionFollowUp, status: FollowUpStatus, note: str = ""
) -> ObjectionFollowUp:
    """Mark an objection answered by the amendment, withdrawn by its author, or open again."""
    round_ = db.session.get(Round, follow_up.round_id)
    if round_.status is RoundStatus.CLOSED:
        raise RuleError(_("This round is closed: the objections' follow-up is final."), 409)
    if not can_update_follow_up(actor, follow_up):
        raise RuleError(_("Only the objecting cluster or the secretariat can do this."), 403)
    if not secretariat(actor) and status is FollowUpStatus.ANSWERED:
        raise RuleError(
            _("You can withdraw your objection or keep it open; the secretariat marks it "
              "answered by the amendment."),
            403, field="status",
        )
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise RuleError(_("The note may have at most %(n)d characters.", n=REASON_MAX),
                        field="note")
    before = follow_up.status.value
    follow_up.status = status
    follow_up.note = note
    follow_up.updated_by_id = actor.id
    follow_up.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "objection.updated", follow_up, round_id=round_.id,
                 member_id=follow_up.member_id, before=before, status=status.value)
    return follow_up


# --- the criteria grid ------------------------------------------------------------------------


def score_options(
    actor: User,
    proposal: Proposal,
    member: Member,
    scores: Mapping[tuple[int, int], int | None],
) -> int:
    """A member's scores (1–5) of each option on each criterion; None clears a cell."""
    if actor.member_id != member.id:
        raise RuleError(_("You can score only for your own cluster."), 403)
    if not member.is_active:
        raise RuleError(_("Only active member clusters score the options."), 403)
    current = queries.current_round(proposal.id)
    if current is None or current.status is RoundStatus.CLOSED:
        raise RuleError(_("The vote on this choice is closed: the grid is final."), 409)
    criteria = {c.id for c in db.session.scalars(
        select(Criterion).where(Criterion.proposal_id == proposal.id))}
    options = {o.id for o in queries.options_of(proposal.id)}
    existing = {
        (s.criterion_id, s.option_id): s
        for s in db.session.scalars(select(CriterionScore).where(
            CriterionScore.member_id == member.id,
            CriterionScore.criterion_id.in_(criteria or {0})))
    }
    changed = 0
    for (criterion_id, option_id), value in scores.items():
        if criterion_id not in criteria or option_id not in options:
            raise RuleError(_("This grid has changed: reload the page and score again."), 409)
        if value is not None and not 1 <= value <= 5:
            raise RuleError(_("Scores go from 1 (poor) to 5 (excellent)."))
        row = existing.get((criterion_id, option_id))
        if value is None:
            if row is not None:
                db.session.delete(row)
                changed += 1
        elif row is None:
            db.session.add(CriterionScore(criterion_id=criterion_id, option_id=option_id,
                                          member_id=member.id, score=value,
                                          scored_by_id=actor.id))
            changed += 1
        elif row.score != value:
            row.score = value
            row.scored_by_id = actor.id
            changed += 1
    db.session.flush()
    if changed:
        audit.record(actor, "grid.scored", proposal, member=member.short_name, cells=changed)
    return changed
