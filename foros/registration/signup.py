"""The sign-up: the hot path of a registration rush (``bench/registration.py``, ``bench/README.md``).

Seats are guaranteed by the database: ``move_seat`` is one conditional UPDATE on the event's confirmed
counter, and a CHECK constraint forbids the counter from passing capacity. On SQLite, POST requests run in
``BEGIN IMMEDIATE`` transactions (see ``foros.core.db``); on PostgreSQL the event row is locked.

This is one of the modules where driver statements (``DriverStatement``) are allowed, because
``bench/README.md`` measured what they bought here; everything else in registration stays ORM
(``lifecycle.py``, ``manage.py``).
"""

import dataclasses
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Protocol

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy import text as sql_text

from foros.audit.services import record_action
from foros.core.db import DriverStatement, dialect_insert
from foros.core.errors import DomainError, NotFound
from foros.core.text import normalize_email
from foros.core.time import utcnow
from foros.events.models import Event, EventDay, EventRules, EventStatus, Modality
from foros.extensions import db
from foros.mail.services import RenderedMessage, queue_message, render_message
from foros.registration.codes import new_ticket_id, ticket_url
from foros.registration.inputs import RegistrationInput, validate_input
from foros.registration.models import Registration, RegistrationSource, RegistrationStatus, registration_days


class Ticket(Protocol):
    """What the answer, the ticket link and the e-mails read of a registration: the ORM ``Registration``
    and the sign-up's ``NewRegistration`` both have it."""

    id: int
    event_id: int
    ticket_id: str
    access_token: str
    status: RegistrationStatus
    modality: str
    name: str
    email: str | None


@dataclass(frozen=True)
class NewRegistration:
    """What the sign-up wrote, without reloading it: enough for the answer, the ticket link and the e-mail."""

    id: int
    event_id: int
    ticket_id: str
    access_token: str
    status: RegistrationStatus
    modality: str
    name: str
    email: str | None
    #: The EventDay objects chosen (sorted by start), for the confirmation e-mail.
    days: tuple


@dataclass
class RegistrationResult:
    """What happened: a new registration, or the existing one for that e-mail (its link was re-sent)."""

    created: bool
    waitlist_position: int | None = None
    #: Set when ``created``: the row as written (no reload needed to answer).
    new: NewRegistration | None = None
    _registration: Registration | None = None

    @property
    def duplicate(self) -> bool:
        return not self.created

    @property
    def registration(self) -> Registration:
        """The ORM object (loaded on first use for a new registration: the hot path never needs it)."""
        if self._registration is None:
            self._registration = db.session.get(Registration, self.new.id)
        return self._registration

    @property
    def current(self) -> Ticket:
        """The person's registration for the answer: the row as written, or the existing one (a duplicate)."""
        return self.new if self.new is not None else self.registration


# --- the event, read without the ORM -------------------------------------------------------------------

@dataclass(frozen=True)
class DaySnapshot:
    """An event day as read by ``get_signup_event`` (the attributes of ``EventDay`` a sign-up uses)."""

    id: int
    day: date
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class EventSnapshot(EventRules):
    """What a sign-up needs of an event, read without the ORM: see ``get_signup_event``."""

    id: int
    slug: str
    title: str
    venue: str
    address: str
    municipality_key: str
    status: EventStatus
    modality: Modality
    sector_options: list
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    days: tuple[DaySnapshot, ...]

    def seats_moved(self) -> None:
        """A snapshot holds no seat counters: nothing to re-read (``Event.seats_moved`` expires its own)."""


@cache
def _signup_event_statement():
    """The event's columns named like the snapshot's fields (all but ``days``), and its days, in one SELECT."""
    events, days = Event.__table__, EventDay.__table__
    fields = [f.name for f in dataclasses.fields(EventSnapshot) if f.name != "days"]
    return DriverStatement(
        select(*(events.c[name] for name in fields), days.c.id.label("day_id"), days.c.day,
               days.c.starts_at, days.c.ends_at)
        .select_from(events.outerjoin(days, days.c.event_id == events.c.id))
        .where(events.c.slug == bindparam("slug")).order_by(days.c.starts_at))


