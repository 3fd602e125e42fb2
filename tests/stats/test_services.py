"""Statistics against the database: a known event, across events, the map."""

import re
from datetime import date

from reportlab.graphics.shapes import Drawing

from foros.core.municipalities import all_municipalities
from foros.events.models import EventKind
from foros.stats.maps import layout, map_drawing, map_svg
from foros.stats.services import (
    cross_event_statistics,
    event_statistics,
    events_between,
    municipality_counts,
)
from tests.conftest import make_event
from tests.stats.conftest import EXPECTED, build_past_event


def _pairs(rows):
    return {r["key"]: (r["registered"], r["admitted"]) for r in rows}


def test_event_statistics_match_the_database(past_event):
    stats = event_statistics(past_event)
    totals = stats["totals"]
    assert {k: totals[k] for k in EXPECTED["totals"]} == EXPECTED["totals"]
    assert totals["no_show_rate"] == 4 / 18
    for dimension in ("sector", "sex", "municipality", "modality"):
        assert _pairs(stats["breakdowns"][dimension]) == EXPECTED[dimension], dimension
    assert _pairs(stats["days"]) == EXPECTED["days"]
    assert _pairs(stats["lists"]) == EXPECTED["lists"]
    arrivals = {s["day"]: {b["label"]: b["count"] for b in s["buckets"]} for s in stats["arrivals"]}
    assert arrivals == EXPECTED["arrivals"]
    labels = {r["key"]: r["label"] for r in stats["breakdowns"]["municipality"]}
    assert labels == {"15106": "Toluca", "15031": "Chimalhuacán", "otra": "Otra entidad"}


def test_cross_event_statistics_add_up_and_filter_by_dates_and_kind(app, organizer):
    first = build_past_event(organizer, slug="foro-uno")
    second = build_past_event(organizer, slug="foro-dos")
    upcoming = make_event(slug="jornada-futura", kind=EventKind.JORNADA)
    events = events_between(date(2023, 6, 1), date(2023, 6, 30))
    assert [e.slug for e in events] == [first.slug, second.slug]
    stats = cross_event_statistics(events)
    assert stats["totals"]["registered"] == 42 and stats["totals"]["admitted"] == 28
    assert _pairs(stats["breakdowns"]["sector"])["estudiante"] == (12, 4)
    assert [(r["key"], r["registered"], r["admitted"], r["no_show"]) for r in stats["per_event"]] == [
        ("foro-uno", 21, 14, 4), ("foro-dos", 21, 14, 4)]
    assert [e.slug for e in events_between(kind="jornada")] == [upcoming.slug]
    assert events_between(date(2023, 6, 7), date(2023, 6, 7)) == []  # no day of theirs on the 7th
    assert [e.slug for e in events_between(date(2023, 6, 8), None, "foro_regional")] == ["foro-uno", "foro-dos"]
    assert cross_event_statistics([])["totals"]["registered"] == 0


def test_map_marks_are_sized_by_area_and_titled(past_event):
    counts = municipality_counts(event_statistics(past_event)["breakdowns"]["municipality"])
    assert counts == {"15106": 12, "15031": 6}  # other states are not on the map
    plan = layout(counts)
    marks = {m.key: m for m in plan.marks}
    assert abs((marks["15106"].r / marks["15031"].r) ** 2 - 2) < 1e-9  # area ∝ people
    assert len(plan.backdrop) == len(all_municipalities()) == 125
    svg = str(map_svg(counts, title="Mapa de prueba"))
    assert svg.count("<circle") >= 125 + 2
    assert "<title>Toluca: 12</title>" in svg and "<title>Chimalhuacán: 6</title>" in svg
    assert 'role="img"' in svg and "style=" not in svg and "<script" not in svg
    for x, y in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', svg):
        assert 0 <= float(x) <= 600 and float(y) >= 0
    drawing = map_drawing(counts)
    assert isinstance(drawing, Drawing) and drawing.width == 400


def test_map_with_nobody_still_draws_the_state(app):
    svg = str(map_svg({}, title="Vacío"))
    assert "Sin participantes" in svg and svg.count("<circle") >= 125
