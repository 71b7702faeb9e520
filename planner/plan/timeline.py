"""Geometry of the timeline: bars from start to deadline, grouped by axis, laid out on the
server so that the page draws it as plain SVG (no charting library, no script).

In a right-to-left language the chart is mirrored, as the page around it: titles on the
right, time running from right to left, today's line and the deadlines placed accordingly.
"""

import unicodedata
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
    progress_x: float = 0
    progress_width: float = 0
    note_x: float = 0  # where the "overdue" word starts, just past the deadline
    css: str = ""
    overdue: bool = False
    milestones: list[MilestoneMark] = field(default_factory=list)

    @property
    def label_direction(self) -> str:
        return text_direction(self.label)


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
    rtl: bool = False

    def edge(self, inset: float) -> float:
        """x of a point `inset` from the side where lines start (left, or right in RTL)."""
        return WIDTH - inset if self.rtl else inset

    def gap(self, distance: float) -> float:
        """An offset towards the end of the line (rightwards, or leftwards in RTL)."""
        return -distance if self.rtl else distance

    def anchor(self, direction: str) -> str:
        """text-anchor that pins a label of that direction to the line-start side."""
        page = "rtl" if self.rtl else "ltr"
        return "start" if direction == page else "end"


def text_direction(text: str) -> str:
    """"rtl" when the first strong character is right-to-left (Arabic, Hebrew), else "ltr":
    the rule of dir="auto", for SVG text where that attribute does not exist."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


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


def build(
    actions: list[ActionItem], milestones: list[Milestone], today: date, rtl: bool = False
) -> Timeline:
    """Lay out `actions` (already sorted by axis) with their milestones around `today`;
    `rtl` mirrors the chart for a right-to-left page."""
    if not actions:
        return Timeline(rows=[], ticks=[], today_x=None, today=today, height=HEADER, rtl=rtl)
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
            x=start, width=round(width, 1), progress_x=start,
            progress_width=round(width * progress / 100, 1), note_x=round(start + width + 6, 1),
            css=css, overdue=overdue,
            milestones=[
                MilestoneMark(scale(m.due_on), m.is_done, m.title, m.due_on, m.is_overdue)
                for m in by_action.get(action.id, [])
            ],
        ))
        y += ROW
    layout = Timeline(
        rows=rows, ticks=_ticks(first, last, scale), today_x=scale(today), today=today,
        height=y + 10, rtl=rtl,
    )
    return _mirrored(layout) if rtl else layout


def _mirrored(layout: Timeline) -> Timeline:
    """The same chart read from right to left: every x reflected across the drawing."""

    def flip(x: float) -> float:
        return round(WIDTH - x, 1)

    for tick in layout.ticks:
        tick.x = flip(tick.x)
    if layout.today_x is not None:
        layout.today_x = flip(layout.today_x)
    for row in layout.rows:
        if row.kind != "action":
            continue
        start = row.x
        row.x = flip(start + row.width)  # the deadline is now the bar's left end
        row.progress_x = round(row.x + row.width - row.progress_width, 1)  # grows from the right
        row.note_x = round(row.x - 6, 1)
        for mark in row.milestones:
            mark.x = flip(mark.x)
    return layout
