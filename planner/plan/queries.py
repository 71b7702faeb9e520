"""Reads the plan's pages need: every count, sum and derived flag is computed in SQL, and each
page runs a fixed number of queries whatever the number of action items."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from planner.core.time import utcnow
from planner.extensions import db
from planner.members.models import Member, User
from planner.plan.dates import local_today
from planner.plan.models import (
    CLOSED_STATUSES,
    ActionItem,
    ActionStatus,
    FundingSource,
    FundingStatus,
    Horizon,
    Milestone,
    Objective,
    ProgressUpdate,
    StrategicAxis,
)
from planner.proposals.models import Decision

PAGE_SIZE = 50
DUE_SOON_DAYS = 30
STALE_DAYS = 60
SECRETARIAT_OWNER = "secretariat"


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    """The action list's filters; `args()` gives them back as URL parameters."""

    axis: int | None = None
    objective: int | None = None
    horizon: Horizon | None = None
    owner: str | None = None  # SECRETARIAT_OWNER or a member id as text
    status: ActionStatus | None = None
    funding: int | None = None
    funding_status: FundingStatus | str | None = None  # "none": no funding status
    flag: str | None = None  # overdue, due_soon, stale
    sort: str = "tree"

    def args(self, **changes) -> dict:
        values = replace(self, **changes) if changes else self
        result = {}
        for key in ("axis", "objective", "horizon", "owner", "status", "funding",
                    "funding_status", "flag"):
            value = getattr(values, key)
            if value is not None and value != "":
                result[key] = value.value if hasattr(value, "value") else value
        if values.sort != "tree":
            result["sort"] = values.sort
        return result

    @property
    def active(self) -> bool:
        return bool({k: v for k, v in self.args().items() if k != "sort"})


def _last_update_subquery():
    return (
        select(
            ProgressUpdate.action_id.label("action_id"),
            func.max(ProgressUpdate.created_at).label("last_at"),
        )
        .group_by(ProgressUpdate.action_id)
        .subquery("last_updates")
    )


def open_condition():
    return ActionItem.status.not_in(CLOSED_STATUSES)


def due_soon_condition(today: date):
    return and_(
        open_condition(),
        ActionItem.due_on >= today,
        ActionItem.due_on <= today + timedelta(days=DUE_SOON_DAYS),
    )


def stale_condition(last_at_column):
    """Open, and neither updated nor created in the last 60 days."""
    limit = utcnow() - timedelta(days=STALE_DAYS)
    return and_(open_condition(), func.coalesce(last_at_column, ActionItem.created_at) < limit)


def _filtered(query: Select, filters: ActionFilters, last_updates) -> Select:
    today = local_today()
    if filters.axis is not None:
        query = query.where(Objective.axis_id == filters.axis)
    if filters.objective is not None:
        query = query.where(ActionItem.objective_id == filters.objective)
    if filters.horizon is not None:
        query = query.where(Objective.horizon == filters.horizon)
    if filters.owner == SECRETARIAT_OWNER:
        query = query.where(ActionItem.is_secretariat_owned.is_(True))
    elif filters.owner:
        query = query.where(ActionItem.owner_member_id == int(filters.owner))
    if filters.status is not None:
        query = query.where(ActionItem.status == filters.status)
    if filters.funding == 0:
        query = query.where(ActionItem.funding_source_id.is_(None))
    elif filters.funding is not None:
        query = query.where(ActionItem.funding_source_id == filters.funding)
    if filters.funding_status == "none":
        query = query.where(ActionItem.funding_status.is_(None))
    elif filters.funding_status is not None:
        query = query.where(ActionItem.funding_status == filters.funding_status)
    if filters.flag == "overdue":
        query = query.where(ActionItem.is_overdue)
    elif filters.flag == "due_soon":
        query = query.where(due_soon_condition(today))
    elif filters.flag == "stale":
        query = query.where(stale_condition(last_updates.c.last_at))
    return query


