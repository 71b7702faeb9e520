"""Reads the plan's pages need: every count, sum and derived flag is computed in SQL, and each
page runs a fixed number of queries whatever the number of action items."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from planner.core.listing import PAGE_SIZE, Capped, Page, page_bounds
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
from planner.plan.revision import kept
from planner.proposals.models import Decision

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


def last_update_at():
    """The action's latest progress update time, as a correlated subquery: one look-up in
    the (action_id, created_at) index per action read, instead of grouping every update of
    the plan for each page."""
    return (
        select(func.max(ProgressUpdate.created_at))
        .where(ProgressUpdate.action_id == ActionItem.id)
        .correlate(ActionItem)
        .scalar_subquery()
    )


def open_condition():
    return ActionItem.status.not_in(CLOSED_STATUSES)


def due_soon_condition(today: date):
    return and_(
        open_condition(),
        ActionItem.due_on >= today,
        ActionItem.due_on <= today + timedelta(days=DUE_SOON_DAYS),
    )


def stale_limit():
    """Updates or creations before this are stale: 60 days ago, to the minute (so that the
    counts kept until the plan changes are counted again at most once a minute)."""
    return (utcnow() - timedelta(days=STALE_DAYS)).replace(second=0, microsecond=0)


def stale_condition():
    """Open, and neither updated nor created in the last 60 days.

    The actions updated lately are few (a range of the updates' date index); an action
    outside them was last updated, if ever, before the limit, so it is stale when it was
    created before the limit or has an update at all. Equivalent to "the latest update, or
    else the creation, is older than the limit", without a look-up per action."""
    limit = stale_limit()
    recent = select(ProgressUpdate.action_id).where(ProgressUpdate.created_at >= limit)
    ever = exists().where(ProgressUpdate.action_id == ActionItem.id)
    return and_(open_condition(), ActionItem.id.not_in(recent),
                or_(ActionItem.created_at < limit, ever))


def _filtered(query: Select, filters: ActionFilters) -> Select:
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
        query = query.where(stale_condition())
    return query


def _base(columns, filters: ActionFilters) -> Select:
    query = (
        select(*columns)
        .select_from(ActionItem)
        .join(Objective, Objective.id == ActionItem.objective_id)
        .join(StrategicAxis, StrategicAxis.id == Objective.axis_id)
    )
    return _filtered(query, filters)


def _ordered(query: Select, sort: str) -> Select:
    if sort == "deadline":
        return query.order_by(ActionItem.due_on, ActionItem.id)
    if sort == "-deadline":
        return query.order_by(ActionItem.due_on.desc(), ActionItem.id.desc())
    return query.order_by(
        StrategicAxis.position, StrategicAxis.id, Objective.position, Objective.id,
        ActionItem.due_on, ActionItem.id,
    )


def _with_relations(query: Select, responsible: bool = True) -> Select:
    """What the list and the timeline show of an action; the export adds the responsible
    person's account. The objective and its axis are those `_base` joined already (joining
    them again for the rows made PostgreSQL plan a query of nine tables at each page)."""
    options = [
        contains_eager(ActionItem.objective).contains_eager(Objective.axis),
        joinedload(ActionItem.owner_member),
        joinedload(ActionItem.funding_source),
    ]
    if responsible:
        options.append(joinedload(ActionItem.responsible_user))
    return query.options(*options)


@dataclass
class ActionRow:
    action: ActionItem
    last_update_at: object  # datetime | None

    def __getattr__(self, name):
        return getattr(self.action, name)


def _page_ids(filters: ActionFilters, page: int, page_size: int) -> tuple[int, int, Subquery]:
    """(total, page, the page's action ids as a subquery): the list's count and ids."""
    # The order does not change the count: one kept count serves every sort.
    criteria = tuple(sorted((k, v) for k, v in filters.args().items() if k != "sort"))
    key = ("count", criteria, local_today(), stale_limit())
    total = kept(key, lambda: db.session.scalar(_base([func.count(ActionItem.id)], filters)) or 0)
    page, offset = page_bounds(page, total, page_size)
    # The page's ids first, from the indexes alone; then only those 50 actions are read in
    # full. In one query, SQLite looked up the latest update (and read the whole row) of
    # every matching action before sorting them: a thousand at large.
    if filters.sort == "tree" and db.session.get_bind().dialect.name == "postgresql":
        ids = _tree_page_ids_by_objective(filters, offset, page_size)
    else:
        ids = _ordered(_base([ActionItem.id], filters), filters.sort).offset(offset)
    return total, page, ids.limit(page_size).subquery("page_ids")


def _list_columns() -> tuple:
    """What a row of the action list shows, as plain columns: the list reads 50 rows of
    values, not 50 actions with their objective, axis, owner and funding source as objects
    (loading those was a sixth of the list's time at 50 rows)."""
    return (
        ActionItem.id, ActionItem.title, ActionItem.due_on, ActionItem.status,
        ActionItem.progress, ActionItem.is_overdue.label("is_overdue"),
        ActionItem.is_secretariat_owned, ActionItem.owner_member_id,
        Member.short_name.label("owner_name"), ActionItem.funding_source_id,
        FundingSource.name.label("funding_source_name"), ActionItem.funding_status,
        ActionItem.estimated_cost,
        Objective.id.label("objective_id"), Objective.position.label("objective_position"),
        Objective.title.label("objective_title"), Objective.horizon.label("objective_horizon"),
        StrategicAxis.id.label("axis_id"), StrategicAxis.position.label("axis_position"),
        StrategicAxis.title.label("axis_title"),
    )


def action_page(filters: ActionFilters, page: int, page_size: int = PAGE_SIZE) -> Page:
    """One page of the filtered list, its rows as plain columns (`_list_columns`): two
    queries, the count and the rows."""
    total, page, ids = _page_ids(filters, page, page_size)
    query = (
        _base(_list_columns(), ActionFilters())
        .join(ids, ids.c.id == ActionItem.id)
        .outerjoin(Member, Member.id == ActionItem.owner_member_id)
        .outerjoin(FundingSource, FundingSource.id == ActionItem.funding_source_id)
    )
    rows = db.session.execute(_ordered(query, filters.sort)).all()
    return Page(rows=rows, total=total, page=page, page_size=page_size)


def timeline_page(filters: ActionFilters, page: int, page_size: int = PAGE_SIZE) -> Page:
    """One page of the filtered list as actions with their objective and axis (the
    timeline's bars): two queries, the count and the actions."""
    total, page, ids = _page_ids(filters, page, page_size)
    query = _base([ActionItem], ActionFilters()).join(ids, ids.c.id == ActionItem.id)
    query = _with_relations(_ordered(query, filters.sort), responsible=False)
    actions = list(db.session.scalars(query).unique())
    return Page(rows=actions, total=total, page=page, page_size=page_size)


def _tree_page_ids_by_objective(filters: ActionFilters, offset: int, page_size: int) -> Select:
    """The page's ids in tree order, on PostgreSQL: each objective's first `offset +
    page_size` matching actions from the (objective, deadline) index, then only those sorted.

    SQLite walks the axes, the objectives and that index in the list's order by itself; the
    PostgreSQL planner cannot carry an order through the joins, and sorted every action of
    the plan to keep 50 (13 ms of the list's and the timeline's 25 at 20,000 actions).
    A LATERAL subquery per objective (which SQLite does not have) lets it stop at the page."""
    objective, axis = aliased(Objective), aliased(StrategicAxis)
    first = (
        _base([ActionItem.id, ActionItem.due_on], filters)
        .where(ActionItem.objective_id == objective.id)
        .order_by(ActionItem.due_on, ActionItem.id)
        .limit(offset + page_size)
        .lateral("first_of_objective")
    )
    return (
        select(first.c.id)
        .select_from(objective)
        .join(axis, axis.id == objective.axis_id)
        .join(first, true())
        .order_by(axis.position, axis.id, objective.position, objective.id, first.c.due_on,
                  first.c.id)
        .offset(offset)
    )


def all_filtered(filters: ActionFilters) -> list[ActionRow]:
    """Every action of the filtered list (the CSV export), in one query."""
    query = _base([ActionItem, last_update_at().label("last_at")], filters)
    query = _with_relations(_ordered(query, filters.sort))
    return [ActionRow(action, last_at) for action, last_at in db.session.execute(query).unique()]


class AxisHeading(NamedTuple):
    id: int
    position: int
    title: str


class ObjectiveHeading(NamedTuple):
    id: int
    position: int
    title: str
    horizon: Horizon


def group_by_objective(rows: list) -> list[tuple[AxisHeading, list]]:
    """[(axis, [(objective, [rows])])] of `action_page`'s rows, in their order (already
    sorted by the tree)."""
    axes: list = []
    for row in rows:
        if not axes or axes[-1][0].id != row.axis_id:
            axes.append((AxisHeading(row.axis_id, row.axis_position, row.axis_title), []))
        objectives = axes[-1][1]
        if not objectives or objectives[-1][0].id != row.objective_id:
            objectives.append((ObjectiveHeading(row.objective_id, row.objective_position,
                                                row.objective_title, row.objective_horizon),
                               []))
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


@dataclass
class OwnerFilterChoices:
    """The owner filter's options: every owner of a small network; of a large one, the
    first by name and the owner the address names (the filter is then a name to type,
    plan/owner_search.py), with how many there are in all and a way to read them all."""

    owners: list[tuple[str, str]]
    count: int  # the secretariat included
    read_all: Callable[[], list[tuple[str, str]]]


def owner_filter_choices(secretariat_label: str, wanted: str | None,
                         limit: int) -> OwnerFilterChoices:
    """One query, whatever the number of members: the first `limit` owners by name, the one
    `wanted` names, and the count (reading a thousand names at each view of the plan was a
    tenth of the list's time at large size)."""
    wanted_id = int(wanted) if wanted and wanted.isdigit() else None
    # The first by name from the name index, and the one asked for (a window numbering every
    # member instead cost a millisecond at a thousand members).
    first = select(Member.id, Member.short_name).order_by(Member.short_name, Member.id)
    shown = union(
        select(first.limit(limit).subquery()),
        select(Member.id, Member.short_name).where(Member.id == wanted_id),
    ).subquery("shown")
    total = select(func.count(Member.id)).scalar_subquery()
    rows = db.session.execute(
        select(shown.c.id, shown.c.short_name, total.label("total"))
        .order_by(shown.c.short_name, shown.c.id)
    ).all()
    return OwnerFilterChoices(
        owners=[(SECRETARIAT_OWNER, secretariat_label),
                *((str(member_id), name) for member_id, name, _total in rows)],
        count=1 + (rows[0].total if rows else 0),
        read_all=lambda: owner_choices(secretariat_label, active_only=False),
    )


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


def _figures(key, *where) -> dict:
    """Progress per `key` (objective, axis...) from one scan: (key, status) groups of simple
    sums, read from the covering index ix_action_items_figures; the figures are derived from
    them in Python, so that one scan serves the objectives, the axes, the horizons and the
    whole plan alike. Cancelled actions do not count towards progress. The whole plan's
    figures are kept until the plan changes; the caller reads them, never changes them."""
    today = local_today()
    if not where:
        return kept(("figures", str(key), today), lambda: _counted_figures(key, today))
    return _counted_figures(key, today, *where)


def _counted_figures(key, today, *where) -> dict:
    query = select(
        key.label("key"), ActionItem.status,
        func.count(ActionItem.id).label("actions"),
        func.sum(ActionItem.progress).label("progress"),
        func.sum(ActionItem.progress * ActionItem.estimated_cost).label("weighted"),
        func.sum(ActionItem.estimated_cost).label("cost"),
        func.sum(case((ActionItem.due_on < today, 1), else_=0)).label("late"),
    ).select_from(ActionItem)
    figures: dict = defaultdict(Progress)
    for row in db.session.execute(query.where(*where).group_by(key, ActionItem.status)):
        figures[row.key].add(row)
    return dict(figures)


@dataclass
class Progress:
    """A group's progress: weighted by cost where costs are set, else the plain average."""

    actions: int = 0
    counted: int = 0  # not cancelled
    done: int = 0
    overdue: int = 0
    blocked: int = 0
    progress_sum: float = 0.0  # over the counted actions
    weighted_sum: float = 0.0  # progress × estimated cost, over the counted actions
    cost: Decimal = Decimal(0)  # estimated cost of the counted actions

    def add(self, row) -> "Progress":
        """Count in a (status) group of `_figures`, or another Progress."""
        if isinstance(row, Progress):
            for name in ("actions", "counted", "done", "overdue", "blocked", "progress_sum",
                         "weighted_sum", "cost"):
                setattr(self, name, getattr(self, name) + getattr(row, name))
            return self
        status = row.status
        self.actions += row.actions
        if status == ActionStatus.CANCELLED:
            return self
        self.counted += row.actions
        self.progress_sum += float(row.progress or 0)
        self.weighted_sum += float(row.weighted or 0)
        self.cost += Decimal(str(row.cost or 0))
        if status == ActionStatus.DONE:
            self.done += row.actions
        elif status == ActionStatus.BLOCKED:
            self.blocked += row.actions
        if status not in CLOSED_STATUSES:
            self.overdue += int(row.late or 0)
        return self

    @property
    def plain(self) -> float | None:
        """The simple average progress of the counted actions."""
        return self.progress_sum / self.counted if self.counted else None

    @property
    def weighted(self) -> float | None:
        """The average progress weighted by estimated cost, over the actions with a cost."""
        return self.weighted_sum / float(self.cost) if self.cost else None

    @property
    def percent(self) -> int | None:
        value = self.weighted if self.weighted is not None else self.plain
        return None if value is None else round(value)

    @property
    def is_weighted(self) -> bool:
        return self.weighted is not None


@dataclass(frozen=True, slots=True)
class AxisItem:
    """What the strategy tree, the filters and the lists show of an axis."""

    id: int
    position: int
    title: str


@dataclass(frozen=True, slots=True)
class ObjectiveItem:
    """What the strategy tree, the filters and the lists show of an objective."""

    id: int
    axis_id: int
    axis_position: int
    position: int
    title: str
    horizon: Horizon


@dataclass
class StrategyOutline:
    """The axes and objectives, in the tree's order, from one query: the strategy tree and
    the filters' axis and objective choices both read them."""

    axes: list[AxisItem]
    objectives: list[ObjectiveItem]

    def axis_choices(self) -> list[tuple[str, str]]:
        return [(str(axis.id), f"{axis.position}. {axis.title}") for axis in self.axes]

    def objective_choices(self) -> list[tuple[str, str]]:
        """As `objective_choices()`: by axis position, objective position and id."""
        ordered = sorted(self.objectives, key=lambda o: (o.axis_position, o.position, o.id))
        return [(str(o.id), f"{o.axis_position}.{o.position} {o.title}") for o in ordered]


def strategy_outline() -> StrategyOutline:
    """Axes with their objectives (axes without any included), one query of a few columns."""
    rows = db.session.execute(
        select(StrategicAxis.id, StrategicAxis.position, StrategicAxis.title,
               Objective.id, Objective.position, Objective.title, Objective.horizon)
        .outerjoin(Objective, Objective.axis_id == StrategicAxis.id)
        .order_by(StrategicAxis.position, StrategicAxis.id, Objective.position, Objective.id)
    )
    axes: list[AxisItem] = []
    objectives: list[ObjectiveItem] = []
    for axis_id, axis_position, axis_title, objective_id, position, title, horizon in rows:
        if not axes or axes[-1].id != axis_id:
            axes.append(AxisItem(axis_id, axis_position, axis_title))
        if objective_id is not None:
            objectives.append(ObjectiveItem(objective_id, axis_id, axis_position, position,
                                            title, horizon))
    return StrategyOutline(axes, objectives)


@dataclass
class ObjectiveNode:
    objective: ObjectiveItem
    progress: Progress


@dataclass
class AxisNode:
    axis: AxisItem
    progress: Progress
    objectives: list[ObjectiveNode] = field(default_factory=list)


def strategy_tree(outline: StrategyOutline | None = None) -> list[AxisNode]:
    """Axes → objectives, each with its progress: two queries (one if the outline is given)."""
    outline = outline or strategy_outline()
    by_objective = _figures(ActionItem.objective_id)
    nodes: dict[int, list[ObjectiveNode]] = defaultdict(list)
    for objective in outline.objectives:
        nodes[objective.axis_id].append(
            ObjectiveNode(objective, by_objective.get(objective.id, Progress())))
    tree = []
    for axis in outline.axes:
        total = Progress()
        for node in nodes[axis.id]:
            total.add(node.progress)
        tree.append(AxisNode(axis=axis, progress=total, objectives=nodes[axis.id]))
    return tree


def objective_detail(objective_id: int) -> tuple[Objective, Progress] | None:
    objective = db.session.scalar(
        select(Objective)
        .options(selectinload(Objective.indicators))
        .where(Objective.id == objective_id)
    )
    if objective is None:
        return None
    figures = _figures(ActionItem.objective_id, ActionItem.objective_id == objective_id)
    return objective, figures.get(objective_id, Progress())


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


# --- what needs attention ------------------------------------------------------------------

OPEN_STATUSES = [status for status in ActionStatus if status not in CLOSED_STATUSES]


@dataclass
class Attention:
    """Open actions of a group: how many, and how many are overdue, due within 30 days,
    blocked, or left without update for 60 days."""

    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    blocked: int = 0
    stale: int = 0


@cache
def _attention_query(by_owner: bool, one_owner: bool):
    """The open actions' attention counts by status (and owner), in one scan of their index.
    Stale as `stale_condition` has it (the latest update, or else the creation, is older than
    the limit): created before the limit or updated at all, and not updated since. "Updated
    since" is looked up, for the whole plan, in the recent updates gathered once (a range of
    their date index); for one owner's few actions, in the updates' index, once an action.
    Built once, run with bound parameters."""
    limit = bindparam("limit", type_=ActionItem.created_at.type)
    today = bindparam("today", type_=ActionItem.due_on.type)
    if one_owner:
        not_recent = ~select(ProgressUpdate.action_id).where(
            ProgressUpdate.action_id == ActionItem.id, ProgressUpdate.created_at >= limit).exists()
    else:
        not_recent = ActionItem.id.not_in(
            select(ProgressUpdate.action_id).where(ProgressUpdate.created_at >= limit))
    # Of the updates' index alone (SELECT * would read each update found).
    ever = select(ProgressUpdate.action_id).where(ProgressUpdate.action_id == ActionItem.id).exists()
    keys = [ActionItem.owner_member_id.label("key")] if by_owner else []
    query = (
        select(*keys, ActionItem.status, func.count().label("open"),
               func.count().filter(ActionItem.due_on < today).label("overdue"),
               func.count().filter(ActionItem.due_on >= today, ActionItem.due_on
                                   <= bindparam("soon", type_=ActionItem.due_on.type))
               .label("due_soon"),
               func.count().filter(or_(ActionItem.created_at < limit, ever), not_recent)
               .label("stale"))
        .where(ActionItem.status.in_(OPEN_STATUSES))
        .group_by(*keys, ActionItem.status)
    )
    if one_owner:
        query = query.where(ActionItem.owner_member_id == bindparam("owner_id"))
    return query


def _attention(by_owner: bool = False, owner_id: int | None = None) -> dict:
    """Attention counts per owner (`by_owner`), or of the whole plan or of one owner's actions
    (under the key None), in one query whatever the number of actions; kept until the plan
    changes (the caller reads them, never changes them)."""
    today, limit = local_today(), stale_limit()
    return kept(("attention", by_owner, owner_id, today, limit),
                lambda: _counted_attention(by_owner, owner_id, today, limit))


def _counted_attention(by_owner: bool, owner_id: int | None, today: date, limit) -> dict:
    found: dict = defaultdict(Attention)
    rows = db.session.execute(
        _attention_query(by_owner, owner_id is not None),
        {"today": today, "soon": today + timedelta(days=DUE_SOON_DAYS), "limit": limit,
         "owner_id": owner_id},
    )
    for row in rows:
        counts = found[row.key if by_owner else None]
        counts.open += row.open
        counts.overdue += row.overdue
        counts.due_soon += row.due_soon
        counts.stale += row.stale
        if row.status == ActionStatus.BLOCKED:
            counts.blocked += row.open
    return dict(found)


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


OWNER_ROWS = 50  # owners listed on the follow-up page; the totals count every owner


def follow_up(secretariat_label: str) -> FollowUp:
    """Every figure of the follow-up page, in seven queries whatever the number of actions."""
    whole = _whole_plan_attention()
    totals = {"overdue": whole.overdue, "due_soon": whole.due_soon, "blocked": whole.blocked,
              "stale": whole.stale}
    ranked = kept(("attention", "ranked", local_today(), stale_limit()), _owners_by_need)
    shown = ranked[:OWNER_ROWS]
    names = dict(db.session.execute(select(Member.id, Member.short_name).where(
        Member.id.in_([owner_id for owner_id, _counts in shown if owner_id is not None]))).all())
    owners = Capped([
        OwnerCounts(owner=SECRETARIAT_OWNER if owner_id is None else str(owner_id),
                    label=secretariat_label if owner_id is None else names[owner_id],
                    overdue=counts.overdue, due_soon=counts.due_soon, blocked=counts.blocked,
                    stale=counts.stale)
        for owner_id, counts in shown
    ], len(ranked))

    axes = {axis.id: axis for axis in db.session.scalars(
        select(StrategicAxis).order_by(StrategicAxis.position, StrategicAxis.id))}
    # One scan by objective; the axes, horizons and the whole plan add its groups up.
    objectives = {objective_id: (axis_id, horizon) for objective_id, axis_id, horizon in
                  db.session.execute(select(Objective.id, Objective.axis_id, Objective.horizon))}
    axis_progress: dict = defaultdict(Progress)
    horizon_progress: dict = defaultdict(Progress)
    overall = Progress()
    for objective_id, progress in _figures(ActionItem.objective_id).items():
        axis_id, horizon = objectives[objective_id]
        axis_progress[axis_id].add(progress)
        horizon_progress[horizon].add(progress)
        overall.add(progress)
    by_axis = [(axis, axis_progress.get(axis_id, Progress())) for axis_id, axis in axes.items()]
    by_horizon = [(horizon, horizon_progress.get(horizon, Progress())) for horizon in Horizon]

    funding_rows = kept(("funding",), lambda: db.session.execute(
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
    ).all())
    funding = _funding_table(funding_rows)
    funding_totals = {"actions": sum(f["actions"] for f in funding),
                      "cost": sum((f["cost"] for f in funding), Decimal(0))}
    for status in [*FundingStatus, None]:
        funding_totals[status] = sum((f["by_status"].get(status, Decimal(0)) for f in funding),
                                     Decimal(0))
    return FollowUp(owners, totals, by_axis, by_horizon, funding, funding_totals, overall)


def _owners_by_need() -> list[tuple[int | None, Attention]]:
    """The owners with an action in need of attention: the secretariat first, then the most
    overdue, blocked, stale and due soon (kept with the counts: a thousand owners sorted at
    each follow-up page cost a millisecond)."""
    flagged = [(owner_id, counts) for owner_id, counts in _attention(by_owner=True).items()
               if counts.overdue or counts.due_soon or counts.blocked or counts.stale]
    return sorted(flagged, key=lambda item: (
        item[0] is not None, -item[1].overdue, -item[1].blocked, -item[1].stale,
        -item[1].due_soon, item[0] or 0))


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


def home_summary(member_id: int | None, counts: Attention | None = None) -> HomeSummary:
    """The counts of open actions (of one cluster, or of all) and the next five deadlines;
    `counts`, when given, are the group's attention counts already read."""
    if counts is None:
        counts = _attention(owner_id=member_id).get(None, Attention())
    upcoming = []
    if member_id is not None:
        upcoming = list(db.session.scalars(
            select(ActionItem)  # the card shows the action itself, not its objective
            .where(open_condition(), ActionItem.owner_member_id == member_id)
            .order_by(ActionItem.due_on, ActionItem.id)
            .limit(5)
        ))
    return HomeSummary(upcoming, counts.open, counts.overdue, counts.due_soon, counts.blocked,
                       counts.stale)


REVIEW_LIMIT = 50


class ReviewRows(list):
    """The listed (action, latest update) pairs; `total` counts every open action."""

    total: int = 0


def review_actions(limit: int = REVIEW_LIMIT) -> ReviewRows:
    """Open actions with their latest update, nearest deadline first, for a meeting's review
    item: the first `limit` in one query whatever the size of the plan, and the total (kept
    until the plan changes)."""
    latest = (
        select(func.max(ProgressUpdate.id))
        .where(ProgressUpdate.action_id == ActionItem.id)
        .correlate(ActionItem)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(ActionItem, ProgressUpdate)
        .outerjoin(ProgressUpdate, ProgressUpdate.id == latest)
        .options(joinedload(ActionItem.owner_member), joinedload(ActionItem.objective))
        .where(open_condition())
        .order_by(ActionItem.due_on, ActionItem.id)
        .limit(limit)
    ).unique()
    result = ReviewRows(rows)
    # Counting every open action cost more than the rows (20,000 actions at large): the
    # count is kept until the plan changes, as the plan's other figures are.
    result.total = kept(
        ("open actions",),
        lambda: db.session.scalar(select(func.count(ActionItem.id)).where(open_condition())))
    return result


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
    """A director sees their cluster's next deadlines; the secretariat, the network's counts.
    A director of the secretariat sees both, from one grouped read of the counts by owner
    (their cluster's group, and the sum of all groups) instead of two."""
    if user.member_id is None or not user.is_secretariat:
        return HomeCards(
            cluster=home_summary(user.member_id) if user.member_id is not None else None,
            network=home_summary(None) if user.is_secretariat else None,
        )
    by_owner = _attention(by_owner=True)
    return HomeCards(
        cluster=home_summary(user.member_id, by_owner.get(user.member_id, Attention())),
        network=home_summary(None, _whole_plan_attention()),
    )


def _whole_plan_attention() -> Attention:
    """The sum of every owner's attention counts, kept with them: adding up a thousand
    owners' groups at each home page cost 2 ms."""
    def add_up() -> Attention:
        groups = _attention(by_owner=True).values()
        return Attention(
            open=sum(g.open for g in groups), overdue=sum(g.overdue for g in groups),
            due_soon=sum(g.due_soon for g in groups), blocked=sum(g.blocked for g in groups),
            stale=sum(g.stale for g in groups))

    return kept(("attention", "sum", local_today(), stale_limit()), add_up)


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
