"""Attendance statistics of one event or of several: plain data, aggregated in SQL (GROUP BY).

One computation feeds the organizer's statistics pages, the open data (``foros.stats.opendata``, which
suppresses small cells before anything leaves) and the event report (which draws the same figures in a PDF).

Definitions, the same everywhere:

- **registered**: confirmed registrations (holding a place); waitlisted and cancelled ones are counted apart;
- **admitted**: registered people with at least one live admission (accepted, not undone) on any of the event's
  check-in lists; per day, on a list of that day; per list, on that list;
- **no-shows**: registered *in-person* people never admitted (virtual attendees are not expected at the door);
  the no-show rate is no-shows / registered in person.

A breakdown is a list of ``{"key", "label", "registered", "admitted"}`` dicts (keys are stable codes: INEGI
keys, sector keys, ``mujer`` …); arrivals are ``{"day", "label", "buckets": [{"start", "label", "count"}]}``.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import BigInteger, Integer, and_, cast, extract, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.checkin.services import door_counter, event_lists
from foros.core.formatting import fmt_date, fmt_time
from foros.core.municipalities import municipality_name
from foros.core.time import LOCAL_TZ, local_to_utc
from foros.events.models import DEFAULT_SECTORS, Event, EventDay, EventKind, EventStatus, Modality
from foros.events.models import sector_labels as event_sector_labels
from foros.extensions import db
from foros.registration.inputs import GENDER_OPTIONS, OTHER_STATE
from foros.registration.models import Registration, RegistrationStatus, registration_days

#: The dimensions of a breakdown, in the order pages show them, with their Spanish titles.
DIMENSIONS = {
    "sector": "Sector",
    "sex": "Sexo",
    "municipality": "Municipio de residencia",
    "modality": "Modalidad",
}
NOT_GIVEN = "Sin especificar"
#: Width of an arrivals bucket.
BUCKET_MINUTES = 15
_GENDER_LABELS = dict(GENDER_OPTIONS)
_MODALITY_ORDER = [Modality.PRESENCIAL.value, Modality.VIRTUAL.value]


class epoch_seconds(FunctionElement):  # noqa: N801  (used like a SQL function)
    """Seconds since 1970 of a UTC timestamp column, on SQLite and PostgreSQL alike."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    (column,) = element.clauses
    return compiler.process(cast(func.strftime("%s", column), Integer), **kw)


@compiles(epoch_seconds)
def _epoch_default(element, compiler, **kw):
    (column,) = element.clauses
    return compiler.process(cast(extract("epoch", column), BigInteger), **kw)


# --- building blocks --------------------------------------------------------------------------------------

def _admitted_ids(event_ids, *, day_id: int | None = None):
    """Registrations with a live admission on a list of these events (of one day when ``day_id`` is given)."""
    stmt = (select(Checkin.registration_id.label("registration_id"))
            .join(CheckinList, Checkin.list_id == CheckinList.id)
            .where(CheckinList.event_id.in_(event_ids), Checkin.result == ScanResult.ACCEPTED.value,
                   Checkin.undone_at.is_(None)))
    if day_id is not None:
        stmt = stmt.where(CheckinList.event_day_id == day_id)
    return stmt.distinct().subquery()


