"""Forms of the minutes: notes, comments, approval, errata and share links."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from planner.core.forms import Form, SearchForm, choices


class MinutesSearchForm(SearchForm):
    q = SearchField(
        _l("Search the minutes"),
        validators=[Length(max=200)],
        description=_l(
            "Words from a meeting's title, context or venue, its items, notes or approved "
            "minutes; capitals and accents do not matter."
        ),
    )


class NoteForm(Form):
    body = TextAreaField(
        _l("Notes"),
        validators=[Length(max=50_000)],
        description=_l("Markdown: **bold**, *italic*, lists with -, links [text](https://…)."),
    )
    version = HiddenField()


class CommentForm(Form):
    item_id = SelectField(_l("About"), validate_choice=False)
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=10_000)])


class ApprovalForm(Form):
    basis = SelectField(
        _l("Approved by"),
        choices=choices(
            [
                ("meeting", _l("a later meeting (its decision)")),
                ("secretariat", _l("the secretariat, on the basis stated below")),
            ]
        ),
    )
    approval_meeting_id = SelectField(
        _l("Meeting that approved the minutes"), validate_choice=False
    )
    approved_on = DateField(_l("Date of approval"), validators=[DataRequired()])
    note = TextAreaField(
        _l("Basis and remarks"),
        validators=[Length(max=2_000)],
        description=_l("For example: no objection received within 15 days of circulation."),
    )


class ErratumForm(Form):
    body = TextAreaField(_l("Correction"), validators=[DataRequired(), Length(max=10_000)])


class ShareLinkForm(Form):
    label = StringField(
        _l("For whom (a note for you)"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example: Ministry of Industry, GIZ."),
    )
    expires_on = DateField(
        _l("Valid until (included)"),
        validators=[Optional()],
        description=_l("Leave empty for a link that works until you revoke it."),
    )
