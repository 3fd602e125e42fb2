"""Check-in services: default lists, the door context, exactly-once admissions, undo, search, counts.

The scan is the hot path (a rush of hundreds of people at one door): it is written as two SQLAlchemy
Core statements — one joined SELECT, one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` — rather than
ORM loads (see ``bench/README.md``); for a device (the API) that one SELECT also resolves its token and
door. Exactly-once is the partial unique index on admitted (list, registration) pairs; idempotent retries
are the unique ``scan_id``.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import String, and_, bindparam, exists, func, literal_column, or_, select, update

from foros.accounts.models import ApiToken, Role, User, staff_assignments
from foros.accounts.services import TOKEN_PREFIX, hash_token
from foros.audit.services import record_action
from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.core.db import DriverStatement, contains_text, dialect_insert
from foros.core.errors import DomainError, NotFound
from foros.core.formatting import fmt_date
from foros.core.time import as_utc, local_today, to_local, utcnow
from foros.events.models import Event, EventDay
from foros.extensions import db
from foros.registration.codes import make_code, read_code
from foros.registration.models import Registration, RegistrationStatus, registration_days

MESSAGES = {
    ScanResult.ACCEPTED: "Bienvenida(o). Acceso registrado.",
    ScanResult.ALREADY_CHECKED_IN: "Este boleto ya entró.",
    ScanResult.UNKNOWN: "Código desconocido: no corresponde a ningún registro.",
    ScanResult.INVALID_SIGNATURE: "Código no válido o alterado.",
    ScanResult.WRONG_EVENT: "Este boleto es de otro evento.",
    ScanResult.CANCELLED: "Este registro fue cancelado.",
    ScanResult.WAITLISTED: "Esta persona está en lista de espera; no tiene lugar confirmado.",
    ScanResult.NOT_VALID_FOR_LIST: "Este boleto no es válido para esta entrada (día, horario o modalidad).",
}


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


def _lists(event: Event) -> list[CheckinList]:
    return list(db.session.scalars(select(CheckinList).where(CheckinList.event_id == event.id)
                                   .order_by(CheckinList.is_default.desc(), CheckinList.id)))


def create_list(event: Event, *, name: str, slug: str, day: EventDay | None, starts_at=None, ends_at=None,
                modalities=("presencial",), actor=None) -> CheckinList:
    """Add a list for part of an event (a panel, the networking session)."""
    import re

    errors = {}
    name, slug = (name or "").strip(), (slug or "").strip().lower()
    if not name or len(name) > 120:
        errors["name"] = ["Escriba un nombre (máximo 120 caracteres)."]
    if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", slug) or len(slug) > 60:
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
    lists = ensure_default_lists(event)
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
                sectors={s["key"]: s["label"] for s in event.sector_options or []})
    return door, checkin_list


# Prebuilt statements for the scan, the hot path: built once per process with bind parameters on the tables
# (not the ORM entities), so a request neither builds, adapts nor cache-keys a statement — it executes a
# compiled one. perf-notes / bench/README.md ("Check-in") show that building them per call was most of a
# scan's CPU time.

# "Admitted" is written into these statements as an SQL literal, not a bound parameter: when a bound value
# might decide whether a partial index applies (the unique index on admitted pairs is ``WHERE result =
# 'accepted' AND undone_at IS NULL``), SQLite re-prepares the statement at every execution — ~40 µs, most of
# the scan SELECT's own cost. The value is our enum's constant, never input.
_ACCEPTED = literal_column(f"'{ScanResult.ACCEPTED.value}'", String)
#: What ``_record`` writes: every column of a scan row (``DriverStatement`` applies no Python defaults).
_RECORD_COLUMNS = ("scan_id", "list_id", "registration_id", "result", "scanned_at", "received_at", "device",
                   "user_id")


def _door_parts(list_by: str):
    """Token → account, event, assignment and list: the columns, FROM and WHERE of the door's SELECT.

    ``list_by`` is today, slug or ref. Shared by the door-only statement and the door-and-scan one.
    """
    tokens, users, events, days, lists = (ApiToken.__table__, User.__table__, Event.__table__,
                                          EventDay.__table__, CheckinList.__table__)
    if list_by == "today":
        today = select(days.c.id).where(days.c.event_id == events.c.id,
                                        days.c.day == bindparam("today")).scalar_subquery()
        list_match = and_(lists.c.is_default.is_(True), lists.c.event_day_id == today)
    elif list_by == "slug":
        list_match = lists.c.slug == bindparam("list_slug")
    else:
        list_match = or_(lists.c.slug == bindparam("list_slug"), lists.c.id == bindparam("list_id"))
    columns = (
        tokens.c.id.label("token_id"), tokens.c.label.label("token_label"), tokens.c.last_used_at,
        users.c.id.label("user_id"), users.c.name.label("user_name"), users.c.role, users.c.active,
        events.c.id.label("event_id"), events.c.sector_options,
        exists().where(staff_assignments.c.user_id == users.c.id,
                       staff_assignments.c.event_id == events.c.id).label("assigned"),
        lists.c.id.label("list_id"), lists.c.slug.label("list_slug"), lists.c.name.label("list_name"),
        lists.c.event_day_id, lists.c.starts_at, lists.c.ends_at, lists.c.modalities,
    )
    from_ = (tokens.join(users, users.c.id == tokens.c.user_id)
             .outerjoin(events, events.c.slug == bindparam("event_slug"))
             .outerjoin(lists, and_(lists.c.event_id == events.c.id, list_match)))
    where = (tokens.c.token_hash == bindparam("token_hash"), tokens.c.revoked_at.is_(None))
    return columns, from_, where, lists


def _scan_parts(from_, list_id, day_id):
    """What a scan reads — the one definition, for both scan statements.

    The registration by ``:ticket_id``, whether it holds the list's day, its live admission at the list, and
    the earlier answer to ``:scan_id``. ``list_id`` and ``day_id`` are bind parameters (``check_in``: the door
    is known) or the joined list's columns (the device scan: door and ticket in one SELECT). ``from_`` is
    None for the scan statement (the registrations are the FROM, filtered by WHERE) or the door's FROM, onto
    which the registration is LEFT JOINed (so an unknown ticket still returns the door). Returns the columns,
    the FROM, and the WHERE conditions to add.
    """
    registrations, checkins = Registration.__table__, Checkin.__table__
    admission = checkins.alias("admission")
    ticket = registrations.c.ticket_id == bindparam("ticket_id")
    columns = (
        registrations.c.id.label("registration_id"), registrations.c.event_id.label("registration_event_id"),
        registrations.c.status, registrations.c.modality, registrations.c.name.label("attendee_name"),
        registrations.c.organization, registrations.c.sector,
        exists().where(registration_days.c.registration_id == registrations.c.id,
                       registration_days.c.event_day_id == day_id).label("has_day"),
        admission.c.received_at.label("admitted_at"), admission.c.device.label("admitted_device"),
        select(checkins.c.result).where(checkins.c.scan_id == bindparam("scan_id"))
        .scalar_subquery().label("previous"),
    )
    admitted = and_(admission.c.list_id == list_id, admission.c.registration_id == registrations.c.id,
                    admission.c.result == _ACCEPTED, admission.c.undone_at.is_(None))
    if from_ is None:
        return columns, registrations.outerjoin(admission, admitted), (ticket,)
    return columns, from_.outerjoin(registrations, ticket).outerjoin(admission, admitted), ()


@cache  # built once per process, on first use (the models are imported by then)
def _door_statement(list_by: str):
    """Token → account, event, assignment and list in one SELECT (a forged code needs no more)."""
    columns, from_, where, _lists_table = _door_parts(list_by)
    return DriverStatement(select(*columns).select_from(from_).where(*where).limit(1))


@cache  # built once per process, on first use (the models are imported by then)
def _door_scan_statement(list_by: str):
    """The device scan's one SELECT: the door, and the ticket's scan row correlated to the joined list."""
    door_columns, from_, where, lists = _door_parts(list_by)
    scan_columns, from_, scan_where = _scan_parts(from_, lists.c.id, lists.c.event_day_id)
    return DriverStatement(select(*door_columns, *scan_columns).select_from(from_).where(*where, *scan_where)
                           .limit(1))


@cache  # built once per process, on first use (the models are imported by then)
def _scan_statement():
    """The ticket's scan row at a known door (``:list_id``, ``:day_id``): see ``_scan_parts``."""
    columns, from_, where = _scan_parts(None, bindparam("list_id"), bindparam("day_id"))
    return DriverStatement(select(*columns).select_from(from_).where(*where))


