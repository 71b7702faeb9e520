"""Forms of the members domain: login, passwords, accounts, member clusters, network."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from planner.core.forms import Form, SearchForm, choices

LANGUAGES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]
LANGUAGE_CHOICES = [("", _l("Browser's language")), *LANGUAGES]


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"))
    next = HiddenField()


class SetPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("At least 12 characters, and not your email address."),
    )
    confirmation = PasswordField(
        _l("New password, again"), validators=[DataRequired(), Length(max=200)]
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=200)]
    )


class LanguageForm(Form):
    language = SelectField(_l("Language"), choices=choices(LANGUAGES))
    next = HiddenField()


class AccountForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    member_id = SelectField(
        _l("Director of"),
        coerce=optional_int,
        validate_choice=False,
        description=_l("The member cluster this person votes for, if any."),
    )
    is_secretariat = BooleanField(_l("Secretariat (prepares meetings, runs votes and actions)"))
    is_observer = BooleanField(_l("Observer (reads only, never votes)"))
    preferred_language = SelectField(_l("Language"), choices=choices(LANGUAGE_CHOICES), default="")


class MemberSearchForm(SearchForm):
    q = SearchField(
        _l("Find a member cluster"),
        validators=[Length(max=200)],
        description=_l("Part of its name or short name; capitals and accents do not matter."),
    )


class AccountSearchForm(SearchForm):
    q = SearchField(
        _l("Find an account"),
        validators=[Length(max=200)],
        description=_l("Part of the person's name or email; capitals and accents do not matter."),
    )


class MemberForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Used in lists and in the directors' login addresses."),
    )
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    joined_on = DateField(_l("Joined the network on"), validators=[Optional()])
    is_active = BooleanField(_l("Active member (votes and counts for the quorum)"), default=True)
    version = HiddenField()


class NetworkForm(Form):
    name = StringField(_l("Name of the network"), validators=[DataRequired(), Length(max=200)])
    founded_on = DateField(_l("Founded on"), validators=[Optional()])
    timezone = SelectField(_l("Time zone"), choices=choices(sorted(available_timezones())))
    default_language = SelectField(
        _l("Default language"), choices=choices(LANGUAGES)
    )
    currency = StringField(
        _l("Currency"), validators=[DataRequired(), Length(min=3, max=3)],
        description=_l("Three-letter ISO code, e.g. MAD."),
    )
    secretariat_member_id = SelectField(
        _l("Member cluster holding the secretariat"), coerce=optional_int, validate_choice=False
    )
    quorum_percent = IntegerField(
        _l("Quorum (percent of the electorate that must be exceeded)"),
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    max_proxies_per_holder = IntegerField(
        _l("Proxies one member may hold"), validators=[InputRequired(), NumberRange(min=0, max=12)]
    )
