"""State changes of meetings: lifecycle, agenda, documents, suggestions, attendance, session.

Every function takes the acting user (None for the demo loader and the CLI), checks state
and permission, raises RuleError with a message a person understands, flushes at most.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from planner.core import audit
from planner.core.permissions import can_manage_meetings, can_suggest_agenda_items
from planner.core.rules import RuleError
from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings import documents
from planner.meetings.models import (
    AgendaDocument,
    AgendaItem,
    AgendaItemKind,
    AgendaSuggestion,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    SuggestionStatus,
)
from planner.members.models import Member, Network, User

AGENDA_OPEN = (MeetingStatus.DRAFT, MeetingStatus.CONVENED)
ATTENDANCE_OPEN = (MeetingStatus.CONVENED, MeetingStatus.IN_SESSION)
MAX_DURATION_MINUTES = 24 * 60


def _require_secretariat(actor: User | None) -> None:
    if actor is not None and not can_manage_meetings(actor):
        raise RuleError(_("Only the secretariat can do this."), 403)


def status_label(status: MeetingStatus) -> str:
    return {
        MeetingStatus.DRAFT: _("draft"),
        MeetingStatus.CONVENED: _("convened"),
        MeetingStatus.IN_SESSION: _("in session"),
        MeetingStatus.CLOSED: _("closed"),
        MeetingStatus.CANCELLED: _("cancelled"),
    }[status]


# --- meetings -----------------------------------------------------------------------------


def _check_meeting_values(values: dict) -> None:
    if not values.get("title"):
        raise RuleError(_("Give the meeting a title."), field="title")
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    if ends_at <= starts_at:
        raise RuleError(_("The meeting must end after it starts."), field="ends_at")
    if ends_at - starts_at > (datetime(2000, 1, 8) - datetime(2000, 1, 1)):
        raise RuleError(_("A meeting lasts at most seven days."), field="ends_at")
    if values.get("minutes_language") not in current_app.config["MINUTES_LANGUAGES"]:
        raise RuleError(_("This language is not available."), field="minutes_language")


MEETING_FIELDS = ("title", "starts_at", "ends_at", "venue", "address", "context", "objectives",
                  "minutes_language")


def create_meeting(actor: User | None, **values) -> Meeting:
    """A new meeting, as a draft. `starts_at` and `ends_at` are naive UTC."""
    _require_secretariat(actor)
    values = {key: values.get(key, "") for key in MEETING_FIELDS} | {
        key: values[key] for key in ("starts_at", "ends_at")
    }
    values["minutes_language"] = values["minutes_language"] or "fr"
    _check_meeting_values(values)
    meeting = Meeting(status=MeetingStatus.DRAFT, **values)
    db.session.add(meeting)
    db.session.flush()
    audit.record(actor, "meeting.created", meeting, title=meeting.title,
                 starts_at=meeting.starts_at)
    return meeting


def update_meeting(actor: User, meeting: Meeting, version: int, **values) -> Meeting:
    _require_secretariat(actor)
    if version != meeting.version:
        raise RuleError(
            _("Someone else changed this meeting while you were editing it. "
              "The current values are shown below: check them and save again."),
            409,
        )
    if meeting.status not in AGENDA_OPEN:
        raise RuleError(
            _("This meeting is %(status)s: its details can no longer change.",
              status=status_label(meeting.status)),
            409,
        )
    values = {key: values.get(key, getattr(meeting, key)) for key in MEETING_FIELDS}
    _check_meeting_values(values)
    before = {key: getattr(meeting, key) for key in MEETING_FIELDS
              if getattr(meeting, key) != values[key]}
    for key, value in values.items():
        setattr(meeting, key, value)
    db.session.flush()
    audit.record(actor, "meeting.updated", meeting, before=before)
    return meeting


@dataclass(frozen=True)
class Transition:
    name: str  # convene, open, close, cancel
    sources: tuple[MeetingStatus, ...]
    target: MeetingStatus


TRANSITIONS = {
    "convene": Transition("convene", (MeetingStatus.DRAFT,), MeetingStatus.CONVENED),
    "open": Transition("open", (MeetingStatus.CONVENED,), MeetingStatus.IN_SESSION),
    "close": Transition("close", (MeetingStatus.IN_SESSION,), MeetingStatus.CLOSED),
    "cancel": Transition(
        "cancel",
        (MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.IN_SESSION),
        MeetingStatus.CANCELLED,
    ),
}


def refusal(meeting: Meeting, transition: str) -> str | None:
    """Why this move is not possible now, in words; None when it is."""
    move = TRANSITIONS[transition]
    if meeting.status not in move.sources:
        status = status_label(meeting.status)
        return {
            "convene": _("This meeting is %(status)s: only a draft can be convened.",
                         status=status),
            "open": _("This meeting is %(status)s: only a convened meeting can open its "
                      "session.", status=status),
            "close": _("This meeting is %(status)s: only a meeting in session can be closed.",
                       status=status),
            "cancel": _("This meeting is %(status)s: it can no longer be cancelled.",
                        status=status),
        }[transition]
    if transition in ("convene", "open") and not _item_count(meeting):
        return _("Add at least one item to the agenda first.")
    return None


def _item_count(meeting: Meeting) -> int:
    return db.session.scalar(
        select(func.count(AgendaItem.id)).where(AgendaItem.meeting_id == meeting.id)
    ) or 0


def _first_item(meeting: Meeting) -> AgendaItem | None:
    return db.session.scalar(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position, AgendaItem.id).limit(1)
    )


def move_meeting(
    actor: User | None, meeting: Meeting, transition: str, reason: str = ""
) -> Meeting:
    """Convene, open the session, close it, or cancel: dated and audited."""
    _require_secretariat(actor)
    if transition not in TRANSITIONS:
        raise RuleError(_("This change of state does not exist."), 404)
    problem = refusal(meeting, transition)
    if problem:
        raise RuleError(problem, 409)
    now = utcnow()
    before = meeting.status
    if transition == "convene":
        meeting.convened_at = now
    elif transition == "open":
        meeting.opened_at = now
        first = _first_item(meeting)
        first.started_at, first.ended_at = now, None
        meeting.current_item_id = first.id
    elif transition == "close":
        _end_current_item(meeting, now)
        meeting.closed_at = now
    elif transition == "cancel":
        reason = (reason or "").strip()
        if not reason:
            raise RuleError(_("Say why the meeting is cancelled: the members will read it."),
                            field="reason")
        _end_current_item(meeting, now)
        meeting.cancelled_at = now
        meeting.cancellation_reason = reason
    meeting.status = TRANSITIONS[transition].target
    db.session.flush()
    audit.record(actor, f"meeting.{transition}", meeting, before=before.value,
                 after=meeting.status.value, **({"reason": reason} if reason else {}))
    return meeting


def _end_current_item(meeting: Meeting, now: datetime) -> None:
    if meeting.current_item_id is not None:
        current = db.session.get(AgendaItem, meeting.current_item_id)
        if current is not None and current.ended_at is None:
            current.ended_at = now
        meeting.current_item_id = None


# --- agenda items -------------------------------------------------------------------------


ITEM_FIELDS = ("title", "kind", "presenter_member_id", "presenter_name", "duration_minutes",
               "description")


def _check_agenda_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.IN_SESSION:
        raise RuleError(_("The session has started: the agenda can no longer change."), 409)
    if meeting.status not in AGENDA_OPEN:
        raise RuleError(
            _("This meeting is %(status)s: the agenda can no longer change.",
              status=status_label(meeting.status)),
            409,
        )


def _check_duration(minutes, field: str = "duration_minutes") -> int:
    if minutes is None or int(minutes) <= 0:
        raise RuleError(_("The duration must be at least one minute."), field=field)
    if int(minutes) > MAX_DURATION_MINUTES:
        raise RuleError(_("The duration must be at most 24 hours (1440 minutes)."), field=field)
    return int(minutes)


def _check_item_values(values: dict) -> dict:
    values = {key: values.get(key) for key in ITEM_FIELDS}
    values["title"] = (values["title"] or "").strip()
    if not values["title"]:
        raise RuleError(_("Give the item a title."), field="title")
    kind = values["kind"] or AgendaItemKind.DISCUSSION
    values["kind"] = kind if isinstance(kind, AgendaItemKind) else AgendaItemKind(kind)
    values["duration_minutes"] = _check_duration(values["duration_minutes"])
    values["presenter_name"] = (values["presenter_name"] or "").strip()
    values["description"] = values["description"] or ""
    member_id = values["presenter_member_id"]
    if member_id is not None:
        member = db.session.get(Member, member_id)
        if member is None or not member.is_active:
            raise RuleError(_("Choose an active member cluster as presenter."),
                            field="presenter_member_id")
    return values


def add_item(actor: User | None, meeting: Meeting, **values) -> AgendaItem:
    """A new item at the end of the agenda."""
    _require_secretariat(actor)
    _check_agenda_open(meeting)
    values = _check_item_values(values)
    last = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    item = AgendaItem(meeting_id=meeting.id, position=(last or 0) + 1, **values)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "agenda_item.added", item, meeting_id=meeting.id, title=item.title)
    return item


def update_item(actor: User, item: AgendaItem, version: int, **values) -> AgendaItem:
    _require_secretariat(actor)
    _check_agenda_open(item.meeting)
    if version != item.version:
        raise RuleError(
            _("Someone else changed this item while you were editing it. "
              "Their version is shown below: check it and save again."),
            409,
        )
    values = _check_item_values(values)
    before = {key: getattr(item, key) for key in ITEM_FIELDS if getattr(item, key) != values[key]}
    for key, value in values.items():
        setattr(item, key, value)
    db.session.flush()
    audit.record(actor, "agenda_item.updated", item, before=before)
    return item


def _agenda(meeting_id: int) -> list[AgendaItem]:
    return list(db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    ))


def _set_positions(order: list[int]) -> None:
    # A bulk UPDATE leaves the items' version alone: moving an item is not an edit of its
    # text, and must not make a colleague's open edit form stale.
    for position, item_id in enumerate(order, start=1):
        db.session.execute(
            update(AgendaItem).where(AgendaItem.id == item_id).values(position=position),
            execution_options={"synchronize_session": "fetch"},
        )


def move_item(actor: User, item: AgendaItem, direction: str) -> int:
    """Move the item one place up or down; returns its new number (1-based)."""
    _require_secretariat(actor)
    _check_agenda_open(item.meeting)
    if direction not in ("up", "down"):
        raise RuleError(_("Move an item up or down."), 400)
    order = [each.id for each in _agenda(item.meeting_id)]
    index = order.index(item.id)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(order):
        raise RuleError(
            _("This item is already first.") if direction == "up"
            else _("This item is already last."),
            409,
        )
    order[index], order[target] = order[target], order[index]
    _set_positions(order)
    audit.record(actor, "agenda_item.moved", item, direction=direction, position=target + 1)
    return target + 1


def remove_item(actor: User, item: AgendaItem) -> list[str]:
    """Remove the item and its documents; returns the stored file names to discard."""
    _require_secretariat(actor)
    meeting = item.meeting
    _check_agenda_open(meeting)
    stored = list(db.session.scalars(
        select(AgendaDocument.stored_name).where(AgendaDocument.item_id == item.id)
    ))
    db.session.execute(
        update(AgendaSuggestion).where(AgendaSuggestion.agenda_item_id == item.id)
        .values(agenda_item_id=None),
        execution_options={"synchronize_session": False},
    )
    audit.record(actor, "agenda_item.removed", item, meeting_id=meeting.id, title=item.title,
                 documents=len(stored))
    db.session.delete(item)
    db.session.flush()
    _set_positions([each.id for each in _agenda(meeting.id)])
    return stored


# --- documents ----------------------------------------------------------------------------


def add_document(actor: User, item: AgendaItem, filename: str, data: bytes) -> AgendaDocument:
    """Attach a file to an item, once its content is known to be an accepted kind."""
    _require_secretariat(actor)
    if item.meeting.status == MeetingStatus.CANCELLED:
        raise RuleError(_("This meeting is cancelled: no more documents can be added."), 409)
    name = documents.clean_name(filename)
    if not data:
        raise RuleError(_("The file is empty."), field="file")
    limit = documents.max_bytes()
    if len(data) > limit:
        megabytes = format_decimal(round(limit / 1_048_576, 2))
        raise RuleError(
            _("The file is larger than the limit of %(limit)s MB: it was not saved. Send a "
              "smaller file, or split it.", limit=megabytes),
            413,
            field="file",
        )
    kind = documents.sniff(data, name)
    if kind is None:
        raise RuleError(
            _("This file is not a PDF, an office document or an image (PNG, JPEG, GIF), "
              "whatever its name says: it was not saved."),
            415,
            field="file",
        )
    if documents.extension(name) not in kind.extensions:
        raise RuleError(
            _("The file is named “%(name)s” but its content is a %(kind)s file: rename it "
              "with the right extension (.%(extension)s) or send the right file.",
              name=name, kind=kind.label, extension=kind.extensions[0]),
            415,
            field="file",
        )
    stored_name = documents.store(data)
    document = AgendaDocument(
        item_id=item.id, original_name=name, stored_name=stored_name,
        content_type=kind.content_type, size_bytes=len(data),
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(document)
    db.session.flush()
    audit.record(actor, "agenda_document.added", document, item_id=item.id, name=name,
                 size=len(data), content_type=kind.content_type)
    return document


def remove_document(actor: User, document: AgendaDocument) -> str:
    _require_secretariat(actor)
    audit.record(actor, "agenda_document.removed", document, item_id=document.item_id,
                 name=document.original_name)
    stored_name = document.stored_name
    db.session.delete(document)
    db.session.flush()
    return stored_name


# --- agenda suggestions by directors ------------------------------------------------------


def suggest_item(actor: User, meeting: Meeting, **values) -> AgendaSuggestion:
    """A director asks for an item, for their own cluster, before the session starts."""
    if not can_suggest_agenda_items(actor):
        raise RuleError(_("Only a director of a member cluster can suggest agenda items."), 403)
    if meeting.status not in AGENDA_OPEN:
        raise RuleError(
            _("Agenda items can be suggested until the session starts; this meeting is "
              "%(status)s.", status=status_label(meeting.status)),
            409,
        )
    title = (values.get("title") or "").strip()
    if not title:
        raise RuleError(_("Give the item a title."), field="title")
    kind = values.get("kind") or AgendaItemKind.DISCUSSION
    suggestion = AgendaSuggestion(
        meeting_id=meeting.id,
        member_id=actor.member_id,
        proposed_by_id=actor.id,
        title=title,
        kind=kind if isinstance(kind, AgendaItemKind) else AgendaItemKind(kind),
        duration_minutes=_check_duration(values.get("duration_minutes")),
        description=values.get("description") or "",
        status=SuggestionStatus.PENDING,
    )
    db.session.add(suggestion)
    db.session.flush()
    audit.record(actor, "agenda_suggestion.made", suggestion, meeting_id=meeting.id, title=title)
    return suggestion


def _check_pending(suggestion: AgendaSuggestion) -> None:
    if suggestion.status != SuggestionStatus.PENDING:
        raise RuleError(_("This suggestion has already been answered."), 409)


def accept_suggestion(actor: User, suggestion: AgendaSuggestion) -> AgendaItem:
    """The suggested item joins the end of the agenda, presented by the suggesting cluster."""
    _require_secretariat(actor)
    _check_pending(suggestion)
    item = add_item(
        actor, db.session.get(Meeting, suggestion.meeting_id), title=suggestion.title, kind=suggestion.kind,
        presenter_member_id=suggestion.member_id, presenter_name="",
        duration_minutes=suggestion.duration_minutes, description=suggestion.description,
    )
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.decided_by_id = getattr(actor, "id", None)
    suggestion.decided_at = utcnow()
    suggestion.agenda_item_id = item.id
    db.session.flush()
    audit.record(actor, "agenda_suggestion.accepted", suggestion, item_id=item.id)
    return item


def decline_suggestion(actor: User, suggestion: AgendaSuggestion, reason: str) -> None:
    _require_secretariat(actor)
    _check_pending(suggestion)
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_("Give the reason: the director will read it."), field="reason")
    suggestion.status = SuggestionStatus.DECLINED
    suggestion.decision_reason = reason
    suggestion.decided_by_id = getattr(actor, "id", None)
    suggestion.decided_at = utcnow()
    db.session.flush()
    audit.record(actor, "agenda_suggestion.declined", suggestion, reason=reason)


# --- attendance and proxies ---------------------------------------------------------------


@dataclass
class AttendanceEntry:
    """One line of the attendance sheet as sent: status None means "not recorded"."""

    member_id: int
    status: AttendanceStatus | None
    proxy_holder_id: int | None = None
    attendee_name: str = ""
    # fingerprint() of the line as the form showed it; None skips the conflict check.
    seen: str | None = None


def fingerprint(status: AttendanceStatus | None, holder_id: int | None, attendee: str) -> str:
    """A line's state in one string, so a sheet can tell who else changed what meanwhile."""
    return f"{status.value if status else ''}|{holder_id or ''}|{attendee or ''}"


