"""The action plan's pages: the tree and list, the follow-up, the timeline, exports, editing."""

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

from planner.core.formatting import formatted
from planner.core.forms import choices
from planner.core.i18n import formatting_locale, is_right_to_left
from planner.core.page_cache import kept_page
from planner.core.permissions import (
    allow,
    can_manage_plan,
    can_update_actions,
    public,
    require,
    signed_in,
)
from planner.core.rules import RuleError
from planner.core.views import attach_error, redirect_back
from planner.extensions import db
from planner.plan import exports, queries, rules
from planner.plan import timeline as timeline_layout
from planner.plan.dates import local_today
from planner.plan.forms import (
    ActionFilterForm,
    ActionForm,
    AxisForm,
    FundingSourceForm,
    HorizonsForm,
    IndicatorForm,
    Labels,
    MilestoneForm,
    ObjectiveForm,
    ProgressUpdateForm,
    translated_labels,
)
from planner.plan.models import (
    ActionItem,
    ActionStatus,
    CalendarFeed,
    FundingSource,
    Horizon,
    Indicator,
    Milestone,
    Objective,
    StrategicAxis,
)
from planner.plan.owner_search import OWNER_SELECT_LIMIT
from planner.plan.permissions import can_update_action

bp = Blueprint("plan", __name__, url_prefix="/plan")


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


# --- the plan for everyone --------------------------------------------------------------------


def _filters(outline: queries.StrategyOutline | None = None,
             ) -> tuple[ActionFilterForm, queries.ActionFilters, bool]:
    """The filters of the address; an invalid one is dropped and shown with its message."""
    outline = outline or queries.strategy_outline()
    form = ActionFilterForm(
        formdata=request.args,
        axes=outline.axis_choices(),
        objectives=outline.objective_choices(),
        owners=queries.owner_filter_choices(_("Secretariat"), request.args.get("owner"),
                                            limit=OWNER_SELECT_LIMIT),
        sources=queries.funding_choices(),
    )
    valid = form.validate()
    values = {}
    for key in ("axis", "objective", "horizon", "owner", "status", "funding",
                "funding_status", "flag"):
        field = form[key]
        if not field.errors and field.data not in (None, ""):
            values[key] = field.data
    sort = form.sort.data if not form.sort.errors and form.sort.data else "tree"
    return form, queries.ActionFilters(**values, sort=sort), valid


@bp.route("/")
@allow(signed_in)
@kept_page
def index():
    outline = queries.strategy_outline()
    form, filters, valid = _filters(outline)
    page = queries.action_page(filters, request.args.get("page", 1, type=int))
    tree = queries.strategy_tree(outline)
    grouped = queries.group_by_objective(page.rows) if filters.sort == "tree" else None
    return render_template(
        "plan/index.html", form=form, filters=filters, page=page, tree=tree, grouped=grouped,
        today=local_today(),
    ), 200 if valid else 400


@bp.route("/timeline")
@allow(signed_in)
@kept_page
def timeline():
    form, filters, valid = _filters()
    tree_filters = queries.ActionFilters(**{**filters.__dict__, "sort": "tree"})
    page = queries.timeline_page(tree_filters, request.args.get("page", 1, type=int))
    actions = page.rows
    milestones = queries.milestones_for([a.id for a in actions])
    layout = timeline_layout.build(actions, milestones, local_today(), rtl=is_right_to_left())
    return render_template(
        "plan/timeline.html", form=form, filters=tree_filters, page=page, layout=layout,
        milestones=milestones,
    ), 200 if valid else 400


@bp.route("/export.csv")
@allow(signed_in)
def export_csv():
    _form, filters, _valid = _filters()
    semicolon = request.args.get("separator") == "semicolon"
    currency = g.network.currency if g.network else "MAD"
    body = exports.action_csv(queries.all_filtered(filters), currency, semicolon)
    filename = f"action-plan-{local_today().isoformat()}.csv"
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/follow-up")
@allow(can_manage_plan)
@kept_page
def follow_up():
    figures = queries.follow_up(_("Secretariat"))
    return render_template("plan/follow_up.html", figures=figures, today=local_today())