def get_signup_event(slug: str) -> EventSnapshot:
    """A public event for the registration API, or NotFound: one driver statement, no ORM objects.

    Loading ``Event`` and its days through the ORM was a fifth of a sign-up's CPU. The snapshot has the
    fields and rules (``EventRules``) registration uses; everything it guarantees (seats, one person per
    e-mail) is still decided by the database at write time.
    """
    rows = _signup_event_statement().execute(db.session.connection(), {"slug": (slug or "")[:80]}).all()
    if not rows:
        raise NotFound("event_not_found", "No existe un evento con esa dirección.")
    first = rows[0]
    days = tuple(DaySnapshot(id=r.day_id, day=r.day, starts_at=r.starts_at, ends_at=r.ends_at)
                 for r in rows if r.day_id is not None)
    fields = {f.name: getattr(first, f.name) for f in dataclasses.fields(EventSnapshot) if f.name != "days"}
    event = EventSnapshot(**fields, days=days)
    if not event.is_public:
        raise NotFound("event_not_found", "No existe un evento con esa dirección.")
    return event


# --- the statements ------------------------------------------------------------------------------------
# Built once per process on the tables (not the ORM entities) with bind parameters: a registration executes
# compiled statements instead of building, cache-keying and flushing ORM objects per request.

#: The predicate of the live-e-mail partial unique index, written as SQL text: with a bound parameter instead
#: SQLite re-prepares the statement on every execution, since the value decides whether the partial index
#: applies (found on the check-in path, where it cost most of the statement's time).
_LIVE = "status != 'cancelled'"


@cache
def _live_by_email_statement():
    registrations = Registration.__table__
    return DriverStatement(select(registrations.c.id).where(
        registrations.c.event_id == bindparam("event_id"),
        registrations.c.email_normalized == bindparam("email"),
        sql_text(_LIVE),
    ).limit(1))


@cache
def _seat_statement(modality: str, delta: int):
    """``UPDATE events SET confirmed_x = confirmed_x ± 1`` if a seat is left (+1) or one is held (-1)."""
    events = Event.__table__
    if modality == Modality.PRESENCIAL:
        counter, capacity = events.c.confirmed_in_person, events.c.capacity_in_person
    else:
        counter, capacity = events.c.confirmed_virtual, events.c.capacity_virtual
    condition = or_(capacity.is_(None), counter < capacity) if delta > 0 else counter > 0
    return DriverStatement(update(events).where(events.c.id == bindparam("target_event"), condition).values(
        {counter: counter + delta, events.c.updated_at: bindparam("now")}))  # the column's onupdate, made explicit


@cache
def _insert_registration_statement(dialect: str):
    """INSERT … RETURNING id (every column of the table); a live registration of the same e-mail makes it
    insert nothing (None)."""
    registrations = Registration.__table__
    return DriverStatement(dialect_insert(dialect)(registrations).on_conflict_do_nothing(
        index_elements=["event_id", "email_normalized"], index_where=sql_text(_LIVE),
    ).returning(registrations.c.id))


@cache
def _insert_day_statement():
    return DriverStatement(registration_days.insert())


@cache
def _link_resend_statement():
    """Stamp ``link_resent_at`` unless it was stamped within the window: one row changed = one e-mail."""
    registrations = Registration.__table__
    return DriverStatement(update(registrations).where(
        registrations.c.id == bindparam("registration_id"),
        or_(registrations.c.link_resent_at.is_(None), registrations.c.link_resent_at < bindparam("cutoff")),
    ).values({registrations.c.link_resent_at: bindparam("now"),
              # Not a change of the person's data: keep updated_at (and skip its Python-side onupdate).
              registrations.c.updated_at: registrations.c.updated_at}))


