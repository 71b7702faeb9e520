"""Meetings pages: list, meeting page, agenda, documents, suggestions, attendance, live
session and calendar file."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from planner.core.errors import abort_with
from planner.core.page_cache import kept_page
from planner.core.permissions import (
    allow,
    can_manage_meetings,
    can_see_meeting,
    can_see_suggestion,
    can_suggest_agenda_items,
    require,
    signed_in,
)
from planner.core.rules import RuleError
from planner.core.time import to_local, to_utc
from planner.core.views import attach_error
from planner.extensions import db
from planner.meetings import calendar, documents, queries, rules
from planner.meetings.forms import (
    AgendaItemForm,
    ConfirmForm,
    DeclineForm,
    DocumentForm,
    MeetingForm,
    MoveForm,
    NextItemForm,
    RemoveForm,
    SuggestionForm,
    attendance_form,
)
from planner.meetings.models import (
    AgendaItemKind,
    AttendanceStatus,
    Meeting,
    SuggestionStatus,
)

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


def _timezone() -> str:
    network = getattr(g, "network", None)
    return network.timezone if network else current_app.config["NETWORK_TIMEZONE"]


def _visible_meeting(meeting: Meeting | None) -> Meeting:
    """404 for a meeting that does not exist or is a draft the user may not see."""
    if meeting is None or not can_see_meeting(current_user, meeting):
        abort(404)
    return meeting


def _refuse(error: RuleError):
    """For one-button forms: undo, then answer with the rule's status and message."""
    db.session.rollback()
    abort_with(error.status, error.message)


# --- list and meeting page ----------------------------------------------------------------


@bp.route("/")
@allow(signed_in)
@kept_page
def index():
    # Each list pages on its own (?upcoming=2, ?page=3), the other staying where it was; a
    # page that is not a number is the first one (type=int falls back to the default).
    meetings = queries.meeting_index(current_user, request.args.get("page", 1, type=int),
                                     request.args.get("upcoming", 1, type=int))
    page_args = {param: page.page for param, page in
                 (("upcoming", meetings.upcoming), ("page", meetings.past)) if page.page > 1}
    return render_template("meetings/index.html", upcoming=meetings.upcoming,
                           past=meetings.past, page_args=page_args)


@bp.route("/<int:meeting_id>")
@allow(signed_in)
@kept_page
def show(meeting_id: int):
    meeting = _visible_meeting(queries.meeting_with_agenda(meeting_id))
    attendance = queries.attendance_overview(meeting)
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        agenda=queries.timed_agenda(meeting),
        attendance=attendance,
        quorum=queries.quorum_of(attendance, g.network),
        suggestions=queries.suggestions_for(meeting.id, current_user),
    )


# --- creating and editing a meeting -------------------------------------------------------


def _meeting_values(form: MeetingForm) -> dict:
    tz = _timezone()
    values = {key: form[key].data for key in rules.MEETING_FIELDS}
    values["starts_at"] = to_utc(form.starts_at.data, tz)
    values["ends_at"] = to_utc(form.ends_at.data, tz)
    return values


@bp.route("/new", methods=["GET", "POST"])
@allow(can_manage_meetings)
def new():
    form = MeetingForm()
    if request.method == "GET" and g.network is not None:
        form.minutes_language.data = g.network.default_language
    status = 200
    if form.validate_on_submit():
        try:
            meeting = rules.create_meeting(current_user, **_meeting_values(form))
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Meeting created as a draft: build its agenda, then convene it."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/form.html", form=form, meeting=None), status


def _meeting_form_from(meeting: Meeting) -> MeetingForm:
    form = MeetingForm(formdata=None, obj=meeting)
    tz = _timezone()
    form.starts_at.data = to_local(meeting.starts_at, tz)
    form.ends_at.data = to_local(meeting.ends_at, tz)
    form.version.data = meeting.version
    return form


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@allow(can_manage_meetings)
def edit(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.status not in rules.AGENDA_OPEN:
        abort_with(409, _("This meeting is %(status)s: its details can no longer change.",
                          status=rules.status_label(meeting.status)))
    form = _meeting_form_from(meeting) if request.method == "GET" else MeetingForm()
    status = 200
    if form.validate_on_submit():
        try:
            version = int(form.version.data or 0)
            rules.update_meeting(current_user, meeting, version, **_meeting_values(form))
        except RuleError as error:
            status = attach_error(form, error)
            if status == 409 and error.field is None:
                db.session.refresh(meeting)
                form = _meeting_form_from(meeting)
                form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Meeting saved."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/form.html", form=form, meeting=meeting), status


