"""State changes of the action plan: strategy, action items, progress, milestones, funding."""

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from planner.core import audit
from planner.core.permissions import can_manage_plan
from planner.core.rules import RuleError
from planner.core.time import utcnow
from planner.extensions import db
from planner.members.models import Member, Network, User
from planner.plan.dates import local_today
from planner.plan.models import (
    REASON_STATUSES,
    ActionItem,
    ActionStatus,
    CalendarFeed,
    FundingSource,
    FundingStatus,
    Horizon,
    Indicator,
    Milestone,
    Objective,
    ProgressUpdate,
    StrategicAxis,
)
from planner.plan.permissions import can_cancel_action, can_update_action
from planner.proposals.models import Decision, Outcome

SECRETARIAT_OWNER = "secretariat"  # the owner choice that is not a member cluster


def _require_plan_manager(actor: User | None) -> None:
    if actor is None or not can_manage_plan(actor):
        raise RuleError(_("Only the secretariat can change the strategy and the action plan."), 403)


def _check_version(record, version: int | None, message) -> None:
    """A stale save (someone saved in between) is refused; `message` is a lazy string."""
    if version is not None and version != record.version:
        raise RuleError(str(message), 409)


def _changes(record, values: dict) -> dict:
    """{field: [before, after]} for the audit log, only for what changes."""
    return {
        key: [getattr(record, key), value]
        for key, value in values.items()
        if getattr(record, key) != value
    }


# --- the network's horizons ------------------------------------------------------------------

HORIZON_FIELDS = ("medium_term_start", "medium_term_end", "long_term_start", "long_term_end")


def set_horizons(actor: User, network: Network, **years: int | None) -> Network:
    """The years of the medium and long term, e.g. 2017-2019 and 2020-2025."""
    _require_plan_manager(actor)
    for key in HORIZON_FIELDS:
        value = years.get(key)
        if value is not None and not 1900 <= value <= 2200:
            raise RuleError(_("Give a year with four digits, e.g. 2019."), field=key)
    for start, end in (("medium_term_start", "medium_term_end"),
                       ("long_term_start", "long_term_end")):
        if (years.get(start) is None) != (years.get(end) is None):
            missing = end if years.get(end) is None else start
            raise RuleError(_("Give both the first and the last year."), field=missing)
        if years.get(start) is not None and years[end] < years[start]:
            raise RuleError(_("The last year cannot come before the first year."), field=end)
    if years.get("long_term_start") is not None and years.get("medium_term_end") is not None \
            and years["long_term_start"] <= years["medium_term_end"]:
        raise RuleError(_("The long term starts after the medium term ends."),
                        field="long_term_start")
    changes = _changes(network, {key: years.get(key) for key in HORIZON_FIELDS})
    for key in HORIZON_FIELDS:
        setattr(network, key, years.get(key))
    db.session.flush()
    audit.record(actor, "network.horizons_set", network, changes=changes)
    return network


# --- strategy: axes, objectives, indicators ---------------------------------------------------


def _next_position(column, *where) -> int:
    return (db.session.scalar(select(func.max(column)).where(*where)) or 0) + 1


def create_axis(actor: User, *, title: str, description: str = "",
                position: int | None = None) -> StrategicAxis:
    _require_plan_manager(actor)
    _check_axis_title(title, None)
    axis = StrategicAxis(
        title=title, description=description,
        position=position or _next_position(StrategicAxis.position),
    )
    db.session.add(axis)
    db.session.flush()
    audit.record(actor, "axis.created", axis, title=title)
    return axis