def live_registration_id(event_id: int, email: str) -> int | None:
    """The id of the confirmed or waitlisted registration of this e-mail to this event, if any."""
    email_normalized = normalize_email(email)
    if not email_normalized:
        return None
    return _live_by_email_statement().execute(db.session.connection(),
                                              {"event_id": event_id, "email": email_normalized}).scalar()


def lock_event_registrations(event_id: int) -> None:
    """Make sign-ups to one event run one after another until commit (PostgreSQL; SQLite already does)."""
    # On SQLite, BEGIN IMMEDIATE serializes every writer. On PostgreSQL, once an event was full the
    # conditional seat UPDATE matched no row and so locked nothing: waitlisted sign-ups ran in
    # parallel, their ids (sequence order) stopped matching commit order, and under load two people were
    # told the same waitlist position (found by tests/registration/test_concurrency.py). Holding the
    # event row until commit keeps id order == commit order; the cost is serial sign-ups per event.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())


def move_seat(event: EventRules, modality: str, delta: int) -> bool:
    """Take (+1) a seat of ``modality`` if one is left, or give one back (-1); return whether it moved.

    ``event`` is an ``Event`` or an ``EventSnapshot``: either is told (``seats_moved``) that its counters,
    if it holds any, are stale now.
    """
    result = _seat_statement(str(modality), delta).execute(db.session.connection(),
                                                           {"target_event": event.id, "now": utcnow()})
    event.seats_moved()
    return result.rowcount == 1


def take_seat(event: EventRules, modality: str) -> bool:
    """Atomically take one seat of ``modality`` if there is one left; return whether it was taken."""
    return move_seat(event, modality, +1)


def release_seat(event: EventRules, modality: str) -> None:
    """Give one seat of ``modality`` back."""
    move_seat(event, modality, -1)


# --- messages --------------------------------------------------------------------------------------------