@bp.route("/objectives/<int:objective_id>")
@allow(signed_in)
@kept_page
def show_objective(objective_id: int):
    found = queries.objective_detail(objective_id)
    if found is None:
        abort(404)
    objective, progress = found
    return render_template("plan/objective.html", objective=objective, progress=progress)


# --- one action -------------------------------------------------------------------------------


def _load_action(action_id: int) -> ActionItem:
    action = queries.action_detail(action_id)
    if action is None:
        abort(404)
    return action


def _update_form(action: ActionItem, formdata=None) -> ProgressUpdateForm:
    form = ProgressUpdateForm(formdata=formdata)
    if formdata is None:
        form.progress.data = action.progress
        form.status.data = action.status
        form.status_reason.data = action.status_reason
        form.version.data = action.version
    if not can_manage_plan(current_user):
        form.status.choices = [c for c in form.status.choices
                               if c.value != ActionStatus.CANCELLED.value
                               or action.status == ActionStatus.CANCELLED]
    return form


def _render_action(action: ActionItem, update_form=None, milestone_form=None, status=200):
    can_update = current_user.is_authenticated and can_update_action(current_user, action)
    if update_form is None and can_update:
        update_form = _update_form(action)
    if milestone_form is None and can_manage_plan(current_user):
        milestone_form = MilestoneForm(formdata=None)
    return render_template(
        "plan/action.html", action=action, update_form=update_form,
        milestone_form=milestone_form, can_update=can_update,
    ), status


@bp.route("/actions/<int:action_id>")
@allow(signed_in)
@kept_page
def show_action(action_id: int):
    return _render_action(_load_action(action_id))


@bp.route("/actions/<int:action_id>/update", methods=["POST"])
@allow(can_update_actions)
def update_action(action_id: int):
    action = _load_action(action_id)
    require(can_update_action(current_user, action))
    form = _update_form(action, formdata=request.form)
    if not form.validate():
        return _render_action(action, update_form=form, status=400)
    try:
        rules.post_update(
            current_user, action, _version(form), text=form.text.data,
            progress=form.progress.data, status=form.status.data,
            status_reason=form.status_reason.data or "",
            confirm_complete=form.confirm_complete.data,
        )
    except RuleError as error:
        status = attach_error(form, error)
        action = _load_action(action_id)
        if status == 409 and error.field is None:
            # Keep what the person wrote; show the newer progress and status.
            text = form.text.data
            form = _update_form(action)
            form.text.data = text
            form.form_errors.append(error.message)
        return _render_action(action, update_form=form, status=status)
    db.session.commit()
    flash(_("Your update is recorded."), "success")
    return redirect(url_for("plan.show_action", action_id=action_id))


def _action_form(formdata=None, obj=None) -> ActionForm:
    form = ActionForm(formdata=formdata, obj=obj)
    form.objective_id.choices = choices([("", "—"), *queries.objective_choices()])
    form.owner.choices = choices([("", "—"), *queries.owner_choices(_("Secretariat"))])
    form.responsible_user_id.choices = choices([("", "—"), *queries.account_choices()])
    form.funding_source_id.choices = choices(
        [("", "—"), *queries.funding_choices(active_only=True)])
    if obj is not None and formdata is None:
        form.owner.data = (rules.SECRETARIAT_OWNER if obj.is_secretariat_owned
                           else str(obj.owner_member_id))
        form.version.data = obj.version
    return form


def _action_values(form: ActionForm) -> rules.ActionValues:
    return rules.ActionValues(
        objective_id=form.objective_id.data, title=form.title.data, owner=form.owner.data,
        starts_on=form.starts_on.data, due_on=form.due_on.data,
        description=form.description.data or "",
        responsible_user_id=form.responsible_user_id.data,
        responsible_name=form.responsible_name.data or "",
        status=form.status.data or ActionStatus.PLANNED,
        status_reason=form.status_reason.data or "", progress=form.progress.data,
        confirm_complete=form.confirm_complete.data,
        estimated_cost=form.estimated_cost.data,
        funding_source_id=form.funding_source_id.data,
        funding_status=form.funding_status.data,
    )


