"""The meeting's record that the minutes are assembled from, in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from planner.core.listing import PAGE_SIZE, Capped, Page, page_bounds
from planner.core.text_search import contains_text
from planner.extensions import db
from planner.meetings import queries as meeting_queries
from planner.meetings.models import AgendaItem, Meeting, MeetingStatus
from planner.members.models import Network, User
from planner.minutes.models import (
    Erratum,
    ItemNote,
    Minutes,
    MinutesComment,
    MinutesStatus,
    ShareLink,
)
from planner.plan.models import ActionItem
from planner.proposals.models import Decision, Proposal


@dataclass
class ItemRecord:
    number: int
    item: AgendaItem
    note: ItemNote | None
    decisions: list[Decision] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)


@dataclass
class MinutesRecord:
    network: Network | None
    meeting: Meeting
    minutes: Minutes | None
    attendance: list  # meetings.queries.AttendanceLine
    unlisted: int  # active members not recorded, not listed (a large network lists counts)
    quorum: meeting_queries.QuorumState
    items: list[ItemRecord]
    decisions: list[Decision]
    actions: list[ActionItem]

    @property
    def status(self) -> MinutesStatus:
        return self.minutes.status if self.minutes else MinutesStatus.DRAFT

    def attendance_with(self, status_value: str) -> list:
        return [
            line
            for line in self.attendance
            if line.attendance is not None and line.attendance.status.value == status_value
        ]

    @property
    def not_recorded(self) -> list:
        return [line for line in self.attendance if line.attendance is None]

    @property
    def not_recorded_count(self) -> int:
        return len(self.not_recorded) + self.unlisted


def minutes_of(meeting_id: int) -> Minutes | None:
    """The minutes with their errata: errata are added to approved minutes only, so the
    errata are looked up (a second query) only for those."""
    minutes = db.session.scalar(
        select(Minutes)
        .where(Minutes.meeting_id == meeting_id)
        .options(joinedload(Minutes.approval_meeting))
    )
    if minutes is None:
        return None
    errata = (
        list(
            db.session.scalars(
                select(Erratum)
                .where(Erratum.minutes_id == minutes.id)
                .order_by(Erratum.created_at)
            )
        )
        if minutes.is_locked
        else []
    )
    set_committed_value(minutes, "errata", errata)
    return minutes


def record(meeting: Meeting, network: Network | None = None) -> MinutesRecord:
    """Everything the minutes show, whatever the number of items, rounds and ballots
    (`network`: the request's, when the caller has it; else it is looked up)."""
    network = network or meeting_queries.current_network()
    attendance = meeting_queries.attendance_overview(meeting)
    records = [
        ItemRecord(number, item, note)
        for number, (item, note) in enumerate(
            db.session.execute(
                select(AgendaItem, ItemNote)
                .outerjoin(ItemNote, ItemNote.agenda_item_id == AgendaItem.id)
                .where(AgendaItem.meeting_id == meeting.id)
                .order_by(AgendaItem.position)
                .options(joinedload(AgendaItem.presenter_member))
            ),
            1,
        )
    ]
    # Each decision with the agenda item its proposal was put on (the proposal itself is
    # not shown).
    decided = db.session.execute(
        select(Decision, Proposal.agenda_item_id)
        .join(Proposal, Proposal.id == Decision.proposal_id)
        .where(Decision.meeting_id == meeting.id)
        .order_by(Decision.closed_at, Decision.id)
    ).all()
    decisions = [decision for decision, _item_id in decided]
    # A meeting's decisions carry a few actions: sorted here, so that the database finds
    # them by the decision index whatever its statistics say about a walk by deadline.
    actions = (
        sorted(
            db.session.scalars(
                select(ActionItem)
                .where(ActionItem.decision_id.in_([d.id for d in decisions]))
                .options(joinedload(ActionItem.owner_member))
            ),
            key=lambda action: (action.due_on, action.id),
        )
        if decisions
        else []
    )
    by_item = {r.item.id: r for r in records}
    decision_item: dict[int, int | None] = {}
    for decision, item_id in decided:
        decision_item[decision.id] = item_id
        if item_id in by_item:
            by_item[item_id].decisions.append(decision)
    for action in actions:
        item_id = decision_item.get(action.decision_id)
        if item_id in by_item:
            by_item[item_id].actions.append(action)
    return MinutesRecord(
        network=network,
        meeting=meeting,
        minutes=minutes_of(meeting.id),
        attendance=attendance.lines,
        unlisted=attendance.not_recorded,
        quorum=meeting_queries.quorum_of(attendance, network),
        items=records,
        decisions=decisions,
        actions=actions,
    )


def comments_of(minutes: Minutes | None) -> dict[int | None, list[MinutesComment]]:
    """Comments grouped by agenda item id (None: on the minutes as a whole)."""
    if minutes is None:
        return {}
    grouped: dict[int | None, list[MinutesComment]] = defaultdict(list)
    for comment in db.session.scalars(
        select(MinutesComment)
        .where(MinutesComment.minutes_id == minutes.id)
        .options(joinedload(MinutesComment.author), joinedload(MinutesComment.member))
        .order_by(MinutesComment.created_at)
    ):
        grouped[comment.agenda_item_id].append(comment)
    return grouped


def share_links_of(meeting_id: int) -> list[ShareLink]:
    return list(
        db.session.scalars(
            select(ShareLink)
            .where(ShareLink.meeting_id == meeting_id)
            .options(joinedload(ShareLink.created_by))
            .order_by(ShareLink.created_at.desc())
        )
    )


@dataclass
class IndexRow:
    meeting: Meeting
    minutes: Minutes | None


def minutes_index(user: User, text: str = "", page: int = 1, page_size: int = PAGE_SIZE) -> Page:
    """A page of every meeting's minutes with their state, newest first, searchable by text
    (a page past the end shows the last one).

    The search looks in the meeting's title, context and venue, its items' titles and notes,
    and the approved text; drafts of meetings still in preparation only for the secretariat.
    """
    query = (
        select(Meeting, Minutes)
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .where(Meeting.status != MeetingStatus.CANCELLED)
    )
    if not user.is_secretariat:
        query = query.where(Meeting.status != MeetingStatus.DRAFT)
    text = " ".join((text or "").split())[:200]
    if text:  # without regard to case or accents: "ete" finds "Été" (core/text_search.py)
        in_items = (
            select(AgendaItem.meeting_id)
            .outerjoin(ItemNote, ItemNote.agenda_item_id == AgendaItem.id)
            .where(contains_text(text, AgendaItem.title, ItemNote.body))
        )
        query = query.where(or_(
            contains_text(text, Meeting.title, Meeting.context, Meeting.venue,
                          Minutes.approved_html),
            Meeting.id.in_(in_items),
        ))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page, offset = page_bounds(page, total, page_size)
    rows = db.session.execute(
        query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).offset(offset)
        .limit(page_size)
    ).all()
    return Page(rows=[IndexRow(meeting, minutes) for meeting, minutes in rows], total=total,
                page=page, page_size=page_size)


