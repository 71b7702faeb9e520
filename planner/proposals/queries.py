"""Reads of the proposals pages: a fixed number of queries each, tallies by SQL count/group by."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import String, and_, bindparam, exists, func, or_, select, type_coerce, union_all
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased, joinedload, load_only

from planner.core import page_cache
from planner.core.listing import PAGE_SIZE, Capped, Page, page_bounds
from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings.models import AgendaItem, Attendance, AttendanceStatus, Meeting
from planner.meetings.queries import attendance_by_member
from planner.members.models import Member, User
from planner.proposals import decision_rules as dr
from planner.proposals.models import (
    Ballot,
    BallotChange,
    Criterion,
    CriterionScore,
    Decision,
    DecisionRule,
    ObjectionFollowUp,
    Outcome,
    Position,
    Proposal,
    ProposalOption,
    Round,
    RoundElector,
    RoundStatus,
)
from planner.proposals.permissions import cast_right

# The statements of the busiest pages are built once, on first use, and run with each
# request's values as bound parameters: building a statement (and its cache key) costs
# SQLAlchemy more than running it. Only statements are kept this way, never their results.

# --- small reads the rules use ------------------------------------------------------------


def current_round(proposal_id: int) -> Round | None:
    """The proposal's latest round (draft, open or closed)."""
    return db.session.scalar(
        select(Round).where(Round.proposal_id == proposal_id).order_by(Round.number.desc()).limit(1)
    )


@cache
def _options_query():
    return (select(ProposalOption).where(ProposalOption.proposal_id == bindparam("proposal_id"))
            .order_by(ProposalOption.position))


def options_of(proposal_id: int) -> list[ProposalOption]:
    return list(db.session.scalars(_options_query(), {"proposal_id": proposal_id}))


def criteria_of(proposal_id: int) -> list[Criterion]:
    return list(db.session.scalars(
        select(Criterion).where(Criterion.proposal_id == proposal_id).order_by(Criterion.position)
    ))


def is_elector(round_id: int, member_id: int) -> bool:
    return db.session.get(RoundElector, (round_id, member_id)) is not None


def elector_names(round_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(Member.id, Member.short_name)
        .join(RoundElector, RoundElector.member_id == Member.id)
        .where(RoundElector.round_id == round_id)
        .order_by(Member.short_name)
    )
    return {key: value for key, value in rows}


def ballot_rows(round_id: int) -> list[dict]:
    """Every ballot of the round as plain values (with the caster's name): one query."""
    rows = db.session.execute(
        select(Ballot, User.full_name)
        .join(User, User.id == Ballot.cast_by_id)
        .where(Ballot.round_id == round_id)
    )
    return [
        {"member_id": b.member_id, "answer": b.answer,
         "position": b.position.value if b.position else None, "option_id": b.option_id,
         "reason": b.reason, "by_proxy": b.by_proxy, "cast_by": name}
        for b, name in rows
    ]


def present_or_represented(meeting_id: int) -> set[int]:
    """The members counted for the quorum of a meeting's rounds."""
    return {
        member_id for member_id, row in attendance_by_member(meeting_id).items()
        if row.status in (AttendanceStatus.PRESENT, AttendanceStatus.REPRESENTED)
    }


def due_rounds(now: datetime, proposal_id: int | None = None) -> list[Round]:
    query = select(Round).where(
        Round.status == RoundStatus.OPEN, Round.closes_at.is_not(None), Round.closes_at <= now
    )
    if proposal_id is not None:
        query = query.where(Round.proposal_id == proposal_id)
    return list(db.session.scalars(query.order_by(Round.closes_at)))


@cache
def _due_query(of_proposal: bool):
    query = select(Round.id).where(
        Round.status == RoundStatus.OPEN, Round.closes_at.is_not(None),
        Round.closes_at <= bindparam("now"),
    )
    if of_proposal:
        query = query.where(Round.proposal_id == bindparam("proposal_id"))
    return query.limit(1)


def has_due_rounds(proposal_id: int | None = None, now: datetime | None = None) -> bool:
    return db.session.scalar(_due_query(proposal_id is not None),
                             {"now": now or utcnow(), "proposal_id": proposal_id}) is not None


