"""A meeting as an iCalendar file (RFC 5545), in the network's time zone."""

from datetime import UTC, date
from zoneinfo import ZoneInfo

from flask_babel import format_time
from flask_babel import gettext as _
from icalendar import Calendar, Event

from planner.core.time import utcnow
from planner.meetings.models import Meeting, MeetingStatus
from planner.meetings.queries import TimedAgenda

ICS_STATUS = {
    MeetingStatus.DRAFT: "TENTATIVE",
    MeetingStatus.CONVENED: "CONFIRMED",
    MeetingStatus.IN_SESSION: "CONFIRMED",
    MeetingStatus.CLOSED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def _aware(utc_naive, zone: ZoneInfo):
    return utc_naive.replace(tzinfo=UTC).astimezone(zone)


def meeting_calendar(meeting: Meeting, agenda: TimedAgenda, tz_name: str, url: str,
                     network_name: str) -> bytes:
    zone = ZoneInfo(tz_name)
    calendar = Calendar()
    calendar.add("prodid", "-//planner//strategy meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "PUBLISH")

    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{url.split('/')[2]}")
    event.add("dtstamp", utcnow().replace(tzinfo=UTC))
    event.add("dtstart", _aware(meeting.starts_at, zone))
    event.add("dtend", _aware(meeting.ends_at, zone))
    event.add("summary", f"{network_name} · {meeting.title}")
    location = ", ".join(part for part in (meeting.venue, meeting.address) if part)
    if location:
        event.add("location", location)
    event.add("status", ICS_STATUS[meeting.status])
    # Each saved change raises the version, so calendars replace their older copy.
    event.add("sequence", meeting.version)
    event.add("url", url)
    lines = [meeting.context, meeting.objectives] if meeting.context or meeting.objectives else []
    if agenda.items:
        lines.append(_("Agenda:"))
        for timed in agenda.items:
            start = format_time(timed.planned_start, "short")
            lines.append(f"{timed.number}. {start} {timed.item.title} "
                         f"({timed.item.duration_minutes} min)")
    if meeting.status == MeetingStatus.CANCELLED and meeting.cancellation_reason:
        lines.append(_("Cancelled: %(reason)s", reason=meeting.cancellation_reason))
    lines.append(url)
    event.add("description", "\n".join(line for line in lines if line))
    calendar.add_component(event)
    # The zone's rules around the meeting only: a full VTIMEZONE of Africa/Casablanca
    # lists every Ramadan change until 2087.
    year = meeting.starts_at.year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    return calendar.to_ical()