def _base(columns, filters: ActionFilters):
    last_updates = _last_update_subquery()
    query = (
        select(*columns)
        .select_from(ActionItem)
        .join(Objective, Objective.id == ActionItem.objective_id)
        .join(StrategicAxis, StrategicAxis.id == Objective.axis_id)
        .outerjoin(last_updates, last_updates.c.action_id == ActionItem.id)
    )
    return _filtered(query, filters, last_updates), last_updates


def _ordered(query: Select, sort: str) -> Select:
    if sort == "deadline":
        return query.order_by(ActionItem.due_on, ActionItem.id)
    if sort == "-deadline":
        return query.order_by(ActionItem.due_on.desc(), ActionItem.id.desc())
    return query.order_by(
        StrategicAxis.position, StrategicAxis.id, Objective.position, Objective.id,
        ActionItem.due_on, ActionItem.id,
    )


def _with_relations(query: Select) -> Select:
    return query.options(
        joinedload(ActionItem.objective),  # its axis comes joined with it
        joinedload(ActionItem.owner_member),
        joinedload(ActionItem.funding_source),
        joinedload(ActionItem.responsible_user),
    )


@dataclass
class ActionRow:
    action: ActionItem
    last_update_at: object  # datetime | None

    def __getattr__(self, name):
        return getattr(self.action, name)


@dataclass
class ActionPage:
    rows: list[ActionRow]
    total: int
    page: int
    pages: int
    page_size: int = PAGE_SIZE

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.page_size, self.total)


def action_page(filters: ActionFilters, page: int, page_size: int = PAGE_SIZE) -> ActionPage:
    """One page of the filtered list (two queries: the count and the rows)."""
    count_query, _ = _base([func.count(ActionItem.id)], filters)
    total = db.session.scalar(count_query) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    query, last_updates = _base([ActionItem], filters)
    query = _with_relations(_ordered(query.add_columns(last_updates.c.last_at), filters.sort))
    query = query.offset((page - 1) * page_size).limit(page_size)
    rows = [ActionRow(action, last_at) for action, last_at in db.session.execute(query).unique()]
    return ActionPage(rows=rows, total=total, page=page, pages=pages, page_size=page_size)


def all_filtered(filters: ActionFilters) -> list[ActionRow]:
    """Every action of the filtered list (the CSV export), in one query."""
    query, last_updates = _base([ActionItem], filters)
    query = _with_relations(_ordered(query.add_columns(last_updates.c.last_at), filters.sort))
    return [ActionRow(action, last_at) for action, last_at in db.session.execute(query).unique()]


def group_by_objective(rows: list[ActionRow]) -> list[tuple[StrategicAxis, list]]:
    """[(axis, [(objective, [rows])])] in the rows' order (already sorted by the tree)."""
    axes: list = []
    for row in rows:
        objective = row.action.objective
        if not axes or axes[-1][0].id != objective.axis_id:
            axes.append((objective.axis, []))
        objectives = axes[-1][1]
        if not objectives or objectives[-1][0].id != objective.id:
            objectives.append((objective, []))
        objectives[-1][1].append(row)
    return axes


# --- choices for forms and filters -------------------------------------------------------------


def axis_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(StrategicAxis.id, StrategicAxis.position, StrategicAxis.title)
        .order_by(StrategicAxis.position, StrategicAxis.id)
    )
    return [(str(axis_id), f"{position}. {title}") for axis_id, position, title in rows]


def objective_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Objective.id, StrategicAxis.position, Objective.position, Objective.title)
        .join(StrategicAxis, StrategicAxis.id == Objective.axis_id)
        .order_by(StrategicAxis.position, Objective.position, Objective.id)
    )
    return [(str(i), f"{a}.{o} {title}") for i, a, o, title in rows]


def owner_choices(secretariat_label: str, active_only: bool = True) -> list[tuple[str, str]]:
    query = select(Member.id, Member.short_name).order_by(Member.short_name)
    if active_only:
        query = query.where(Member.is_active.is_(True))
    return [(SECRETARIAT_OWNER, secretariat_label),
            *((str(member_id), name) for member_id, name in db.session.execute(query))]