# Kept pages expire at the next deadline of an open round, so that the next load runs its
# view, which closes the round (core/page_cache.py). The (status, closes_at) index answers it.
page_cache.expires_at(
    select(Round.closes_at)
    .where(Round.status == RoundStatus.OPEN, Round.closes_at.is_not(None))
    .order_by(Round.closes_at)
    .limit(1)
    .scalar_subquery()
)


@cache
def _follow_ups_query():
    return (select(ObjectionFollowUp).where(ObjectionFollowUp.round_id == bindparam("round_id"))
            .options(joinedload(ObjectionFollowUp.member))
            .join(Member, Member.id == ObjectionFollowUp.member_id)
            .order_by(Member.short_name))


def follow_ups(round_id: int) -> list[ObjectionFollowUp]:
    return list(db.session.scalars(_follow_ups_query(), {"round_id": round_id}))


def objections(round_id: int) -> list[Ballot]:
    return list(db.session.scalars(
        select(Ballot).where(Ballot.round_id == round_id, Ballot.position == Position.OBJECT)
        .options(joinedload(Ballot.member))
    ))


# --- the proposals index and the decisions list ------------------------------------------------


def proposal_state(round_: Round | None, decision: Decision | None) -> str:
    """draft, amending (a later round in preparation), open, or the outcome of the last round."""
    if round_ is None or round_.status is RoundStatus.DRAFT:
        return "amending" if round_ is not None and round_.number > 1 else "draft"
    if round_.status is RoundStatus.OPEN:
        return "open"
    return decision.outcome.value if decision is not None else "closed"


@dataclass
class ProposalRow:
    proposal: Proposal
    round: Round
    decision: Decision | None
    electorate: int
    answered: int

    @property
    def state(self) -> str:
        return proposal_state(self.round, self.decision)


# The proposals list's groups, by the state of each proposal's latest round.
PROPOSAL_GROUPS = {"open": RoundStatus.OPEN, "preparing": RoundStatus.DRAFT,
                   "closed": RoundStatus.CLOSED}
PROPOSALS_PER_PAGE = PAGE_SIZE  # of each group


def _is_latest_round():
    """No later round of its proposal: a round not closed always is (one unclosed round per
    proposal, and a new round follows a closed one); a closed one when nothing followed it.
    One look-up of the (proposal, number) index per closed round."""
    later = aliased(Round)
    return or_(Round.status != RoundStatus.CLOSED, ~exists().where(
        later.proposal_id == Round.proposal_id, later.number > Round.number))


def proposals_index(pages: dict[str, int] | None = None) -> dict[str, Page]:
    """The proposals grouped by their latest round (open for answers, in preparation, last
    round closed), newest first: page `pages[group]` of each group (PROPOSALS_PER_PAGE rows),
    with each group's total and each row's outcome and answer count; six queries whatever
    the number of proposals (a network's whole history was one page of 3,000 rows at large
    size)."""
    totals = dict(db.session.execute(
        select(Round.status, func.count()).where(_is_latest_round()).group_by(Round.status)
    ).all())
    groups: dict[str, Page] = {}
    per_page, pages = PROPOSALS_PER_PAGE, pages or {}
    for group, status in PROPOSAL_GROUPS.items():
        page, offset = page_bounds(pages.get(group, 1), totals.get(status, 0), per_page)
        order = (Proposal.created_at.desc(), Proposal.id.desc())
        # The page's keys first, sorted narrow; then its 50 rows in full (sorting every
        # decided proposal with its text, agenda item and meeting cost 13 ms at large size).
        keys = (
            select(Round.id)
            .join(Proposal, Proposal.id == Round.proposal_id)
            .where(Round.status == status, _is_latest_round())
            .order_by(*order).offset(offset).limit(per_page)
            .subquery("page_rounds")
        )
        rows = db.session.execute(
            select(Proposal, Round)
            .join(Round, Round.proposal_id == Proposal.id)
            .join(keys, keys.c.id == Round.id)
            .options(joinedload(Proposal.agenda_item).joinedload(AgendaItem.meeting))
            .order_by(*order)
        ).all()
        groups[group] = Page(rows, totals.get(status, 0), page, per_page)
    shown = [round_ for page in groups.values() for _proposal, round_ in page.rows]
    closed = [round_.id for _proposal, round_ in groups["closed"].rows]
    decisions = {d.round_id: d for d in db.session.scalars(
        select(Decision).where(Decision.round_id.in_(closed or [0]))
        .options(load_only(Decision.round_id, Decision.outcome, raiseload=True)))}
    answered = dict(db.session.execute(
        select(Ballot.round_id, func.count()).where(Ballot.round_id.in_(
            [r.id for r in shown] or [0])).group_by(Ballot.round_id)
    ).all())
    for page in groups.values():
        page.rows = [ProposalRow(p, r, decisions.get(r.id), r.electorate_count or 0,
                                 answered.get(r.id, 0)) for p, r in page.rows]
    return groups


