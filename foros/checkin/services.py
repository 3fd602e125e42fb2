"""Check-in services: default lists, the door context, undo, search, counts (ORM).

The scan itself — the hot path, with its driver statements — is ``foros.checkin.scan``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select

from foros.accounts.models import Role, staff_assignments
from foros.audit.services import record_action
from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.core.db import contains_text, dialect_insert
from foros.core.errors import DomainError, NotFound
from foros.core.formatting import fmt_date
from foros.core.text import SLUG_RE
from foros.core.time import local_today, to_local, utcnow
from foros.events.models import Event, EventDay, sector_labels
from foros.extensions import db
from foros.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class Door:
    """Where and by whom scans are made: resolved once per request."""

    user_id: int
    event_id: int
    list_id: int
    list_day_id: int | None
    list_starts_at: datetime | None
    list_ends_at: datetime | None
    list_modalities: tuple
    sectors: dict


# --- lists -------------------------------------------------------------------------------------------

def ensure_default_lists(event: Event) -> list[CheckinList]:
    """Create the per-day lists an event is missing (idempotent); return all its lists."""
    existing = {cl.event_day_id for cl in _lists(event) if cl.is_default}
    missing = [dict(event_id=event.id, slug=day.day.isoformat(), name=f"Día {n} — {fmt_date(day.day, 'medium')}",
                    event_day_id=day.id, modalities=["presencial"], is_default=True)
               for n, day in enumerate(event.days, start=1) if day.id not in existing]
    if missing:
        # The first scans of the day race to create today's list from several processes (tested in
        # tests/checkin/test_concurrency.py). ON CONFLICT DO NOTHING on the (event, slug) unique constraint
        # lets every racer continue with the list the winner created; a plain INSERT made the losers fail
        # with a 500 on PostgreSQL (SQLite's BEGIN IMMEDIATE serialised them).
        db.session.flush()
        insert = dialect_insert(db.session.get_bind().dialect.name)
        db.session.execute(insert(CheckinList).values(missing).on_conflict_do_nothing(
            index_elements=["event_id", "slug"]))
    return _lists(event)


def create_default_lists(event: Event, **_signal) -> None:
    """``events.services.days_saved`` receiver: the door is ready for every day of the event before it opens."""
    ensure_default_lists(event)


def event_lists(event: Event) -> list[CheckinList]:
    """The event's lists, the per-day ones first (reads only: GET pages never create them)."""
    return _lists(event)


def _lists(event: Event) -> list[CheckinList]:
    return list(db.session.scalars(select(CheckinList).where(CheckinList.event_id == event.id)
                                   .order_by(CheckinList.is_default.desc(), CheckinList.id)))


def create_list(event: Event, *, name: str, slug: str, day: EventDay | None, starts_at=None, ends_at=None,
                modalities=("presencial",), actor=None) -> CheckinList:
    """Add a list for part of an event (a panel, the networking session)."""

    errors = {}
    name, slug = (name or "").strip(), (slug or "").strip().lower()
    if not name or len(name) > 120:
        errors["name"] = ["Escriba un nombre (máximo 120 caracteres)."]
    if not SLUG_RE.match(slug) or len(slug) > 60:
        errors["slug"] = ["Use solo minúsculas, números y guiones (máximo 60)."]
    elif db.session.scalar(select(CheckinList.id).where(CheckinList.event_id == event.id,
                                                        CheckinList.slug == slug)):
        errors["slug"] = ["Ya hay una lista con ese nombre corto."]
    if not modalities or any(m not in ("presencial", "virtual") for m in modalities):
        errors["modalities"] = ["Elija al menos una modalidad."]
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = ["El fin debe ser posterior al inicio."]
    if day is not None and day.event_id != event.id:
        errors["day"] = ["Elija un día del evento."]
    if errors:
        raise DomainError("invalid_list", "Revise los campos marcados.", fields=errors)
    checkin_list = CheckinList(event_id=event.id, name=name, slug=slug, event_day=day, starts_at=starts_at,
                               ends_at=ends_at, modalities=list(modalities), is_default=False)
    db.session.add(checkin_list)
    db.session.flush()
    record_action(actor, "checkin_list.create", checkin_list, object_type="checkin_list",
                  label=f"{name} — {event.title}")
    return checkin_list