# --- lifecycle: convene, open, close, cancel (each confirmed) -----------------------------


TRANSITION_DONE = {
    "convene": lambda: _("The meeting is convened: the members see it and its agenda."),
    "open": lambda: _("The session is open: the first item is under way."),
    "close": lambda: _("The session is closed."),
    "cancel": lambda: _("The meeting is cancelled."),
}


def _transition_view(transition: str):
    def view(meeting_id: int):
        meeting = db.get_or_404(Meeting, meeting_id)
        problem = rules.refusal(meeting, transition)
        form = ConfirmForm()
        status = 200
        if problem:
            if request.method == "POST":
                db.session.rollback()
            return render_template("meetings/confirm.html", meeting=meeting, form=None,
                                   transition=transition, problem=problem), 409
        if form.validate_on_submit():
            if not form.confirm.data:
                form.confirm.errors = [_("Tick the box to confirm.")]
                status = 400
            else:
                try:
                    rules.move_meeting(current_user, meeting, transition, form.reason.data)
                except RuleError as error:
                    status = attach_error(form, error)
                else:
                    db.session.commit()
                    flash(TRANSITION_DONE[transition](), "success")
                    target = "meetings.live" if transition == "open" else "meetings.show"
                    return redirect(url_for(target, meeting_id=meeting.id))
        elif request.method == "POST":
            status = 400
        return render_template("meetings/confirm.html", meeting=meeting, form=form,
                               transition=transition, problem=None), status

    view.__name__ = f"{transition}_meeting"
    return view


for _name in rules.TRANSITIONS:
    bp.add_url_rule(
        f"/<int:meeting_id>/{_name}", endpoint=_name,
        view_func=allow(can_manage_meetings)(_transition_view(_name)), methods=["GET", "POST"],
    )


# --- the agenda ---------------------------------------------------------------------------


def _agenda_locked(meeting: Meeting) -> None:
    try:
        rules._check_agenda_open(meeting)
    except RuleError as error:
        abort_with(error.status, error.message)


@bp.route("/<int:meeting_id>/agenda")
@allow(can_manage_meetings)
@kept_page
def agenda(meeting_id: int):
    meeting = queries.meeting_with_agenda(meeting_id)
    if meeting is None:
        abort(404)
    pending = [s for s in queries.suggestions_for(meeting.id, current_user)
               if s.status == SuggestionStatus.PENDING]
    return render_template(
        "meetings/agenda.html", meeting=meeting, agenda=queries.timed_agenda(meeting),
        pending=pending, move_form=MoveForm(), editable=meeting.status in rules.AGENDA_OPEN,
    )


ITEM_KEYS = ("title", "kind", "presenter_member_id", "presenter_name", "duration_minutes",
             "description")


def _item_values(form: AgendaItemForm) -> dict:
    values = {key: form[key].data for key in ITEM_KEYS}
    values["kind"] = AgendaItemKind(values["kind"])
    return values


@bp.route("/<int:meeting_id>/items/new", methods=["GET", "POST"])
@allow(can_manage_meetings)
def new_item(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    _agenda_locked(meeting)
    form = AgendaItemForm(member_choices=queries.member_choices())
    if request.method == "GET" and request.args.get("kind") in {k.value for k in AgendaItemKind}:
        form.kind.data = request.args["kind"]
    status = 200
    if form.validate_on_submit():
        try:
            item = rules.add_item(current_user, meeting, **_item_values(form))
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Item “%(title)s” added to the agenda.", title=item.title), "success")
            if request.form.get("again"):
                return redirect(url_for("meetings.new_item", meeting_id=meeting.id))
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/item_form.html", form=form, meeting=meeting,
                           item=None), status


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@allow(can_manage_meetings)
def edit_item(item_id: int):
    item = queries.item_with_meeting(item_id)
    if item is None:
        abort(404)
    meeting = item.meeting
    _agenda_locked(meeting)
    member_choices = queries.member_choices()

    def fresh_form():
        form = AgendaItemForm(formdata=None, obj=item, member_choices=member_choices)
        form.kind.data = item.kind.value
        form.version.data = item.version
        return form

    form = fresh_form() if request.method == "GET" else AgendaItemForm(
        member_choices=member_choices)
    status = 200
    if form.validate_on_submit():
        try:
            version = int(form.version.data or 0)
            rules.update_item(current_user, item, version, **_item_values(form))
        except RuleError as error:
            status = attach_error(form, error)
            if status == 409 and error.field is None:
                # Show the newer saved text beside the message; never overwrite it silently.
                item = queries.item_with_meeting(item_id)
                meeting = item.meeting
                form = fresh_form()
                form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Item “%(title)s” saved.", title=item.title), "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/item_form.html", form=form, meeting=meeting,
                           item=item), status


