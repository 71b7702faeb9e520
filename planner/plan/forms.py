"""Forms of the action plan: filters, strategy, action items, updates, milestones, funding."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from planner.core.forms import Form, choices
from planner.core.i18n import translated_once
from planner.plan.models import ActionStatus, FundingStatus, Horizon
from planner.plan.owner_search import CANDIDATES_SHOWN, OWNER_SELECT_LIMIT, matching_owners


def optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # refused by the field's choices or by the rules, never a crash


def optional_str(value):
    return None if value in (None, "") else str(value)


def optional_enum(enum_class):
    def coerce(value):
        if isinstance(value, enum_class):
            return value
        if value in (None, "", "None"):
            return None
        try:
            return enum_class(value)
        except ValueError:
            return value  # an unknown value: the choices check refuses it

    return coerce


def enum_value(value):
    return value.value if hasattr(value, "value") else value


HORIZON_LABELS = {Horizon.MEDIUM: _l("Medium term"), Horizon.LONG: _l("Long term")}
STATUS_LABELS = {
    ActionStatus.PLANNED: _l("Planned"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.BLOCKED: _l("Blocked"),
    ActionStatus.CANCELLED: _l("Cancelled"),
}
FUNDING_STATUS_LABELS = {
    FundingStatus.PLANNED: _l("Planned, not yet requested"),
    FundingStatus.REQUESTED: _l("Requested"),
    FundingStatus.SECURED: _l("Secured"),
}
FLAG_LABELS = {
    "overdue": _l("Overdue"),
    "due_soon": _l("Due in the next 30 days"),
    "stale": _l("No update for 60 days"),
}
SORT_LABELS = {
    "tree": _l("Strategy tree (axis, objective, then deadline)"),
    "deadline": _l("Deadline, earliest first"),
    "-deadline": _l("Deadline, latest first"),
}


LABELS = {"status": STATUS_LABELS, "horizon": HORIZON_LABELS,
          "funding_status": FUNDING_STATUS_LABELS, "flag": FLAG_LABELS, "sort": SORT_LABELS}


def translated_labels(kind: str) -> dict:
    """LABELS[kind] in this request's language, as plain text, translated once per process
    and language (core/i18n.py): a page shows a status per row, a select each option twice."""
    return translated_once(f"plan.{kind}", LABELS[kind])


class Labels:
    """The templates' `plan_labels.status[...]` (and horizon, funding_status, flag, sort)."""

    def __getattr__(self, kind: str) -> dict:
        try:
            return translated_labels(kind)
        except KeyError:
            raise AttributeError(kind) from None


def _enum_pairs(labels: dict, blank=None) -> list[tuple]:
    pairs = [(member.value, label) for member, label in labels.items()]
    return [("", blank), *pairs] if blank is not None else pairs


def _enum_choices(labels: dict, blank=None):
    return choices(_enum_pairs(labels, blank))