def _grouped(event_ids, column) -> dict[str, tuple[int, int]]:
    """{value of ``column``: (registered, admitted)} over the confirmed registrations of these events."""
    admitted = _admitted_ids(event_ids)
    rows = db.session.execute(
        select(column, func.count(Registration.id), func.count(admitted.c.registration_id))
        .outerjoin(admitted, admitted.c.registration_id == Registration.id)
        .where(Registration.event_id.in_(event_ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(column)
    ).all()
    return {str(value if value is not None else ""): (registered, admitted_count)
            for value, registered, admitted_count in rows}


def _rows(counts: dict[str, tuple[int, int]], order: list[str], label) -> list[dict]:
    """Breakdown rows: the known keys in ``order`` first (only those with people), then the rest by size."""
    rest = sorted((k for k in counts if k not in order), key=lambda k: (-counts[k][0], label(k).casefold()))
    return [{"key": k, "label": label(k), "registered": counts[k][0], "admitted": counts[k][1]}
            for k in [k for k in order if k in counts] + rest]


def sector_labels(events) -> dict[str, str]:
    """Sector key → label, from the events' own lists (the first event that names a key wins)."""
    labels = event_sector_labels(DEFAULT_SECTORS)
    for event in reversed(list(events)):
        labels.update(event_sector_labels(event.sector_options))
    return labels


def municipality_label(key: str) -> str:
    return municipality_name(key) or NOT_GIVEN


def _breakdowns(events: list[Event]) -> dict[str, list[dict]]:
    ids = [e.id for e in events]
    sectors = sector_labels(events)
    sector_order = [s["key"] for s in (events[0].sector_options if len(events) == 1 else DEFAULT_SECTORS)]
    return {
        "sector": _rows(_grouped(ids, Registration.sector), sector_order, lambda k: sectors.get(k, k)),
        "sex": _rows(_grouped(ids, Registration.gender), [k for k, _ in GENDER_OPTIONS],
                     lambda k: _GENDER_LABELS.get(k, NOT_GIVEN)),
        "municipality": _rows(_grouped(ids, Registration.municipality_key), [], municipality_label),
        "modality": _rows(_grouped(ids, Registration.modality), _MODALITY_ORDER,
                          lambda k: Modality(k).label if k in _MODALITY_ORDER else k),
    }


def _totals(event_ids) -> dict:
    """Registered, admitted, waitlisted, cancelled, in person, no-shows and the no-show rate."""
    status_counts = dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id.in_(event_ids))
        .group_by(Registration.status)).all())
    by_modality = _grouped(event_ids, Registration.modality)
    registered = sum(r for r, _a in by_modality.values())
    admitted = sum(a for _r, a in by_modality.values())
    in_person, in_person_admitted = by_modality.get(Modality.PRESENCIAL.value, (0, 0))
    no_show = in_person - in_person_admitted
    return {
        "registered": registered,
        "admitted": admitted,
        "waitlisted": status_counts.get(RegistrationStatus.WAITLISTED, 0),
        "cancelled": status_counts.get(RegistrationStatus.CANCELLED, 0),
        "in_person": in_person,
        "no_show": no_show,
        "no_show_rate": (no_show / in_person) if in_person else None,
    }


def _days(event: Event) -> list[dict]:
    """Per day: registered for that day, and admitted on a list of that day."""
    rows = []
    for day in event.days:
        admitted = _admitted_ids([event.id], day_id=day.id)
        registered, admitted_count = db.session.execute(
            select(func.count(Registration.id), func.count(admitted.c.registration_id))
            .join(registration_days, registration_days.c.registration_id == Registration.id)
            .outerjoin(admitted, admitted.c.registration_id == Registration.id)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
                   registration_days.c.event_day_id == day.id)
        ).one()
        rows.append({"key": day.day.isoformat(), "label": fmt_date(day.day, "medium"),
                     "registered": registered, "admitted": admitted_count})
    return rows


def _lists(event: Event) -> list[dict]:
    """Per check-in list: expected (the door's rule) and admitted."""
    rows = []
    for checkin_list in event_lists(event):
        counter = door_counter(checkin_list)
        rows.append({"key": checkin_list.slug, "label": checkin_list.name,
                     "registered": counter["expected"], "admitted": counter["admitted"]})
    return rows