@cache  # built once per process, on first use (the models are imported by then)
def _insert_statement(dialect: str):
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id``: exactly once, decided by the database."""
    return DriverStatement(
        dialect_insert(dialect)(Checkin.__table__).on_conflict_do_nothing().returning(Checkin.__table__.c.id),
        column_keys=_RECORD_COLUMNS)


@cache  # built once per process, on first use (the models are imported by then)
def _previous_statement():
    checkins = Checkin.__table__
    return DriverStatement(select(checkins.c.result, checkins.c.list_id, checkins.c.registration_id).where(
        checkins.c.scan_id == bindparam("scan_id")))


@cache  # built once per process, on first use (the models are imported by then)
def _first_admission_statement():
    checkins = Checkin.__table__
    return DriverStatement(select(checkins.c.received_at, checkins.c.device).where(
        checkins.c.list_id == bindparam("list_id"), checkins.c.registration_id == bindparam("registration_id"),
        checkins.c.result == _ACCEPTED, checkins.c.undone_at.is_(None)))


def _unauthorized() -> DomainError:
    return DomainError("unauthorized", "Token ausente, revocado o no válido.", status=401)


def check_in_with_token(token: str, event_slug: str, list_ref, code: str, *, scan_id: str,
                        scanned_at: datetime | None = None, now: datetime | None = None) -> tuple[dict, dict]:
    """The device scan (``POST /api/v1/checkins``): door and ticket in one SELECT, then ``_decide``.

    One statement resolves token → account, event, assignment, list *and* reads the ticket's scan row at
    that list (``_door_scan_statement``); the scan is then written by the ``INSERT`` (two statements in
    all). A code whose signature fails is refused in Python and only the door is read (the token, event and
    list are still checked). Returns ``(answer, list_info)``; raises 401/403/404 as DomainError before
    anything else is decided, and 409 for a ``scan_id`` reused on another list.
    """
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise _unauthorized()
    now = now or utcnow()
    scanned_at = as_utc(scanned_at) if scanned_at else now
    ref = "" if list_ref is None else str(list_ref)
    params = {"token_hash": hash_token(token), "event_slug": (event_slug or "")[:80]}
    if not ref:
        list_by, params["today"] = "today", to_local(now).date()
    elif ref.isdigit() and len(ref) < 18:
        list_by, params["list_slug"], params["list_id"] = "ref", ref, int(ref)
    else:
        list_by, params["list_slug"] = "slug", ref
    ticket_id = read_code(code)
    conn = db.session.connection()  # once for the request: each call walks the session's state machine
    if ticket_id is None:
        row = _door_statement(list_by).execute(conn, params).first()
    else:
        params["ticket_id"], params["scan_id"] = ticket_id, scan_id
        row = _door_scan_statement(list_by).execute(conn, params).first()

    if row is None or not row.active:
        raise _unauthorized()
    if row.last_used_at is None or (now - as_utc(row.last_used_at)).total_seconds() > 60:
        db.session.execute(update(ApiToken).where(ApiToken.id == row.token_id).values(last_used_at=now))
    if row.event_id is None:
        raise NotFound("event_not_found", "No existe un evento con esa dirección.")
    if row.role != Role.ORGANIZER and not row.assigned:
        raise DomainError("forbidden", "Su cuenta no está asignada a este evento.", status=403)
    device = (row.token_label or row.user_name)[:100]
    if row.list_id is None:
        if ref:
            raise NotFound("list_not_found", "Ese evento no tiene esa lista de acceso.")
        # No list for today yet (first scan of the day, or the event is not today): the slow path creates
        # the default lists and picks one, then reads the ticket at it with the scan statement.
        user = db.session.get(User, row.user_id)
        event = db.session.get(Event, row.event_id)
        door, checkin_list = open_door(user, event, None, now=now)
        list_info = {"id": checkin_list.id, "slug": checkin_list.slug, "name": checkin_list.name}
        if ticket_id is None:
            return _answer(ScanResult.INVALID_SIGNATURE), list_info
        conn = db.session.connection()
        row = _scan_row(conn, door, ticket_id, scan_id)
        return _decide(conn, door, row, scan_id, scanned_at, device, now), list_info
    list_info = {"id": row.list_id, "slug": row.list_slug, "name": row.list_name}
    if ticket_id is None:
        return _answer(ScanResult.INVALID_SIGNATURE), list_info
    door = Door(user_id=row.user_id, event_id=row.event_id, list_id=row.list_id, list_day_id=row.event_day_id,
                list_starts_at=row.starts_at, list_ends_at=row.ends_at,
                list_modalities=tuple(row.modalities or ()),
                sectors={s["key"]: s["label"] for s in row.sector_options or []})
    return _decide(conn, door, row, scan_id, scanned_at, device, now), list_info


# --- the scan -----------------------------------------------------------------------------------------

def _previous_answer(conn, scan_id: str, door: Door):
    row = _previous_statement().execute(conn, {"scan_id": scan_id}).first()
    if row is None:
        return None
    if row.list_id != door.list_id:
        raise DomainError("scan_id_reused", "Ese scan_id ya se usó en otra lista.", status=409)
    return row


def _scan_row(conn, door: Door, ticket_id: str, scan_id: str):
    """The ticket's scan row at ``door`` (``_scan_parts``), or None for an unknown ticket."""
    return _scan_statement().execute(conn, {"ticket_id": ticket_id, "list_id": door.list_id,
                                            "day_id": door.list_day_id, "scan_id": scan_id}).first()