@bp.route("/actions/new", methods=["GET", "POST"])
@allow(can_manage_plan)
def new_action():
    """A new action; from an adopted decision (?decision_id=) it comes pre-filled and linked."""
    posted = request.method == "POST"
    form = _action_form(formdata=request.form if posted else None)
    raw_decision = form.decision_id.data if posted else request.args.get("decision_id")
    decision = None
    if raw_decision:
        if not str(raw_decision).isdigit():
            abort(404)
        decision = queries.decision_for_new_action(int(raw_decision))
        if decision is None:
            abort(404)
    if not posted:
        form.objective_id.data = request.args.get("objective_id", type=int)
        form.starts_on.data = local_today()
        form.progress.data = 0
        form.status.data = ActionStatus.PLANNED
        if decision is not None:
            form.title.data = (decision.winning_option_label or decision.title)[:200]
            form.decision_id.data = decision.id
    status = 200
    if posted:
        if form.validate():
            try:
                action = rules.create_action(current_user, _action_values(form),
                                             decision_id=decision.id if decision else None)
            except RuleError as error:
                status = attach_error(form, error)
            else:
                db.session.commit()
                flash(_("Action “%(title)s” added to the plan.", title=action.title), "success")
                return redirect(url_for("plan.show_action", action_id=action.id))
        else:
            status = 400
    return render_template("plan/action_form.html", form=form, action=None,
                           decision=decision), status


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@allow(can_manage_plan)
def edit_action(action_id: int):
    action = _load_action(action_id)
    posted = request.method == "POST"
    form = _action_form(formdata=request.form if posted else None, obj=None if posted else action)
    status = 200
    if posted:
        if form.validate():
            try:
                rules.update_action(current_user, action, _version(form), _action_values(form))
            except RuleError as error:
                status = attach_error(form, error)
                if status == 409 and error.field is None:
                    action = _load_action(action_id)
                    form = _action_form(obj=action)
                    form.form_errors.append(error.message)
            else:
                db.session.commit()
                flash(_("Action “%(title)s” saved.", title=action.title), "success")
                return redirect(url_for("plan.show_action", action_id=action.id))
        else:
            status = 400
    return render_template("plan/action_form.html", form=form, action=action,
                           decision=None), status


@bp.route("/actions/<int:action_id>/milestones", methods=["POST"])
@allow(can_manage_plan)
def add_milestone(action_id: int):
    action = _load_action(action_id)
    form = MilestoneForm()
    if not form.validate_on_submit():
        return _render_action(action, milestone_form=form, status=400)
    try:
        rules.add_milestone(current_user, action, title=form.title.data, due_on=form.due_on.data)
    except RuleError as error:
        status = attach_error(form, error)
        return _render_action(_load_action(action_id), milestone_form=form, status=status)
    db.session.commit()
    flash(_("Milestone added."), "success")
    return redirect(url_for("plan.show_action", action_id=action_id, _anchor="milestones"))


def _load_milestone(milestone_id: int) -> tuple[Milestone, ActionItem]:
    milestone = db.get_or_404(Milestone, milestone_id)
    action = db.session.get(ActionItem, milestone.action_id)
    return milestone, action


@bp.route("/milestones/<int:milestone_id>/done", methods=["POST"])
@allow(can_update_actions)
def toggle_milestone(milestone_id: int):
    milestone, action = _load_milestone(milestone_id)
    require(can_update_action(current_user, action))
    done = request.form.get("done") == "1"
    try:
        rules.set_milestone_done(current_user, milestone, action, done)
    except RuleError as error:
        db.session.rollback()
        abort(error.status)
    db.session.commit()
    flash(_("Milestone reached.") if done else _("Milestone reopened."), "success")
    return redirect(url_for("plan.show_action", action_id=action.id, _anchor="milestones"))


@bp.route("/milestones/<int:milestone_id>/delete", methods=["POST"])
@allow(can_manage_plan)
def delete_milestone(milestone_id: int):
    milestone, action = _load_milestone(milestone_id)
    rules.delete_milestone(current_user, milestone)
    db.session.commit()
    flash(_("Milestone deleted."), "success")
    return redirect(url_for("plan.show_action", action_id=action.id, _anchor="milestones"))


# --- the strategy: axes, objectives, indicators ------------------------------------------------


