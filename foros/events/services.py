"""Event services: create, edit and move events through their life cycle; public listings."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from blinker import Namespace
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from foros.audit.services import diff_fields, record_action
from foros.core.errors import DomainError, FieldErrors, NotFound
from foros.core.formatting import fmt_date
from foros.core.municipalities import get_municipality
from foros.core.text import SLUG_RE, slugify
from foros.core.time import local_to_utc, to_local, utcnow
from foros.events.models import Event, EventDay, EventKind, EventStatus, Modality
from foros.extensions import db

#: Sent with the event once its days were saved (created, edited) or it was published, in the same transaction:
#: domains built on events prepare its days (check-in creates each day's default list). Connected in
#: ``create_app``, so events imports none of them.
days_saved = Namespace().signal("event-days-saved")

#: Sent with the event and a modality's value after that capacity changed, in the same transaction: registration
#: fills the freed seats from its waiting list. Connected in ``create_app`` (registration builds on events).
capacity_changed = Namespace().signal("event-capacity-changed")

MAX_DAYS = 10
#: Dates outside these years are typing mistakes (and year 9999 would overflow the conversion to UTC).
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass
class DayInput:
    """One day as typed: local date, start and end time."""

    day: date
    starts: time
    ends: time


@dataclass
class EventInput:
    """Everything an organizer sets on an event, already parsed into Python types."""

    title: str
    kind: EventKind
    municipality_key: str
    modality: Modality
    days: list[DayInput]
    slug: str = ""
    venue: str = ""
    address: str = ""
    capacity_in_person: int | None = None
    capacity_virtual: int | None = None
    online_url: str = ""
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    description: str = ""
    institutions: str = ""
    extra: dict = field(default_factory=dict)


def _validate(data: EventInput, event: Event | None) -> dict:
    errors = FieldErrors()
    add = errors.add

    if not data.title.strip():
        add("title", "Escriba el título del evento.")
    slug = (data.slug or slugify(data.title)).strip().lower()
    if not SLUG_RE.match(slug) or len(slug) > 80:
        add("slug", "Use solo minúsculas, números y guiones (máximo 80).")
    else:
        clash = db.session.scalar(select(Event.id).where(Event.slug == slug))
        if clash is not None and (event is None or clash != event.id):
            add("slug", "Ya hay un evento con esa dirección; elija otra.")
    if get_municipality(data.municipality_key) is None:
        add("municipality_key", "Elija un municipio del Estado de México.")
    if not data.days:
        add("days", "Agregue al menos un día con su horario.")
    if len(data.days) > MAX_DAYS:
        add("days", f"Un evento puede tener como máximo {MAX_DAYS} días.")
    # A day's own errors go under "days-<i>", i its index in data.days, so a form can mark that row.
    seen = set()
    for i, d in enumerate(data.days):
        when = fmt_date(d.day, "long")  # "24 de diciembre de 2026", as people read dates
        if not MIN_YEAR <= d.day.year <= MAX_YEAR:
            add(f"days-{i}", f"El {when}: escriba una fecha entre {MIN_YEAR} y {MAX_YEAR}.")
        if d.ends <= d.starts:
            add(f"days-{i}", f"El {when}: la hora de término debe ser posterior a la de inicio.")
        if d.day in seen:
            add(f"days-{i}", f"El día {when} está repetido.")
        seen.add(d.day)
    for name in ("capacity_in_person", "capacity_virtual"):
        value = getattr(data, name)
        if value is not None and not (0 <= value <= 1_000_000):
            add(name, "El cupo debe ser un número entre 0 y 1,000,000.")
    if event is not None:
        for name, confirmed in (("capacity_in_person", event.confirmed_in_person),
                                ("capacity_virtual", event.confirmed_virtual)):
            value = getattr(data, name)
            if value is not None and value < confirmed:
                add(name, f"Ya hay {confirmed} registros confirmados; el cupo no puede ser menor.")
    if data.modality == Modality.VIRTUAL and data.capacity_in_person:
        add("capacity_in_person", "Un evento virtual no tiene cupo presencial.")
    if data.modality == Modality.PRESENCIAL and data.capacity_virtual:
        add("capacity_virtual", "Un evento presencial no tiene cupo virtual.")
    if data.online_url and not re.match(r"^https?://", data.online_url):
        add("online_url", "El enlace debe empezar con https://")
    opens, closes = data.registration_opens_at, data.registration_closes_at
    for name, moment in (("registration_opens_at", opens), ("registration_closes_at", closes)):
        if moment and not MIN_YEAR <= moment.year <= MAX_YEAR:
            add(name, f"Escriba una fecha entre {MIN_YEAR} y {MAX_YEAR}.")
    if opens and closes and closes <= opens:
        add("registration_closes_at", "El cierre del registro debe ser posterior a su apertura.")
    if errors:
        raise DomainError("invalid_event", "Revise los campos marcados.", fields=errors)
    return {
        "title": data.title.strip(),
        "slug": slug,
        "kind": EventKind(data.kind),
        "municipality_key": data.municipality_key,
        "venue": data.venue.strip(),
        "address": data.address.strip(),
        "modality": Modality(data.modality),
        "capacity_in_person": None if data.modality == Modality.VIRTUAL else data.capacity_in_person,
        "capacity_virtual": None if data.modality == Modality.PRESENCIAL else data.capacity_virtual,
        "online_url": data.online_url.strip(),
        "registration_opens_at": opens,
        "registration_closes_at": closes,
        "description": data.description.strip(),
        "institutions": "\n".join(x.strip() for x in data.institutions.splitlines() if x.strip()),
    }


def _set_days(event: Event, days: list[DayInput]) -> list:
    """Replace the event's days, keeping rows for dates that stay (later issues hang lists off them)."""
    by_date = {d.day: d for d in event.days}
    wanted = sorted(days, key=lambda d: d.day)
    kept = []
    for d in wanted:
        row = by_date.pop(d.day, None) or EventDay(day=d.day)
        row.starts_at = local_to_utc(d.day, d.starts)
        row.ends_at = local_to_utc(d.day, d.ends)
        kept.append(row)
    event.days = kept
    return [_day_label(row) for row in kept]