def check_in(door: Door, code: str, *, scan_id: str | None = None, scanned_at: datetime | None = None,
             device: str = "", now: datetime | None = None) -> dict:
    """Process one scan at ``door``; admit the ticket at most once. Returns the answer for the device."""
    now = now or utcnow()
    scan_id = scan_id or str(uuid.uuid4())
    scanned_at = as_utc(scanned_at) if scanned_at else now
    ticket_id = read_code(code)
    if ticket_id is None:
        return _answer(ScanResult.INVALID_SIGNATURE)
    conn = db.session.connection()  # once: each session.connection() call walks the session's state machine
    return _decide(conn, door, _scan_row(conn, door, ticket_id, scan_id), scan_id, scanned_at, device, now)


def _decide(conn, door: Door, row, scan_id: str, scanned_at: datetime, device: str, now: datetime) -> dict:
    """Judge a scan from its row (the columns of ``_scan_parts``) and record it; both scan paths end here.

    ``row`` is None when the scan statement found no registration; the device scan's row always exists
    (the door) and has ``registration_id`` None for an unknown ticket, with ``previous`` already read.
    """
    if row is None or row.registration_id is None:
        # The scan statement read no previous answer when it found no registration: look it up.
        if (row is None or row.previous is not None) and _previous_answer(conn, scan_id, door) is not None:
            return _answer(ScanResult.UNKNOWN)
        _record(conn, door, scan_id, None, ScanResult.UNKNOWN, scanned_at, device, now)
        return _answer(ScanResult.UNKNOWN)

    attendee = {"name": row.attendee_name, "organization": row.organization,
                "sector": door.sectors.get(row.sector, row.sector)}
    if row.previous is not None:
        previous = _previous_answer(conn, scan_id, door)  # also refuses a scan_id reused on another list
        return _replay(conn, door, previous, attendee, row)

    result = _judge(door, row, scanned_at)
    if result is ScanResult.ACCEPTED and row.admitted_at is None:
        inserted = _record(conn, door, scan_id, row.registration_id, result, scanned_at, device, now)
        if inserted is not None:
            return _answer(ScanResult.ACCEPTED, attendee)
        # Lost a race: another device admitted this person (or sent this scan_id) a moment ago.
        return _after_conflict(conn, door, scan_id, attendee, row.registration_id)
    if result is ScanResult.ACCEPTED:
        result = ScanResult.ALREADY_CHECKED_IN
    _record(conn, door, scan_id, row.registration_id, result, scanned_at, device, now)
    extra = {}
    if result is ScanResult.ALREADY_CHECKED_IN:
        extra = {"first_checkin": {"at": as_utc(row.admitted_at).isoformat(), "device": row.admitted_device}}
    return _answer(result, attendee, **extra)


