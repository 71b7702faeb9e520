"""The plan's exports: the filtered list as CSV and a person's deadlines as iCalendar."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event

from planner.members.models import Network, User
from planner.plan.forms import FUNDING_STATUS_LABELS, HORIZON_LABELS, STATUS_LABELS
from planner.plan.models import ActionItem, ActionStatus, Milestone
from planner.plan.queries import ActionRow

BOM = "\ufeff"
# A cell starting with one of these is read as a formula by spreadsheet software.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    value = value or ""
    return "'" + value if value.startswith(FORMULA_START) else value


def _number(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value):.2f}" if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",") if decimal_comma else text


def owner_label(action: ActionItem) -> str:
    return action.owner_member.short_name if action.owner_member_id else _("Secretariat")


def responsible_label(action: ActionItem) -> str:
    if action.responsible_user_id:
        return action.responsible_user.full_name
    return action.responsible_name


def action_csv(rows: list[ActionRow], currency: str, semicolon: bool) -> str:
    """UTF-8 text with a byte-order mark, so spreadsheet software reads the accents right.
    With `semicolon`, fields are separated by ';' and decimals use a comma (French locales)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if semicolon else ",", lineterminator="\r\n")
    writer.writerow([
        _("Axis"), _("Objective"), _("Horizon"), _("Action"), _("Owner"),
        _("Responsible person"), _("Start date"), _("Deadline"), _("Status"), _("Reason"),
        _("Progress (%)"), _("Overdue"), _("Estimated cost (%(currency)s)", currency=currency),
        _("Funding source"), _("Funding status"), _("Last update"),
    ])
    for row in rows:
        action = row.action
        objective = action.objective
        writer.writerow([
            _text(f"{objective.axis.position}. {objective.axis.title}"),
            _text(objective.title),
            str(HORIZON_LABELS[objective.horizon]),
            _text(action.title),
            _text(owner_label(action)),
            _text(responsible_label(action)),
            action.starts_on.isoformat(),
            action.due_on.isoformat(),
            str(STATUS_LABELS[action.status]),
            _text(action.status_reason),
            str(action.progress),
            _("Yes") if action.is_overdue else _("No"),
            _number(action.estimated_cost, semicolon),
            _text(action.funding_source.name) if action.funding_source_id else "",
            str(FUNDING_STATUS_LABELS[action.funding_status]) if action.funding_status else "",
            row.last_update_at.date().isoformat() if row.last_update_at else "",
        ])
    return BOM + buffer.getvalue()


def calendar_ics(user: User, network: Network | None, actions: list[ActionItem],
                 milestones: list[Milestone], host: str) -> bytes:
    """An RFC 5545 calendar: one all-day event per deadline and per milestone."""
    calendar = Calendar()
    calendar.add("prodid", "-//planner//action plan//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = network.name if network else "planner"
    calendar.add("x-wr-calname", _("%(network)s: action plan", network=name))
    stamp = datetime.now(UTC).replace(microsecond=0)
    for action in actions:
        summary = (_("Done: %(title)s", title=action.title)
                   if action.status == ActionStatus.DONE
                   else _("Deadline: %(title)s", title=action.title))
        details = [
            _("Owner: %(owner)s", owner=owner_label(action)),
            _("Status: %(status)s", status=STATUS_LABELS[action.status]),
            _("Progress: %(progress)d %%", progress=action.progress),
        ]
        if action.is_overdue:
            details.append(_("Overdue"))
        calendar.add_component(_event(
            f"action-{action.id}-deadline@{host}", stamp, action.due_on,
            f"{summary} ({owner_label(action)})", "\n".join(details),
            url_for("plan.show_action", action_id=action.id, _external=True),
        ))
    for milestone in milestones:
        action = milestone.action
        summary = _("Milestone: %(title)s", title=milestone.title)
        if milestone.is_done:
            summary = _("Milestone reached: %(title)s", title=milestone.title)
        calendar.add_component(_event(
            f"milestone-{milestone.id}@{host}", stamp, milestone.due_on,
            f"{summary} ({owner_label(action)})",
            _("Action: %(title)s", title=action.title),
            url_for("plan.show_action", action_id=action.id, _external=True),
        ))
    return calendar.to_ical()


def _event(uid: str, stamp: datetime, day, summary: str, description: str, url: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event