def create_event(data: EventInput, *, actor=None) -> Event:
    """Create a draft event."""
    values = _validate(data, None)
    event = Event(status=EventStatus.DRAFT, **values)
    db.session.add(event)
    day_labels = _set_days(event, data.days)
    db.session.flush()
    record_action(actor, "event.create", event, details={"slug": event.slug, "days": day_labels})
    days_saved.send(event)
    return event


def update_event(event: Event, data: EventInput, *, actor=None) -> Event:
    """Change an event's fields and days; the audit log keeps what changed."""
    if event.status == EventStatus.ARCHIVED:
        raise DomainError("event_archived", "Un evento archivado no se puede editar.", status=409)
    values = _validate(data, event)
    changes = diff_fields(event, values)
    old_days = [_day_label(d) for d in event.days]
    for name, value in values.items():
        setattr(event, name, value)
    new_days = _set_days(event, data.days)
    if old_days != new_days:
        changes["days"] = [old_days, new_days]
    db.session.flush()
    if changes:
        record_action(actor, "event.update", event, details=changes)
    days_saved.send(event)
    if {"capacity_in_person", "capacity_virtual"} & set(changes):
        for modality in event.modality.attendance_modes:
            capacity_changed.send(event, modality=modality.value)
    return event


def _day_label(row: EventDay) -> str:
    return f"{row.day.isoformat()} {to_local(row.starts_at):%H:%M}-{to_local(row.ends_at):%H:%M}"