def arrivals(event: Event, *, minutes: int = BUCKET_MINUTES) -> list[dict]:
    """Admissions per ``minutes`` of Mexico City time (the scan's time), one series per local day."""
    seconds = minutes * 60
    bucket = (epoch_seconds(Checkin.scanned_at) / seconds).label("bucket")
    counts = db.session.execute(
        select(bucket, func.count())
        .join(CheckinList, Checkin.list_id == CheckinList.id)
        .join(Registration, Checkin.registration_id == Registration.id)
        .where(CheckinList.event_id == event.id, Checkin.result == ScanResult.ACCEPTED.value,
               Checkin.undone_at.is_(None), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(bucket).order_by(bucket)
    ).all()
    by_day: dict[date, dict[datetime, int]] = defaultdict(dict)
    for number, count in counts:
        start = datetime.fromtimestamp(int(number) * seconds, LOCAL_TZ)
        by_day[start.date()][start] = count
    series = []
    for day in sorted(by_day):
        found = by_day[day]
        start, last = min(found), max(found)
        buckets = []
        while start <= last:  # fill the quiet quarters so the time axis is even
            buckets.append({"start": start, "label": fmt_time(start), "count": found.get(start, 0)})
            start += timedelta(minutes=minutes)
        series.append({"day": day, "label": fmt_date(day, "medium"), "buckets": buckets})
    return series


def event_statistics(event: Event) -> dict:
    """Everything the statistics page, the report and the open data show about one event."""
    return {
        "events": [event],
        "totals": _totals([event.id]),
        "breakdowns": _breakdowns([event]),
        "days": _days(event),
        "lists": _lists(event),
        "arrivals": arrivals(event),
    }


# --- across events ----------------------------------------------------------------------------------------

def events_between(start: date | None = None, end: date | None = None, kind: str = "", *,
                   statuses=(EventStatus.PUBLISHED, EventStatus.CLOSED, EventStatus.ARCHIVED)) -> list[Event]:
    """Events (not drafts) with a day between ``start`` and ``end`` (Mexico City dates), of one kind or all."""
    stmt = select(Event).where(Event.status.in_(list(statuses)))
    day_conditions = []
    if start:
        day_conditions.append(EventDay.ends_at >= local_to_utc(start, time.min))
    if end:
        day_conditions.append(EventDay.starts_at < local_to_utc(end + timedelta(days=1), time.min))
    if day_conditions:
        stmt = stmt.where(Event.days.any(and_(*day_conditions)))
    if kind:
        stmt = stmt.where(Event.kind == EventKind(kind))
    events = db.session.scalars(stmt).all()
    dated = sorted((e for e in events if e.starts_at), key=lambda e: e.starts_at)
    return dated + [e for e in events if not e.starts_at]


def _per_event(events: list[Event]) -> list[dict]:
    """One row per event: registered, admitted, in person, no-shows (two GROUP BY queries for all events)."""
    ids = [e.id for e in events]
    admitted = _admitted_ids(ids)
    rows = db.session.execute(
        select(Registration.event_id, Registration.modality, func.count(Registration.id),
               func.count(admitted.c.registration_id))
        .outerjoin(admitted, admitted.c.registration_id == Registration.id)
        .where(Registration.event_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.event_id, Registration.modality)
    ).all()
    figures: dict[int, dict] = {e.id: {"registered": 0, "admitted": 0, "in_person": 0, "no_show": 0}
                                for e in events}
    for event_id, modality, registered, admitted_count in rows:
        f = figures[event_id]
        f["registered"] += registered
        f["admitted"] += admitted_count
        if modality == Modality.PRESENCIAL.value:
            f["in_person"] += registered
            f["no_show"] += registered - admitted_count
    out = []
    for event in events:
        f = figures[event.id]
        out.append({"key": event.slug, "label": event.title, "event": event, **f,
                    "no_show_rate": (f["no_show"] / f["in_person"]) if f["in_person"] else None})
    return out


def cross_event_statistics(events: list[Event]) -> dict:
    """The same figures over several events, plus one row per event (no days, lists or arrivals)."""
    if not events:
        empty = _totals([])
        return {"events": [], "totals": empty, "breakdowns": {k: [] for k in DIMENSIONS}, "per_event": []}
    ids = [e.id for e in events]
    return {
        "events": events,
        "totals": _totals(ids),
        "breakdowns": _breakdowns(events),
        "per_event": _per_event(events),
    }


def municipality_counts(breakdown: list[dict], measure: str = "registered") -> dict[str, int]:
    """{INEGI key: count} of a municipality breakdown, for the map (other states left out)."""
    return {row["key"]: row[measure] for row in breakdown if row["key"] != OTHER_STATE and row[measure]}