def _save(form, template: str, call, success: str, target, status: int = 200, **context):
    """The shared body of the strategy forms: validate, one rule, commit, redirect."""
    if request.method == "POST":
        if form.validate():
            try:
                record = call()
            except RuleError as error:
                status = attach_error(form, error)
            else:
                db.session.commit()
                flash(success, "success")
                return redirect(target(record))
        else:
            status = 400
    return render_template(template, form=form, **context), status


def _axis_target(_record):
    return url_for("plan.index", _anchor="strategy")


@bp.route("/axes/new", methods=["GET", "POST"])
@allow(can_manage_plan)
def new_axis():
    form = AxisForm()
    return _save(
        form, "plan/axis_form.html",
        lambda: rules.create_axis(current_user, title=form.title.data,
                                  description=form.description.data or "",
                                  position=form.position.data),
        _("Strategic axis added."), _axis_target, axis=None,
    )


@bp.route("/axes/<int:axis_id>/edit", methods=["GET", "POST"])
@allow(can_manage_plan)
def edit_axis(axis_id: int):
    axis = db.get_or_404(StrategicAxis, axis_id)
    form = AxisForm(obj=axis)
    if request.method == "GET":
        form.version.data = axis.version
    response = _save(
        form, "plan/axis_form.html",
        lambda: rules.update_axis(current_user, axis, _version(form), title=form.title.data,
                                  description=form.description.data or "",
                                  position=form.position.data or axis.position),
        _("Strategic axis saved."), _axis_target, axis=axis,
    )
    return _refresh_on_conflict(response, form, axis, AxisForm, "plan/axis_form.html", axis=axis)


def _refresh_on_conflict(response, form, record, form_class, template, **context):
    """After a 409 on a stale version, show the newer saved values with the message."""
    if isinstance(response, tuple) and response[1] == 409 and form.form_errors:
        db.session.refresh(record)
        fresh = form_class(formdata=None, obj=record)
        fresh.version.data = record.version
        fresh.form_errors.extend(form.form_errors)
        _fill_objective_choices(fresh)
        return render_template(template, form=fresh, **context), 409
    return response


@bp.route("/axes/<int:axis_id>/delete", methods=["POST"])
@allow(can_manage_plan)
def delete_axis(axis_id: int):
    axis = db.get_or_404(StrategicAxis, axis_id)
    try:
        rules.delete_axis(current_user, axis)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("plan.edit_axis", axis_id=axis_id))
    db.session.commit()
    flash(_("Strategic axis deleted."), "success")
    return redirect(url_for("plan.index", _anchor="strategy"))


def _fill_objective_choices(form) -> None:
    if isinstance(form, ObjectiveForm):
        form.axis_id.choices = choices([("", "—"), *queries.axis_choices()])


def _objective_target(record):
    return url_for("plan.show_objective", objective_id=record.id)


@bp.route("/objectives/new", methods=["GET", "POST"])
@allow(can_manage_plan)
def new_objective():
    form = ObjectiveForm()
    _fill_objective_choices(form)
    if request.method == "GET":
        form.axis_id.data = request.args.get("axis_id", type=int)
    return _save(
        form, "plan/objective_form.html",
        lambda: rules.create_objective(
            current_user, axis_id=form.axis_id.data, title=form.title.data,
            horizon=form.horizon.data, description=form.description.data or "",
            position=form.position.data),
        _("Objective added."), _objective_target, objective=None,
    )


@bp.route("/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
@allow(can_manage_plan)
def edit_objective(objective_id: int):
    objective = db.get_or_404(Objective, objective_id)
    form = ObjectiveForm(obj=objective)
    _fill_objective_choices(form)
    if request.method == "GET":
        form.version.data = objective.version
    response = _save(
        form, "plan/objective_form.html",
        lambda: rules.update_objective(
            current_user, objective, _version(form), axis_id=form.axis_id.data,
            title=form.title.data, horizon=form.horizon.data,
            description=form.description.data or "",
            position=form.position.data or objective.position),
        _("Objective saved."), _objective_target, objective=objective,
    )
    return _refresh_on_conflict(response, form, objective, ObjectiveForm,
                                "plan/objective_form.html", objective=objective)


@bp.route("/objectives/<int:objective_id>/delete", methods=["POST"])
@allow(can_manage_plan)
def delete_objective(objective_id: int):
    objective = db.get_or_404(Objective, objective_id)
    try:
        rules.delete_objective(current_user, objective)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("plan.show_objective", objective_id=objective_id))
    db.session.commit()
    flash(_("Objective deleted."), "success")
    return redirect(url_for("plan.index", _anchor="strategy"))