def default_list_for_today(lists: list[CheckinList], now=None) -> CheckinList | None:
    """Today's day list (Mexico City date), else the first list."""
    today = local_today() if now is None else to_local(now).date()
    for cl in lists:
        if cl.is_default and cl.event_day is not None and cl.event_day.day == today:
            return cl
    return lists[0] if lists else None


# --- the door ---------------------------------------------------------------------------------------

def can_work(user, event: Event) -> bool:
    """Organizers work every door; staff only the events they are assigned to."""
    if user.role == Role.ORGANIZER:
        return True
    return bool(db.session.scalar(select(exists().where(
        staff_assignments.c.user_id == user.id, staff_assignments.c.event_id == event.id))))


def open_door(user, event: Event, list_ref=None, *, now=None) -> tuple[Door, CheckinList]:
    """Check access and pick the list (id, slug, or today's by default)."""
    if not can_work(user, event):
        raise DomainError("not_assigned", "Su cuenta no está asignada a este evento.", status=403)
    lists = _lists(event)
    checkin_list = None
    if list_ref in (None, ""):
        checkin_list = default_list_for_today(lists, now)
    else:
        ref = str(list_ref)
        checkin_list = next((cl for cl in lists if cl.slug == ref or str(cl.id) == ref), None)
    if checkin_list is None:
        raise NotFound("list_not_found", "Ese evento no tiene esa lista de acceso.")
    door = Door(user_id=user.id, event_id=event.id, list_id=checkin_list.id,
                list_day_id=checkin_list.event_day_id, list_starts_at=checkin_list.starts_at,
                list_ends_at=checkin_list.ends_at, list_modalities=tuple(checkin_list.modalities or ()),
                sectors=sector_labels(event.sector_options))
    return door, checkin_list


# --- door helpers -------------------------------------------------------------------------------------

def undo_checkin(checkin: Checkin, *, actor) -> None:
    """Undo a mistaken admission; the row stays, marked with who undid it and when."""
    if checkin.result != ScanResult.ACCEPTED.value or checkin.undone_at is not None:
        raise DomainError("not_undoable", "Ese registro de acceso no se puede deshacer.", status=409)
    checkin.undone_at = utcnow()
    checkin.undone_by_id = actor.id
    db.session.flush()
    record_action(actor, "checkin.undo", checkin, object_type="checkin",
                  label=f"{checkin.registration.name} — {checkin.checkin_list.name}")


def search_attendees(event: Event, text: str, *, limit: int = 20) -> list[Registration]:
    """Find people by part of their name or organization (for people without their ticket).

    Never by e-mail: matching fragments of it let staff rebuild an attendee's address one letter at a time.
    """
    text = " ".join((text or "").split())[:100]
    if len(text) < 2:
        return []
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id,
        Registration.anonymized_at.is_(None),
        contains_text(text, Registration.name, Registration.organization),
    ).order_by(Registration.name).limit(limit)))


def admissions_by_registration(door: Door, registration_ids) -> dict[int, Checkin]:
    """The live admission at this door of each of these people."""
    if not registration_ids:
        return {}
    rows = db.session.scalars(select(Checkin).where(
        Checkin.list_id == door.list_id, Checkin.registration_id.in_(list(registration_ids)),
        Checkin.result == ScanResult.ACCEPTED.value, Checkin.undone_at.is_(None)))
    return {c.registration_id: c for c in rows}