class ActionFilterForm(Form):
    """The action list's filters, read from the address so that a filtered view is a link."""

    class Meta:
        csrf = False

    axis = SelectField(_l("Axis"), coerce=optional_int, validate_choice=True)
    objective = SelectField(_l("Objective"), coerce=optional_int, validate_choice=True)
    horizon = SelectField(_l("Horizon"), coerce=optional_enum(Horizon))
    owner = SelectField(_l("Owner"), coerce=optional_str)
    # A large network's owner filter: the name typed, found among the owners (owner_search).
    owner_name = StringField(
        _l("Owner"), validators=[Length(max=200)],
        description=_l("The short name of a member cluster, or “Secretariat”."),
    )
    status = SelectField(_l("Status"), coerce=optional_enum(ActionStatus))
    funding = SelectField(_l("Funding source"), coerce=optional_int)
    funding_status = SelectField(_l("Funding status"), coerce=optional_enum(FundingStatus))
    flag = SelectField(_l("Follow-up"), coerce=optional_str)
    sort = SelectField(_l("Sort by"), choices=choices(list(SORT_LABELS.items())), default="tree")

    def __init__(self, *args, axes=(), objectives=(), owners=None, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The options' labels as plain text, translated once (see translated_labels).
        labels = Labels()
        everything = str(_l("All"))
        self.axis.choices = choices([("", everything), *axes])
        self.objective.choices = choices([("", everything), *objectives])
        self.horizon.choices = _enum_choices(labels.horizon, everything)
        self.owner_searchable = owners.count > OWNER_SELECT_LIMIT
        self.owner_candidates: list[tuple[str, str]] = []
        self._owner_matches, self._unknown_owner = 0, False
        known = self._find_owner(owners)
        shown = ([o for o in known if o[0] == self.owner.data] if self.owner_searchable
                 else known)
        self.owner.choices = choices([("", everything), *shown])
        self.status.choices = _enum_choices(labels.status, everything)
        self.funding.choices = choices([("", everything), *sources,
                                        ("0", str(_l("No funding source")))])
        self.funding_status.choices = choices([
            *_enum_pairs(labels.funding_status, everything), ("none", str(_l("Not set")))])
        self.flag.choices = choices([("", everything), *labels.flag.items()])
        self.sort.choices = choices(list(labels.sort.items()))

    def _find_owner(self, owners) -> list[tuple[str, str]]:
        """A typed name becomes the owner it names (found among all of them, read only
        then); an owner given by the address (a link of the follow-up page) shows its name in
        the field. Gives back the owners it read."""
        if not self.owner_searchable:
            self.owner_name.data = ""  # the select is shown: a name in the address is ignored
            return owners.owners
        typed = self.owner_name.data or ""
        if typed:
            everyone = owners.read_all()
            found = matching_owners(typed, everyone)
            if len(found) == 1:
                self.owner.data, self.owner_name.data = found[0]
            else:
                self.owner.data = None
                self.owner_candidates = found[:CANDIDATES_SHOWN]
                self._owner_matches = len(found)
            return everyone
        if self.owner.data:
            self.owner_name.data = dict(owners.owners).get(self.owner.data, "")
            if not self.owner_name.data:  # not an owner: said on the field that is shown
                self.owner.data, self._unknown_owner = None, True
        return owners.owners

    def validate_owner_name(self, field) -> None:
        if self._unknown_owner:
            raise ValidationError(_("This owner is not in the network: type another name."))
        if field.data and self.owner.data is None:
            if self._owner_matches:
                raise ValidationError(
                    _("%(n)d owners match “%(name)s”: choose one below, or type more of its "
                       "name.", n=self._owner_matches, name=field.data))
            raise ValidationError(_("No member cluster is called “%(name)s”.", name=field.data))


class ActionForm(Form):
    objective_id = SelectField(_l("Objective"), coerce=optional_int, validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    owner = SelectField(
        _l("Owner"), validate_choice=False,
        description=_l("The member cluster that carries the action, or the secretariat."),
    )
    responsible_user_id = SelectField(
        _l("Responsible person (account)"), coerce=optional_int, validate_choice=False
    )
    responsible_name = StringField(
        _l("…or a named contact"), validators=[Optional(), Length(max=200)],
        description=_l("For a person without an account, e.g. a partner's project manager."),
    )
    starts_on = DateField(_l("Start date"), validators=[InputRequired()])
    due_on = DateField(_l("Deadline"), validators=[InputRequired()])
    status = SelectField(_l("Status"), coerce=optional_enum(ActionStatus),
                         choices=_enum_choices(STATUS_LABELS))
    status_reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=2000)],
        description=_l("Required when the action is blocked or cancelled."),
    )
    progress = IntegerField(_l("Progress (%)"), validators=[InputRequired()], default=0)
    confirm_complete = BooleanField(_l("Record it as done at 100 %"))
    estimated_cost = DecimalField(_l("Estimated cost"), places=2, validators=[Optional()])
    funding_source_id = SelectField(_l("Funding source"), coerce=optional_int,
                                    validate_choice=False)
    funding_status = SelectField(_l("Funding status"), coerce=optional_enum(FundingStatus),
                                 choices=_enum_choices(FUNDING_STATUS_LABELS, "—"))
    decision_id = HiddenField()
    version = HiddenField()


class ProgressUpdateForm(Form):
    text = TextAreaField(
        _l("What was done, what changed"), validators=[DataRequired(), Length(max=5000)]
    )
    progress = IntegerField(_l("New progress (%)"), validators=[InputRequired()])
    status = SelectField(_l("New status"), coerce=optional_enum(ActionStatus),
                         choices=_enum_choices(STATUS_LABELS))
    status_reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=2000)],
        description=_l("Required when the action is blocked or cancelled."),
    )
    confirm_complete = BooleanField(_l("Record it as done at 100 %"))
    version = HiddenField()


class MilestoneForm(Form):
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=200)])
    due_on = DateField(_l("Date"), validators=[InputRequired()])


class AxisForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    position = IntegerField(_l("Position in the plan"), validators=[Optional()])
    version = HiddenField()


class ObjectiveForm(Form):
    axis_id = SelectField(_l("Strategic axis"), coerce=optional_int, validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    horizon = SelectField(_l("Horizon"), coerce=optional_enum(Horizon),
                          choices=_enum_choices(HORIZON_LABELS))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    position = IntegerField(_l("Position within the axis"), validators=[Optional()])
    version = HiddenField()


class IndicatorForm(Form):
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)],
                       description=_l("e.g. clusters, partnerships, %, MAD"))
    baseline = DecimalField(_l("Baseline"), places=2, validators=[Optional()])
    target = DecimalField(_l("Target"), places=2, validators=[Optional()])
    target_year = IntegerField(_l("Target year"), validators=[Optional()])
    latest_value = DecimalField(_l("Latest value"), places=2, validators=[Optional()])
    latest_value_on = DateField(_l("Measured on"), validators=[Optional()])
    version = HiddenField()


class FundingSourceForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    is_active = BooleanField(_l("Offered for new actions"), default=True)
    version = HiddenField()


class HorizonsForm(Form):
    medium_term_start = IntegerField(_l("First year of the medium term"),
                                     validators=[Optional()])
    medium_term_end = IntegerField(_l("Last year of the medium term"), validators=[Optional()])
    long_term_start = IntegerField(_l("First year of the long term"), validators=[Optional()])
    long_term_end = IntegerField(_l("Last year of the long term"), validators=[Optional()])
