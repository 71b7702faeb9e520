"""Minutes pages: read, write notes, circulate, comment, approve, correct, share, print."""

from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from planner.core import permissions
from planner.core.page_cache import kept_page
from planner.core.permissions import allow, public, require, secretariat, signed_in
from planner.core.rules import RuleError
from planner.core.time import to_utc, utcnow
from planner.core.views import attach_error
from planner.extensions import db
from planner.meetings.models import AgendaItem, Meeting, MeetingStatus
from planner.minutes import pdf, queries, rules
from planner.minutes.document import current_document, render_document
from planner.minutes.forms import (
    ApprovalForm,
    CommentForm,
    ErratumForm,
    MinutesSearchForm,
    NoteForm,
    ShareLinkForm,
)
from planner.minutes.models import ApprovalBasis, MinutesStatus, ShareLink

bp = Blueprint("minutes", __name__)


def _meeting(meeting_id: int) -> Meeting:
    """The meeting, if this person may see it (drafts are the secretariat's), else 404."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or (meeting.status is MeetingStatus.DRAFT and not secretariat(current_user)):
        abort(404)
    return meeting


def _page(meeting: Meeting, status: int = 200, **forms):
    record = queries.record(meeting, g.network)
    minutes = record.minutes
    can_comment = (
        minutes is not None
        and minutes.status is MinutesStatus.CIRCULATED
        and (permissions.director(current_user) or secretariat(current_user))
    )
    # Each form is built only when the page shows it (its choices can cost a query).
    comment_form = approval_form = erratum_form = None
    if can_comment:
        comment_form = forms.get("comment_form") or CommentForm()
        comment_form.item_id.choices = _item_choices(record)
    if secretariat(current_user) and record.status is MinutesStatus.CIRCULATED:
        approval_form = forms.get("approval_form") or ApprovalForm(approved_on=utcnow().date())
        approval_form.approval_meeting_id.choices = _approval_meeting_choices(meeting)
    if secretariat(current_user) and minutes is not None and minutes.is_locked:
        erratum_form = forms.get("erratum_form") or ErratumForm()
    show_comments = secretariat(current_user) or permissions.director(current_user)
    return (
        render_template(
            "minutes/show.html",
            record=record,
            document=current_document(record),
            comments=queries.comments_of(minutes) if show_comments else {},
            can_comment=can_comment,
            comment_form=comment_form,
            approval_form=approval_form,
            erratum_form=erratum_form,
        ),
        status,
    )


def _item_choices(record):
    from planner.core.forms import choices

    return choices(
        [("", _("The minutes as a whole"))]
        + [(str(r.item.id), f"{r.number}. {r.item.title}") for r in record.items]
    )


def _approval_meeting_choices(meeting: Meeting):
    from sqlalchemy import select

    from planner.core.forms import choices

    later = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at)
        .where(Meeting.id != meeting.id, Meeting.starts_at > meeting.starts_at)
        .where(Meeting.status.in_([MeetingStatus.IN_SESSION, MeetingStatus.CLOSED]))
        .order_by(Meeting.starts_at)
    )
    return choices([("", "—")] + [(str(mid), title) for mid, title, _starts in later])


@bp.route("/minutes/")
@allow(signed_in)
@kept_page
def index():
    form = MinutesSearchForm(formdata=request.args)
    text = form.searched_text()
    page = queries.minutes_index(current_user, text, request.args.get("page", 1, type=int))
    return render_template("minutes/index.html", form=form, page=page, q=text), form.status


@bp.route("/meetings/<int:meeting_id>/minutes")
@allow(signed_in)
@kept_page
def show(meeting_id: int):
    return _page(_meeting(meeting_id))


@bp.route("/meetings/<int:meeting_id>/minutes/document")
@allow(signed_in)
@kept_page
def document(meeting_id: int):
    """The document alone, which the minutes page reloads while notes are being written."""
    record = queries.record(_meeting(meeting_id), g.network)
    return render_template("minutes/_live_document.html", document=current_document(record))


# --- notes --------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/minutes/notes")
@allow(secretariat)
def notes(meeting_id: int):
    meeting = _meeting(meeting_id)
    minutes = queries.minutes_of(meeting.id)
    if minutes is not None and minutes.is_locked:
        flash(_("These minutes are approved and locked: add an erratum instead."), "info")
        return redirect(url_for("minutes.show", meeting_id=meeting.id, _anchor="errata"))
    return _notes_page(meeting)


def _notes_page(meeting, failed_item_id=None, failed_form=None, status=200):
    record = queries.record(meeting, g.network)
    forms = {}
    for item_record in record.items:
        if item_record.item.id == failed_item_id:
            forms[item_record.item.id] = failed_form
            continue
        note = item_record.note
        form = NoteForm(formdata=None, prefix=f"item{item_record.item.id}")
        form.body.data = note.body if note else ""
        form.version.data = note.version if note else ""
        forms[item_record.item.id] = form
    return render_template("minutes/notes.html", record=record, forms=forms), status


@bp.route("/minutes/items/<int:item_id>/note", methods=["POST"])
@allow(secretariat)
def save_note(item_id: int):
    item = db.get_or_404(AgendaItem, item_id)
    meeting = item.meeting
    form = NoteForm(prefix=f"item{item.id}")
    if not form.validate_on_submit():
        return _notes_page(meeting, item.id, form, 400)
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    try:
        rules.save_note(current_user, item, form.body.data or "", version)
    except RuleError as error:
        status = attach_error(form, error)
        return _notes_page(meeting, item.id, form, status)
    db.session.commit()
    flash(_("Notes on “%(title)s” saved.", title=item.title), "success")
    return redirect(url_for("minutes.notes", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


# --- workflow -----------------------------------------------------------------------------


def _refused(meeting, error: RuleError):
    db.session.rollback()
    flash(error.message, "error")
    return _page(meeting, error.status)


@bp.route("/meetings/<int:meeting_id>/minutes/circulate", methods=["POST"])
@allow(secretariat)
def circulate(meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        rules.circulate(current_user, meeting)
    except RuleError as error:
        return _refused(meeting, error)
    db.session.commit()
    flash(_("The minutes are circulated: directors can now comment on them."), "success")
    return redirect(url_for("minutes.show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/minutes/comments", methods=["POST"])
@allow(signed_in)
def comment(meeting_id: int):
    meeting = _meeting(meeting_id)
    require(permissions.director(current_user) or secretariat(current_user))
    form = CommentForm()
    if not form.validate_on_submit():
        return _page(meeting, 400, comment_form=form)
    minutes = queries.minutes_of(meeting.id)
    item = None
    if form.item_id.data:
        item = (
            db.session.get(AgendaItem, int(form.item_id.data))
            if form.item_id.data.isdigit()
            else None
        )
        if item is None:
            form.item_id.errors = [_("Choose an item of this meeting.")]
            return _page(meeting, 400, comment_form=form)
    try:
        if minutes is None:
            raise RuleError(_("Comments are open only while the minutes are circulated."), 409)
        rules.add_comment(current_user, minutes, item, form.body.data)
    except RuleError as error:
        status = attach_error(form, error)
        return _page(meeting, status, comment_form=form)
    db.session.commit()
    flash(_("Your comment was sent to the secretariat."), "success")
    return redirect(url_for("minutes.show", meeting_id=meeting.id, _anchor="comments"))


@bp.route("/meetings/<int:meeting_id>/minutes/approve", methods=["POST"])
@allow(secretariat)
def approve(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = ApprovalForm()
    form.approval_meeting_id.choices = _approval_meeting_choices(meeting)
    if not form.validate_on_submit():
        return _page(meeting, 400, approval_form=form)
    approval_meeting = None
    if form.basis.data == "meeting" and (form.approval_meeting_id.data or "").isdigit():
        approval_meeting = db.session.get(Meeting, int(form.approval_meeting_id.data))
    minutes = queries.minutes_of(meeting.id)
    try:
        if minutes is None:
            raise RuleError(_("Minutes are approved after they were circulated."), 409)
        rules.approve(
            current_user,
            minutes,
            document_html=str(render_document(queries.record(meeting, g.network))),
            basis=ApprovalBasis(form.basis.data),
            approved_on=form.approved_on.data,
            approval_meeting=approval_meeting,
            note=form.note.data or "",
        )
    except RuleError as error:
        status = attach_error(form, error)
        return _page(meeting, status, approval_form=form)
    db.session.commit()
    flash(_("The minutes are approved and locked."), "success")
    return redirect(url_for("minutes.show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/minutes/errata", methods=["POST"])
@allow(secretariat)
def add_erratum(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = ErratumForm()
    if not form.validate_on_submit():
        return _page(meeting, 400, erratum_form=form)
    minutes = queries.minutes_of(meeting.id)
    try:
        if minutes is None:
            raise RuleError(_("Errata are for approved minutes: edit the notes instead."), 409)
        rules.add_erratum(current_user, minutes, form.body.data)
    except RuleError as error:
        status = attach_error(form, error)
        return _page(meeting, status, erratum_form=form)
    db.session.commit()
    flash(_("The erratum is added under the approved minutes."), "success")
    return redirect(url_for("minutes.show", meeting_id=meeting.id, _anchor="errata"))


# --- PDF ----------------------------------------------------------------------------------


def _pdf_response(meeting: Meeting) -> Response:
    record = queries.record(meeting, g.network)
    with force_locale(meeting.minutes_language or "fr"):
        html = render_template("minutes/pdf.html", record=record, document=current_document(record))
    filename = f"minutes-{meeting.starts_at:%Y-%m-%d}-{meeting.id}.pdf"
    return Response(
        pdf.html_to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/meetings/<int:meeting_id>/minutes.pdf")
@allow(signed_in)
def pdf_download(meeting_id: int):
    return _pdf_response(_meeting(meeting_id))


# --- share links --------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/minutes/share", methods=["GET", "POST"])
@allow(secretariat)
def share(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = ShareLinkForm()
    status, new_url = 200, None
    if form.validate_on_submit():
        expires_at = None
        if form.expires_on.data:
            # Valid until the end of that day in the network's time zone.
            local_end = datetime.combine(form.expires_on.data + timedelta(days=1), time())
            expires_at = to_utc(local_end, g.network.timezone if g.network else "UTC")
        try:
            _link, token = rules.create_share_link(
                current_user, meeting, form.label.data or "", expires_at
            )
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            new_url = url_for("minutes.shared", token=token, _external=True)
            flash(_("Share link created. Copy it now: it is shown only once."), "success")
            form = ShareLinkForm(formdata=None)
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "minutes/share.html",
            meeting=meeting,
            form=form,
            links=queries.share_links_of(meeting.id),
            new_url=new_url,
            now=utcnow(),
        ),
        status,
    )


@bp.route("/minutes/share/<int:link_id>/revoke", methods=["POST"])
@allow(secretariat)
def revoke(link_id: int):
    link = db.get_or_404(ShareLink, link_id)
    try:
        rules.revoke_share_link(current_user, link)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The link is revoked: it no longer opens the minutes."), "success")
    return redirect(url_for("minutes.share", meeting_id=link.meeting_id))


def _shared_meeting(token: str) -> Meeting:
    link = rules.find_share_link(token)
    if link is None:
        abort(404)  # unknown, revoked and expired links all look the same
    meeting = db.session.get(Meeting, link.meeting_id)
    if meeting is None or meeting.status is MeetingStatus.CANCELLED:
        abort(404)
    return meeting


@bp.route("/shared/<token>")
@public
def shared(token: str):
    meeting = _shared_meeting(token)
    record = queries.record(meeting, g.network)
    return render_template(
        "minutes/shared.html", record=record, document=current_document(record), token=token
    )


@bp.route("/shared/<token>/minutes.pdf")
@public
def shared_pdf(token: str):
    return _pdf_response(_shared_meeting(token))