_TRANSITIONS = {
    "publish": ({EventStatus.DRAFT, EventStatus.CLOSED}, EventStatus.PUBLISHED, "event.publish"),
    "close": ({EventStatus.PUBLISHED}, EventStatus.CLOSED, "event.close"),
    "archive": ({EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.CLOSED}, EventStatus.ARCHIVED,
                "event.archive"),
    "unarchive": ({EventStatus.ARCHIVED}, EventStatus.CLOSED, "event.reopen"),
}

TRANSITION_MESSAGES = {
    "publish": "Evento publicado: ya aparece en la página pública.",
    "close": "Evento cerrado: sigue visible, pero ya no admite registros.",
    "archive": "Evento archivado: ya no aparece en la página pública.",
    "unarchive": "Evento recuperado del archivo (queda cerrado).",
}


def change_status(event: Event, transition: str, *, actor=None) -> Event:
    """Publish, close, archive or un-archive an event."""
    if transition not in _TRANSITIONS:
        raise DomainError("unknown_transition", "Acción no reconocida.", status=400)
    allowed_from, target, action = _TRANSITIONS[transition]
    if event.status not in allowed_from:
        raise DomainError(
            "invalid_transition",
            f"No se puede pasar de «{event.status.label}» a «{target.label}».",
            status=409,
        )
    if transition == "publish" and not event.days:
        raise DomainError("no_days", "Agregue al menos un día antes de publicar.", status=409)
    old = event.status
    event.status = target
    if target == EventStatus.PUBLISHED and event.published_at is None:
        event.published_at = utcnow()
    record_action(actor, action, event, details={"status": [old.value, target.value]})
    if target == EventStatus.PUBLISHED:
        days_saved.send(event)
    return event


def list_events(*, statuses=None):
    """All events (organizer view), newest first."""
    stmt = select(Event).options(selectinload(Event.days)).order_by(Event.id.desc())
    if statuses:
        stmt = stmt.where(Event.status.in_(list(statuses)))
    return list(db.session.scalars(stmt))


def split_by_date(events, now=None) -> tuple[list[Event], list[Event]]:
    """(upcoming and ongoing, soonest first; past, most recent first) — the order people read a programme in."""
    now = now or utcnow()
    upcoming = sorted((e for e in events if e.days and not e.is_past(now)), key=lambda e: (e.starts_at, e.id))
    past = sorted((e for e in events if e.days and e.is_past(now)), key=lambda e: (e.starts_at, e.id),
                  reverse=True)
    return upcoming, past


def public_events() -> tuple[list[Event], list[Event]]:
    """Published and closed events, split into (upcoming soonest first, past most recent first)."""
    return split_by_date(list_events(statuses=[EventStatus.PUBLISHED, EventStatus.CLOSED]))


def organizer_events(*, statuses=None) -> tuple[list[Event], list[Event]]:
    """Every event (or those in ``statuses``) for the organizer's list, split and ordered like the home page."""
    events = list_events(statuses=statuses)
    upcoming, past = split_by_date(events)
    return upcoming + [e for e in events if not e.days], past  # an event without days is still listed


@cache
def _event_by_slug():
    # Built once (no statement building or cache-keying per request); the days come in the same query
    # since nearly every caller needs them (dates, registration window, the registration form).
    return select(Event).options(joinedload(Event.days)).where(Event.slug == bindparam("slug"))


def get_event(slug: str) -> Event:
    """Any event by slug (organizers), or NotFound."""
    event = db.session.execute(_event_by_slug(), {"slug": (slug or "")[:80]}).unique().scalar_one_or_none()
    if event is None:
        raise NotFound("event_not_found", "No existe un evento con esa dirección.")
    return event


def get_public_event(slug: str, *, preview: bool = False) -> Event:
    """A published or closed event by slug, or NotFound (drafts and archived ones are hidden, except for a
    ``preview``: an organizer looking at the public page before publishing)."""
    event = get_event(slug)
    if not event.is_public and not preview:
        raise NotFound("event_not_found", "No existe un evento con esa dirección.")
    return event
