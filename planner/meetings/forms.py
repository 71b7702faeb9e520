"""Forms of the meetings domain: meeting, agenda item, document, suggestion, attendance."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner.core.forms import Form, choices
from planner.meetings.models import AgendaItemKind, AttendanceStatus

LANGUAGES = [("fr", "Français"), ("en", "English")]
DURATION_MESSAGE = _l("The duration must be between 1 and 1440 minutes.")


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def kind_labels() -> dict[AgendaItemKind, str]:
    return {
        AgendaItemKind.INFORMATION: _l("Information"),
        AgendaItemKind.DISCUSSION: _l("Discussion"),
        AgendaItemKind.DECISION: _l("Decision"),
        AgendaItemKind.REVIEW: _l("Review of previous actions"),
    }


def attendance_labels() -> dict[AttendanceStatus, str]:
    return {
        AttendanceStatus.PRESENT: _l("Present"),
        AttendanceStatus.REPRESENTED: _l("Represented (proxy)"),
        AttendanceStatus.EXCUSED: _l("Excused"),
        AttendanceStatus.ABSENT: _l("Absent"),
    }


class MeetingForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()],
        description=_l("Local time of the network."),
    )
    ends_at = DateTimeLocalField(
        _l("Ends at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()],
        description=_l("Local time of the network."),
    )
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    context = StringField(
        _l("Context"), validators=[Optional(), Length(max=300)],
        description=_l("One line, e.g. “alongside MIDEST 2016, Casablanca fair grounds”."),
    )
    objectives = TextAreaField(
        _l("Objectives"), validators=[Optional(), Length(max=5000)],
        description=_l("What the meeting must produce."),
    )
    minutes_language = SelectField(_l("Language of the minutes"), choices=choices(LANGUAGES))
    version = HiddenField()


class AgendaItemForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"))
    presenter_member_id = SelectField(
        _l("Presented by (member cluster)"), coerce=optional_int, validate_choice=False
    )
    presenter_name = StringField(
        _l("Presented by (person)"), validators=[Optional(), Length(max=200)],
        description=_l("A person, when the item is not presented by a member cluster, or "
                       "beside it."),
    )
    duration_minutes = IntegerField(
        _l("Allotted time (minutes)"),
        validators=[InputRequired(message=DURATION_MESSAGE),
                    NumberRange(min=1, max=1440, message=DURATION_MESSAGE)],
        default=15,
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    version = HiddenField()

    def __init__(self, *args, member_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([(kind.value, label) for kind, label in kind_labels().items()])
        self.presenter_member_id.choices = choices(
            [("", _l("— none —")), *((str(mid), name) for mid, name in member_choices)]
        )


class DocumentForm(Form):
    file = FileField(
        _l("Document"), validators=[FileRequired(_l("Choose a file to attach."))],
        description=_l("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG or GIF."),
    )


class SuggestionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"))
    duration_minutes = IntegerField(
        _l("Time needed (minutes)"),
        validators=[InputRequired(message=DURATION_MESSAGE),
                    NumberRange(min=1, max=1440, message=DURATION_MESSAGE)],
        default=15,
    )
    description = TextAreaField(
        _l("Why this item"), validators=[Optional(), Length(max=10000)],
        description=_l("What you want the members to hear, discuss or decide."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(
            [(kind.value, label) for kind, label in kind_labels().items()
             if kind != AgendaItemKind.REVIEW]
        )


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason: the director will read it.")),
                                  Length(max=2000)],
        description=_l("The director who suggested the item reads it."),
    )


class ConfirmForm(Form):
    confirm = BooleanField(_l("I confirm"))
    reason = TextAreaField(_l("Reason for the cancellation"), validators=[Length(max=2000)])


class MoveForm(Form):
    direction = HiddenField()


class NextItemForm(Form):
    current_item_id = HiddenField()


class RemoveForm(Form):
    pass


def attendance_form(lines, holder_choices):
    """A sheet with one status, proxy holder and attendee field per member cluster."""
    status_choices = choices(
        [("", _l("Not recorded")),
         *((status.value, label) for status, label in attendance_labels().items())]
    )
    holder_options = choices([("", _l("— no proxy —")), *holder_choices])

    class AttendanceForm(Form):
        pass

    for line in lines:
        member = line.member
        setattr(AttendanceForm, f"status_{member.id}", SelectField(
            _l("Attendance of %(member)s", member=member.short_name), choices=status_choices,
        ))
        setattr(AttendanceForm, f"holder_{member.id}", SelectField(
            _l("Proxy of %(member)s held by", member=member.short_name), coerce=optional_int,
            choices=holder_options, validate_choice=False,
        ))
        setattr(AttendanceForm, f"attendee_{member.id}", StringField(
            _l("Person attending for %(member)s", member=member.short_name),
            validators=[Optional(), Length(max=200)],
        ))
        setattr(AttendanceForm, f"seen_{member.id}", HiddenField())
    return AttendanceForm
