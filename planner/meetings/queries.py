"""Reads the meetings pages need (a fixed number of queries each), and the derived facts:
planned times of the agenda, the quorum, the live session's state."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from planner.core.listing import PAGE_SIZE, Page, page_bounds
from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings.models import (
    AgendaDocument,
    AgendaItem,
    AgendaSuggestion,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    SuggestionStatus,
)
from planner.members.models import Member, Network
from planner.members.queries import current_network

OPEN_STATUSES = (MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.IN_SESSION)


# --- meetings -----------------------------------------------------------------------------


@dataclass
class MeetingRow:
    meeting: Meeting
    item_count: int
    total_minutes: int


def _visible(query, user):
    if not user.is_secretariat:
        query = query.where(Meeting.status != MeetingStatus.DRAFT)
    return query


@dataclass
class MeetingIndex:
    """The meetings list: a page of those not yet closed and a page of the past ones."""

    upcoming: Page  # of MeetingRow, soonest first
    past: Page  # of MeetingRow, latest first


def _meeting_rows(ids: Select, order: tuple) -> list[MeetingRow]:
    """The meetings of `ids` (an ordered, limited query of ids) with their agenda's size.

    The ids are picked first, from the indexes, and only those meetings are read in full and
    have their items counted, rather than grouping the items of every meeting (7,500 items at
    large size) to show 50 of them."""
    page = ids.subquery("page_ids")
    on_meeting = AgendaItem.meeting_id == Meeting.id
    items = select(func.count(AgendaItem.id)).where(on_meeting).scalar_subquery()
    minutes = (
        select(func.coalesce(func.sum(AgendaItem.duration_minutes), 0))
        .where(on_meeting)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Meeting, items, minutes).join(page, page.c.id == Meeting.id).order_by(*order)
    )
    return [MeetingRow(meeting, count, total) for meeting, count, total in rows]


def meeting_index(user, page: int = 1, upcoming_page: int = 1,
                  page_size: int = PAGE_SIZE) -> MeetingIndex:
    """A page of the upcoming and ongoing meetings (soonest first) and the page `page` of
    the past and cancelled ones (latest first); each list pages on its own, and a page past
    a list's end shows its last one. Drafts only for the secretariat. Three queries: the
    counts, then each list's rows.

    A meeting stays "upcoming" until it is closed or cancelled, even once its date has
    passed: the secretariat still has to hold or close it.
    """
    is_open = Meeting.status.in_(OPEN_STATUSES)
    upcoming_total, past_total = db.session.execute(
        _visible(select(func.count(case((is_open, 1))), func.count(case((~is_open, 1)))), user)
    ).one()
    lists = {}
    for name, where, total, requested, order in (
        ("upcoming", is_open, upcoming_total, upcoming_page, (Meeting.starts_at, Meeting.id)),
        ("past", ~is_open, past_total, page,
         (Meeting.starts_at.desc(), Meeting.id.desc())),
    ):
        shown, offset = page_bounds(requested, total, page_size)
        ids = _visible(select(Meeting.id).where(where), user).order_by(*order)
        rows = _meeting_rows(ids.offset(offset).limit(page_size), order)
        lists[name] = Page(rows=rows, total=total, page=shown, page_size=page_size)
    return MeetingIndex(**lists)


def meeting_with_agenda(meeting_id: int) -> Meeting | None:
    """The meeting with its items and their presenters (one joined query), then the items'
    documents: two queries."""
    return db.session.execute(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            joinedload(Meeting.items).options(
                joinedload(AgendaItem.presenter_member),
                selectinload(AgendaItem.documents),
            )
        )
    ).unique().scalar_one_or_none()


def next_meeting(user) -> Meeting | None:
    """The meeting in session, or else the next one not yet closed, with its agenda items
    (not their presenters or documents: the home page lists times and titles). One query."""
    return db.session.execute(
        _visible(select(Meeting).where(Meeting.status.in_(OPEN_STATUSES)), user)
        .order_by(
            case((Meeting.status == MeetingStatus.IN_SESSION, 0), else_=1),
            case((Meeting.ends_at >= utcnow(), 0), else_=1),
            Meeting.starts_at,
        )
        .limit(1)
        .options(joinedload(Meeting.items))
    ).unique().scalar_one_or_none()


def item_with_meeting(item_id: int) -> AgendaItem | None:
    return db.session.scalar(
        select(AgendaItem)
        .where(AgendaItem.id == item_id)
        .options(joinedload(AgendaItem.meeting), selectinload(AgendaItem.documents))
    )


def document_with_meeting(document_id: int) -> AgendaDocument | None:
    return db.session.scalar(
        select(AgendaDocument)
        .where(AgendaDocument.id == document_id)
        .options(joinedload(AgendaDocument.item).joinedload(AgendaItem.meeting))
    )


def member_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Member.id, Member.short_name)
        .where(Member.is_active.is_(True))
        .order_by(Member.short_name)
    )
    return [(member_id, name) for member_id, name in rows]


# --- the timed agenda ---------------------------------------------------------------------


@dataclass
class TimedItem:
    number: int
    item: AgendaItem
    planned_start: datetime  # UTC
    planned_end: datetime
    overruns: bool  # ends after the meeting's planned end


@dataclass
class TimedAgenda:
    items: list[TimedItem]
    total_minutes: int
    available_minutes: int

    @property
    def overrun_minutes(self) -> int:
        return max(self.total_minutes - self.available_minutes, 0)


def timed_agenda(meeting: Meeting, items: list[AgendaItem] | None = None) -> TimedAgenda:
    """Each item's planned start: the meeting's start plus the durations before it."""
    items = meeting.items if items is None else items
    timed, clock, total = [], meeting.starts_at, 0
    for number, item in enumerate(items, start=1):
        end = clock + timedelta(minutes=item.duration_minutes)
        timed.append(TimedItem(number, item, clock, end, end > meeting.ends_at))
        clock, total = end, total + item.duration_minutes
    available = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return TimedAgenda(timed, total, available)


# --- attendance and quorum ----------------------------------------------------------------


@dataclass(frozen=True)
class QuorumState:
    electorate: int  # active member clusters
    present: int
    represented: int
    needed: int  # Network.quorum_needed(electorate)
    quorum_percent: int

    @property
    def counted(self) -> int:
        return self.present + self.represented

    @property
    def reached(self) -> bool:
        return self.electorate > 0 and self.counted >= self.needed

    @property
    def missing(self) -> int:
        return max(self.needed - self.counted, 0)


def attendance_by_member(meeting_id: int) -> dict[int, Attendance]:
    """member id -> attendance row, with who recorded it: one query."""
    rows = db.session.scalars(
        select(Attendance)
        .where(Attendance.meeting_id == meeting_id)
        .options(joinedload(Attendance.signed_in_by))
    )
    return {row.member_id: row for row in rows}


def _attendance_counts(meeting_id: int, *more):
    """(active members, present, represented, recorded, *more): one scan of the members."""
    return db.session.execute(
        select(
            func.count(Member.id),
            func.count(case((Attendance.status == AttendanceStatus.PRESENT, 1))),
            func.count(case((Attendance.status == AttendanceStatus.REPRESENTED, 1))),
            func.count(Attendance.id),
            *more,
        )
        .select_from(Member)
        .outerjoin(
            Attendance,
            (Attendance.member_id == Member.id) & (Attendance.meeting_id == meeting_id),
        )
        .where(Member.is_active.is_(True))
    ).one()


def _quorum(electorate: int, present: int, represented: int, network: Network | None
            ) -> QuorumState:
    percent = network.quorum_percent if network else 50
    needed = network.quorum_needed(electorate) if network else electorate // 2 + 1
    return QuorumState(electorate, present, represented, needed, percent)


def quorum_state(meeting: Meeting, network: Network | None = None) -> QuorumState:
    """Members present or represented against the network's rule (strictly more than N %)."""
    network = network or current_network()
    electorate, present, represented, _recorded = _attendance_counts(meeting.id)
    return _quorum(electorate, present, represented, network)


