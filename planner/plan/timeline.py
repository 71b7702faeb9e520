"""Geometry of the timeline: bars from start to deadline, grouped by axis, laid out on the
server so that the page draws it as plain SVG (no charting library, no script)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import format_date

from planner.plan.models import ActionItem, ActionStatus, Milestone

WIDTH = 1100
LABEL_WIDTH = 330
CHART_START = LABEL_WIDTH + 10
CHART_END = WIDTH - 20
HEADER = 44
ROW = 26
AXIS_ROW = 30
LABEL_CHARS = 44


@dataclass
class MilestoneMark:
    x: float
    done: bool
    title: str
    due_on: date
    overdue: bool


@dataclass
class TimelineRow:
    kind: str  # "axis" or "action"
    y: float
    label: str
    full_label: str = ""
    action: ActionItem | None = None
    x: float = 0
    width: float = 0
    progress_width: float = 0
    css: str = ""
    overdue: bool = False
    milestones: list[MilestoneMark] = field(default_factory=list)


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    rows: list[TimelineRow]
    ticks: list[Tick]
    today_x: float | None
    today: date
    height: float
    width: int = WIDTH
    chart_start: int = CHART_START
    chart_end: int = CHART_END
    header: int = HEADER


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _ticks(first: date, last: date, scale) -> list[Tick]:
    span = (last - first).days
    if span > 3 * 366:
        step_months, fmt = 12, "yyyy"
    elif span > 366:
        step_months, fmt = 3, "MMM yyyy"
    else:
        step_months, fmt = 1, "MMM yy"
    month = first.replace(day=1)
    ticks = []
    while month <= last:
        if month >= first and (month.month - 1) % step_months == 0:
            ticks.append(Tick(scale(month), format_date(month, fmt)))
        month = (month + timedelta(days=32)).replace(day=1)
    return ticks


def build(actions: list[ActionItem], milestones: list[Milestone], today: date) -> Timeline:
    """Lay out `actions` (already sorted by axis) with their milestones around `today`."""
    if not actions:
        return Timeline(rows=[], ticks=[], today_x=None, today=today, height=HEADER)
    first = min(min(a.starts_on for a in actions), today)
    last = max(max(a.due_on for a in actions), today)
    first = first.replace(day=1)
    last = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    days = max((last - first).days, 1)

    def scale(day: date) -> float:
        return round(CHART_START + (day - first).days / days * (CHART_END - CHART_START), 1)

    by_action: dict[int, list[Milestone]] = {}
    for milestone in milestones:
        by_action.setdefault(milestone.action_id, []).append(milestone)

    rows: list[TimelineRow] = []
    y = HEADER
    axis_id = None
    for action in actions:
        axis = action.objective.axis
        if axis.id != axis_id:
            axis_id = axis.id
            rows.append(TimelineRow("axis", y, f"{axis.position}. {axis.title}"))
            y += AXIS_ROW
        start, end = scale(action.starts_on), scale(action.due_on + timedelta(days=1))
        width = max(end - start, 3)
        overdue = action.is_overdue
        css = "overdue" if overdue else action.status.value.replace("_", "-")
        progress = 0 if action.status == ActionStatus.CANCELLED else action.progress
        rows.append(TimelineRow(
            "action", y, _shorten(action.title), full_label=action.title, action=action,
            x=start, width=round(width, 1), progress_width=round(width * progress / 100, 1),
            css=css, overdue=overdue,
            milestones=[
                MilestoneMark(scale(m.due_on), m.is_done, m.title, m.due_on, m.is_overdue)
                for m in by_action.get(action.id, [])
            ],
        ))
        y += ROW
    return Timeline(
        rows=rows, ticks=_ticks(first, last, scale), today_x=scale(today), today=today,
        height=y + 10,
    )
