"""Proposals, their rounds and consensus maps, casting, closing, amending; the decisions list."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.core.database import start_writing, write_intent
from planner.core.forms import choices
from planner.core.i18n import translated_once
from planner.core.markdown import word_diff
from planner.core.page_cache import kept_page
from planner.core.permissions import (
    allow,
    can_follow_up_objections,
    can_manage_proposals,
    director,
    require,
    signed_in,
)
from planner.core.rules import RuleError
from planner.core.time import to_utc, utcnow
from planner.core.views import attach_error
from planner.extensions import db
from planner.members.models import Member
from planner.proposals import queries, rules
from planner.proposals.forms import (
    CastForm,
    CloseRoundForm,
    DecisionFilterForm,
    FollowUpForm,
    OpenRoundForm,
    ProposalForm,
    new_round_form,
    outcome_labels,
    position_labels,
    rule_short_labels,
    score_form,
)
from planner.proposals.models import (
    DecisionRule,
    FollowUpStatus,
    ObjectionFollowUp,
    Outcome,
    Position,
    Proposal,
    ProposalKind,
    Round,
    RoundStatus,
)
from planner.proposals.permissions import can_cast_for, can_update_follow_up

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
decisions_bp = Blueprint("decisions", __name__, url_prefix="/decisions")


def apply_due_closings(proposal_id: int | None = None) -> None:
    """Close the rounds whose deadline passed, before a page shows them (cron does it too)."""
    if not queries.has_due_rounds(proposal_id):
        return
    # The read began as a reader's transaction: start again as a writer.
    db.session.rollback()
    write_intent.set(True)
    rules.close_due_rounds(proposal_id=proposal_id)
    db.session.commit()


def _load_round(proposal_id: int, round_number: int,
                with_item: bool = True) -> tuple[Proposal, Round]:
    found = queries.proposal_and_round(proposal_id, round_number, with_item)
    if found is None:
        abort(404)
    return found


# --- lists --------------------------------------------------------------------------------


@bp.route("/")
@allow(signed_in)
@kept_page
def index():
    apply_due_closings()
    # Each group pages on its own (?open=2, ?closed=3); the others stay where they were.
    pages = {group: max(request.args.get(group, 1, type=int), 1)
             for group in queries.PROPOSAL_GROUPS}
    groups = queries.proposals_index(pages)
    return render_template("proposals/index.html", groups=groups,
                           page_args={g: p.page for g, p in groups.items() if p.page > 1})


@decisions_bp.route("/", endpoint="index")
@allow(signed_in)
@kept_page
def decisions_index():
    apply_due_closings()
    form = DecisionFilterForm(request.args)
    meeting_arg = request.args.get("meeting", "")
    meeting_id = int(meeting_arg) if meeting_arg.isdigit() else None
    meetings = queries.decision_meetings(selected=meeting_id)
    form.meeting.choices = choices([
        ("", _("All meetings")), ("written", _("Votes between meetings")),
        *((str(i), title) for i, title, _starts in meetings.rows)])
    if meetings.more:
        form.meeting.description = _(
            "The %(n)d latest meetings with decisions are listed. An earlier meeting's "
            "decisions are linked from its page.", n=queries.MEETINGS_LISTED)
    form.rule.choices = choices([
        ("", _("All rules")), *((r.value, label) for r, label in rule_short_labels().items())])
    form.outcome.choices = choices([
        ("", _("All outcomes")), *((o.value, label) for o, label in outcome_labels().items())])
    rule = _enum_arg(DecisionRule, request.args.get("rule"))
    outcome = _enum_arg(Outcome, request.args.get("outcome"))
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = queries.decisions(meeting_id=meeting_id, rule=rule, outcome=outcome,
                                    written=meeting_arg == "written", page=page)
    filtered = bool(meeting_arg or rule or outcome)
    return render_template("proposals/decisions.html", rows=rows, form=form,
                           meeting_arg=meeting_arg, rule=rule, outcome=outcome,
                           filtered=filtered, total=total, page=page,
                           per_page=queries.DECISIONS_PER_PAGE)


def _enum_arg(enum_class, value):
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


# --- drafting -----------------------------------------------------------------------------


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def _proposal_values(form: ProposalForm) -> dict:
    return {
        "title": form.title.data, "text": form.text.data,
        "kind": ProposalKind(form.kind.data), "rule": DecisionRule(form.rule.data),
        "is_secret": form.is_secret.data, "agenda_item_id": form.agenda_item_id.data,
        "options": _lines(form.options.data), "criteria": _lines(form.criteria.data),
    }


def _item_choices(current_item_id: int | None = None):
    items = queries.decision_items()
    if current_item_id is not None and current_item_id not in {i for i, _label in items}:
        items.append((current_item_id, _("The current agenda item")))
    return choices([("", _("None: a vote between meetings")), *items])


@bp.route("/new", methods=["GET", "POST"])
@allow(can_manage_proposals)
def new():
    form = ProposalForm()
    form.agenda_item_id.choices = _item_choices()
    if request.method == "GET" and request.args.get("item_id", "").isdigit():
        form.agenda_item_id.data = int(request.args["item_id"])
    status = 200
    if form.validate_on_submit():
        try:
            proposal = rules.create_proposal(current_user, **_proposal_values(form))
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Proposal drafted. Check it, then open the first round."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    elif request.method == "POST":
        status = 400
    return render_template("proposals/form.html", form=form, proposal=None), status


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@allow(can_manage_proposals)
def edit(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    form = ProposalForm(data=_proposal_data(proposal))
    form.agenda_item_id.choices = _item_choices(proposal.agenda_item_id)
    status = 200
    if form.validate_on_submit():
        try:
            version = int(form.version.data or 0)
            rules.update_proposal(current_user, proposal, version, **_proposal_values(form))
        except RuleError as error:
            status = attach_error(form, error)
            if status == 409 and error.field is None:
                db.session.refresh(proposal)
                form = ProposalForm(formdata=None, data=_proposal_data(proposal))
                form.agenda_item_id.choices = _item_choices(proposal.agenda_item_id)
                form.form_errors.append(error.message)
        except ValueError:
            abort(400)
        else:
            db.session.commit()
            flash(_("Proposal saved."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    elif request.method == "POST":
        status = 400
    return render_template("proposals/form.html", form=form, proposal=proposal), status


def _proposal_data(proposal: Proposal) -> dict:
    return {
        "title": proposal.title, "text": proposal.text, "kind": proposal.kind.value,
        "rule": proposal.rule.value, "is_secret": proposal.is_secret,
        "agenda_item_id": proposal.agenda_item_id,
        "options": "\n".join(o.label for o in queries.options_of(proposal.id)),
        "criteria": "\n".join(c.label for c in queries.criteria_of(proposal.id)),
        "version": proposal.version,
    }


# --- the proposal page --------------------------------------------------------------------


def _position_choices(proposal: Proposal, options) -> list[tuple[str, str]]:
    if proposal.is_choice:
        return [*((f"option-{o.id}", o.label) for o in options),
                (Position.ABSTAIN.value, _("Abstain"))]
    labels = translated_once("proposals.position", position_labels())
    return [(position.value, label) for position, label in labels.items()]


def _answer_prefix(member_id: int) -> str:
    """The names of one member's answer fields start with this (a director may answer for
    two clusters on one page)."""
    return f"m{member_id}-"


def _cast_form(proposal: Proposal, options, member_id: int, ballot=None,
               bound: bool = False) -> CastForm:
    data = {}
    if ballot is not None:
        value = f"option-{ballot.option_id}" if ballot.option_id else ballot.position.value
        data = {"position": value, "reason": ballot.reason}
    if bound:
        form = CastForm(prefix=_answer_prefix(member_id))
    else:
        form = CastForm(prefix=_answer_prefix(member_id), formdata=None, data=data)
    form.position.choices = choices(_position_choices(proposal, options))
    return form


def render_round(proposal: Proposal, round_: Round, status: int = 200,
                 rounds: list[Round] | None = None, **forms):
    rounds = rounds if rounds is not None else queries.rounds_of(proposal.id)
    view = queries.round_view(proposal, round_, current_user,
                              page=request.args.get("page", 1, type=int))
    cast_forms = {
        member_id: forms.get("cast_forms", {}).get(member_id)
        or _cast_form(proposal, view.options, member_id, view.own_ballots.get(member_id))
        for member_id in view.castable
    }
    previous = next((r for r in rounds if r.number == round_.number - 1), None)
    diff = word_diff(previous.text, _round_text(proposal, round_)) if previous else None
    grid = score = None
    if proposal.is_choice:
        grid = queries.grid(proposal.id, current_user.member_id)
        if grid.criteria and current_user.member_id is not None:
            score = forms.get("score_form") or score_form(grid)
    open_form = forms.get("open_form") or OpenRoundForm(formdata=None)
    follow_up_forms = {
        f.id: (forms.get("follow_up_forms", {}).get(f.id)
               or _follow_up_form(f, formdata=None,
                                  data={"status": f.status.value, "note": f.note}))
        for f in view.follow_ups if can_update_follow_up(current_user, f)
    }
    active = None
    if round_.status is RoundStatus.DRAFT:
        from planner.members.queries import active_members

        active = len(active_members())
    return render_template(
        "proposals/show.html", proposal=proposal, round=round_, rounds=rounds, view=view,
        latest=rounds[-1], cast_forms=cast_forms, previous=previous, diff=diff, grid=grid,
        score=score, open_form=open_form, close_form=CloseRoundForm(formdata=None),
        follow_up_forms=follow_up_forms, text=_round_text(proposal, round_),
        active_members=active,
        meeting_round=(round_.meeting_id if round_.status is not RoundStatus.DRAFT
                       else proposal.agenda_item_id) is not None,
    ), status


def _follow_up_form(follow_up: ObjectionFollowUp, **kwargs) -> FollowUpForm:
    """The secretariat records any status; the objector withdraws or keeps the objection."""
    form = FollowUpForm(prefix=f"f{follow_up.id}", **kwargs)
    if not can_manage_proposals(current_user):
        form.status.choices = [c for c in form.status.choices
                               if c.value != FollowUpStatus.ANSWERED.value]
    return form


def _round_text(proposal: Proposal, round_: Round) -> str:
    # A draft round shows the working text; from its opening on, the text it was voted on.
    return proposal.text if round_.status is RoundStatus.DRAFT else round_.text


def _load_proposal(proposal_id: int) -> tuple[Proposal, list[Round]]:
    """The proposal and its rounds (two queries), once a round whose deadline passed is closed:
    a proposal has one round open at most, among the rounds read here."""
    proposal = queries.proposal_with_item(proposal_id)
    if proposal is None:
        abort(404)
    rounds = queries.rounds_of(proposal_id)
    now = utcnow()
    if any(r.is_due(now) for r in rounds):
        apply_due_closings(proposal_id)
        proposal = queries.proposal_with_item(proposal_id)
        rounds = queries.rounds_of(proposal_id)
    return proposal, rounds


@bp.route("/<int:proposal_id>")
@allow(signed_in)
@kept_page
def show(proposal_id: int):
    proposal, rounds = _load_proposal(proposal_id)
    return render_round(proposal, rounds[-1] if rounds else None, rounds=rounds)


@bp.route("/<int:proposal_id>/rounds/<int:round_number>")
@allow(signed_in)
@kept_page
def round_page(proposal_id: int, round_number: int):
    proposal, rounds = _load_proposal(proposal_id)
    round_ = next((r for r in rounds if r.number == round_number), None)
    if round_ is None:
        abort(404)
    return render_round(proposal, round_, rounds=rounds)


def _back(proposal: Proposal, round_: Round, anchor: str = ""):
    # A round not closed is its proposal's latest (one unclosed round per proposal, and a new
    # round follows a closed one): only a closed round needs the look-up.
    latest = round_ if round_.status is not RoundStatus.CLOSED else queries.current_round(
        proposal.id)
    if latest is not None and latest.id == round_.id:
        url = url_for("proposals.show", proposal_id=proposal.id)
    else:
        url = url_for("proposals.round_page", proposal_id=proposal.id, round_number=round_.number)
    return redirect(url + anchor)


# --- opening, casting, closing -------------------------------------------------------------


@bp.route("/<int:proposal_id>/rounds/<int:round_number>/open", methods=["POST"])
@allow(can_manage_proposals)
def open_round(proposal_id: int, round_number: int):
    proposal, round_ = _load_round(proposal_id, round_number)
    form = OpenRoundForm()
    status = 400
    if form.validate_on_submit():
        closes_at = form.closes_at.data
        if closes_at is not None:
            closes_at = to_utc(closes_at, g.network.timezone if g.network else "UTC")
        try:
            rules.open_round(current_user, round_, closes_at)
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Round %(n)d is open: the directors can answer.", n=round_.number), "success")
            return _back(proposal, round_)
    return render_round(proposal, round_, status, open_form=form)


def _parse_answer(value: str) -> tuple[Position | None, int | None] | None:
    """The position or option an answer names; None when it names neither."""
    if value.startswith("option-") and value[7:].isdigit():
        return None, int(value[7:])
    try:
        return Position(value), None
    except ValueError:
        return None


@bp.route("/<int:proposal_id>/rounds/<int:round_number>/members/<int:member_id>/cast",
          methods=["POST"])
@allow(director, writes_from_rule=True)
def cast(proposal_id: int, round_number: int, member_id: int):
    # The agenda item is read only if the page is shown again (the answer refused).
    proposal, round_ = _load_round(proposal_id, round_number, with_item=False)
    member = db.get_or_404(Member, member_id)  # a director's own: read with the account
    require(can_cast_for(current_user, round_, member.id))
    # The rule checks every part of an answer (the option is the proposal's, the reason is
    # there when needed and not too long) and CSRFProtect has checked the token, so the
    # form is built only to show the page again: a tenth of an accepted cast's time.
    prefix = _answer_prefix(member.id)
    answer = _parse_answer(request.form.get(prefix + "position", ""))
    error = None
    if answer is not None:
        # What an accepted answer shows is made before the write lock is taken, which other
        # workers' casts queue for: the lock is held for the rule's statements alone.
        message = _("The answer of %(member)s is recorded. You can change it until the round "
                    "closes.", member=member.short_name)
        response = _back(proposal, round_, "#answer")
        start_writing(db.session())  # the rule re-reads the round, elector and proxy locked
        try:
            rules.cast(current_user, round_, member, position=answer[0], option_id=answer[1],
                       reason=request.form.get(prefix + "reason", ""))
        except RuleError as refused:
            error = refused
        else:
            db.session.commit()
            flash(message, "success")
            return response
    options = queries.options_of(proposal.id) if proposal.is_choice else []
    form = _cast_form(proposal, options, member.id, bound=True)
    status = 400
    if error is not None:
        status = attach_error(form, error)
        if not round_.is_open:
            flash(error.message, "error")  # the form is not shown on a draft or closed round
    else:
        form.validate()  # no answer, or one that is no choice: the form's own message
    proposal = queries.proposal_with_item(proposal.id)
    return render_round(proposal, round_, status, cast_forms={member.id: form})


@bp.route("/<int:proposal_id>/rounds/<int:round_number>/close", methods=["POST"])
@allow(can_manage_proposals)
def close(proposal_id: int, round_number: int):
    proposal, round_ = _load_round(proposal_id, round_number)
    form = CloseRoundForm()
    if not form.validate_on_submit():
        return render_round(proposal, round_, 400)
    try:
        decision = rules.close_round(current_user, round_)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_round(proposal, round_, error.status)
    db.session.commit()
    flash(_("Round %(n)d is closed: %(outcome)s. The outcome is recorded and can no longer "
            "change.", n=round_.number, outcome=outcome_labels()[decision.outcome]), "success")
    return _back(proposal, round_, "#outcome")


# --- the next round and the objections' follow-up -------------------------------------------


@bp.route("/<int:proposal_id>/rounds/new", methods=["GET", "POST"])
@allow(can_manage_proposals)
def new_round(proposal_id: int):
    proposal = queries.proposal_with_item(proposal_id)
    if proposal is None:
        abort(404)
    previous = queries.current_round(proposal_id)
    objections = ([] if proposal.is_secret or previous is None
                  else queries.objections(previous.id))
    objections.sort(key=lambda b: b.member.short_name)
    if request.method == "POST":
        form = new_round_form(objections)
    else:
        form = new_round_form(objections, formdata=None, data={"text": proposal.text})
    status = 200
    if form.validate_on_submit():
        statuses = {
            b.member_id: FollowUpStatus(form[f"objection_{b.member_id}"].data) for b in objections
        }
        try:
            round_ = rules.new_round(current_user, proposal, form.text.data, statuses)
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Round %(n)d is ready with the amended text. Open it when the members can "
                    "answer.", n=round_.number), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    elif request.method == "POST":
        status = 400
    return render_template("proposals/new_round.html", proposal=proposal, previous=previous,
                           form=form, objections=objections), status


@bp.route("/<int:proposal_id>/rounds/<int:round_number>/objections/<int:follow_up_id>",
          methods=["POST"])
@allow(can_follow_up_objections)
def follow_up(proposal_id: int, round_number: int, follow_up_id: int):
    proposal, round_ = _load_round(proposal_id, round_number)
    item = db.get_or_404(ObjectionFollowUp, follow_up_id)
    if item.round_id != round_.id:
        abort(404)
    require(can_update_follow_up(current_user, item))
    form = _follow_up_form(item)
    status = 400
    if form.validate_on_submit():
        try:
            rules.update_follow_up(current_user, item, FollowUpStatus(form.status.data),
                                   form.note.data or "")
        except RuleError as error:
            status = attach_error(form, error)
            if status == 409:
                flash(error.message, "error")  # a closed round no longer shows the form
        else:
            db.session.commit()
            flash(_("The objection's follow-up is saved."), "success")
            return _back(proposal, round_, "#objections")
    return render_round(proposal, round_, status, follow_up_forms={item.id: form})


@bp.route("/<int:proposal_id>/scores", methods=["POST"])
@allow(director)
def score(proposal_id: int):
    proposal = queries.proposal_with_item(proposal_id)
    if proposal is None:
        abort(404)
    round_ = queries.current_round(proposal_id)
    grid = queries.grid(proposal.id, current_user.member_id)
    form = score_form(grid, formdata=request.form)
    status = 400
    if proposal.is_choice and grid.criteria and form.validate_on_submit():
        scores = {}
        for criterion in grid.criteria:
            for option in grid.options:
                value = form[f"score_{criterion.id}_{option.id}"].data
                scores[(criterion.id, option.id)] = int(value) if value else None
        try:
            rules.score_options(current_user, proposal, current_user.member, scores)
        except RuleError as error:
            status = attach_error(form, error)
            if status == 409:
                flash(error.message, "error")  # a closed vote no longer shows the grid form
        else:
            db.session.commit()
            flash(_("Your cluster's scores are saved."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id) + "#grid")
    return render_round(proposal, round_, status, score_form=form)

