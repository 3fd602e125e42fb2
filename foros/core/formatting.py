"""Jinja filters that format dates, times and numbers for es-MX with Babel, in Mexico City time.

The one date and time style of the app (pages, organizer tables, the door, e-mails, PDFs): a 24-hour clock
without seconds or UTC offset — "16:33", "7 jun 2023, 16:33", "7 de junio de 2023, 16:33". Everything that
shows a time goes through these functions (in templates: the ``date``, ``time`` and ``datetime`` filters).
"""

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal

from foros.core.time import LOCAL_TZ, to_local

LOCALE = "es_MX"

# fmt_date and fmt_time are pure functions of their (immutable) arguments and Babel's formatting costs tens of
# microseconds per call; an event's few days are formatted on every page and every e-mail, so they are cached.


@lru_cache(maxsize=4096)
def fmt_date(value, style: str = "full") -> str:
    """'miércoles, 7 de junio de 2023' (full), '7 jun 2023' (medium)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return format_date(value, format=style, locale=LOCALE)


TIME_PATTERN = "HH:mm"
#: Babel patterns of a date and time; Babel's own "medium"/"long" add seconds, a 12-hour clock and the offset.
DATETIME_PATTERNS = {
    "medium": f"d MMM y, {TIME_PATTERN}",  # 7 jun 2023, 16:33
    "long": f"d 'de' MMMM 'de' y, {TIME_PATTERN}",  # 7 de junio de 2023, 16:33
}


@lru_cache(maxsize=4096)
def fmt_time(value) -> str:
    """'09:30' in Mexico City time."""
    if value is None:
        return ""
    return format_time(to_local(value), format=TIME_PATTERN, tzinfo=LOCAL_TZ, locale=LOCALE)


def fmt_datetime(value, style: str = "medium") -> str:
    """'7 jun 2023, 16:33' (medium) or '7 de junio de 2023, 16:33' (long), in Mexico City time."""
    if value is None:
        return ""
    pattern = DATETIME_PATTERNS.get(style, DATETIME_PATTERNS["medium"])
    return format_datetime(to_local(value), format=pattern, tzinfo=LOCAL_TZ, locale=LOCALE)


def fmt_number(value) -> str:
    """'1,234' as written in Mexico."""
    if value is None:
        return ""
    return format_decimal(value, locale=LOCALE)


def fmt_day_span(days) -> str:
    """The days of an event in one readable phrase, e.g. '6 y 8 de junio de 2023'."""
    dates = [d.day if not isinstance(d, date) else d for d in days]
    if not dates:
        return ""
    if len(dates) == 1:
        return format_date(dates[0], format="d 'de' MMMM 'de' y", locale=LOCALE)
    same_month = all((d.year, d.month) == (dates[0].year, dates[0].month) for d in dates)
    if same_month:
        numbers = [str(d.day) for d in dates]
        joined = ", ".join(numbers[:-1]) + " y " + numbers[-1]
        return joined + format_date(dates[0], format=" 'de' MMMM 'de' y", locale=LOCALE)
    parts = [format_date(d, format="d 'de' MMMM 'de' y", locale=LOCALE) for d in dates]
    return ", ".join(parts[:-1]) + " y " + parts[-1]


def init_app(app):
    """Register the filters."""
    app.jinja_env.filters.update(
        date=fmt_date, time=fmt_time, datetime=fmt_datetime, number=fmt_number, day_span=fmt_day_span
    )