def funding_choices(active_only: bool = False) -> list[tuple[str, str]]:
    query = select(FundingSource.id, FundingSource.name).order_by(FundingSource.name)
    if active_only:
        query = query.where(FundingSource.is_active.is_(True))
    return [(str(source_id), name) for source_id, name in db.session.execute(query)]


def account_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(User.id, User.full_name)
        .where(User.is_active_account.is_(True))
        .order_by(User.full_name)
    )
    return [(str(user_id), name) for user_id, name in rows]


# --- strategy tree ----------------------------------------------------------------------------


def _progress_columns():
    """Progress figures of a group of actions; cancelled actions do not count.

    weighted: the average progress weighted by estimated cost, over the actions with a
    cost; plain: the simple average over all counted actions.
    """
    counted = ActionItem.status != ActionStatus.CANCELLED
    has_cost = and_(counted, ActionItem.estimated_cost > 0)
    return (
        func.count(ActionItem.id).label("actions"),
        func.sum(case((counted, 1), else_=0)).label("counted"),
        func.sum(case((ActionItem.status == ActionStatus.DONE, 1), else_=0)).label("done"),
        func.sum(case((ActionItem.is_overdue, 1), else_=0)).label("overdue"),
        func.sum(case((ActionItem.status == ActionStatus.BLOCKED, 1), else_=0)).label("blocked"),
        func.avg(case((counted, ActionItem.progress), else_=None)).label("plain"),
        func.sum(case((has_cost, ActionItem.progress * ActionItem.estimated_cost),
                      else_=None)).label("weighted_sum"),
        func.sum(case((has_cost, ActionItem.estimated_cost), else_=None)).label("cost_weight"),
        func.sum(case((counted, ActionItem.estimated_cost), else_=None)).label("cost"),
    )


@dataclass
class Progress:
    """A group's progress: weighted by cost where costs are set, else the plain average."""

    actions: int = 0
    counted: int = 0
    done: int = 0
    overdue: int = 0
    blocked: int = 0
    plain: float | None = None
    weighted: float | None = None
    cost: Decimal = Decimal(0)

    @property
    def percent(self) -> int | None:
        value = self.weighted if self.weighted is not None else self.plain
        return None if value is None else round(value)

    @property
    def is_weighted(self) -> bool:
        return self.weighted is not None

    @classmethod
    def from_row(cls, row) -> "Progress":
        weighted = None
        if row.cost_weight:
            weighted = float(row.weighted_sum or 0) / float(row.cost_weight)
        return cls(
            actions=row.actions or 0, counted=int(row.counted or 0), done=int(row.done or 0),
            overdue=int(row.overdue or 0), blocked=int(row.blocked or 0),
            plain=None if row.plain is None else float(row.plain), weighted=weighted,
            cost=Decimal(str(row.cost or 0)),
        )


@dataclass
class ObjectiveNode:
    objective: Objective
    progress: Progress


@dataclass
class AxisNode:
    axis: StrategicAxis
    progress: Progress
    objectives: list[ObjectiveNode] = field(default_factory=list)


def strategy_tree() -> list[AxisNode]:
    """Axes → objectives (with indicators), each with its progress: four queries."""
    axes = list(db.session.scalars(
        select(StrategicAxis)
        .options(selectinload(StrategicAxis.objectives).selectinload(Objective.indicators))
        .order_by(StrategicAxis.position, StrategicAxis.id)
    ))
    by_objective = {
        row.objective_id: Progress.from_row(row)
        for row in db.session.execute(
            select(ActionItem.objective_id, *_progress_columns()).group_by(ActionItem.objective_id)
        )
    }
    by_axis = {
        row.axis_id: Progress.from_row(row)
        for row in db.session.execute(
            select(Objective.axis_id, *_progress_columns())
            .join(Objective, Objective.id == ActionItem.objective_id)
            .group_by(Objective.axis_id)
        )
    }
    return [
        AxisNode(
            axis=axis,
            progress=by_axis.get(axis.id, Progress()),
            objectives=[
                ObjectiveNode(objective, by_objective.get(objective.id, Progress()))
                for objective in axis.objectives
            ],
        )
        for axis in axes
    ]