def _indicator_values(form: IndicatorForm) -> rules.IndicatorValues:
    return rules.IndicatorValues(
        name=form.name.data, unit=form.unit.data or "", baseline=form.baseline.data,
        target=form.target.data, target_year=form.target_year.data,
        latest_value=form.latest_value.data, latest_value_on=form.latest_value_on.data,
    )


@bp.route("/objectives/<int:objective_id>/indicators/new", methods=["GET", "POST"])
@allow(can_manage_plan)
def new_indicator(objective_id: int):
    objective = db.get_or_404(Objective, objective_id)
    form = IndicatorForm()
    return _save(
        form, "plan/indicator_form.html",
        lambda: rules.create_indicator(current_user, objective, _indicator_values(form)),
        _("Indicator added."), lambda _r: _objective_target(objective),
        objective=objective, indicator=None,
    )


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@allow(can_manage_plan)
def edit_indicator(indicator_id: int):
    indicator = db.get_or_404(Indicator, indicator_id)
    objective = db.session.get(Objective, indicator.objective_id)
    form = IndicatorForm(obj=indicator)
    if request.method == "GET":
        form.version.data = indicator.version
    response = _save(
        form, "plan/indicator_form.html",
        lambda: rules.update_indicator(current_user, indicator, _version(form),
                                       _indicator_values(form)),
        _("Indicator saved."), lambda _r: _objective_target(objective),
        objective=objective, indicator=indicator,
    )
    return _refresh_on_conflict(response, form, indicator, IndicatorForm,
                                "plan/indicator_form.html", objective=objective,
                                indicator=indicator)


@bp.route("/indicators/<int:indicator_id>/delete", methods=["POST"])
@allow(can_manage_plan)
def delete_indicator(indicator_id: int):
    indicator = db.get_or_404(Indicator, indicator_id)
    objective_id = indicator.objective_id
    rules.delete_indicator(current_user, indicator)
    db.session.commit()
    flash(_("Indicator deleted."), "success")
    return redirect(url_for("plan.show_objective", objective_id=objective_id))


# --- funding sources --------------------------------------------------------------------------


@bp.route("/funding", methods=["GET", "POST"])
@allow(can_manage_plan)
def funding_sources():
    form = FundingSourceForm()
    return _save(
        form, "plan/funding_sources.html",
        lambda: rules.create_funding_source(current_user, name=form.name.data,
                                            description=form.description.data or ""),
        _("Funding source added."), lambda _r: url_for("plan.funding_sources"),
        sources=queries.funding_sources(),
    )


@bp.route("/funding/<int:source_id>/edit", methods=["GET", "POST"])
@allow(can_manage_plan)
def edit_funding_source(source_id: int):
    source = db.get_or_404(FundingSource, source_id)
    form = FundingSourceForm(obj=source)
    if request.method == "GET":
        form.version.data = source.version
    response = _save(
        form, "plan/funding_source_form.html",
        lambda: rules.update_funding_source(
            current_user, source, _version(form), name=form.name.data,
            description=form.description.data or "", is_active=form.is_active.data),
        _("Funding source saved."), lambda _r: url_for("plan.funding_sources"),
        source=source,
    )
    return _refresh_on_conflict(response, form, source, FundingSourceForm,
                                "plan/funding_source_form.html", source=source)


# --- the network's horizons (a form on the network settings page) -----------------------------


def horizons_form() -> HorizonsForm:
    return HorizonsForm(formdata=None, obj=g.network)