def waitlist_position(registration: Ticket) -> int | None:
    """1 for the first person waiting for this event and modality; None when not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id,
        Registration.modality == registration.modality,
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.id <= registration.id,
    ))


def render_registration_message(registration: Ticket, template: str, *, event: EventRules,
                                position: int | None = None) -> RenderedMessage:
    """``templates/emails/<template>`` for ``registration`` of ``event`` (its waitlist place looked up if
    not given)."""
    if position is None:
        position = waitlist_position(registration)
    return render_message(template, reg=registration, event=event, ticket_url=ticket_url(registration),
                          position=position)


def queue_registration_message(kind: str, registration: Ticket, template: str, *, event: EventRules,
                               position: int | None = None, rendered: RenderedMessage | None = None) -> None:
    """Queue ``template`` (or the ``rendered`` message) for ``registration``; nothing without an e-mail."""
    if not registration.email:
        return
    if rendered is None:
        rendered = render_registration_message(registration, template, event=event, position=position)
    queue_message(kind, registration.email, rendered, registration_id=registration.id)


# --- the sign-up ---------------------------------------------------------------------------------------

def register_attendee(event: EventRules, data: RegistrationInput, *, source=RegistrationSource.ONLINE,
                      actor=None, require_consent: bool = True, notify: bool = True,
                      check_open: bool = True, require_email: bool = True, now=None) -> RegistrationResult:
    """Register a person: confirmed if a seat is left, else waitlisted; a known e-mail gets its link again.

    ``event`` is an ``Event`` or an ``EventSnapshot``. Everything that does not depend on the outcome —
    validation, the ticket's random ids, the confirmation e-mail — is prepared before the first statement;
    then, in the write transaction (on SQLite: holding the write lock), the conditional seat UPDATE, one
    INSERT … ON CONFLICT DO NOTHING RETURNING for the person (a known e-mail inserts nothing: the duplicate
    check), one for their days and one for the outbox row — prebuilt statements, no ORM flush.
    ``check_open=False`` and ``now`` are for loading historical data (the demo's past events).
    """
    if (check_open and source in (RegistrationSource.ONLINE, RegistrationSource.API)
            and not event.registration_open()):
        raise DomainError("registration_closed", "El registro para este evento no está abierto.", status=409)
    values = validate_input(event, data, require_consent=require_consent, require_email=require_email)
    now = now or utcnow()
    days = tuple(sorted(values.pop("days"), key=lambda d: d.starts_at))
    new = NewRegistration(id=0, event_id=event.id, ticket_id=new_ticket_id(),
                          access_token=secrets.token_urlsafe(32), status=RegistrationStatus.CONFIRMED,
                          modality=values["modality"], name=values["name"], email=values["email"], days=days)
    # Most people are confirmed: their e-mail is rendered before the write transaction (the waitlist one,
    # which needs the position, is rendered inside it).
    confirmation = (render_registration_message(new, "registration_confirmed", event=event)
                    if notify and new.email else None)

    lock_event_registrations(event.id)
    # No duplicate check before the writes: the live-e-mail unique index is the check (the INSERT below
    # inserts nothing for a known e-mail, and the seat is given back). One statement less per sign-up.
    confirmed = take_seat(event, values["modality"])
    new = replace(new, status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED)
    registration_id = _insert(new, values, source=source, consent=data.privacy_consent, now=now)
    if registration_id is None:
        # This e-mail is already registered to this event (the live-e-mail unique index said so).
        if confirmed:
            release_seat(event, values["modality"])
        existing = db.session.get(Registration, live_registration_id(event.id, values["email"]))
        return _duplicate(existing, notify, now)
    conn = db.session.connection()
    for day in days:
        _insert_day_statement().execute(conn, {"registration_id": registration_id, "event_day_id": day.id})
    new = replace(new, id=registration_id)
    result = RegistrationResult(created=True, new=new)
    if actor is not None:
        registration = result.registration
        record_action(actor, "registration.create", registration, label=f"{registration.name} — {event.title}",
                      details={"status": registration.status, "source": registration.source})
    result.waitlist_position = None if confirmed else waitlist_position(new)
    if notify:
        if confirmed:
            queue_registration_message("registration.confirmed", new, "registration_confirmed", event=event,
                                       rendered=confirmation)
        else:
            queue_registration_message("registration.waitlisted", new, "registration_waitlisted", event=event,
                                       position=result.waitlist_position)
    return result


def _insert(new: NewRegistration, values: dict, *, source, consent: bool, now) -> int | None:
    """The registration row (every column of the table); its id, or None for a known live e-mail."""
    confirmed = new.status == RegistrationStatus.CONFIRMED
    row = dict(
        values, event_id=new.event_id, ticket_id=new.ticket_id, access_token=new.access_token,
        status=new.status, source=RegistrationSource(source), email_normalized=normalize_email(new.email) or None,
        privacy_consent_at=now if consent else None, confirmed_at=now if confirmed else None,
        created_at=now, updated_at=now, cancelled_at=None, anonymized_at=None, link_resent_at=None,
    )
    conn = db.session.connection()
    return _insert_registration_statement(conn.dialect.name).execute(conn, row).scalar()


def _duplicate(existing: Registration, notify: bool, now) -> RegistrationResult:
    """A second sign-up with a known e-mail: the same answer as ever, and the link again at most once per
    REGISTRATION_LINK_RESEND_SECONDS (40 duplicate posts used to queue 40 messages to one person)."""
    if notify and existing.email and _claim_link_resend(existing.id, now):
        queue_registration_message("registration.link_resent", existing, "registration_link",
                                   event=existing.event)
    return RegistrationResult(created=False, _registration=existing)


def _claim_link_resend(registration_id: int, now) -> bool:
    """Tell whether this duplicate may re-send the link; decided by the database, so concurrent duplicates
    in several processes still send one."""
    cutoff = now - timedelta(seconds=current_app.config.get("REGISTRATION_LINK_RESEND_SECONDS", 600))
    result = _link_resend_statement().execute(db.session.connection(), {
        "registration_id": registration_id, "cutoff": cutoff, "now": now})
    return result.rowcount == 1