def _judge(door: Door, row, scanned_at) -> ScanResult:
    if row.registration_event_id != door.event_id:
        return ScanResult.WRONG_EVENT
    if row.status == RegistrationStatus.CANCELLED:
        return ScanResult.CANCELLED
    if row.status == RegistrationStatus.WAITLISTED:
        return ScanResult.WAITLISTED
    if door.list_day_id is not None and not row.has_day:
        return ScanResult.NOT_VALID_FOR_LIST
    if door.list_modalities and row.modality not in door.list_modalities:
        return ScanResult.NOT_VALID_FOR_LIST
    if door.list_starts_at and scanned_at < as_utc(door.list_starts_at):
        return ScanResult.NOT_VALID_FOR_LIST
    if door.list_ends_at and scanned_at > as_utc(door.list_ends_at):
        return ScanResult.NOT_VALID_FOR_LIST
    return ScanResult.ACCEPTED


def _record(conn, door, scan_id, registration_id, result, scanned_at, device, now) -> int | None:
    """Write the scan; returns its id, or None when the database refused it as a duplicate."""
    return _insert_statement(conn.dialect.name).execute(conn, dict(
        scan_id=scan_id, list_id=door.list_id, registration_id=registration_id, result=result.value,
        scanned_at=scanned_at, received_at=now, device=device[:100], user_id=door.user_id,
    )).scalar()


