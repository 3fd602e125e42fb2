"""Tables of a networking session and who sits at them (issue 14, point 1).

A networking session is an agenda session whose type has the key ``networking``. Organizers add tables (number,
topic, facilitator, rapporteur) and seat the session's checked-in attendees — by hand, or automatically
(``foros.networking.assignment``): when nobody is seated yet everyone is dealt to balance sizes and mix sectors;
afterwards each unseated attendee is placed as a late arrival, never moving anyone already seated.
"""

from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import selectinload

from foros.agenda.models import Session, SessionType
from foros.audit.services import record_action
from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.core.errors import DomainError, NotFound
from foros.core.time import utcnow
from foros.events.models import Event
from foros.extensions import db
from foros.networking.assignment import Attendee, deal, place_all_late
from foros.networking.models import NetworkingTable, SeatSource, TableSeat
from foros.registration.models import Registration

NETWORKING_TYPE_KEY = "networking"
TOPIC_MAX = 300
NAME_MAX = 200
MAX_TABLES = 200
MAX_TABLE_NUMBER = 999


@dataclass
class TableInput:
    """A table as the organizer fills it in."""

    number: int | None
    topic: str = ""
    facilitator: str = ""
    rapporteur: str = ""


def networking_sessions(event: Event) -> list[Session]:
    """The event's networking sessions, in time order."""
    return list(db.session.scalars(
        select(Session).join(SessionType, Session.type_id == SessionType.id)
        .where(Session.event_id == event.id, SessionType.key == NETWORKING_TYPE_KEY)
        .order_by(Session.starts_at, Session.id)))


def get_networking_session(event: Event, session_id: int) -> Session:
    """One networking session of this event, or 404 (other session types have no tables)."""
    session = db.session.get(Session, session_id)
    if session is None or session.event_id != event.id or session.session_type.key != NETWORKING_TYPE_KEY:
        raise NotFound("not_found", "No encontramos esa sesión de networking.")
    return session


def session_tables(session: Session) -> list[NetworkingTable]:
    """The session's tables by number, with their seats and the seated registrations loaded."""
    return list(db.session.scalars(
        select(NetworkingTable).where(NetworkingTable.session_id == session.id).order_by(NetworkingTable.number)
        .options(selectinload(NetworkingTable.seats).selectinload(TableSeat.registration))))


def get_table(session: Session, table_id: int) -> NetworkingTable:
    """One table of this session, or 404."""
    table = db.session.get(NetworkingTable, table_id)
    if table is None or table.session_id != session.id:
        raise NotFound("not_found", "No encontramos esa mesa.")
    return table


def _validate(session: Session, data: TableInput, table: NetworkingTable | None) -> dict:
    errors: dict[str, list[str]] = {}
    if data.number is None or not 1 <= data.number <= MAX_TABLE_NUMBER:
        errors["number"] = [f"Escriba un número de mesa entre 1 y {MAX_TABLE_NUMBER}."]
    else:
        taken = select(NetworkingTable.id).where(NetworkingTable.session_id == session.id,
                                                 NetworkingTable.number == data.number)
        if table is not None:
            taken = taken.where(NetworkingTable.id != table.id)
        if db.session.scalar(taken) is not None:
            errors["number"] = [f"Ya existe la mesa {data.number} en esta sesión."]
    for name, limit in (("topic", TOPIC_MAX), ("facilitator", NAME_MAX), ("rapporteur", NAME_MAX)):
        if len(getattr(data, name) or "") > limit:
            errors[name] = [f"Escriba como máximo {limit} caracteres."]
    return errors


def save_table(session: Session, data: TableInput, *, table: NetworkingTable | None = None,
               actor=None) -> NetworkingTable:
    """Add a table to the session, or change one; numbers are unique per session."""
    if table is None and db.session.scalar(select(func.count()).where(
            NetworkingTable.session_id == session.id)) >= MAX_TABLES:
        raise DomainError("too_many_tables", f"Una sesión admite como máximo {MAX_TABLES} mesas.")
    errors = _validate(session, data, table)
    if errors:
        raise DomainError("invalid_table", "Revise los datos de la mesa.", fields=errors)
    creating = table is None
    if creating:
        table = NetworkingTable(session_id=session.id)
        db.session.add(table)
    table.number = data.number
    table.topic = (data.topic or "").strip()
    table.facilitator = (data.facilitator or "").strip()
    table.rapporteur = (data.rapporteur or "").strip()
    db.session.flush()
    record_action(actor, "networking.table_create" if creating else "networking.table_update", table,
                  object_type="networking_table", label=_label(table),
                  details={"table_number": table.number, "topic": table.topic})
    return table


