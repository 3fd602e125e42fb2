"""One date and time style for the whole app: 24-hour clock, no seconds, no UTC offset, Mexico City time."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from foros.core.formatting import fmt_date, fmt_datetime, fmt_time
from foros.core.time import local_to_utc, local_today
from foros.extensions import db
from tests.conftest import make_event

#: What the style forbids: seconds ("4:33:00"), a 12-hour clock ("p.m."), an offset ("-0600").
FORBIDDEN = re.compile(r"\d:\d\d:\d\d|[ap]\.\s?m\.|[+-]\d{4}\b")

MOMENT = datetime(2023, 6, 7, 22, 33, 41, tzinfo=UTC)  # 16:33:41 in Mexico City


def test_the_one_style():
    assert fmt_time(MOMENT) == "16:33"
    assert fmt_datetime(MOMENT) == "7 jun 2023, 16:33"
    assert fmt_datetime(MOMENT, "long") == "7 de junio de 2023, 16:33"
    assert fmt_date(MOMENT, "medium") == "7 jun 2023"
    assert fmt_datetime(None) == fmt_time(None) == ""


@pytest.mark.parametrize("style", ["short", "medium", "long", "full", "unknown"])
def test_no_style_shows_seconds_twelve_hours_or_offset(style):
    text = fmt_datetime(MOMENT, style)
    assert "16:33" in text and not FORBIDDEN.search(text), text


def test_public_and_organizer_pages_show_the_style(organizer_client, organizer):
    closes = local_to_utc(local_today() + timedelta(days=5), datetime.min.time()) + timedelta(hours=23, minutes=59)
    event = make_event(actor=organizer, registration_closes_at=closes)
    db.session.commit()
    public = organizer_client.get(f"/eventos/{event.slug}").get_data(as_text=True)
    assert ", 23:59" in public and not FORBIDDEN.search(_text(public))
    for path in ("/gestion/bitacora", f"/gestion/eventos/{event.slug}/registros", "/gestion/correos",
                 "/gestion/eventos"):
        html = organizer_client.get(path).get_data(as_text=True)
        assert not FORBIDDEN.search(_text(html)), path


def _text(html: str) -> str:
    """The page's visible text (attributes such as datetime="…T16:33:00-06:00" are machine-readable)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_dates_are_mexico_city_days():
    assert fmt_date(datetime(2023, 6, 8, 3, 0, tzinfo=UTC), "medium") == "7 jun 2023"
    assert fmt_date(date(2023, 6, 8), "medium") == "8 jun 2023"