def record_attendance(actor: User | None, meeting: Meeting, member: Member,
                      status: AttendanceStatus | None, proxy_holder: Member | None = None,
                      attendee_name: str = "") -> Attendance | None:
    """Record how one member takes part; the proxy rules hold on the resulting sheet."""
    entry = AttendanceEntry(member.id, status, proxy_holder.id if proxy_holder else None,
                            attendee_name)
    record_attendance_sheet(actor, meeting, [entry])
    return db.session.scalar(
        select(Attendance).where(Attendance.meeting_id == meeting.id,
                                 Attendance.member_id == member.id)
    )


def record_attendance_sheet(actor: User | None, meeting: Meeting,
                            entries: list[AttendanceEntry]) -> int:
    """Apply every line at once, or none: returns how many lines changed.

    The sheet is checked as a whole once the lines are applied in memory, so a proxy may go
    to a cluster marked present on the same sheet. A proxy goes to another active member that
    is present, at most Network.max_proxies_per_holder per holder.
    """
    _require_secretariat(actor)
    if meeting.status not in ATTENDANCE_OPEN:
        raise RuleError(
            _("Attendance is recorded once the meeting is convened and until it is closed; "
              "this meeting is %(status)s.", status=status_label(meeting.status)),
            409,
        )
    # The names the checks quote, not a thousand clusters loaded whole.
    members = {m.id: m for m in db.session.execute(
        select(Member.id, Member.short_name).where(Member.is_active))}
    rows = {
        row.member_id: row
        for row in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }
    final: dict[int, tuple[AttendanceStatus | None, int | None]] = {
        member_id: (row.status, row.proxy_holder_id) for member_id, row in rows.items()
    }
    wanted: dict[int, AttendanceEntry] = {}
    for entry in entries:
        member = members.get(entry.member_id)
        if member is None:
            raise RuleError(_("This member cluster is not an active member."), 400)
        current = rows.get(entry.member_id)
        holder_id = entry.proxy_holder_id if entry.status == AttendanceStatus.REPRESENTED else None
        attendee = (entry.attendee_name or "").strip() if entry.status else ""
        before = (current.status, current.proxy_holder_id, current.attendee_name) if current \
            else (None, None, "")
        if before == (entry.status, holder_id, attendee):
            continue
        if entry.seen is not None:
            if fingerprint(entry.status, holder_id, attendee) == entry.seen:
                continue  # this line was left as shown: keep what someone else recorded
            if fingerprint(*before) != entry.seen:
                raise RuleError(
                    _("Someone else recorded the attendance of %(member)s meanwhile: the "
                      "sheet below shows it now. Check it and save again.",
                      member=member.short_name),
                    409,
                )
        if entry.status == AttendanceStatus.REPRESENTED and holder_id is None:
            raise RuleError(
                _("%(member)s is represented: choose the member cluster holding its proxy.",
                  member=member.short_name),
                field=f"holder_{member.id}",
            )
        wanted[entry.member_id] = AttendanceEntry(entry.member_id, entry.status, holder_id,
                                                  attendee)
        final[entry.member_id] = (entry.status, holder_id)
    _check_proxies(final, members)
    now = utcnow()
    events = []
    for member_id, entry in wanted.items():
        row = rows.get(member_id)
        before = row.status.value if row else None
        if entry.status is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            row = Attendance(meeting_id=meeting.id, member_id=member_id)
            db.session.add(row)
        if entry.status is not None:
            row.status = entry.status
            row.proxy_holder_id = entry.proxy_holder_id
            row.attendee_name = entry.attendee_name[:200]
            row.signed_in_by_id = getattr(actor, "id", None)
            row.recorded_at = now
        events.append({"member_id": member_id, "before": before,
                       "after": entry.status.value if entry.status else None,
                       "proxy_holder_id": entry.proxy_holder_id})
    db.session.flush()
    audit.record_each(actor, "attendance.recorded", meeting, events)
    return len(wanted)