def objective_detail(objective_id: int) -> tuple[Objective, Progress] | None:
    objective = db.session.scalar(
        select(Objective)
        .options(selectinload(Objective.indicators))
        .where(Objective.id == objective_id)
    )
    if objective is None:
        return None
    row = db.session.execute(
        select(*_progress_columns()).where(ActionItem.objective_id == objective_id)
    ).one()
    return objective, Progress.from_row(row)


# --- one action -------------------------------------------------------------------------------


def action_detail(action_id: int) -> ActionItem | None:
    return db.session.scalar(
        select(ActionItem)
        .options(
            joinedload(ActionItem.objective),
            joinedload(ActionItem.decision).joinedload(Decision.round),
            joinedload(ActionItem.owner_member),
            joinedload(ActionItem.funding_source),
            joinedload(ActionItem.responsible_user),
            selectinload(ActionItem.milestones),
            selectinload(ActionItem.updates),  # authors come joined
        )
        .where(ActionItem.id == action_id)
    )


# --- the secretariat's follow-up --------------------------------------------------------------


@dataclass
class OwnerCounts:
    owner: str  # filter value: SECRETARIAT_OWNER or the member id
    label: str
    overdue: int = 0
    due_soon: int = 0
    blocked: int = 0
    stale: int = 0


@dataclass
class FollowUp:
    owners: list[OwnerCounts]
    totals: dict[str, int]
    by_axis: list[tuple[StrategicAxis, Progress]]
    by_horizon: list[tuple[Horizon, Progress]]
    funding: list[dict]
    funding_totals: dict
    overall: Progress


def follow_up(secretariat_label: str) -> FollowUp:
    """Every figure of the follow-up page, in six queries whatever the number of actions."""
    today = local_today()
    last_updates = _last_update_subquery()
    owner_key = func.coalesce(ActionItem.owner_member_id, 0)
    flags = (
        func.sum(case((ActionItem.is_overdue, 1), else_=0)).label("overdue"),
        func.sum(case((due_soon_condition(today), 1), else_=0)).label("due_soon"),
        func.sum(case((ActionItem.status == ActionStatus.BLOCKED, 1), else_=0)).label("blocked"),
        func.sum(case((stale_condition(last_updates.c.last_at), 1), else_=0)).label("stale"),
    )
    rows = db.session.execute(
        select(owner_key.label("owner_id"), func.max(Member.short_name).label("name"), *flags)
        .select_from(ActionItem)
        .outerjoin(Member, Member.id == ActionItem.owner_member_id)
        .outerjoin(last_updates, last_updates.c.action_id == ActionItem.id)
        .where(open_condition())
        .group_by(owner_key)
    ).all()
    owners = []
    for row in rows:
        counts = OwnerCounts(
            owner=SECRETARIAT_OWNER if row.owner_id == 0 else str(row.owner_id),
            label=secretariat_label if row.owner_id == 0 else row.name,
            overdue=int(row.overdue or 0), due_soon=int(row.due_soon or 0),
            blocked=int(row.blocked or 0), stale=int(row.stale or 0),
        )
        if counts.overdue or counts.due_soon or counts.blocked or counts.stale:
            owners.append(counts)
    owners.sort(key=lambda c: (c.owner != SECRETARIAT_OWNER, c.label.lower()))
    totals = {key: sum(getattr(c, key) for c in owners)
              for key in ("overdue", "due_soon", "blocked", "stale")}

    axes = {axis.id: axis for axis in db.session.scalars(
        select(StrategicAxis).order_by(StrategicAxis.position, StrategicAxis.id))}
    axis_progress = {
        row.axis_id: Progress.from_row(row)
        for row in db.session.execute(
            select(Objective.axis_id, *_progress_columns())
            .join(Objective, Objective.id == ActionItem.objective_id)
            .group_by(Objective.axis_id)
        )
    }
    by_axis = [(axis, axis_progress.get(axis_id, Progress())) for axis_id, axis in axes.items()]
    horizon_progress = {
        row.horizon: Progress.from_row(row)
        for row in db.session.execute(
            select(Objective.horizon, *_progress_columns())
            .join(Objective, Objective.id == ActionItem.objective_id)
            .group_by(Objective.horizon)
        )
    }
    by_horizon = [(horizon, horizon_progress.get(horizon, Progress())) for horizon in Horizon]
    overall = Progress.from_row(db.session.execute(select(*_progress_columns())).one())

    funding_rows = db.session.execute(
        select(
            ActionItem.funding_source_id, func.max(FundingSource.name).label("name"),
            ActionItem.funding_status,
            func.count(ActionItem.id).label("actions"),
            func.sum(case((ActionItem.status != ActionStatus.CANCELLED,
                           ActionItem.estimated_cost), else_=None)).label("cost"),
        )
        .select_from(ActionItem)
        .outerjoin(FundingSource, FundingSource.id == ActionItem.funding_source_id)
        .group_by(ActionItem.funding_source_id, ActionItem.funding_status)
    ).all()
    funding = _funding_table(funding_rows)
    funding_totals = {"actions": sum(f["actions"] for f in funding),
                      "cost": sum((f["cost"] for f in funding), Decimal(0))}
    for status in [*FundingStatus, None]:
        funding_totals[status] = sum((f["by_status"].get(status, Decimal(0)) for f in funding),
                                     Decimal(0))
    return FollowUp(owners, totals, by_axis, by_horizon, funding, funding_totals, overall)


