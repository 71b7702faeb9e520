"""State changes of the minutes: notes, circulation, comments, approval, errata, share links."""

import hashlib
import secrets
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from planner.core import audit, permissions
from planner.core.rules import RuleError
from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings.models import AgendaItem, Meeting, MeetingStatus
from planner.members.models import User
from planner.minutes.models import (
    ApprovalBasis,
    Erratum,
    ItemNote,
    Minutes,
    MinutesComment,
    MinutesStatus,
    ShareLink,
)

MAX_TEXT = 50_000


def _require_secretariat(actor: User) -> None:
    if not permissions.secretariat(actor):
        raise RuleError(_("Only the secretariat can do this."), 403)


def minutes_of(meeting: Meeting) -> Minutes:
    """The meeting's minutes row, created (as a draft) the first time it is needed."""
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, status=MinutesStatus.DRAFT)
        db.session.add(minutes)
        db.session.flush()
    return minutes


def _refuse_if_locked(minutes: Minutes | None) -> None:
    if minutes is not None and minutes.is_locked:
        raise RuleError(_("These minutes are approved and locked: add an erratum instead."), 409)


def save_note(actor: User, item: AgendaItem, body: str, version: int | None) -> ItemNote:
    """Write the notes of one agenda item; a stale version is refused, never overwritten."""
    _require_secretariat(actor)
    meeting = item.meeting
    if meeting.status is MeetingStatus.CANCELLED:
        raise RuleError(_("This meeting was cancelled: it has no minutes."), 409)
    _refuse_if_locked(db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id)))
    if len(body) > MAX_TEXT:
        raise RuleError(_("The notes are too long (50,000 characters at most)."), field="body")
    note = db.session.scalar(select(ItemNote).where(ItemNote.agenda_item_id == item.id))
    if note is None:
        note = ItemNote(agenda_item_id=item.id, body=body, updated_by_id=actor.id)
        db.session.add(note)
    else:
        if version is not None and version != note.version:
            raise RuleError(
                _(
                    "Someone else saved notes on this item while you were writing. Their text "
                    "is shown below; merge your changes into it and save again."
                ),
                409,
                field="body",
            )
        note.body = body
        note.updated_at = utcnow()
        note.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "minutes.note_saved", item, meeting_id=meeting.id, length=len(body))
    return note


def circulate(actor: User, meeting: Meeting) -> Minutes:
    _require_secretariat(actor)
    if meeting.status is not MeetingStatus.CLOSED:
        raise RuleError(_("Minutes are circulated once the meeting is closed."), 409)
    minutes = minutes_of(meeting)
    if minutes.status is not MinutesStatus.DRAFT:
        raise RuleError(_("These minutes were already circulated."), 409)
    minutes.status = MinutesStatus.CIRCULATED
    minutes.circulated_at = utcnow()
    minutes.circulated_by_id = actor.id
    audit.record(actor, "minutes.circulated", minutes, meeting_id=meeting.id)
    return minutes