def delete_table(table: NetworkingTable, *, actor=None) -> None:
    """Remove a table that has no conclusions yet (its seats go with it; those attendees become unseated)."""
    if table.conclusions:
        raise DomainError("table_has_conclusions",
                          "La mesa ya tiene conclusiones capturadas; no se puede eliminar.")
    record_action(actor, "networking.table_delete", table, object_type="networking_table", label=_label(table))
    db.session.delete(table)
    db.session.flush()


def set_capture_open(table: NetworkingTable, is_open: bool, *, actor=None) -> None:
    """Close (or reopen) a table's capture link."""
    if is_open == table.capture_open:
        return
    table.capture_closed_at = None if is_open else utcnow()
    db.session.flush()
    record_action(actor, "networking.capture_open" if is_open else "networking.capture_close", table,
                  object_type="networking_table", label=_label(table))


def _label(table: NetworkingTable) -> str:
    return f"Mesa {table.number} — {table.session.title}"


# --- Seats --------------------------------------------------------------------------------------------------


def checked_in(session: Session) -> list[Registration]:
    """The event's attendees admitted at the door (any of the event's check-in lists), by name."""
    admitted = exists().where(Checkin.registration_id == Registration.id,
                              Checkin.result == ScanResult.ACCEPTED.value, Checkin.undone_at.is_(None),
                              Checkin.list_id == CheckinList.id, CheckinList.event_id == session.event_id)
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == session.event_id, admitted)
        .order_by(Registration.name, Registration.id)))


def seated_ids(session: Session) -> set[int]:
    return set(db.session.scalars(select(TableSeat.registration_id).where(TableSeat.session_id == session.id)))


def unseated(session: Session) -> list[Registration]:
    """Checked-in attendees without a table in this session."""
    seated = seated_ids(session)
    return [r for r in checked_in(session) if r.id not in seated]


def seat_attendee(table: NetworkingTable, registration_id: int | None, *, actor=None,
                  source: SeatSource = SeatSource.MANUAL) -> TableSeat:
    """Seat a checked-in attendee at a table by hand (moving them if they sat elsewhere in the session)."""
    session = table.session
    if registration_id is None or registration_id not in {r.id for r in checked_in(session)}:
        raise DomainError("not_checked_in", "Solo se puede asignar a personas que ya registraron su entrada.",
                          fields={"registration_id": ["Elija una persona de la lista."]})
    seat = db.session.scalar(select(TableSeat).where(TableSeat.session_id == session.id,
                                                     TableSeat.registration_id == registration_id))
    if seat is None:
        seat = TableSeat(session_id=session.id, registration_id=registration_id)
        db.session.add(seat)
    seat.table = table
    seat.source = source
    seat.seated_at = utcnow()
    db.session.flush()
    return seat


def unseat(table: NetworkingTable, seat_id: int) -> None:
    """Take one person off a table (they become unseated)."""
    seat = db.session.get(TableSeat, seat_id)
    if seat is None or seat.table_id != table.id:
        raise NotFound("not_found", "Esa persona no está en esta mesa.")
    db.session.delete(seat)
    db.session.flush()


def _attendee(registration: Registration) -> Attendee:
    return Attendee(registration.id, registration.sector or "", registration.municipality_key or "")


def assign_automatically(session: Session, *, actor=None) -> int:
    """Seat every unseated checked-in attendee; returns how many were seated.

    With nobody seated yet, everyone is dealt (``assignment.deal``); otherwise each is placed as a late arrival
    (``assignment.place_late``), so nobody already seated moves.
    """
    tables = session_tables(session)
    if not tables:
        raise DomainError("no_tables", "Agregue al menos una mesa antes de asignar.")
    waiting = unseated(session)
    if not waiting:
        return 0
    people = [_attendee(r) for r in waiting]
    if not any(table.seats for table in tables):
        placement = [(person, index, SeatSource.AUTO) for index, group in enumerate(deal(people, len(tables)))
                     for person in group]
    else:
        current = [[_attendee(seat.registration) for seat in table.seats] for table in tables]
        placement = [(person, index, SeatSource.LATE)
                     for person, index in zip(people, place_all_late(current, people), strict=True)]
    now = utcnow()
    for person, index, source in placement:
        db.session.add(TableSeat(table_id=tables[index].id, session_id=session.id, registration_id=person.id,
                                 source=source, seated_at=now))
    db.session.flush()
    record_action(actor, "networking.seats_assigned", session, object_type="session",
                  label=f"{session.title} — {session.event.title}", details={"seated": len(placement)})
    return len(placement)


def clear_seats(session: Session, *, actor=None) -> int:
    """Empty every table of the session (to deal again); returns how many seats were removed."""
    removed = db.session.execute(delete(TableSeat).where(TableSeat.session_id == session.id)).rowcount
    db.session.expire_all()
    record_action(actor, "networking.seats_cleared", session, object_type="session",
                  label=f"{session.title} — {session.event.title}", details={"removed": removed})
    return removed