def _funding_table(rows) -> list[dict]:
    sources: dict = defaultdict(lambda: {"actions": 0, "cost": Decimal(0), "by_status": {},
                                         "count_by_status": {}})
    for row in rows:
        entry = sources[row.funding_source_id]
        entry["source_id"] = row.funding_source_id
        entry["name"] = row.name
        entry["actions"] += row.actions
        cost = Decimal(str(row.cost or 0))
        entry["cost"] += cost
        entry["by_status"][row.funding_status] = (
            entry["by_status"].get(row.funding_status, Decimal(0)) + cost)
        entry["count_by_status"][row.funding_status] = row.actions
    return sorted(sources.values(),
                  key=lambda e: (e["source_id"] is None, (e["name"] or "").lower()))


# --- home page, meetings and calendars --------------------------------------------------------


@dataclass
class HomeSummary:
    upcoming: list[ActionItem]
    open_count: int
    overdue: int
    due_soon: int
    blocked: int
    stale: int


def home_summary(member_id: int | None) -> HomeSummary:
    """The counts of open actions (of one cluster, or of all) and the next five deadlines."""
    today = local_today()
    last_updates = _last_update_subquery()
    scope = [open_condition()]
    if member_id is not None:
        scope.append(ActionItem.owner_member_id == member_id)
    counts = db.session.execute(
        select(
            func.count(ActionItem.id).label("open"),
            func.sum(case((ActionItem.is_overdue, 1), else_=0)).label("overdue"),
            func.sum(case((due_soon_condition(today), 1), else_=0)).label("due_soon"),
            func.sum(case((ActionItem.status == ActionStatus.BLOCKED, 1), else_=0))
            .label("blocked"),
            func.sum(case((stale_condition(last_updates.c.last_at), 1), else_=0)).label("stale"),
        )
        .select_from(ActionItem)
        .outerjoin(last_updates, last_updates.c.action_id == ActionItem.id)
        .where(*scope)
    ).one()
    upcoming = []
    if member_id is not None:
        upcoming = list(db.session.scalars(
            select(ActionItem)
            .options(joinedload(ActionItem.objective))
            .where(*scope)
            .order_by(ActionItem.due_on, ActionItem.id)
            .limit(5)
        ))
    return HomeSummary(upcoming, counts.open or 0, int(counts.overdue or 0),
                       int(counts.due_soon or 0), int(counts.blocked or 0),
                       int(counts.stale or 0))