DECISIONS_PER_PAGE = 50


def decisions(
    meeting_id: int | None = None, rule: DecisionRule | None = None,
    outcome: Outcome | None = None, written: bool = False, page: int = 1,
    per_page: int = DECISIONS_PER_PAGE,
) -> tuple[list[Row], int]:
    """One page of the network's decisions, newest first, filtered, and how many match:
    two queries (the count, then the page), whatever the number of decisions (a count in
    the page's query would read every matching decision, not one page of the index).
    Each row holds the columns the list shows, by name (`title`, `outcome`, `round_number`,
    `meeting_title`…)."""
    filters = (written, meeting_id is not None and not written, rule is not None,
               outcome is not None)
    count, rows_query = _decisions_queries(*filters, per_page)
    values = {"meeting_id": meeting_id, "rule": rule, "outcome": outcome,
              "offset": (max(page, 1) - 1) * per_page}
    total = db.session.scalar(count, values) or 0
    return db.session.execute(rows_query, values).all(), total


@cache
def _decisions_queries(written: bool, by_meeting: bool, by_rule: bool, by_outcome: bool,
                       per_page: int):
    """The count and the page of the decisions list, for one combination of filters."""
    conditions = []
    if written:
        conditions.append(Decision.meeting_id.is_(None))
    elif by_meeting:
        conditions.append(Decision.meeting_id == bindparam("meeting_id"))
    if by_rule:
        conditions.append(Decision.rule == bindparam("rule"))
    if by_outcome:
        conditions.append(Decision.outcome == bindparam("outcome"))
    count = select(func.count(Decision.id)).where(*conditions)
    # The columns the list shows as plain rows, not Decision objects: not the frozen text
    # and tallies (a JSON document per member in a large network), and no identity map or
    # deferred-column bookkeeping for 50 rows (a third of the page's time at large size).
    rows = (
        select(
            Decision.proposal_id, Decision.title, Decision.outcome, Decision.rule,
            Decision.winning_option_label, Decision.closed_at, Decision.answered_count,
            Decision.electorate_count, Round.number.label("round_number"),
            Meeting.title.label("meeting_title"),
        )
        .join(Round, Round.id == Decision.round_id)
        .outerjoin(Meeting, Meeting.id == Decision.meeting_id)
        .where(*conditions)
        .order_by(Decision.closed_at.desc(), Decision.id.desc())
        .offset(bindparam("offset"))
        .limit(per_page)
    )
    return count, rows


MEETINGS_LISTED = 60  # meetings offered by the decisions list's filter, the latest first


@dataclass
class FilterMeetings:
    """The meetings the decisions filter offers, and whether earlier ones were left out."""

    rows: list[tuple[int, str, datetime]]
    more: bool


def decision_meetings(selected: int | None = None) -> FilterMeetings:
    """The latest MEETINGS_LISTED meetings that have decisions, and the `selected` one
    wherever it falls, latest first: one query of at most MEETINGS_LISTED + 2 rows, whatever
    the network's history (a select of 500 meetings was a third of the list's time)."""
    listed = MEETINGS_LISTED
    rows = db.session.execute(_decision_meetings_query(listed + 2),
                              {"selected": selected or 0}).all()
    chosen = [tuple(r) for r in rows if r[0] == selected]
    others = [tuple(r) for r in rows if r[0] != selected]
    shown = sorted(chosen + others[:listed], key=lambda r: r[2], reverse=True)
    return FilterMeetings(shown, len(others) > listed)