def proxy_holder_id(meeting_id: int, member_id: int) -> int | None:
    """The member holding `member_id`'s proxy at this meeting, if it is represented."""
    return db.session.scalar(
        select(Attendance.proxy_holder_id).where(
            Attendance.meeting_id == meeting_id,
            Attendance.member_id == member_id,
            Attendance.status == AttendanceStatus.REPRESENTED,
        )
    )


def proxies_held_by(meeting_id: int, holder_id: int) -> list[int]:
    """The members whose proxy `holder_id` holds at this meeting."""
    return list(
        db.session.scalars(
            select(Attendance.member_id).where(
                Attendance.meeting_id == meeting_id,
                Attendance.proxy_holder_id == holder_id,
                Attendance.status == AttendanceStatus.REPRESENTED,
            )
        )
    )


def active_members() -> list[Member]:
    return list(
        db.session.scalars(
            select(Member).where(Member.is_active.is_(True)).order_by(Member.short_name)
        )
    )


@dataclass
class AttendanceLine:
    member: Member
    attendance: Attendance | None
    holder: Member | None  # who holds this member's proxy
    holds_for: list[Member]  # whose proxies this member holds


def attendance_sheet(meeting: Meeting) -> list[AttendanceLine]:
    """One line per active member cluster: two queries whatever the number of members."""
    members = active_members()
    attendance = attendance_by_member(meeting.id)
    by_id = {member.id: member for member in members}
    holds: dict[int, list[Member]] = {}
    for row in attendance.values():
        if row.proxy_holder_id is not None and row.member_id in by_id:
            holds.setdefault(row.proxy_holder_id, []).append(by_id[row.member_id])
    lines = []
    for member in members:
        row = attendance.get(member.id)
        holder = by_id.get(row.proxy_holder_id) if row and row.proxy_holder_id else None
        lines.append(AttendanceLine(member, row, holder, holds.get(member.id, [])))
    return lines


