"""Time helpers: the database stores naive UTC; pages show the network's time zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Now in UTC, naive, as every *_at column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc(local: datetime, tz_name: str) -> datetime:
    """A naive wall-clock time in `tz_name` converted to naive UTC for storage."""
    aware = local.replace(tzinfo=ZoneInfo(tz_name))
    return aware.astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime, tz_name: str) -> datetime:
    """A naive UTC time converted to naive wall-clock time in `tz_name` (for form fields)."""
    return utc.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)