@bp.route("/items/<int:item_id>/move", methods=["POST"])
@allow(can_manage_meetings)
def move_item(item_id: int):
    item = queries.item_with_meeting(item_id)
    if item is None:
        abort(404)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        number = rules.move_item(current_user, item, form.direction.data)
    except RuleError as error:
        _refuse(error)
    db.session.commit()
    flash(_("“%(title)s” is now item %(number)d.", title=item.title, number=number), "success")
    return redirect(url_for("meetings.agenda", meeting_id=item.meeting_id,
                            _anchor=f"item-{item.id}"))


@bp.route("/items/<int:item_id>/remove", methods=["GET", "POST"])
@allow(can_manage_meetings)
def remove_item(item_id: int):
    item = queries.item_with_meeting(item_id)
    if item is None:
        abort(404)
    meeting = item.meeting
    _agenda_locked(meeting)
    form = RemoveForm()
    if form.validate_on_submit():
        title = item.title
        try:
            stored = rules.remove_item(current_user, item)
        except RuleError as error:
            _refuse(error)
        db.session.commit()
        documents.discard(stored)
        flash(_("Item “%(title)s” removed from the agenda.", title=title), "success")
        return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/item_remove.html", form=form, item=item,
                           meeting=meeting), status


# --- documents ----------------------------------------------------------------------------


@bp.route("/items/<int:item_id>/documents", methods=["GET", "POST"])
@allow(can_manage_meetings)
def item_documents(item_id: int):
    item = queries.item_with_meeting(item_id)
    if item is None:
        abort(404)
    form = DocumentForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        # Read one byte past the limit: enough to refuse, never the whole of a huge file.
        try:
            data = upload.stream.read(documents.max_bytes() + 1)
        finally:
            upload.stream.close()
        try:
            document = rules.add_document(current_user, item, upload.filename or "", data)
        except RuleError as error:
            status = attach_error(form, error)
            item = queries.item_with_meeting(item_id)
        else:
            db.session.commit()
            flash(_("Document “%(name)s” attached.", name=document.original_name), "success")
            return redirect(url_for("meetings.item_documents", item_id=item.id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/item_documents.html", form=form, item=item,
                           meeting=item.meeting, remove_form=RemoveForm(),
                           max_mb=round(documents.max_bytes() / 1_048_576, 2)), status


@bp.route("/documents/<int:document_id>")
@allow(signed_in)
def document(document_id: int):
    document = queries.document_with_meeting(document_id)
    if document is None:
        abort(404)
    _visible_meeting(document.item.meeting)
    path = documents.path_of(document.stored_name)
    if not path.is_file():
        abort(404)
    # Read at once (documents are small): no file handle outlives the request.
    response = send_file(
        io.BytesIO(path.read_bytes()), mimetype=document.content_type, as_attachment=True,
        download_name=document.original_name, max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/documents/<int:document_id>/remove", methods=["POST"])
@allow(can_manage_meetings)
def remove_document(document_id: int):
    document = queries.document_with_meeting(document_id)
    if document is None:
        abort(404)
    if not RemoveForm().validate_on_submit():
        abort(400)
    item_id, name = document.item_id, document.original_name
    try:
        stored = rules.remove_document(current_user, document)
    except RuleError as error:
        _refuse(error)
    db.session.commit()
    documents.discard([stored])
    flash(_("Document “%(name)s” removed.", name=name), "success")
    return redirect(url_for("meetings.item_documents", item_id=item_id))


# --- agenda suggestions -------------------------------------------------------------------


@bp.route("/<int:meeting_id>/suggest", methods=["GET", "POST"])
@allow(can_suggest_agenda_items)
def suggest(meeting_id: int):
    meeting = _visible_meeting(db.session.get(Meeting, meeting_id))
    if meeting.status not in rules.AGENDA_OPEN:
        abort_with(409, _("Agenda items can be suggested until the session starts; this "
                          "meeting is %(status)s.", status=rules.status_label(meeting.status)))
    form = SuggestionForm()
    status = 200
    if form.validate_on_submit():
        values = {key: form[key].data for key in ("title", "duration_minutes", "description")}
        values["kind"] = AgendaItemKind(form.kind.data)
        try:
            rules.suggest_item(current_user, meeting, **values)
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your suggestion was sent to the secretariat; its answer will appear on "
                    "the meeting page."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id,
                                    _anchor="suggestions"))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/suggest.html", form=form, meeting=meeting), status