SHEET_LIMIT = 50  # up to this many active members, pages list every one of them


@dataclass
class AttendanceOverview:
    """The attendance a page shows: every member while the network is small; in a large
    network the recorded lines only, and how many members are not recorded yet."""

    lines: list[AttendanceLine]
    not_recorded: int  # active members without a line in `lines`
    electorate: int = 0  # active members
    present: int = 0  # active members present, and represented, at the meeting
    represented: int = 0


def quorum_of(overview: AttendanceOverview, network: Network | None = None) -> QuorumState:
    """The quorum from the counts an attendance overview made (no query of its own): the
    same figures as quorum_state()."""
    network = network or current_network()
    return _quorum(overview.electorate, overview.present, overview.represented, network)


def attendance_overview(meeting: Meeting, limit: int = SHEET_LIMIT) -> AttendanceOverview:
    """One query whatever the number of members: how many members are active, and the
    active members with their attendance row (its proxy holder and who recorded it), all of
    them while there are at most `limit`, else only the recorded ones."""
    active = select(func.count(Member.id).label("n")).where(Member.is_active.is_(True)).subquery()
    of_meeting = (Attendance.member_id == Member.id) & (Attendance.meeting_id == meeting.id)
    listed = Member.is_active.is_(True) & or_(
        active.c.n <= limit, select(Attendance.id).where(of_meeting).correlate(Member).exists()
    )
    # The count is the left side, so that its row comes back even when no member is listed.
    found = db.session.execute(
        select(active.c.n, Member, Attendance)
        .select_from(active)
        .outerjoin(Member, listed)
        .outerjoin(Attendance, of_meeting)
        .options(joinedload(Attendance.proxy_holder), joinedload(Attendance.signed_in_by))
        .order_by(Member.short_name)
    ).all()
    electorate = found[0][0]
    found = [(member, row) for _n, member, row in found if member is not None]
    holds: dict[int, list[Member]] = {}
    present = represented = 0
    for member, row in found:
        if row is None:
            continue
        set_committed_value(row, "member", member)  # the row's member, loaded just above
        if row.status is AttendanceStatus.PRESENT:
            present += 1
        elif row.status is AttendanceStatus.REPRESENTED:
            represented += 1
        if row.proxy_holder_id is not None:
            holds.setdefault(row.proxy_holder_id, []).append(member)
    lines = [
        AttendanceLine(member, row, row.proxy_holder if row else None, holds.get(member.id, []))
        for member, row in found
    ]
    counts = {"electorate": electorate, "present": present, "represented": represented}
    return AttendanceOverview(lines, electorate - len(lines), **counts)