def _first_admission(conn, door: Door, registration_id: int):
    return _first_admission_statement().execute(conn,
                        {"list_id": door.list_id, "registration_id": registration_id}).first()


def _after_conflict(conn, door: Door, scan_id: str, attendee: dict, registration_id: int) -> dict:
    previous = _previous_answer(conn, scan_id, door)
    if previous is not None and previous.result == ScanResult.ACCEPTED.value:
        return _answer(ScanResult.ACCEPTED, attendee)  # our own retry won the race
    first = _first_admission(conn, door, registration_id)
    if previous is None:
        _record(conn, door, scan_id, registration_id, ScanResult.ALREADY_CHECKED_IN, utcnow(), "", utcnow())
    return _answer(ScanResult.ALREADY_CHECKED_IN, attendee, first_checkin={
        "at": as_utc(first.received_at).isoformat(), "device": first.device} if first else None)


def _replay(conn, door: Door, previous, attendee: dict, row) -> dict:
    result = ScanResult(previous.result)
    if result is ScanResult.ALREADY_CHECKED_IN:
        first = _first_admission(conn, door, row.registration_id)
        return _answer(result, attendee, first_checkin={"at": as_utc(first.received_at).isoformat(),
                                                        "device": first.device} if first else None)
    return _answer(result, attendee)


#: Answers that say nothing about the person: no ticket found, or a ticket of another event (the door's staff
#: may not work that event, so its attendees' names are none of their business).
_ANONYMOUS_RESULTS = (ScanResult.UNKNOWN, ScanResult.INVALID_SIGNATURE, ScanResult.WRONG_EVENT)


def _answer(result: ScanResult, attendee: dict | None = None, **extra) -> dict:
    answer = {"result": result.value, "message": MESSAGES[result]}
    if attendee is not None and result not in _ANONYMOUS_RESULTS:
        answer["attendee"] = attendee
    answer.update(extra)
    return answer


# --- door helpers -------------------------------------------------------------------------------------

def admit_registration(door: Door, registration: Registration, *, device: str = "manual", actor=None) -> dict:
    """Admit someone found by manual search (same rules and guarantees as a scan); an admission by hand is
    audited (``actor``), since no ticket was shown."""
    answer = check_in(door, make_code(registration.ticket_id), device=device)
    if actor is not None and answer["result"] == ScanResult.ACCEPTED.value:
        checkin_list = db.session.get(CheckinList, door.list_id)
        record_action(actor, "checkin.admit", registration, object_type="registration",
                      label=f"{registration.name} — {checkin_list.name}", details={"device": device})
    return answer


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
