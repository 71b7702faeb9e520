"""Time helpers: the database stores naive UTC; pages show the network's time zone."""

import zoneinfo
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Read time zones from the pinned `tzdata` package only, never the system's tables: the
# displayed times (Babel, through pytz) and the stored ones must come from the same rules.
# Morocco's rules change often; a machine with older tables would shift meetings by an hour.
zoneinfo.reset_tzpath(to=())
ZoneInfo.clear_cache()


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