def recent_admissions(door: Door, limit: int = 10) -> list[Checkin]:
    """The last people admitted at this list (to undo a mistake quickly)."""
    return list(db.session.scalars(select(Checkin).where(
        Checkin.list_id == door.list_id, Checkin.result == ScanResult.ACCEPTED.value,
    ).order_by(Checkin.received_at.desc(), Checkin.id.desc()).limit(limit)))


# --- counts -------------------------------------------------------------------------------------------

def _expected_filter(checkin_list: CheckinList):
    conditions = [Registration.event_id == checkin_list.event_id,
                  Registration.status == RegistrationStatus.CONFIRMED]
    if checkin_list.modalities:
        conditions.append(Registration.modality.in_(list(checkin_list.modalities)))
    if checkin_list.event_day_id is not None:
        conditions.append(Registration.days.any(EventDay.id == checkin_list.event_day_id))
    return and_(*conditions)


def door_counter(checkin_list: CheckinList) -> dict:
    """The door's "admitted of expected" for this list: the dashboard's two big numbers, without the detail."""
    admitted = db.session.scalar(
        select(func.count()).select_from(Checkin).join(Registration, Checkin.registration_id == Registration.id)
        .where(Checkin.list_id == checkin_list.id, Checkin.result == ScanResult.ACCEPTED.value,
               Checkin.undone_at.is_(None)))
    expected = db.session.scalar(select(func.count()).select_from(Registration)
                                 .where(_expected_filter(checkin_list)))
    return {"admitted": admitted or 0, "expected": expected or 0}


def list_counts(checkin_list: CheckinList, *, bucket_minutes: int = 15) -> dict:
    """Admitted / expected, by sector and modality, and arrivals per 15 minutes (Mexico City time)."""
    admitted_q = (select(Registration.sector, Registration.modality, Checkin.received_at)
                  .join(Checkin, Checkin.registration_id == Registration.id)
                  .where(Checkin.list_id == checkin_list.id, Checkin.result == ScanResult.ACCEPTED.value,
                         Checkin.undone_at.is_(None)))
    admitted_rows = db.session.execute(admitted_q).all()
    expected_rows = db.session.execute(
        select(Registration.sector, Registration.modality, func.count())
        .where(_expected_filter(checkin_list)).group_by(Registration.sector, Registration.modality)
    ).all()
    by_sector: dict[str, dict] = {}
    by_modality: dict[str, dict] = {}
    for sector, modality, count in expected_rows:
        by_sector.setdefault(sector, {"admitted": 0, "expected": 0})["expected"] += count
        by_modality.setdefault(modality, {"admitted": 0, "expected": 0})["expected"] += count
    buckets: dict[str, int] = {}
    for sector, modality, received_at in admitted_rows:
        by_sector.setdefault(sector, {"admitted": 0, "expected": 0})["admitted"] += 1
        by_modality.setdefault(modality, {"admitted": 0, "expected": 0})["admitted"] += 1
        local = to_local(received_at)
        start = local.replace(minute=local.minute - local.minute % bucket_minutes, second=0, microsecond=0)
        key = start.strftime("%H:%M")
        buckets[key] = buckets.get(key, 0) + 1
    arrivals = _fill_buckets(buckets, bucket_minutes)
    return {
        "list": {"id": checkin_list.id, "slug": checkin_list.slug, "name": checkin_list.name},
        "admitted": len(admitted_rows),
        "expected": sum(c for _s, _m, c in expected_rows),
        "by_sector": by_sector,
        "by_modality": by_modality,
        "arrivals": arrivals,
    }


def _fill_buckets(buckets: dict[str, int], minutes: int) -> list[dict]:
    if not buckets:
        return []
    keys = sorted(buckets)
    first = datetime.strptime(keys[0], "%H:%M")
    last = datetime.strptime(keys[-1], "%H:%M")
    out = []
    while first <= last:
        key = first.strftime("%H:%M")
        out.append({"start": key, "count": buckets.get(key, 0)})
        first += timedelta(minutes=minutes)
    return out