@dataclass
class HomeCards:
    awaiting_comments: list[tuple[Meeting, Minutes]]
    to_finish: list[tuple[Meeting, Minutes | None]]


def home_cards(user: User) -> HomeCards:
    """Directors: minutes open for their comments. Secretariat: minutes to circulate or approve."""
    return HomeCards(
        awaiting_comments=awaiting_comments() if user.member_id is not None else [],
        to_finish=to_circulate_or_approve() if user.is_secretariat else [],
    )


HOME_LIMIT = 10  # rows of each home page list; the total is counted in SQL


def _capped(shown, order, limit: int) -> Capped:
    """The first `limit` meetings of `shown` (a query of meeting ids, joined to their minutes
    where it needs them) with their minutes and, counted by a window over the same query, the
    total: one query (no row means no row at all, so the total is 0 then). The ids are sorted
    and counted first, and only the rows shown are read in full: a meeting's texts are long,
    and sorting 450 closed meetings with them cost 3 ms at large size."""
    shown = (shown.add_columns(func.count().over().label("total"))
             .order_by(*order).limit(limit).subquery("shown"))
    rows = db.session.execute(
        select(Meeting, Minutes, shown.c.total)
        .join(shown, shown.c.id == Meeting.id)
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .order_by(*order)
    ).all()
    return Capped([(meeting, minutes) for meeting, minutes, _total in rows],
                  rows[0][2] if rows else 0)


def awaiting_comments(limit: int = HOME_LIMIT) -> Capped:
    """Circulated minutes, latest first, for the directors' home page (one query)."""
    return _capped(
        select(Meeting.id)
        .join(Minutes, Minutes.meeting_id == Meeting.id)
        .where(Minutes.status == MinutesStatus.CIRCULATED),
        (Minutes.circulated_at.desc(), Meeting.id),
        limit,
    )


def to_circulate_or_approve(limit: int = HOME_LIMIT) -> Capped:
    """Closed meetings whose minutes are not approved yet, latest first, for the
    secretariat's cockpit (one query)."""
    return _capped(
        select(Meeting.id)
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .where(
            Meeting.status == MeetingStatus.CLOSED,
            or_(Minutes.id.is_(None), Minutes.status != MinutesStatus.APPROVED),
        ),
        (Meeting.starts_at.desc(), Meeting.id),
        limit,
    )