def add_comment(
    actor: User, minutes: Minutes, item: AgendaItem | None, body: str
) -> MinutesComment:
    if not (permissions.director(actor) or permissions.secretariat(actor)):
        raise RuleError(_("Only directors and the secretariat comment on minutes."), 403)
    if minutes.status is not MinutesStatus.CIRCULATED:
        raise RuleError(_("Comments are open only while the minutes are circulated."), 409)
    if item is not None and item.meeting_id != minutes.meeting_id:
        raise RuleError(_("This agenda item belongs to another meeting."), 400, field="item_id")
    body = (body or "").strip()
    if not body:
        raise RuleError(_("Write your comment."), field="body")
    if len(body) > 10_000:
        raise RuleError(_("The comment is too long (10,000 characters at most)."), field="body")
    comment = MinutesComment(
        minutes_id=minutes.id,
        agenda_item_id=item.id if item else None,
        author_id=actor.id,
        member_id=actor.member_id,
        body=body,
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(actor, "minutes.commented", minutes, comment_id=comment.id)
    return comment


def fingerprint_of(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def approve(
    actor: User,
    minutes: Minutes,
    *,
    document_html: str,
    basis: ApprovalBasis,
    approved_on: date,
    approval_meeting: Meeting | None = None,
    note: str = "",
) -> Minutes:
    """Freeze the assembled document, fingerprint it and lock the minutes."""
    _require_secretariat(actor)
    if minutes.status is MinutesStatus.APPROVED:
        raise RuleError(_("These minutes are already approved."), 409)
    if minutes.status is not MinutesStatus.CIRCULATED:
        raise RuleError(_("Minutes are approved after they were circulated."), 409)
    if approved_on > utcnow().date():
        raise RuleError(_("The approval date cannot be in the future."), field="approved_on")
    if basis is ApprovalBasis.MEETING:
        if approval_meeting is None:
            raise RuleError(
                _("Choose the meeting that approved these minutes."), field="approval_meeting_id"
            )
        if approval_meeting.id == minutes.meeting_id:
            raise RuleError(
                _("Minutes are approved by a later meeting, not by the meeting they record."),
                field="approval_meeting_id",
            )
    elif not note.strip():
        raise RuleError(
            _(
                "State the basis of the secretariat's approval (e.g. no objection received "
                "within 15 days)."
            ),
            field="note",
        )
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = utcnow()
    minutes.approved_by_id = actor.id
    minutes.approved_on = approved_on
    minutes.approval_basis = basis
    minutes.approval_meeting_id = approval_meeting.id if approval_meeting else None
    minutes.approval_note = note.strip()
    minutes.approved_html = document_html
    minutes.fingerprint = fingerprint_of(document_html)
    audit.record(actor, "minutes.approved", minutes, fingerprint=minutes.fingerprint)
    return minutes


def add_erratum(actor: User, minutes: Minutes, body: str) -> Erratum:
    _require_secretariat(actor)
    if minutes.status is not MinutesStatus.APPROVED:
        raise RuleError(_("Errata are for approved minutes: edit the notes instead."), 409)
    body = (body or "").strip()
    if not body:
        raise RuleError(_("Write the correction."), field="body")
    erratum = Erratum(minutes_id=minutes.id, body=body, created_by_id=actor.id)
    db.session.add(erratum)
    db.session.flush()
    audit.record(actor, "minutes.erratum_added", minutes, erratum_id=erratum.id)
    return erratum


# --- share links ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_share_link(
    actor: User, meeting: Meeting, label: str = "", expires_at: datetime | None = None
) -> tuple[ShareLink, str]:
    _require_secretariat(actor)
    if meeting.status is MeetingStatus.CANCELLED:
        raise RuleError(_("This meeting was cancelled: it has no minutes to share."), 409)
    if expires_at is not None and expires_at <= utcnow():
        raise RuleError(_("The expiry must be in the future."), field="expires_on")
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        meeting_id=meeting.id,
        token_hash=_token_hash(token),
        label=label.strip(),
        created_by_id=actor.id,
        expires_at=expires_at,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "minutes.share_link_created", link, meeting_id=meeting.id)
    return link, token


def revoke_share_link(actor: User, link: ShareLink) -> None:
    _require_secretariat(actor)
    if link.revoked_at is not None:
        raise RuleError(_("This link was already revoked."), 409)
    link.revoked_at = utcnow()
    audit.record(actor, "minutes.share_link_revoked", link, meeting_id=link.meeting_id)


def find_share_link(token: str) -> ShareLink | None:
    """The usable link for this token, or None (unknown, revoked and expired look the same)."""
    link = db.session.scalar(
        select(ShareLink).where(ShareLink.token_hash == _token_hash(token or ""))
    )
    if link is None or not link.is_usable(utcnow()):
        return None
    return link
