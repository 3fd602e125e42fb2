"""The scan: the hot path of a rush at the door (``bench/checkin.py``, ``bench/README.md``).

One entry point for both the door page's scan and ``POST /api/v1/checkins``: ``scan_ticket`` takes the
one input (``ScanInput``, loaded by ``schemas.ScanSchema``), resolves the door (``resolve_door``: the
signed-in account, or a bearer token checked by ``accounts``' rules) and decides with the same code.
A scan is two driver statements — one joined SELECT, one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` —
rather than ORM loads; for a device (a token) that one SELECT also resolves its token and door.
Exactly-once is the partial unique index on admitted (list, registration) pairs; idempotent retries are
the unique ``scan_id``. This is one of the modules where driver statements are allowed (the gains are in
``bench/README.md``); the rest of check-in stays ORM.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from sqlalchemy import String, and_, bindparam, exists, func, literal_column, or_, select

from foros.accounts.models import ApiToken, Role, User, staff_assignments
from foros.accounts.services import token_hash_if_well_formed, touch_token
from foros.audit.services import record_action
from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.checkin.services import Door, ensure_default_lists, open_door
from foros.core.db import DriverStatement, dialect_insert
from foros.core.errors import DomainError, NotFound
from foros.core.time import as_utc, local_to_utc, to_local, utcnow
from foros.events.models import Event, EventDay, sector_labels
from foros.events.services import get_event
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



# Prebuilt statements for the scan, the hot path: built once per process with bind parameters on the tables
# (not the ORM entities), so a request neither builds, adapts nor cache-keys a statement — it executes a
# compiled one. perf-notes / bench/README.md ("Check-in") show that building them per call was most of a
# scan's CPU time.

# "Admitted" is written into these statements as an SQL literal, not a bound parameter: when a bound value
# might decide whether a partial index applies (the unique index on admitted pairs is ``WHERE result =
# 'accepted' AND undone_at IS NULL``), SQLite re-prepares the statement at every execution — ~40 µs, most of
# the scan SELECT's own cost. The value is our enum's constant, never input.
_ACCEPTED = literal_column(f"'{ScanResult.ACCEPTED.value}'", String)


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
    return DriverStatement(  # every column of the table (``insert_columns``): none forgotten
        dialect_insert(dialect)(Checkin.__table__).on_conflict_do_nothing().returning(Checkin.__table__.c.id))


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


#: How far ahead of the server's clock a device's ``scanned_at`` may be (phones' clocks drift).
SCAN_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ScanInput:
    """One scan as a door page or a device sends it (loaded by ``schemas.ScanSchema``)."""

    code: str
    scan_id: str
    #: When the code was read, if the device says (an offline door replaying its queue); else on arrival.
    scanned_at: datetime | None = None


def scan_ticket(scan: ScanInput, event_slug: str, list_ref=None, *, user=None, token: str = "",
                device: str = "", now: datetime | None = None) -> tuple[dict, dict]:
    """Process one scan from the door page (``user``, signed in; ``device`` its label) or from a device
    (``token``): the one entry point of ``POST /puerta/…/escanear`` and ``POST /api/v1/checkins``.

    The door comes from ``resolve_door`` (for a token, in the same SELECT as the ticket's scan row); a
    ``scanned_at`` is checked against the clock and the event (``invalid_scanned_at``) and stored as the
    scan's time. Returns ``(answer, list_info)``; raises 401/403/404 as DomainError before anything else
    is decided, 422 for a ``scanned_at`` refused, and 409 for a ``scan_id`` reused on another list.
    """
    now = now or utcnow()
    ticket_id = read_code(scan.code)
    door, list_info, device, row = resolve_door(event_slug, list_ref, user=user, token=token, device=device,
                                                ticket_id=ticket_id, scan_id=scan.scan_id, now=now)
    scanned_at = _scanned_at(scan.scanned_at, door, now)
    if ticket_id is None:
        return _answer(ScanResult.INVALID_SIGNATURE), list_info
    conn = db.session.connection()  # once for the request: each call walks the session's state machine
    if row is None:
        row = _scan_row(conn, door, ticket_id, scan.scan_id)
    return _decide(conn, door, row, scan.scan_id, scanned_at, device, now), list_info


def resolve_door(event_slug: str, list_ref=None, *, user=None, token: str = "", device: str = "",
                 ticket_id: str | None = None, scan_id: str = "", now: datetime | None = None):
    """Who scans where: the signed-in ``user`` or the account behind ``token``, the event, the list (its id,
    slug, or today's), and whether that account works this event.

    Returns ``(door, list_info, device, row)``. For a token, one SELECT checks it (``accounts``' rules:
    ``token_hash_if_well_formed``, ``touch_token``), reads the door and — given ``ticket_id`` — the ticket's
    scan row at that list, returned as ``row`` (else None: ``scan_ticket`` reads it). ``device`` is the
    token's label (or its account's name) for a token, as given for a user.
    """
    now = now or utcnow()
    if user is not None:
        door, checkin_list = open_door(user, get_event(event_slug), list_ref, now=now)
        return door, _list_info(checkin_list), device, None
    token_hash = token_hash_if_well_formed(token)
    if token_hash is None:
        raise _unauthorized()
    ref = "" if list_ref is None else str(list_ref)
    params = {"token_hash": token_hash, "event_slug": (event_slug or "")[:80]}
    if not ref:
        list_by, params["today"] = "today", to_local(now).date()
    elif ref.isdigit() and len(ref) < 18:
        list_by, params["list_slug"], params["list_id"] = "ref", ref, int(ref)
    else:
        list_by, params["list_slug"] = "slug", ref
    conn = db.session.connection()
    if ticket_id is None:
        row = _door_statement(list_by).execute(conn, params).first()
    else:
        params["ticket_id"], params["scan_id"] = ticket_id, scan_id
        row = _door_scan_statement(list_by).execute(conn, params).first()
    if row is None or not row.active:
        raise _unauthorized()
    touch_token(row.token_id, row.last_used_at, now)
    if row.event_id is None:
        raise NotFound("event_not_found", "No existe un evento con esa dirección.")
    if row.role != Role.ORGANIZER and not row.assigned:
        raise DomainError("forbidden", "Su cuenta no está asignada a este evento.", status=403)
    device = (row.token_label or row.user_name)[:100]
    if row.list_id is None:
        if ref:
            raise NotFound("list_not_found", "Ese evento no tiene esa lista de acceso.")
        # No list for today (the event is not today, or its days were saved before lists were made with
        # them): the slow path creates any missing default lists and picks one; the ticket is read at it.
        event = db.session.get(Event, row.event_id)
        ensure_default_lists(event)
        door, checkin_list = open_door(db.session.get(User, row.user_id), event, None, now=now)
        return door, _list_info(checkin_list), device, None
    door = Door(user_id=row.user_id, event_id=row.event_id, list_id=row.list_id, list_day_id=row.event_day_id,
                list_starts_at=row.starts_at, list_ends_at=row.ends_at,
                list_modalities=tuple(row.modalities or ()),
                sectors=sector_labels(row.sector_options))
    return door, {"id": row.list_id, "slug": row.list_slug, "name": row.list_name}, device, (
        row if ticket_id is not None else None)


def _list_info(checkin_list: CheckinList) -> dict:
    return {"id": checkin_list.id, "slug": checkin_list.slug, "name": checkin_list.name}


def _scanned_at(scanned_at: datetime | None, door: Door, now: datetime) -> datetime:
    """The scan's time: the device's ``scanned_at`` if sane (not ahead of our clock by more than
    ``SCAN_CLOCK_SKEW``, not before the event's first day began, Mexico City time), else refused."""
    if scanned_at is None:
        return now
    scanned_at = as_utc(scanned_at)
    if scanned_at > now + SCAN_CLOCK_SKEW:
        raise _bad_scanned_at("La hora de lectura está en el futuro; revise el reloj del dispositivo.")
    first_day = db.session.scalar(select(func.min(EventDay.day)).where(EventDay.event_id == door.event_id))
    if first_day is not None and scanned_at < local_to_utc(first_day, time(0)):
        raise _bad_scanned_at("La hora de lectura es anterior al evento.")
    return scanned_at


def _bad_scanned_at(message: str) -> DomainError:
    return DomainError("invalid_scanned_at", message, status=422, fields={"scanned_at": [message]})


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
        scanned_at=scanned_at, received_at=now, device=device[:100], user_id=door.user_id, undone_at=None,
        undone_by_id=None,
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



# --- by hand ---------------------------------------------------------------------------------------

def admit_registration(door: Door, registration: Registration, *, device: str = "manual", actor=None) -> dict:
    """Admit someone found by manual search (same rules and guarantees as a scan); an admission by hand is
    audited (``actor``), since no ticket was shown."""
    answer = check_in(door, make_code(registration.ticket_id), device=device)
    if actor is not None and answer["result"] == ScanResult.ACCEPTED.value:
        checkin_list = db.session.get(CheckinList, door.list_id)
        record_action(actor, "checkin.admit", registration, object_type="registration",
                      label=f"{registration.name} — {checkin_list.name}", details={"device": device})
    return answer


