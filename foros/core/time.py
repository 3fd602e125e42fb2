"""Time helpers: store UTC, show America/Mexico_City."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("America/Mexico_City")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def local_today() -> date:
    """Return today's date in Mexico City."""
    return utcnow().astimezone(LOCAL_TZ).date()


def local_to_utc(day: date, at: time) -> datetime:
    """Combine a local (Mexico City) date and time into an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """Convert a stored datetime (UTC, aware or naive) to Mexico City time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def as_utc(moment: datetime) -> datetime:
    """Return an aware UTC datetime; naive values read back from SQLite are UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
