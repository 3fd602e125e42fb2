"""Organizer services for the programme's draft: sessions, rooms, session types, a session's own door list.

Services flush, never commit; they raise ``DomainError`` with stable codes (``invalid_session``,
``invalid_room``, ``invalid_session_type``, ``list_already_open``…) and Spanish messages per field. Saving a
session returns its conflict warnings, which never block the save.
"""

import re
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from foros.agenda.conflicts import session_conflicts
from foros.agenda.models import Room, Session, SessionPerson, SessionStatus, SessionType
from foros.audit.services import record_action
from foros.checkin.services import create_list
from foros.core.errors import DomainError, NotFound
from foros.core.time import local_to_utc, to_local
from foros.events.models import Event, Modality
from foros.extensions import db

TITLE_MAX = 250
URL_MAX = 500
NAME_MAX = 120
TYPE_NAME_MAX = 80
MAX_CAPACITY = 1_000_000
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass
class SessionInput:
    """What an organizer types for a session (times local to Mexico City)."""

    title: str
    type_id: int | None
    day: date | None
    starts: time | None
    ends: time | None
    room_id: int | None = None
    modality: str = Modality.PRESENCIAL.value
    online_url: str = ""
    description: str = ""
    capacity: int | None = None


# --- Reads --------------------------------------------------------------------------------------------------


def event_sessions(event: Event) -> list[Session]:
    """The event's sessions (cancelled too), in time order, with their people, rooms and types loaded."""
    return list(db.session.scalars(
        select(Session).where(Session.event_id == event.id).order_by(Session.starts_at, Session.id)
        .options(selectinload(Session.people).selectinload(SessionPerson.person), selectinload(Session.room),
                 selectinload(Session.session_type), selectinload(Session.checkin_list))))


def get_session(event: Event, session_id: int) -> Session:
    """One session of this event, or 404."""
    session = db.session.get(Session, session_id)
    if session is None or session.event_id != event.id:
        raise NotFound("not_found", "No encontramos esa sesión.")
    return session


def session_types(*, active_only: bool = False) -> list[SessionType]:
    """The installation's session types, in their order."""
    query = select(SessionType).order_by(SessionType.position, SessionType.name)
    if active_only:
        query = query.where(SessionType.is_active.is_(True))
    return list(db.session.scalars(query))


def event_rooms(event: Event) -> list[Room]:
    """Rooms offered to the event: its own and those of its venue."""
    venue_rooms = Room.venue == event.venue.strip() if event.venue.strip() else False
    return list(db.session.scalars(select(Room).where(or_(Room.event_id == event.id, venue_rooms))
                                   .order_by(Room.name)))


# --- Sessions -----------------------------------------------------------------------------------------------


def _check_session(event: Event, data: SessionInput, current: Session | None) -> dict:
    errors: dict[str, list[str]] = {}
    title = (data.title or "").strip()
    if not title or len(title) > TITLE_MAX:
        errors["title"] = [f"Escriba el título (máximo {TITLE_MAX} caracteres)."]
    session_type = db.session.get(SessionType, data.type_id) if data.type_id else None
    if session_type is None or not (session_type.is_active or (current and current.type_id == session_type.id)):
        errors["type_id"] = ["Elija un tipo de sesión de la lista."]
    if data.day is None:
        errors["day"] = ["Escriba la fecha."]
    if data.starts is None:
        errors["starts"] = ["Escriba la hora de inicio."]
    if data.ends is None:
        errors["ends"] = ["Escriba la hora de término."]
    elif data.starts is not None and data.ends <= data.starts:
        errors["ends"] = ["La sesión termina antes de empezar (o a la misma hora): corrija la hora de término."]
    if data.room_id is not None and data.room_id not in {r.id for r in event_rooms(event)}:
        errors["room_id"] = ["Elija una sala de este evento o de su sede."]
    if data.modality not in {m.value for m in Modality}:
        errors["modality"] = ["Elija una modalidad de la lista."]
    url = (data.online_url or "").strip()
    if url and (len(url) > URL_MAX or not _URL.match(url)):
        errors["online_url"] = ["Escriba un enlace completo que empiece con https://."]
    if data.capacity is not None and not 0 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = ["El cupo debe ser un número entre 0 y 1,000,000."]
    return errors


def _apply(event: Event, session: Session, data: SessionInput) -> None:
    session.title = data.title.strip()
    session.type_id = data.type_id
    session.starts_at = local_to_utc(data.day, data.starts)
    session.ends_at = local_to_utc(data.day, data.ends)
    session.event_day_id = next((d.id for d in event.days if d.day == data.day), None)
    session.room_id = data.room_id
    session.modality = Modality(data.modality)
    session.online_url = (data.online_url or "").strip()
    session.description = (data.description or "").strip()
    session.capacity = data.capacity


