"""Forms of the proposals domain: drafting, opening a round, casting, amending, scoring."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from planner.core.forms import Form, choices
from planner.proposals.models import (
    DecisionRule,
    FollowUpStatus,
    Outcome,
    Position,
    ProposalKind,
)


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def rule_labels() -> dict[DecisionRule, str]:
    return {
        DecisionRule.CONSENSUS: _l("Consensus: every member answers and nobody objects"),
        DecisionRule.CONSENT: _l("Consent: quorum reached and nobody objects"),
        DecisionRule.SIMPLE_MAJORITY: _l("Simple majority: quorum reached and more agree than object"),
        DecisionRule.ABSOLUTE_MAJORITY: _l("Absolute majority: more than half of all members agree"),
        DecisionRule.TWO_THIRDS: _l("Two-thirds: quorum reached and two-thirds of those who agree or object agree"),
    }


def rule_short_labels() -> dict[DecisionRule, str]:
    return {
        DecisionRule.CONSENSUS: _l("Consensus"),
        DecisionRule.CONSENT: _l("Consent"),
        DecisionRule.SIMPLE_MAJORITY: _l("Simple majority"),
        DecisionRule.ABSOLUTE_MAJORITY: _l("Absolute majority"),
        DecisionRule.TWO_THIRDS: _l("Two-thirds majority"),
    }


def outcome_labels() -> dict[Outcome, str]:
    return {
        Outcome.ADOPTED: _l("adopted"),
        Outcome.REJECTED: _l("rejected"),
        Outcome.NO_CONSENSUS: _l("no consensus"),
        Outcome.NO_QUORUM: _l("no quorum"),
    }


def position_labels() -> dict[Position, str]:
    return {
        Position.AGREE: _l("Agree"),
        Position.RESERVATIONS: _l("Agree with reservations"),
        Position.ABSTAIN: _l("Stand aside (abstain)"),
        Position.OBJECT: _l("Object (blocks)"),
    }


def follow_up_labels() -> dict[FollowUpStatus, str]:
    return {
        FollowUpStatus.OPEN: _l("Still open"),
        FollowUpStatus.ANSWERED: _l("Answered by the amendment"),
        FollowUpStatus.WITHDRAWN: _l("Withdrawn by its author"),
    }


class ProposalForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("Text"),
        validators=[DataRequired(), Length(max=50_000)],
        description=_l("What the members decide. Markdown: **bold**, *italics*, lists with -, "
                       "links [text](https://…)."),
    )
    kind = SelectField(
        _l("Kind"),
        choices=choices([(ProposalKind.MOTION.value, _l("Motion: agree, reservations, abstain or object")),
                         (ProposalKind.CHOICE.value, _l("Choice among options"))]),
    )
    rule = SelectField(
        _l("Decision rule"),
        choices=choices([(rule.value, label) for rule, label in rule_labels().items()]),
        description=_l("A choice among options is decided by simple majority."),
    )
    is_secret = BooleanField(
        _l("Secret vote: everyone, the secretariat included, sees counts only")
    )
    agenda_item_id = SelectField(
        _l("Agenda item"),
        coerce=optional_int,
        validate_choice=False,
        description=_l("A decision item of a coming meeting; or none, for a vote between "
                       "meetings (written procedure) with a closing date."),
    )
    options = TextAreaField(
        _l("Options (a choice only), one per line"),
        validators=[Optional(), Length(max=5000)],
    )
    criteria = TextAreaField(
        _l("Criteria grid (a choice only, optional), one criterion per line"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Each member scores each option from 1 to 5 on each criterion; the "
                       "totals are shown beside the choice."),
    )
    version = HiddenField()


class OpenRoundForm(Form):
    closes_at = DateTimeLocalField(
        _l("Closes on"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Network time. Required for a vote between meetings; at a meeting, "
                       "leave empty to close it by hand."),
    )


class CastForm(Form):
    """One form per member the director answers for; prefixed by the member's id."""

    position = RadioField(_l("Position"), validators=[DataRequired(message=_l("Choose your position."))])
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Required for reservations and objections: it is shown beside your "
                       "position."),
    )


class CloseRoundForm(Form):
    pass


class NewRoundForm(Form):
    text = TextAreaField(
        _l("Amended text"),
        validators=[DataRequired(), Length(max=50_000)],
        description=_l("The previous round stays as it was; the changes are shown word by word."),
    )


def new_round_form(objections, formdata=None, **kwargs) -> NewRoundForm:
    """The amended text, and a status field for each objection of the previous round."""

    class Form_(NewRoundForm):
        pass

    for ballot in objections:
        setattr(Form_, f"objection_{ballot.member_id}", SelectField(
            _l("Objection of %(member)s", member=ballot.member.short_name),
            choices=choices([(s.value, label) for s, label in follow_up_labels().items()]),
            default=FollowUpStatus.OPEN.value,
            description=ballot.reason,
        ))
    return Form_(formdata=formdata, **kwargs) if formdata is not None else Form_(**kwargs)


class FollowUpForm(Form):
    status = SelectField(
        _l("Status of the objection"),
        choices=choices([(s.value, label) for s, label in follow_up_labels().items()]),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


def score_form(grid, formdata=None) -> Form:
    """A 1–5 select per criterion and option; an empty cell is not scored."""
    values = [("", "—"), *((str(n), str(n)) for n in range(1, 6))]

    class ScoreForm(Form):
        pass

    for criterion in grid.criteria:
        for option in grid.options:
            setattr(ScoreForm, f"score_{criterion.id}_{option.id}", SelectField(
                _l("%(option)s on “%(criterion)s”", option=option.label,
                   criterion=criterion.label),
                choices=choices(values),
                default=str(grid.mine.get((criterion.id, option.id), "")),
            ))
    return ScoreForm(formdata=formdata) if formdata is not None else ScoreForm()


class DecisionFilterForm(Form):
    class Meta:
        csrf = False

    meeting = SelectField(_l("Meeting"), validate_choice=False)
    rule = SelectField(_l("Rule"), validate_choice=False)
    outcome = SelectField(_l("Outcome"), validate_choice=False)