@bp.route("/suggestions/<int:suggestion_id>/accept", methods=["POST"])
@allow(can_manage_meetings)
def accept_suggestion(suggestion_id: int):
    suggestion = queries.suggestion_with_meeting(suggestion_id)
    if suggestion is None:
        abort(404)
    require(can_see_suggestion(current_user, suggestion))
    if not RemoveForm().validate_on_submit():
        abort(400)
    try:
        item = rules.accept_suggestion(current_user, suggestion)
    except RuleError as error:
        _refuse(error)
    db.session.commit()
    flash(_("“%(title)s” joins the agenda.", title=item.title), "success")
    return redirect(url_for("meetings.agenda", meeting_id=suggestion.meeting_id))


@bp.route("/suggestions/<int:suggestion_id>/decline", methods=["GET", "POST"])
@allow(can_manage_meetings)
def decline_suggestion(suggestion_id: int):
    suggestion = queries.suggestion_with_meeting(suggestion_id)
    if suggestion is None:
        abort(404)
    if suggestion.status != SuggestionStatus.PENDING:
        abort_with(409, _("This suggestion has already been answered."))
    form = DeclineForm()
    status = 200
    if form.validate_on_submit():
        try:
            rules.decline_suggestion(current_user, suggestion, form.reason.data)
        except RuleError as error:
            status = attach_error(form, error)
            suggestion = queries.suggestion_with_meeting(suggestion_id)
        else:
            db.session.commit()
            flash(_("Suggestion declined; the director sees your reason."), "success")
            return redirect(url_for("meetings.agenda", meeting_id=suggestion.meeting_id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/decline.html", form=form, suggestion=suggestion,
                           meeting=suggestion.meeting), status


# --- attendance ---------------------------------------------------------------------------


def _sheet_form(meeting: Meeting, lines, formdata=True):
    holder_choices = [(str(line.member.id), line.member.short_name) for line in lines]
    form_class = attendance_form(lines, holder_choices)
    if formdata:
        return form_class()
    form = form_class(formdata=None)
    for line in lines:
        row = line.attendance
        form[f"status_{line.member.id}"].data = row.status.value if row else ""
        form[f"holder_{line.member.id}"].data = row.proxy_holder_id if row else None
        form[f"attendee_{line.member.id}"].data = row.attendee_name if row else ""
        form[f"seen_{line.member.id}"].data = rules.fingerprint(
            row.status if row else None, row.proxy_holder_id if row else None,
            row.attendee_name if row else "",
        )
    return form


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"])
@allow(can_manage_meetings)
def attendance(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.status not in rules.ATTENDANCE_OPEN:
        abort_with(409, _("Attendance is recorded once the meeting is convened and until it "
                          "is closed; this meeting is %(status)s.",
                          status=rules.status_label(meeting.status)))
    lines = queries.attendance_sheet(meeting)
    form = _sheet_form(meeting, lines, formdata=request.method == "POST")
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        entries = []
        for line in lines:
            member_id = line.member.id
            value = form[f"status_{member_id}"].data
            entries.append(rules.AttendanceEntry(
                member_id=member_id,
                status=AttendanceStatus(value) if value else None,
                proxy_holder_id=form[f"holder_{member_id}"].data,
                attendee_name=form[f"attendee_{member_id}"].data or "",
                seen=form[f"seen_{member_id}"].data,
            ))
        try:
            changed = rules.record_attendance_sheet(current_user, meeting, entries)
        except RuleError as error:
            status = attach_error(form, error)
            lines = queries.attendance_sheet(meeting)  # the rollback expired the old rows
            if status == 409 and error.field is None:
                form = _sheet_form(meeting, lines, formdata=False)
                form.form_errors.append(error.message)
        else:
            db.session.commit()
            quorum = queries.quorum_state(meeting, g.network)
            flash(_("Attendance saved (%(changed)d changed). Quorum: %(counted)d of %(needed)d "
                    "needed.", changed=changed, counted=quorum.counted, needed=quorum.needed),
                  "success")
            return redirect(url_for("meetings.attendance", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "meetings/attendance.html", meeting=meeting, lines=lines, form=form,
        quorum=queries.quorum_state(meeting, g.network),
    ), status


# --- the live session ---------------------------------------------------------------------


def _render_live(meeting: Meeting, message: str | None = None, status: int = 200):
    session = queries.live_session(meeting, g.network)
    form = NextItemForm()
    form.current_item_id.data = meeting.current_item_id or ""
    return render_template("meetings/live.html", meeting=meeting, session=session,
                           next_form=form, message=message), status


@bp.route("/<int:meeting_id>/live")
@allow(signed_in)
def live(meeting_id: int):
    return _render_live(_visible_meeting(queries.meeting_with_agenda(meeting_id)))


def _minutes_label(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    return _("%(minutes)d min %(seconds)02d s", minutes=seconds // 60, seconds=seconds % 60)


@bp.route("/<int:meeting_id>/live.json")
@allow(signed_in)
def live_state(meeting_id: int):
    meeting = _visible_meeting(queries.meeting_with_agenda(meeting_id))
    session = queries.live_session(meeting, g.network)
    quorum = session.quorum
    return jsonify(
        meeting_id=meeting.id,
        status=meeting.status.value,
        current_item_id=meeting.current_item_id,
        next_item_id=session.next.item.id if session.next else None,
        items=[
            {
                "id": entry.item.id,
                "state": entry.state,
                "used_seconds": entry.used_seconds,
                "allotted_seconds": entry.allotted_seconds,
                "used_label": _minutes_label(entry.used_seconds),
                "over": entry.over,
            }
            for entry in session.items
        ],
        quorum={
            "electorate": quorum.electorate,
            "present": quorum.present,
            "represented": quorum.represented,
            "counted": quorum.counted,
            "needed": quorum.needed,
            "reached": quorum.reached,
            "label": render_template("meetings/_quorum_text.html", quorum=quorum).strip(),
        },
        as_of_label=_("Updated at %(time)s", time=format_time(None, "medium")),
    )


@bp.route("/<int:meeting_id>/next", methods=["POST"])
@allow(can_manage_meetings)
def next_item(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = NextItemForm()
    if not form.validate_on_submit():
        abort(400)
    raw = form.current_item_id.data
    expected = int(raw) if raw and raw.isdigit() else None
    try:
        following = rules.next_item(current_user, meeting, expected)
    except RuleError as error:
        db.session.rollback()
        # Show the session as it is now, with the reason the click was refused.
        return _render_live(queries.meeting_with_agenda(meeting_id), error.message,
                            error.status)
    db.session.commit()
    if following is None:
        flash(_("The last item is over: close the session when the meeting ends."), "info")
    else:
        flash(_("Now: “%(title)s”.", title=following.title), "success")
    return redirect(url_for("meetings.live", meeting_id=meeting_id))


# --- calendar -----------------------------------------------------------------------------


@bp.route("/<int:meeting_id>/calendar.ics")
@allow(signed_in)
def calendar_file(meeting_id: int):
    meeting = _visible_meeting(queries.meeting_with_agenda(meeting_id))
    body = calendar.meeting_calendar(
        meeting, queries.timed_agenda(meeting), _timezone(),
        url=url_for("meetings.show", meeting_id=meeting.id, _external=True),
        network_name=g.network.name if g.network else "planner",
    )
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
    return response