def _check_axis_title(title: str, exclude_id: int | None) -> None:
    query = select(StrategicAxis.id).where(StrategicAxis.title == title)
    if exclude_id is not None:
        query = query.where(StrategicAxis.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise RuleError(_("Another strategic axis already has this title."), 409, field="title")


def update_axis(actor: User, axis: StrategicAxis, version: int | None, *, title: str,
                description: str, position: int) -> StrategicAxis:
    _require_plan_manager(actor)
    _check_version(axis, version, _l(
        "Someone else changed this axis while you were editing it. The current values are "
        "shown below: check them and save again."))
    _check_axis_title(title, axis.id)
    if position < 1:
        raise RuleError(_("The position starts at 1."), field="position")
    values = {"title": title, "description": description, "position": position}
    changes = _changes(axis, values)
    for key, value in values.items():
        setattr(axis, key, value)
    db.session.flush()
    audit.record(actor, "axis.updated", axis, changes=changes)
    return axis


def delete_axis(actor: User, axis: StrategicAxis) -> None:
    _require_plan_manager(actor)
    if db.session.scalar(select(func.count(Objective.id)).where(Objective.axis_id == axis.id)):
        raise RuleError(
            _("This axis still has objectives: move or delete them first."), 409
        )
    audit.record(actor, "axis.deleted", axis, title=axis.title)
    db.session.delete(axis)
    db.session.flush()


def _load_axis(axis_id: int | None) -> StrategicAxis:
    axis = db.session.get(StrategicAxis, axis_id) if axis_id else None
    if axis is None:
        raise RuleError(_("Choose the strategic axis of this objective."), field="axis_id")
    return axis


def create_objective(actor: User, *, axis_id: int | None, title: str, horizon: Horizon,
                     description: str = "", position: int | None = None) -> Objective:
    _require_plan_manager(actor)
    axis = _load_axis(axis_id)
    objective = Objective(
        axis_id=axis.id, title=title, description=description, horizon=horizon,
        position=position or _next_position(Objective.position, Objective.axis_id == axis.id),
    )
    db.session.add(objective)
    db.session.flush()
    audit.record(actor, "objective.created", objective, title=title, axis=axis.title)
    return objective


def update_objective(actor: User, objective: Objective, version: int | None, *,
                     axis_id: int | None, title: str, horizon: Horizon, description: str,
                     position: int) -> Objective:
    _require_plan_manager(actor)
    _check_version(objective, version, _l(
        "Someone else changed this objective while you were editing it. The current values "
        "are shown below: check them and save again."))
    axis = _load_axis(axis_id)
    if position < 1:
        raise RuleError(_("The position starts at 1."), field="position")
    values = {"axis_id": axis.id, "title": title, "horizon": horizon,
              "description": description, "position": position}
    changes = _changes(objective, values)
    for key, value in values.items():
        setattr(objective, key, value)
    db.session.flush()
    audit.record(actor, "objective.updated", objective, changes=changes)
    return objective


def delete_objective(actor: User, objective: Objective) -> None:
    _require_plan_manager(actor)
    count = db.session.scalar(
        select(func.count(ActionItem.id)).where(ActionItem.objective_id == objective.id)
    )
    if count:
        raise RuleError(
            _("This objective still has action items: move or delete them first."), 409
        )
    audit.record(actor, "objective.deleted", objective, title=objective.title)
    db.session.delete(objective)
    db.session.flush()


@dataclass
class IndicatorValues:
    name: str
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    target_year: int | None = None
    latest_value: Decimal | None = None
    latest_value_on: date | None = None


def _check_indicator(values: IndicatorValues) -> None:
    if values.target_year is not None and not 1900 <= values.target_year <= 2200:
        raise RuleError(_("Give the target year with four digits, e.g. 2025."),
                        field="target_year")
    if (values.latest_value is None) != (values.latest_value_on is None):
        field = "latest_value_on" if values.latest_value is not None else "latest_value"
        raise RuleError(_("Give the latest value together with the date it was measured."),
                        field=field)
    if values.latest_value_on is not None and values.latest_value_on > local_today():
        raise RuleError(_("The latest value cannot be measured in the future."),
                        field="latest_value_on")


def create_indicator(actor: User, objective: Objective, values: IndicatorValues) -> Indicator:
    _require_plan_manager(actor)
    _check_indicator(values)
    indicator = Indicator(objective_id=objective.id, **vars(values))
    db.session.add(indicator)
    db.session.flush()
    audit.record(actor, "indicator.created", indicator, name=values.name,
                 objective=objective.id)
    return indicator


def update_indicator(actor: User, indicator: Indicator, version: int | None,
                     values: IndicatorValues) -> Indicator:
    _require_plan_manager(actor)
    _check_version(indicator, version, _l(
        "Someone else changed this indicator while you were editing it. The current values "
        "are shown below: check them and save again."))
    _check_indicator(values)
    changes = _changes(indicator, vars(values))
    for key, value in vars(values).items():
        setattr(indicator, key, value)
    db.session.flush()
    audit.record(actor, "indicator.updated", indicator, changes=changes)
    return indicator


def delete_indicator(actor: User, indicator: Indicator) -> None:
    _require_plan_manager(actor)
    audit.record(actor, "indicator.deleted", indicator, name=indicator.name)
    db.session.delete(indicator)
    db.session.flush()


# --- funding sources --------------------------------------------------------------------------


def _check_source_name(name: str, exclude_id: int | None) -> None:
    query = select(FundingSource.id).where(func.lower(FundingSource.name) == name.lower())
    if exclude_id is not None:
        query = query.where(FundingSource.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise RuleError(_("A funding source with this name already exists."), 409, field="name")


def create_funding_source(actor: User, *, name: str, description: str = "") -> FundingSource:
    _require_plan_manager(actor)
    _check_source_name(name, None)
    source = FundingSource(name=name, description=description, is_active=True)
    db.session.add(source)
    db.session.flush()
    audit.record(actor, "funding_source.created", source, name=name)
    return source


def update_funding_source(actor: User, source: FundingSource, version: int | None, *,
                          name: str, description: str, is_active: bool) -> FundingSource:
    _require_plan_manager(actor)
    _check_version(source, version, _l(
        "Someone else changed this funding source while you were editing it. The current "
        "values are shown below: check them and save again."))
    _check_source_name(name, source.id)
    values = {"name": name, "description": description, "is_active": is_active}
    changes = _changes(source, values)
    for key, value in values.items():
        setattr(source, key, value)
    db.session.flush()
    audit.record(actor, "funding_source.updated", source, changes=changes)
    return source


# --- action items -----------------------------------------------------------------------------


@dataclass
class ActionValues:
    """What the secretariat enters for an action item (the form's fields, typed)."""

    objective_id: int | None
    title: str
    owner: str  # SECRETARIAT_OWNER or a member cluster's id
    starts_on: date | None
    due_on: date | None
    description: str = ""
    responsible_user_id: int | None = None
    responsible_name: str = ""
    status: ActionStatus = ActionStatus.PLANNED
    status_reason: str = ""
    progress: int | None = 0
    confirm_complete: bool = False
    estimated_cost: Decimal | None = None
    funding_source_id: int | None = None
    funding_status: FundingStatus | None = None


def _owner(owner: str) -> tuple[int | None, bool]:
    """(owner_member_id, is_secretariat_owned) for an owner choice, or RuleError."""
    if owner == SECRETARIAT_OWNER:
        return None, True
    member = None
    if str(owner).isdigit():
        member = db.session.get(Member, int(owner))
    if member is None or not member.is_active:
        raise RuleError(
            _("Unknown owner: choose one of the active member clusters or the secretariat."),
            field="owner",
        )
    return member.id, False


def _check_progress(progress: int | None, status: ActionStatus, reason: str,
                    confirm_complete: bool, field_prefix: str = "") -> int:
    """The progress to store: refuses values outside 0-100 and "done" below 100 % unless
    the person confirmed that done means 100 %."""
    if progress is None or not 0 <= progress <= 100:
        raise RuleError(_("Progress is a percentage: give a whole number from 0 to 100."),
                        field="progress")
    if status == ActionStatus.DONE and progress < 100:
        if not confirm_complete:
            raise RuleError(
                _("You marked the action done but its progress is %(progress)d %%. Tick "
                  "the box to record it as done at 100 %%, or set the progress to 100.",
                  progress=progress),
                field="confirm_complete",
            )
        progress = 100
    if status in REASON_STATUSES and not (reason or "").strip():
        message = (_("Say why the action is blocked.") if status == ActionStatus.BLOCKED
                   else _("Say why the action is cancelled."))
        raise RuleError(message, field="status_reason")
    return progress


def _check_action_values(values: ActionValues, action: ActionItem | None) -> dict:
    """Every check that needs the database; returns the column values to store."""
    objective = db.session.get(Objective, values.objective_id) if values.objective_id else None
    if objective is None:
        raise RuleError(_("Choose the objective this action serves."), field="objective_id")
    owner_member_id, is_secretariat_owned = _owner(values.owner)
    responsible_user_id = values.responsible_user_id
    responsible_name = (values.responsible_name or "").strip()
    if responsible_user_id is not None and responsible_name:
        raise RuleError(
            _("Choose an account or type the name of a contact, not both."),
            field="responsible_name",
        )
    if responsible_user_id is not None:
        person = db.session.get(User, responsible_user_id)
        if person is None or not person.is_active:
            raise RuleError(_("This account does not exist or is deactivated."),
                            field="responsible_user_id")
    if values.starts_on is None:
        raise RuleError(_("Give the start date."), field="starts_on")
    if values.due_on is None:
        raise RuleError(_("Give the deadline."), field="due_on")
    if values.due_on < values.starts_on:
        raise RuleError(
            _("The deadline (%(due)s) is before the start date (%(start)s).",
              due=format_date(values.due_on), start=format_date(values.starts_on)),
            field="due_on",
        )
    progress = _check_progress(values.progress, values.status, values.status_reason,
                               values.confirm_complete)
    if values.estimated_cost is not None and values.estimated_cost < 0:
        raise RuleError(_("The estimated cost cannot be negative."), field="estimated_cost")
    if values.funding_source_id is not None:
        if db.session.get(FundingSource, values.funding_source_id) is None:
            raise RuleError(_("This funding source does not exist."), field="funding_source_id")
    elif values.funding_status is not None:
        raise RuleError(_("Choose the funding source this funding status refers to."),
                        field="funding_source_id")
    if action is not None:
        _check_milestones_fit(action, values.starts_on, values.due_on)
    return {
        "objective_id": objective.id,
        "title": values.title.strip(),
        "description": values.description,
        "owner_member_id": owner_member_id,
        "is_secretariat_owned": is_secretariat_owned,
        "responsible_user_id": responsible_user_id,
        "responsible_name": responsible_name,
        "starts_on": values.starts_on,
        "due_on": values.due_on,
        "status": values.status,
        "status_reason": values.status_reason.strip() if values.status in REASON_STATUSES
        else "",
        "progress": progress,
        "estimated_cost": values.estimated_cost,
        "funding_source_id": values.funding_source_id,
        "funding_status": values.funding_status,
    }


def _check_milestones_fit(action: ActionItem, starts_on: date, due_on: date) -> None:
    outside = db.session.scalars(
        select(Milestone).where(
            Milestone.action_id == action.id,
            (Milestone.due_on < starts_on) | (Milestone.due_on > due_on),
        ).order_by(Milestone.due_on)
    ).first()
    if outside is not None:
        raise RuleError(
            _("The milestone “%(title)s” (%(date)s) would fall outside the new dates: move "
              "or delete it first.", title=outside.title, date=format_date(outside.due_on)),
            field="due_on" if outside.due_on > due_on else "starts_on",
        )


def create_action(actor: User, values: ActionValues, *, decision_id: int | None = None
                  ) -> ActionItem:
    _require_plan_manager(actor)
    columns = _check_action_values(values, None)
    action = ActionItem(**columns, created_by_id=actor.id)
    if decision_id is not None:
        _link_decision(action, decision_id)
    db.session.add(action)
    db.session.flush()
    audit.record(actor, "action.created", action, title=action.title,
                 owner=values.owner, due_on=action.due_on, decision_id=decision_id)
    return action


def _link_decision(action: ActionItem, decision_id: int) -> None:
    """Set the decision an action comes from; it must exist and be adopted."""
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise RuleError(_("This decision does not exist."), 404, field="decision_id")
    if decision.outcome != Outcome.ADOPTED:
        raise RuleError(
            _("Only an adopted decision can lead to actions; this one was not adopted."),
            409, field="decision_id",
        )
    action.decision_id = decision.id


def update_action(actor: User, action: ActionItem, version: int | None,
                  values: ActionValues) -> ActionItem:
    _require_plan_manager(actor)
    _check_version(action, version, _l(
        "Someone else changed this action while you were editing it. The current values are "
        "shown below: check them and save again."))
    columns = _check_action_values(values, action)
    changes = _changes(action, columns)
    for key, value in columns.items():
        setattr(action, key, value)
    db.session.flush()
    audit.record(actor, "action.updated", action, changes=changes)
    return action


def post_update(actor: User, action: ActionItem, version: int | None, *, text: str,
                progress: int | None, status: ActionStatus, status_reason: str = "",
                confirm_complete: bool = False) -> ProgressUpdate:
    """A dated progress report by the owner's director or the secretariat; kept as history."""
    if actor is None or not can_update_action(actor, action):
        raise RuleError(
            _("Only the director of the owning cluster or the secretariat can update this "
              "action."), 403)
    if status == ActionStatus.CANCELLED and action.status != ActionStatus.CANCELLED \
            and not can_cancel_action(actor):
        raise RuleError(_("Only the secretariat can cancel an action."), 403, field="status")
    _check_version(action, version, _l(
        "Someone else updated this action while you were writing. The current values are "
        "shown below: check them and send your update again."))
    if not (text or "").strip():
        raise RuleError(_("Say what was done or what changed."), field="text")
    progress = _check_progress(progress, status, status_reason, confirm_complete)
    reason = status_reason.strip() if status in REASON_STATUSES else ""
    update = ProgressUpdate(
        action_id=action.id, author_id=actor.id, text=text.strip(), progress=progress,
        status=status, status_reason=reason,
        previous_progress=action.progress, previous_status=action.status,
    )
    action.progress = progress
    action.status = status
    action.status_reason = reason
    # No flush of its own: the report and the action's new values are written with the
    # transaction's next flush (at the latest its commit), in one unit of work with whatever
    # else is pending; the audit event, which needs nothing of them, does not force it. The
    # version moves on now, as a flush would move it: a second report in the same transaction
    # that carries the version read before is refused like any stale save, and the flush's
    # UPDATE still matches the version stored (WHERE version = the committed one), so a save
    # by someone else in between fails as before.
    action.version = action.version + 1
    db.session.add(update)
    with db.session.no_autoflush:
        audit.record(actor, "action.progress_updated", action, progress=progress,
                     status=status.value, previous_status=update.previous_status.value)
    return update


# --- milestones -------------------------------------------------------------------------------


def add_milestone(actor: User, action: ActionItem, *, title: str, due_on: date | None
                  ) -> Milestone:
    _require_plan_manager(actor)
    if not (title or "").strip():
        raise RuleError(_("Give the milestone a title."), field="title")
    if due_on is None:
        raise RuleError(_("Give the milestone's date."), field="due_on")
    if not action.starts_on <= due_on <= action.due_on:
        raise RuleError(
            _("The milestone must fall within the action's dates, from %(start)s to %(due)s.",
              start=format_date(action.starts_on), due=format_date(action.due_on)),
            field="due_on",
        )
    milestone = Milestone(action_id=action.id, title=title.strip(), due_on=due_on)
    db.session.add(milestone)
    db.session.flush()
    audit.record(actor, "milestone.created", milestone, action_id=action.id, due_on=due_on)
    return milestone


def set_milestone_done(actor: User, milestone: Milestone, action: ActionItem, done: bool
                       ) -> Milestone:
    if actor is None or not can_update_action(actor, action):
        raise RuleError(
            _("Only the director of the owning cluster or the secretariat can update this "
              "action."), 403)
    if milestone.is_done == done:
        return milestone
    milestone.is_done = done
    milestone.done_at = utcnow() if done else None
    db.session.flush()
    audit.record(actor, "milestone.done" if done else "milestone.reopened", milestone,
                 action_id=action.id)
    return milestone


def delete_milestone(actor: User, milestone: Milestone) -> None:
    _require_plan_manager(actor)
    audit.record(actor, "milestone.deleted", milestone, title=milestone.title,
                 action_id=milestone.action_id)
    db.session.delete(milestone)
    db.session.flush()


# --- private calendar feeds -------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="plan-calendar-feed")


def calendar_token(feed: CalendarFeed) -> str:
    """The secret part of the feed's address: signed, so the database alone cannot forge it."""
    return _serializer().dumps([feed.user_id, feed.nonce])


def reset_calendar_feed(actor: User) -> CalendarFeed:
    """Give `actor` a new calendar address; the previous one stops working at once."""
    feed = db.session.get(CalendarFeed, actor.id)
    created = feed is None
    if feed is None:
        feed = CalendarFeed(user_id=actor.id)
        db.session.add(feed)
    feed.nonce = secrets.token_urlsafe(24)
    feed.created_at = utcnow()
    db.session.flush()
    audit.record(actor, "calendar_feed.created" if created else "calendar_feed.reset", actor)
    return feed


def user_for_calendar_token(token: str) -> User | None:
    """The active account a feed address belongs to, or None for any wrong or old address."""
    try:
        user_id, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    feed = db.session.get(CalendarFeed, user_id) if isinstance(user_id, int) else None
    if feed is None or not isinstance(nonce, str) or not secrets.compare_digest(feed.nonce, nonce):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None