def review_actions() -> list[tuple[ActionItem, ProgressUpdate | None]]:
    """Open actions with their latest update, for a meeting's review item: one query."""
    latest = (
        select(func.max(ProgressUpdate.id).label("update_id"), ProgressUpdate.action_id)
        .group_by(ProgressUpdate.action_id)
        .subquery("latest")
    )
    rows = db.session.execute(
        select(ActionItem, ProgressUpdate)
        .outerjoin(latest, latest.c.action_id == ActionItem.id)
        .outerjoin(ProgressUpdate, ProgressUpdate.id == latest.c.update_id)
        .join(Objective, Objective.id == ActionItem.objective_id)
        .join(StrategicAxis, StrategicAxis.id == Objective.axis_id)
        .options(joinedload(ActionItem.owner_member), joinedload(ActionItem.objective))
        .where(open_condition())
        .order_by(StrategicAxis.position, Objective.position, ActionItem.due_on, ActionItem.id)
    ).unique()
    return [(action, update) for action, update in rows]


def calendar_entries(user: User) -> tuple[list[ActionItem], list[Milestone]]:
    """A person's deadlines and milestones: their cluster's and those they are responsible
    for; the secretariat and observers follow the whole plan. Two queries."""
    scope = [ActionItem.status != ActionStatus.CANCELLED]
    if not user.is_secretariat and not user.is_observer:
        mine = [ActionItem.responsible_user_id == user.id]
        if user.member_id is not None:
            mine.append(ActionItem.owner_member_id == user.member_id)
        scope.append(or_(*mine))
    actions = list(db.session.scalars(
        select(ActionItem)
        .options(joinedload(ActionItem.owner_member), joinedload(ActionItem.objective))
        .where(*scope)
        .order_by(ActionItem.due_on, ActionItem.id)
    ))
    milestones = list(db.session.scalars(
        select(Milestone)
        .options(joinedload(Milestone.action).joinedload(ActionItem.owner_member))
        .join(ActionItem, ActionItem.id == Milestone.action_id)
        .where(*scope)
        .order_by(Milestone.due_on, Milestone.id)
    ))
    return actions, milestones


def funding_sources() -> list[tuple[FundingSource, int]]:
    rows = db.session.execute(
        select(FundingSource, func.count(ActionItem.id))
        .outerjoin(ActionItem, ActionItem.funding_source_id == FundingSource.id)
        .group_by(FundingSource.id)
        .order_by(FundingSource.name)
    )
    return [(source, count) for source, count in rows]


def milestones_for(action_ids: list[int]) -> list[Milestone]:
    if not action_ids:
        return []
    return list(db.session.scalars(
        select(Milestone).where(Milestone.action_id.in_(action_ids)).order_by(Milestone.due_on)
    ))


@dataclass
class HomeCards:
    cluster: HomeSummary | None = None
    network: HomeSummary | None = None


def home_cards(user: User) -> HomeCards:
    """A director sees their cluster's next deadlines; the secretariat, the network's counts."""
    return HomeCards(
        cluster=home_summary(user.member_id) if user.member_id is not None else None,
        network=home_summary(None) if user.is_secretariat else None,
    )


def decision_actions(decision_id: int) -> list[ActionItem]:
    """The actions an adopted decision led to, for the decision's page: one query."""
    return list(db.session.scalars(
        select(ActionItem)
        .options(joinedload(ActionItem.owner_member))
        .where(ActionItem.decision_id == decision_id)
        .order_by(ActionItem.due_on, ActionItem.id)
    ))


def decision_for_new_action(decision_id: int) -> Decision | None:
    return db.session.scalar(
        select(Decision).options(joinedload(Decision.round)).where(Decision.id == decision_id)
    )