@cache
def _decision_meetings_query(limit: int):
    return (
        select(Meeting.id, Meeting.title, Meeting.starts_at)
        .where(Meeting.id.in_(select(Decision.meeting_id).where(Decision.meeting_id.is_not(None))))
        # The selected meeting first, so that it is always among the rows read.
        .order_by((Meeting.id == bindparam("selected")).desc(), Meeting.starts_at.desc())
        .limit(limit)
    )


def decision_items() -> list[tuple[int, str]]:
    """Decision items of meetings not closed nor cancelled, for the proposal form."""
    from planner.meetings.models import AgendaItemKind, MeetingStatus

    rows = db.session.execute(
        select(AgendaItem.id, AgendaItem.title, Meeting.title, Meeting.starts_at)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.kind == AgendaItemKind.DECISION,
               Meeting.status.not_in([MeetingStatus.CLOSED, MeetingStatus.CANCELLED]))
        .order_by(Meeting.starts_at, AgendaItem.position)
    )
    return [(item_id, f"{meeting} — {item}") for item_id, item, meeting, _ in rows]


# --- the proposal page: one round and its consensus map ----------------------------------------


def proposals_by_item(meeting_id: int) -> dict[int, list[Proposal]]:
    """The proposals put on each agenda item of a meeting (for the agenda): one query."""
    grouped: dict[int, list[Proposal]] = {}
    for proposal in db.session.scalars(
        select(Proposal)
        .join(AgendaItem, AgendaItem.id == Proposal.agenda_item_id)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(Proposal.id)
    ):
        grouped.setdefault(proposal.agenda_item_id, []).append(proposal)
    return grouped


@cache
def _proposal_query():
    return (select(Proposal).where(Proposal.id == bindparam("proposal_id"))
            .options(joinedload(Proposal.agenda_item).joinedload(AgendaItem.meeting)))


def proposal_with_item(proposal_id: int) -> Proposal | None:
    return db.session.scalar(_proposal_query(), {"proposal_id": proposal_id})


@cache
def _proposal_and_round_query(with_item: bool):
    query = (select(Proposal, Round).join(Round, Round.proposal_id == Proposal.id)
             .where(Proposal.id == bindparam("proposal_id"), Round.number == bindparam("number")))
    if with_item:
        query = query.options(joinedload(Proposal.agenda_item).joinedload(AgendaItem.meeting))
    return query


def proposal_and_round(proposal_id: int, number: int,
                       with_item: bool = True) -> tuple[Proposal, Round] | None:
    """A proposal (with its agenda item and meeting, which its page shows) and one of its
    rounds: one query."""
    row = db.session.execute(_proposal_and_round_query(with_item),
                             {"proposal_id": proposal_id, "number": number}).first()
    return None if row is None else (row[0], row[1])


@cache
def _rounds_query():
    return select(Round).where(Round.proposal_id == bindparam("proposal_id")).order_by(Round.number)


def rounds_of(proposal_id: int) -> list[Round]:
    return list(db.session.scalars(_rounds_query(), {"proposal_id": proposal_id}))


@dataclass
class Blocker:
    kind: str  # missing, objection, quorum, majority, tie, no_votes
    count: int
    names: list[str] = field(default_factory=list)


@dataclass
class RoundView:
    proposal: Proposal
    round: Round
    options: list[ProposalOption]
    # One page of the electors (none for a secret round), by name: MapRow.
    rows: list
    tally: dict[str, int]
    electorate: int
    answered: int
    decision: Decision | None
    result: dr.Result | None  # open round: the outcome if it closed now
    blockers: list[Blocker]
    follow_ups: list[ObjectionFollowUp]
    history: list  # the latest changes: at, position, option_id, reason, by_proxy, member, cast_by
    own_ballots: dict[int, Ballot]  # the viewer's castable members' ballots (even if secret)
    castable: dict[int, bool]  # member id -> by proxy
    members_by_id: dict[int, Member]
    quorum_needed: int
    participants: int
    page: int = 1  # of the map
    pages: int = 1

    @property
    def option_labels(self) -> dict[int, str]:
        return {o.id: o.label for o in self.options}

    @property
    def agree(self) -> int:
        return self.tally.get(dr.AGREE, 0) + self.tally.get(dr.RESERVATIONS, 0)

    @property
    def missing(self) -> int:
        return self.electorate - self.answered

    @property
    def is_secret(self) -> bool:
        return self.proposal.is_secret