def _check_proxies(final: dict[int, tuple[AttendanceStatus | None, int | None]],
                   members: dict) -> None:
    """`members`: the active ones by id, each with its `short_name`."""
    network = db.session.scalar(select(Network).order_by(Network.id).limit(1))
    limit = network.max_proxies_per_holder if network else 1
    held: dict[int, list[int]] = {}
    for member_id, (status, holder_id) in sorted(final.items()):
        if status != AttendanceStatus.REPRESENTED or member_id not in members:
            continue
        member = members[member_id]
        field = f"holder_{member_id}"
        if holder_id == member_id:
            raise RuleError(
                _("%(member)s cannot hold its own proxy: choose another member cluster.",
                  member=member.short_name),
                field=field,
            )
        holder = members.get(holder_id)
        if holder is None:
            raise RuleError(_("The proxy must go to an active member cluster."), field=field)
        holder_status = final.get(holder_id, (None, None))[0]
        if holder_status != AttendanceStatus.PRESENT:
            raise RuleError(
                _("%(holder)s is not recorded as present: a proxy can only be given to a "
                  "member cluster present at the meeting (not one that is itself "
                  "represented, excused or absent).", holder=holder.short_name),
                field=field,
            )
        held.setdefault(holder_id, []).append(member_id)
        if limit == 0:
            raise RuleError(_("The network's rules allow no proxies."), field=field)
        if len(held[holder_id]) > limit:
            raise RuleError(
                ngettext(
                    "%(holder)s already holds the maximum of %(num)d proxy: %(member)s must "
                    "give its proxy to another member cluster.",
                    "%(holder)s already holds the maximum of %(num)d proxies: %(member)s must "
                    "give its proxy to another member cluster.",
                    limit, holder=holder.short_name, member=member.short_name,
                ),
                field=field,
            )


# --- the live session ---------------------------------------------------------------------


def next_item(actor: User, meeting: Meeting, expected_current_id: int | None) -> AgendaItem | None:
    """End the current item and start the next one; None once the last item is done."""
    _require_secretariat(actor)
    if meeting.status != MeetingStatus.IN_SESSION:
        raise RuleError(_("The session is not open: there is no current item."), 409)
    if expected_current_id != meeting.current_item_id:
        raise RuleError(
            _("The session has already moved on (someone else pressed the button): "
              "the page now shows the current item."),
            409,
        )
    if meeting.current_item_id is None:
        raise RuleError(_("Every item has been dealt with: close the session."), 409)
    items = _agenda(meeting.id)
    ids = [item.id for item in items]
    now = utcnow()
    index = ids.index(meeting.current_item_id)
    items[index].ended_at = now
    following = next((item for item in items[index + 1:] if item.started_at is None), None)
    if following is not None:
        following.started_at, following.ended_at = now, None
    meeting.current_item_id = following.id if following else None
    db.session.flush()
    audit.record(actor, "meeting.next_item", meeting, ended=ids[index],
                 started=following.id if following else None)
    return following