def save_session(event: Event, data: SessionInput, *, session: Session | None = None,
                 actor=None) -> tuple[Session, list[str]]:
    """Create (``session`` None) or edit a session of the draft; return it with its conflict warnings."""
    errors = _check_session(event, data, session)
    if errors:
        raise DomainError("invalid_session", "Revise los campos marcados.", fields=errors)
    creating = session is None
    if creating:
        session = Session(event_id=event.id, event=event)
        db.session.add(session)
    _apply(event, session, data)
    db.session.flush()
    db.session.refresh(session, ["room", "session_type", "event_day"])
    record_action(actor, "agenda.session_create" if creating else "agenda.session_update", session,
                  object_type="session", label=f"{session.title} — {event.title}",
                  details={"day": data.day, "starts": data.starts.strftime("%H:%M"),
                           "ends": data.ends.strftime("%H:%M"), "room": session.room.name if session.room else ""})
    return session, session_conflicts(session)


def session_form_input(session: Session) -> SessionInput:
    """A saved session as the form shows it (local date and times)."""
    starts, ends = to_local(session.starts_at), to_local(session.ends_at)
    return SessionInput(title=session.title, type_id=session.type_id, day=starts.date(),
                        starts=starts.time().replace(tzinfo=None), ends=ends.time().replace(tzinfo=None),
                        room_id=session.room_id, modality=session.modality.value,
                        online_url=session.online_url, description=session.description, capacity=session.capacity)


def set_session_status(session: Session, status: SessionStatus, *, actor=None) -> None:
    """Cancel a session (kept: calendars then show it cancelled) or restore it."""
    if session.status == status:
        return
    session.status = status
    db.session.flush()
    action = "agenda.session_cancel" if status == SessionStatus.CANCELLED else "agenda.session_restore"
    record_action(actor, action, session, object_type="session", label=f"{session.title} — {session.event.title}")


def open_session_list(session: Session, *, actor=None):
    """"Abrir lista de acceso para esta sesión": a check-in list for the session's time, shown at the door."""
    if session.checkin_list_id is not None:
        raise DomainError("list_already_open", "Esta sesión ya tiene su lista de acceso.")
    modalities = ["presencial", "virtual"] if session.modality == Modality.HIBRIDA else [
        "virtual" if session.modality == Modality.VIRTUAL else "presencial"]
    base = f"sesion-{session.id}"
    checkin_list = create_list(session.event, name=session.title[:NAME_MAX], slug=base,
                               day=session.event_day, starts_at=None, ends_at=None,
                               modalities=modalities, actor=actor)
    session.checkin_list_id = checkin_list.id
    db.session.flush()
    return checkin_list


# --- Rooms --------------------------------------------------------------------------------------------------


def create_room(event: Event, *, name: str, capacity: int | None, for_venue: bool, actor=None) -> Room:
    """Add a room to the event, or to its venue (then offered to every event held there)."""
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > NAME_MAX:
        errors["name"] = [f"Escriba el nombre de la sala (máximo {NAME_MAX} caracteres)."]
    elif any(r.name.casefold() == name.casefold() for r in event_rooms(event)):
        errors["name"] = ["Ya hay una sala con ese nombre."]
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = ["El cupo debe ser un número entre 0 y 1,000,000."]
    if for_venue and not event.venue.strip():
        errors["for_venue"] = ["El evento no tiene sede escrita; la sala será solo de este evento."]
    if errors:
        raise DomainError("invalid_room", "Revise los campos marcados.", fields=errors)
    room = Room(name=name, capacity=capacity, event_id=None if for_venue else event.id,
                venue=event.venue.strip() if for_venue else "")
    db.session.add(room)
    db.session.flush()
    record_action(actor, "agenda.room_create", room, object_type="room", label=f"{name} — {event.title}")
    return room


def delete_room(event: Event, room: Room, *, actor=None) -> None:
    """Remove a room of this event (its sessions keep their time, without a room)."""
    if room.event_id != event.id:
        raise DomainError("invalid_room",
                          "Las salas de la sede se comparten con otros eventos; no se borran aquí.")
    record_action(actor, "agenda.room_delete", room, object_type="room", label=f"{room.name} — {event.title}")
    db.session.delete(room)
    db.session.flush()


# --- Session types ------------------------------------------------------------------------------------------


def create_session_type(name: str, *, actor=None) -> SessionType:
    """Add a session type to the installation's list."""
    name = (name or "").strip()
    if not name or len(name) > TYPE_NAME_MAX:
        raise DomainError("invalid_session_type", "Revise el nombre.",
                          fields={"name": [f"Escriba el nombre (máximo {TYPE_NAME_MAX} caracteres)."]})
    if db.session.scalar(select(SessionType.id).where(func.lower(SessionType.name) == name.lower())):
        raise DomainError("invalid_session_type", "Revise el nombre.",
                          fields={"name": ["Ya existe un tipo con ese nombre."]})
    position = (db.session.scalar(select(func.max(SessionType.position))) or 0) + 10
    session_type = SessionType(name=name, position=position, is_active=True)
    db.session.add(session_type)
    db.session.flush()
    record_action(actor, "agenda.type_create", session_type, object_type="session_type", label=name)
    return session_type


def set_session_type_active(session_type: SessionType, active: bool, *, actor=None) -> None:
    """Offer a type again, or retire it (sessions that have it keep it)."""
    session_type.is_active = active
    db.session.flush()
    record_action(actor, "agenda.type_enable" if active else "agenda.type_disable", session_type,
                  object_type="session_type", label=session_type.name)