# --- agenda suggestions -------------------------------------------------------------------


def suggestions_for(meeting_id: int, user) -> list[AgendaSuggestion]:
    """The secretariat sees every suggestion; a director those of their own cluster."""
    query = (
        select(AgendaSuggestion)
        .where(AgendaSuggestion.meeting_id == meeting_id)
        .options(
            joinedload(AgendaSuggestion.member),
            joinedload(AgendaSuggestion.proposed_by),
            joinedload(AgendaSuggestion.decided_by),
        )
        .order_by(
            case((AgendaSuggestion.status == SuggestionStatus.PENDING, 0), else_=1),
            AgendaSuggestion.created_at,
        )
    )
    if not user.is_secretariat:
        if user.member_id is None:
            return []
        query = query.where(AgendaSuggestion.member_id == user.member_id)
    return list(db.session.scalars(query))


def suggestion_with_meeting(suggestion_id: int) -> AgendaSuggestion | None:
    return db.session.scalar(
        select(AgendaSuggestion)
        .where(AgendaSuggestion.id == suggestion_id)
        .options(joinedload(AgendaSuggestion.meeting), joinedload(AgendaSuggestion.member))
    )


# --- the live session ---------------------------------------------------------------------


@dataclass
class LiveItem:
    number: int
    item: AgendaItem
    state: str  # "done", "current" or "upcoming"
    used_seconds: int | None
    allotted_seconds: int

    @property
    def over(self) -> bool:
        return self.used_seconds is not None and self.used_seconds > self.allotted_seconds


@dataclass
class LiveSession:
    meeting: Meeting
    items: list[LiveItem]
    current: LiveItem | None
    next: LiveItem | None
    quorum: QuorumState


def live_session(meeting: Meeting, network: Network | None = None, now: datetime | None = None
                 ) -> LiveSession:
    """Time used against time allotted per item, the current and next items, the quorum."""
    now = now or utcnow()
    live, current, following = [], None, None
    for number, item in enumerate(meeting.items, start=1):
        if item.id == meeting.current_item_id:
            state = "current"
        elif item.started_at is not None:
            state = "done"
        else:
            state = "upcoming"
        used = None
        if item.started_at is not None:
            used = int(((item.ended_at or now) - item.started_at).total_seconds())
        entry = LiveItem(number, item, state, used, item.duration_minutes * 60)
        live.append(entry)
        if state == "current":
            current = entry
        elif state == "upcoming" and following is None and (
            current is not None or meeting.current_item_id is None
        ):
            following = entry
    if meeting.status != MeetingStatus.IN_SESSION:
        following = None
    return LiveSession(meeting, live, current, following, quorum_state(meeting, network))


# --- the home page ------------------------------------------------------------------------


@dataclass
class NextMeeting:
    meeting: Meeting
    agenda: TimedAgenda
    quorum: QuorumState
    recorded: int  # members whose attendance is recorded
    pending_suggestions: int


def next_meeting_summary(user, network: Network | None = None) -> NextMeeting | None:
    """The next meeting for the home page: its timed agenda, and its readiness (two queries:
    the meeting with its items, then its attendance and pending suggestions counted)."""
    meeting = next_meeting(user)
    if meeting is None:
        return None
    network = network or current_network()
    pending = (
        select(func.count(AgendaSuggestion.id))
        .where(
            AgendaSuggestion.meeting_id == meeting.id,
            AgendaSuggestion.status == SuggestionStatus.PENDING,
        )
        .scalar_subquery()
        if user.is_secretariat
        else literal(0)
    )
    electorate, present, represented, recorded, pending = _attendance_counts(meeting.id, pending)
    quorum = _quorum(electorate, present, represented, network)
    return NextMeeting(meeting, timed_agenda(meeting), quorum, recorded, pending or 0)