@bp.route("/horizons", methods=["POST"])
@allow(can_manage_plan)
def horizons():
    network = g.network
    if network is None:
        abort(404)
    form = HorizonsForm()
    status = 400
    if form.validate():
        try:
            rules.set_horizons(current_user, network, **{
                key: form[key].data for key in rules.HORIZON_FIELDS})
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The horizons of the action plan are saved."), "success")
            return redirect(url_for("network.settings", _anchor="horizons"))
    # Show the whole settings page again, with this form's messages and input.
    from planner.members.forms import NetworkForm
    from planner.members.queries import current_network, member_choices

    network = current_network()
    settings_form = NetworkForm(formdata=None, obj=network)
    settings_form.secretariat_member_id.choices = member_choices("—")
    return render_template("members/network_settings.html", form=settings_form,
                           horizons_form=form), status


# --- private calendar feed --------------------------------------------------------------------


@bp.route("/calendar")
@allow(signed_in)
def calendar():
    feed = db.session.get(CalendarFeed, current_user.id)
    feed_url = None
    if feed is not None:
        feed_url = url_for("plan.calendar_feed", token=rules.calendar_token(feed),
                           _external=True)
    return render_template("plan/calendar.html", feed=feed, feed_url=feed_url)


@bp.route("/calendar/reset", methods=["POST"])
@allow(signed_in)
def calendar_reset():
    had_one = db.session.get(CalendarFeed, current_user.id) is not None
    rules.reset_calendar_feed(current_user._get_current_object())
    db.session.commit()
    flash(_("Your calendar has a new address; the previous one no longer works.") if had_one
          else _("Your calendar address is ready."), "success")
    return redirect_back("plan.calendar")


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    user = rules.user_for_calendar_token(token)
    if user is None:
        abort(404)
    network = g.network
    language = user.preferred_language or (network.default_language if network else "fr")
    actions, milestones = queries.calendar_entries(user)
    with force_locale(formatting_locale(language)):
        body = exports.calendar_ics(user, network, actions, milestones,
                                    request.host.split(":")[0])
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="action-plan.ics"'})


def register_template_globals(app) -> None:
    """The meetings' review item and templates call these (see planner/plan/__init__.py)."""
    from planner.plan import permissions as plan_permissions

    app.jinja_env.globals.update(
        plan_review_actions=queries.review_actions,
        plan_decision_actions=queries.decision_actions,
        plan_can=plan_permissions,
        plan_today=local_today,
        plan_labels=Labels(),
        plan_status=ActionStatus,
        plan_horizon_label=horizon_label,
        plan_horizon_labels=horizon_labels,
        plan_horizon_years=horizon_years,
        plan_horizons_form=horizons_form,
        plan_money=format_money,
        plan_url_stem=url_stem,
    )
    # As a filter too: a list's rows call it without the template's call machinery.
    app.add_template_filter(format_money, "plan_money")


def url_stem(endpoint: str, argument: str) -> str:
    """The address `url_for` builds for `endpoint` with the id `argument` left off the end
    ("/plan/actions/"), for a list's rows to append their ids: one url_for per list
    instead of one per row."""
    url = url_for(endpoint, **{argument: 0})
    if not url.endswith("/0"):
        raise ValueError(f"{endpoint} does not end with its {argument}")
    return url[:-1]


def format_money(amount) -> str:
    """An amount in the network's currency, in the reader's language: "1 200 000 MAD"."""
    if amount is None:
        return "—"
    currency = g.network.currency if g.get("network") else ""
    return f"{formatted('number', amount, '#,##0.##')}\u00a0{currency}".strip()


def horizon_years(horizon) -> str:
    """'2017–2019' for the medium term of the network, or '' when its years are not set."""
    network = g.get("network")
    key = horizon.value if hasattr(horizon, "value") else horizon
    if network is None:
        return ""
    start, end = getattr(network, f"{key}_term_start"), getattr(network, f"{key}_term_end")
    return f"{start}–{end}" if start and end else ""


def horizon_labels() -> dict:
    """Every horizon's label, for a list that names one per row."""
    return {horizon: horizon_label(horizon) for horizon in Horizon}


def horizon_label(horizon) -> str:
    years = horizon_years(horizon)
    label = translated_labels("horizon")[
        Horizon(horizon.value if hasattr(horizon, "value") else horizon)]
    return f"{label} ({years})" if years else label