@dataclass
class MapRow:
    """An elector on the consensus map: member (short name), ballot_id (None: no answer),
    position, option_id, attendance (its status at the meeting, or None), and its answer's
    reason, by_proxy, updated_at and cast_by (full name)."""

    member: str
    ballot_id: int | None
    position: Position | None
    option_id: int | None
    attendance: AttendanceStatus | None
    reason: str = ""
    by_proxy: bool = False
    updated_at: datetime | None = None
    cast_by: str = ""


MAP_PAGE = 50  # rows of the consensus map per page
HISTORY_LIMIT = 50  # latest changes shown in a round's history
NAMES_LIMIT = 20  # names a blocker lists ("and N others" beyond)


def round_view(proposal: Proposal, round_: Round, viewer, page: int = 1) -> RoundView:
    """Everything the round page shows, in a fixed number of queries whatever the members.

    One query reads every elector's answer and attendance (light tuples): the outcome, the
    blockers, the quorum and the members the viewer may answer for (cast_right) come from it,
    and the map shows one page of MAP_PAGE of its rows; the history its latest changes."""
    options = options_of(proposal.id) if proposal.is_choice else []  # a motion has none
    ids = {"round_id": round_.id}
    # Plain rows on the connection: a thousand electors through the ORM's result machinery
    # (and their enums converted) cost more than the rest of the page's reads.
    electors = db.session.connection().execute(
        _electors_query(), {**ids, "meeting_id": round_.meeting_id}).all()
    names = {member_id: name for member_id, name, *_rest in electors}
    answers = {
        member_id: option_id if option_id is not None else position
        for member_id, _name, ballot_id, position, option_id, *_rest in electors
        if ballot_id is not None
    }
    counts: dict[str, int] = {}  # per position (motion) or per option id and "abstain" (choice)
    for answer in answers.values():
        counts[str(answer)] = counts.get(str(answer), 0) + 1
    present = None
    if round_.meeting_id is not None:
        counted = (AttendanceStatus.PRESENT.value, AttendanceStatus.REPRESENTED.value)
        present = {row[0] for row in electors if row.attendance in counted}
    decision = None
    if round_.status is RoundStatus.CLOSED:
        decision = db.session.scalar(_decision_query(), ids)
    secret = proposal.is_secret
    tracked = follow_ups(round_.id) if not secret else []
    history = Capped()
    if not secret and round_.status is not RoundStatus.DRAFT:
        # Counted apart: a count in the page's query would read the whole history, not
        # its latest changes from the index.
        history = Capped(db.session.execute(_history_query(), ids).all(),
                         db.session.scalar(_history_count_query(), ids) or 0)
    needed = dr.quorum_needed(len(names), round_.quorum_percent or 50)
    result = None
    blockers: list[Blocker] = []
    castable: dict[int, bool] = {}
    if round_.status is RoundStatus.OPEN:
        result = dr.decide(
            proposal.rule.value, names.keys(), answers,
            needed=needed, present=present, is_choice=proposal.is_choice,
        )
        blockers = _blockers(proposal, result, len(names), names, options, secret)
        # Only the viewer's own cluster and those whose proxy it holds can be answered for:
        # cast_right decides on those rows alone (viewer is a proxy object, read once here,
        # not a thousand times).
        own = viewer.member_id if viewer.is_authenticated else None
        for row in electors:
            if own is None or own not in (row.id, row.proxy_holder_id):
                continue
            by_proxy = cast_right(viewer, row.id, row.proxy_holder_id)
            if by_proxy is not None:
                castable[row.id] = by_proxy
    participants = (result.participants if result is not None else
                    len(names.keys() & present) if present is not None else len(answers))
    pages = max(1, -(-len(names) // MAP_PAGE))
    page = min(max(page, 1), pages)
    rows = [] if secret else _map_rows(round_.id, electors[(page - 1) * MAP_PAGE:page * MAP_PAGE])
    own_ballots, members_by_id = {}, {}
    if castable:
        for member, ballot in db.session.execute(
                _own_query(), {**ids, "member_ids": list(castable)}):
            members_by_id[member.id] = member
            if ballot is not None:
                own_ballots[member.id] = ballot
    return RoundView(
        proposal=proposal, round=round_, options=options, rows=rows, tally=counts,
        electorate=len(names), answered=len(answers), decision=decision, result=result,
        blockers=blockers, follow_ups=tracked, history=history,
        own_ballots=own_ballots, castable=castable,
        members_by_id=members_by_id, quorum_needed=needed,
        participants=participants, page=page, pages=pages,
    )


@cache
def _electors_query():
    """Every elector of a round by name: its answer and its attendance, what the outcome
    and the quorum are computed from (the answers' details are read for the page shown)."""
    # The answer and the attendance as their stored words ("agree", "present"), not enums.
    return (
        select(Member.id, Member.short_name.label("member"), Ballot.id.label("ballot_id"),
               type_coerce(Ballot.position, String).label("position"), Ballot.option_id,
               type_coerce(Attendance.status, String).label("attendance"),
               Attendance.proxy_holder_id)
        .join(RoundElector, RoundElector.member_id == Member.id)
        .outerjoin(Ballot, and_(Ballot.round_id == RoundElector.round_id,
                                Ballot.member_id == Member.id))
        .outerjoin(Attendance, and_(Attendance.meeting_id == bindparam("meeting_id"),
                                    Attendance.member_id == Member.id))
        .where(RoundElector.round_id == bindparam("round_id"))
        .order_by(Member.short_name, Member.id)
    )


@cache
def _answer_details_query():
    """The reason of each answer of one page of the map, who gave it and when."""
    return (
        select(Ballot.member_id, Ballot.reason, Ballot.by_proxy, Ballot.updated_at,
               User.full_name.label("cast_by"))
        .join(User, User.id == Ballot.cast_by_id)
        .where(Ballot.round_id == bindparam("round_id"),
               Ballot.member_id.in_(bindparam("member_ids", expanding=True)))
    )


def _map_rows(round_id: int, electors: list) -> list[MapRow]:
    """One page of the map: its electors, with their answers' details read for them alone
    (reading every elector's reason and author cost a tenth of the page at 1,000 members)."""
    if not electors:
        return []
    details = {row.member_id: row for row in db.session.execute(
        _answer_details_query(), {"round_id": round_id, "member_ids": [e.id for e in electors]})}
    rows = []
    for elector in electors:
        row = MapRow(elector.member, elector.ballot_id,
                     elector.position and Position(elector.position), elector.option_id,
                     elector.attendance and AttendanceStatus(elector.attendance))
        answer = details.get(elector.id)
        if answer is not None:
            row.reason, row.by_proxy = answer.reason, answer.by_proxy
            row.updated_at, row.cast_by = answer.updated_at, answer.cast_by
        rows.append(row)
    return rows


@cache
def _decision_query():
    return (select(Decision).where(Decision.round_id == bindparam("round_id"))
            .options(joinedload(Decision.closed_by)))


@cache
def _history_query():
    """A round's latest ballot changes."""
    return (
        select(BallotChange.at, BallotChange.position, BallotChange.option_id,
               BallotChange.reason, BallotChange.by_proxy,
               Member.short_name.label("member"), User.full_name.label("cast_by"))
        .join(Member, Member.id == BallotChange.member_id)
        .join(User, User.id == BallotChange.cast_by_id)
        .where(BallotChange.round_id == bindparam("round_id"))
        .order_by(BallotChange.at.desc(), BallotChange.id.desc())
        .limit(HISTORY_LIMIT)
    )


@cache
def _history_count_query():
    return select(func.count(BallotChange.id)).where(BallotChange.round_id == bindparam("round_id"))


@cache
def _own_query():
    """The clusters a viewer answers for, with their ballots in a round."""
    return (
        select(Member, Ballot)
        .outerjoin(Ballot, and_(Ballot.round_id == bindparam("round_id"),
                                Ballot.member_id == Member.id))
        .where(Member.id.in_(bindparam("member_ids", expanding=True)))
    )


def _blockers(proposal, result: dr.Result, electorate: int, names: dict[int, str],
              options: list[ProposalOption], secret: bool) -> list[Blocker]:
    """What stands between the proposal and adoption if the round closed now."""
    if result.outcome == dr.ADOPTED:
        return []

    def named(ids):
        return [] if secret else sorted((names[m] for m in ids), key=str.casefold)[:NAMES_LIMIT]

    found: list[Blocker] = []
    rule = proposal.rule.value
    counts = result.counts
    if rule == dr.CONSENSUS and result.missing:
        found.append(Blocker("missing", len(result.missing), named(result.missing)))
    if rule in (dr.CONSENSUS, dr.CONSENT) and result.objectors:
        found.append(Blocker("objection", len(result.objectors), named(result.objectors)))
    if rule != dr.CONSENSUS and rule != dr.ABSOLUTE_MAJORITY and not result.quorum_reached:
        found.append(Blocker("quorum", result.quorum_needed - result.participants))
    if proposal.is_choice:
        if result.quorum_reached:
            labels = {o.id: o.label for o in options}
            if result.tied:
                found.append(Blocker("tie", len(result.tied), [labels[o] for o in result.tied]))
            else:
                found.append(Blocker("no_votes", 0))
        return found
    agree = counts.get(dr.AGREE, 0) + counts.get(dr.RESERVATIONS, 0)
    against = counts.get(dr.OBJECT, 0)
    more = 0
    if rule == dr.SIMPLE_MAJORITY:
        more = against - agree + 1
    elif rule == dr.ABSOLUTE_MAJORITY:
        more = electorate // 2 + 1 - agree
    elif rule == dr.TWO_THIRDS:
        more = max(2 * against - agree, 1 - agree)
    if more > 0:
        found.append(Blocker("majority", more))
    return found


# --- the criteria grid ---------------------------------------------------------------------


@dataclass
class Grid:
    criteria: list[Criterion]
    options: list[ProposalOption]
    cells: dict[tuple[int, int], tuple[float, int]]  # (criterion, option) -> (average, scores)
    scorers: int
    mine: dict[tuple[int, int], int]

    def total(self, option_id: int) -> float:
        """The sum over the criteria of the option's average score."""
        return round(sum(self.cells.get((c.id, option_id), (0, 0))[0] for c in self.criteria), 1)

    @property
    def best_total(self) -> float:
        return max((self.total(o.id) for o in self.options), default=0)


def grid(proposal_id: int, member_id: int | None) -> Grid:
    criteria = criteria_of(proposal_id)
    options = options_of(proposal_id)
    ids = [c.id for c in criteria] or [0]
    rows = db.session.execute(
        select(CriterionScore.criterion_id, CriterionScore.option_id,
               func.avg(CriterionScore.score), func.count(CriterionScore.id))
        .where(CriterionScore.criterion_id.in_(ids))
        .group_by(CriterionScore.criterion_id, CriterionScore.option_id)
    )
    cells = {(c, o): (round(float(avg), 1), n) for c, o, avg, n in rows}
    scorers = db.session.scalar(
        select(func.count(func.distinct(CriterionScore.member_id)))
        .where(CriterionScore.criterion_id.in_(ids))
    ) or 0
    mine = {}
    if member_id is not None:
        mine = {(c, o): s for c, o, s in db.session.execute(
            select(CriterionScore.criterion_id, CriterionScore.option_id, CriterionScore.score)
            .where(CriterionScore.criterion_id.in_(ids), CriterionScore.member_id == member_id)
        )}
    return Grid(criteria, options, cells, scorers, mine)


# --- home pages ---------------------------------------------------------------------------------


@dataclass
class AwaitedAnswer:
    round: Round
    proposal: Proposal
    member_id: int
    member: str
    by_proxy: bool


HOME_LIMIT = 10  # rows of each home page list; the total is counted in SQL


def _open_now():
    return and_(Round.status == RoundStatus.OPEN,
                or_(Round.closes_at.is_(None), Round.closes_at > bindparam("now")))


@cache
def _awaiting_query(limit: int):
    open_now = _open_now()
    # Whom the user answers for, round by round: their own cluster (a primary-key look-up
    # per open round), and the clusters that gave it their proxy for the round's meeting.
    own = (
        select(Round.id.label("round_id"), RoundElector.member_id.label("member_id"))
        .join(RoundElector, and_(RoundElector.round_id == Round.id,
                                 RoundElector.member_id == bindparam("member_id")))
        .where(open_now)
    )
    proxied = (
        select(Round.id.label("round_id"), RoundElector.member_id.label("member_id"))
        .select_from(Attendance)
        .join(Round, Round.meeting_id == Attendance.meeting_id)
        .join(RoundElector, and_(RoundElector.round_id == Round.id,
                                 RoundElector.member_id == Attendance.member_id))
        .where(open_now, Attendance.status == AttendanceStatus.REPRESENTED,
               Attendance.proxy_holder_id == bindparam("member_id"))
    )
    voters = union_all(own, proxied).subquery("voters")
    unanswered = ~exists().where(Ballot.round_id == voters.c.round_id,
                                 Ballot.member_id == voters.c.member_id)
    order = (Round.closes_at.is_(None), Round.closes_at, Proposal.title, Member.short_name)
    # The rows shown and the total from keys and titles alone; then only those rows are read
    # in full (texts included): sorting every open round with its texts cost 2 ms at large.
    shown = (
        select(voters.c.round_id, voters.c.member_id, func.count().over().label("total"))
        .join(Round, Round.id == voters.c.round_id)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .join(Member, Member.id == voters.c.member_id)
        .where(unanswered)
        .order_by(*order)
        .limit(limit)
        .subquery("shown")
    )
    return (
        select(Round, Proposal, Member.id, Member.short_name, shown.c.total)
        .join(shown, shown.c.round_id == Round.id)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .join(Member, Member.id == shown.c.member_id)
        .order_by(*order)
    )


def awaiting_answer(user, now: datetime | None = None, limit: int = HOME_LIMIT) -> Capped:
    """Open rounds the user's cluster, or a cluster whose proxy it holds, has not answered:
    the `limit` closing first, and how many in all (one query, whatever the network)."""
    if not user.is_authenticated or user.member_id is None:
        return Capped()
    rows = db.session.execute(
        _awaiting_query(limit), {"now": now or utcnow(), "member_id": user.member_id}).all()
    return Capped([AwaitedAnswer(r, p, mid, name, mid != user.member_id)
                   for r, p, mid, name, _total in rows], rows[0][4] if rows else 0)


@dataclass
class OpenRound:
    round: Round
    proposal: Proposal
    electorate: int
    answered: int


@cache
def _open_rounds_query(limit: int):
    order = (Round.closes_at.is_(None), Round.closes_at, Proposal.title, Round.id)
    shown = (
        select(Round.id.label("round_id"), func.count().over().label("total"))
        .join(Proposal, Proposal.id == Round.proposal_id)
        .where(_open_now())
        .order_by(*order)
        .limit(limit)
        .subquery("shown")
    )
    # Counted for the rounds shown only, once the page is cut; the electorate's size was
    # recorded when the round opened.
    answered = (select(func.count()).select_from(Ballot)
                .where(Ballot.round_id == Round.id).scalar_subquery())
    return (
        select(Round, Proposal, Round.electorate_count, answered, shown.c.total)
        .join(shown, shown.c.round_id == Round.id)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .order_by(*order)
    )


def open_rounds(now: datetime | None = None, limit: int = HOME_LIMIT) -> Capped:
    """Open rounds (deadline not passed), closing first, with how many members answered: the
    `limit` first and how many in all, in one query."""
    rows = db.session.execute(_open_rounds_query(limit), {"now": now or utcnow()}).all()
    return Capped([OpenRound(r, p, electorate, answered)
                   for r, p, electorate, answered, _total in rows], rows[0][4] if rows else 0)


def home_cards(user) -> dict:
    """The home page's part: answers awaited from a director, open rounds for the secretariat."""
    return {
        "awaiting": awaiting_answer(user) if user.member_id is not None else None,
        "open_rounds": open_rounds() if user.is_secretariat else None,
    }
