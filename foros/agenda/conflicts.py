"""Conflict warnings for a session, as a pure function over plain data (``find_conflicts``), and the loader
that gathers that data from the database (``session_conflicts``).

Warnings never block saving: an official may well be on two panels on purpose. Ending before starting is not a
warning but invalid data, refused by the session service.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foros.agenda.models import Session, SessionPerson, SessionStatus
from foros.core.formatting import fmt_date, fmt_time
from foros.core.time import to_local
from foros.events.models import Event
from foros.extensions import db


@dataclass(frozen=True)
class Slot:
    """A session as the rules see it."""

    key: int | None  #: the session's id (None for one not saved yet)
    title: str
    event_id: int
    event_title: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None = None
    room_name: str = ""
    #: person id → name
    people: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class DaySpan:
    """One day of the event with the venue's hours (stored UTC)."""

    day: date
    starts_at: datetime
    ends_at: datetime


def _span(slot) -> str:
    return f"de {fmt_time(slot.starts_at)} a {fmt_time(slot.ends_at)}"


def _overlap(a, b) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def find_conflicts(session: Slot, others: list[Slot], days: list[DaySpan]) -> list[str]:
    """Spanish warnings for ``session`` against ``others`` (active sessions of any event) and its event's days.

    Rules: a person in two overlapping sessions (this event or another), two overlapping sessions in one room
    (same event), a session outside the event's days, or outside the day's hours.
    """
    warnings: list[str] = []
    names = dict(session.people)
    for other in sorted(others, key=lambda o: (o.starts_at, o.title)):
        if other.key is not None and other.key == session.key or not _overlap(session, other):
            continue
        for person_id, _other_name in other.people:
            if person_id in names:
                where = ("de este evento" if other.event_id == session.event_id
                         else f"del evento «{other.event_title}»")
                warnings.append(f"{names[person_id]} está también en «{other.title}» {where} el mismo día "
                                f"{_span(other)}.")
        if session.room_id is not None and other.room_id == session.room_id \
                and other.event_id == session.event_id:
            warnings.append(f"La sala «{session.room_name}» ya está ocupada por «{other.title}» {_span(other)}.")
    local_day = to_local(session.starts_at).date()
    day = next((d for d in days if d.day == local_day), None)
    if day is None or to_local(session.ends_at).date() != local_day:
        warnings.append(f"La sesión cae fuera de los días del evento ({fmt_date(local_day, 'medium')}).")
    elif session.starts_at < day.starts_at or session.ends_at > day.ends_at:
        warnings.append(f"La sesión queda fuera del horario de la sede ese día "
                        f"(de {fmt_time(day.starts_at)} a {fmt_time(day.ends_at)}).")
    return warnings


def slot_of(session: Session, people=None) -> Slot:
    """The ``Slot`` of a session (its people, or ``people`` given as (id, name) pairs)."""
    if people is None:
        people = [(sp.person_id, sp.person.name) for sp in session.people]
    return Slot(key=session.id, title=session.title, event_id=session.event_id, event_title=session.event.title,
                starts_at=session.starts_at, ends_at=session.ends_at, room_id=session.room_id,
                room_name=session.room.name if session.room is not None else "", people=tuple(people))


def session_conflicts(session: Session) -> list[str]:
    """The warnings for a saved session: its people's other sessions (any event) and its event's rooms."""
    if session.is_cancelled:
        return []
    person_ids = [sp.person_id for sp in session.people]
    same_time = (Session.status == SessionStatus.ACTIVE, Session.id != session.id,
                 Session.starts_at < session.ends_at, Session.ends_at > session.starts_at)
    query = select(Session).where(*same_time).options(
        selectinload(Session.people).selectinload(SessionPerson.person), selectinload(Session.event),
        selectinload(Session.room))
    candidates = set(db.session.scalars(query.where(Session.event_id == session.event_id)))
    if person_ids:
        candidates |= set(db.session.scalars(query.where(Session.id.in_(
            select(SessionPerson.session_id).where(SessionPerson.person_id.in_(person_ids))))))
    event: Event = session.event
    days = [DaySpan(d.day, d.starts_at, d.ends_at) for d in event.days]
    return find_conflicts(slot_of(session), [slot_of(c) for c in candidates], days)
