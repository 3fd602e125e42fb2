"""Registration services: sign up, waitlist and promotion, cancel, correct, anonymise, count.

Seats are guaranteed by the database: ``take_seat`` is one conditional UPDATE on the event's confirmed
counter, and a CHECK constraint forbids the counter from passing capacity. On SQLite, POST requests run in
``BEGIN IMMEDIATE`` transactions (see ``foros.core.db``); on PostgreSQL the UPDATE locks the event row.
"""

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy import text as sql_text

from foros.audit.services import record_action
from foros.core.db import DriverStatement, contains_text, dialect_insert
from foros.core.errors import DomainError, NotFound
from foros.core.municipalities import get_municipality
from foros.core.time import utcnow
from foros.core.urls import external_url
from foros.events.models import Event, EventStatus, Modality
from foros.events.services import EventSnapshot
from foros.extensions import db
from foros.mail.services import queue_message, render_message
from foros.registration.codes import make_code, new_ticket_id
from foros.registration.models import Registration, RegistrationSource, RegistrationStatus, registration_days

OTHER_STATE = "otra"

#: Sex/gender options for disaggregated statistics (optional).
GENDER_OPTIONS = [
    ("mujer", "Mujer"),
    ("hombre", "Hombre"),
    ("no_binario", "No binario"),
    ("otro", "Otro"),
    ("prefiero_no_decir", "Prefiero no decir"),
]
GENDER_KEYS = {key for key, _ in GENDER_OPTIONS}

LIMITS = {"name": 200, "email": 254, "phone": 40, "organization": 200, "position": 200, "accessibility": 1000}
_PHONE_RE = re.compile(r"^[0-9+()\- .]{7,40}$")


@dataclass
class RegistrationInput:
    """What a person (or an organizer for them) fills in."""

    name: str
    email: str
    sector: str
    municipality_key: str
    modality: str = ""
    days: list[date] = field(default_factory=list)
    phone: str = ""
    organization: str = ""
    position: str = ""
    gender: str = ""
    accessibility: str = ""
    privacy_consent: bool = False


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
    def current(self) -> "NewRegistration | Registration":
        """The person's registration for the answer: the row as written, or the existing one (a duplicate).
        Both have ``status``, ``name``, ``ticket_id`` and ``access_token``."""
        return self.new if self.new is not None else self.registration


def normalize_email(email: str) -> str:
    """Lower-case, trimmed e-mail."""
    return (email or "").strip().lower()


def modality_choices(event: Event) -> list[str]:
    """The modalities a person can choose for this event."""
    return [m.value for m in event.modality.attendance_modes]


def validate_input(event: Event, data: RegistrationInput, *, require_consent: bool = True,
                   require_email: bool = True) -> dict:
    """Check every field; return clean values or raise ``invalid_registration`` with per-field errors.

    ``require_email=False`` (walk-ins at the door): an empty e-mail is kept as None, never a duplicate.
    """
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    values = {
        "name": " ".join(str(data.name or "").split()),
        "email": str(data.email or "").strip(),
        "phone": " ".join(str(data.phone or "").split()),
        "organization": " ".join(str(data.organization or "").split()),
        "position": " ".join(str(data.position or "").split()),
        "accessibility": str(data.accessibility or "").strip(),
        "sector": str(data.sector or "").strip(),
        "municipality_key": str(data.municipality_key or "").strip().lower(),
        "gender": str(data.gender or "").strip(),
        "modality": str(data.modality or "").strip(),
    }
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            add(name, f"Máximo {limit} caracteres.")
    if len(values["name"]) < 3:
        add("name", "Escriba su nombre completo.")
    if not values["email"]:
        if require_email:
            add("email", "Escriba su correo electrónico.")
        else:
            values["email"] = None
    elif "email" not in errors:
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            add("email", "Escriba un correo electrónico válido, por ejemplo nombre@dominio.mx.")
    if values["phone"] and not _PHONE_RE.match(values["phone"]):
        add("phone", "Escriba solo números, espacios y los signos + ( ) -.")
    if values["sector"] not in {s["key"] for s in event.sector_options or []}:
        add("sector", "Elija un sector de la lista.")
    if values["municipality_key"] != OTHER_STATE and get_municipality(values["municipality_key"]) is None:
        add("municipality_key", "Elija un municipio del Estado de México u «Otra entidad».")
    if values["gender"] and values["gender"] not in GENDER_KEYS:
        add("gender", "Elija una opción de la lista.")
    choices = modality_choices(event)
    if len(choices) == 1 and not values["modality"]:
        values["modality"] = choices[0]
    if values["modality"] not in choices:
        add("modality", "Elija la modalidad: " + " o ".join(Modality(c).label.lower() for c in choices) + ".")
    by_date = {d.day: d for d in event.days}
    wanted = list(dict.fromkeys(data.days or []))
    if not wanted and len(by_date) == 1:
        wanted = list(by_date)
    if not wanted:
        add("days", "Elija al menos un día.")
    elif any(d not in by_date for d in wanted):
        add("days", "Elija días del evento.")
    if require_consent and data.privacy_consent is not True:
        add("privacy_consent", "Para registrarse debe aceptar el aviso de privacidad.")
    if errors:
        raise DomainError("invalid_registration", "Revise los campos marcados.", fields=errors)
    values["days"] = [by_date[d] for d in wanted if d in by_date]
    return values


def find_live_registration(event: Event, email: str) -> Registration | None:
    """The confirmed or waitlisted registration of this e-mail to this event, if any."""
    registration_id = _live_registration_id(db.session.connection(), event.id, normalize_email(email))
    return None if registration_id is None else db.session.get(Registration, registration_id)


# The sign-up's statements are built once per process on the tables (not the ORM entities) with bind
# parameters: a registration executes compiled statements instead of building, cache-keying and flushing
# ORM objects per request (bench/README.md, "Registration": that machinery was most of a sign-up's CPU).

#: The predicate of the live-e-mail partial unique index, written as SQL text: with a bound parameter instead
#: SQLite re-prepares the statement on every execution, since the value decides whether the partial index
#: applies (found on the check-in path, where it cost most of the statement's time).
_LIVE = "status != 'cancelled'"
#: Every column ``register_attendee`` writes (``DriverStatement`` applies no Python-side defaults).
_REGISTRATION_COLUMNS = (
    "name", "email", "phone", "organization", "position", "accessibility", "sector", "municipality_key",
    "gender", "modality", "event_id", "ticket_id", "access_token", "status", "source", "email_normalized",
    "privacy_consent_at", "confirmed_at", "created_at", "updated_at", "cancelled_at", "anonymized_at",
)


@cache
def _live_by_email_statement():
    registrations = Registration.__table__
    return DriverStatement(select(registrations.c.id).where(
        registrations.c.event_id == bindparam("event_id"),
        registrations.c.email_normalized == bindparam("email"),
        sql_text(_LIVE),
    ).limit(1))


def _live_registration_id(conn, event_id: int, email_normalized: str) -> int | None:
    if not email_normalized:
        return None
    return _live_by_email_statement().execute(conn, {"event_id": event_id, "email": email_normalized}).scalar()


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
    """INSERT … RETURNING id; a live registration of the same e-mail makes it insert nothing (None)."""
    registrations = Registration.__table__
    return DriverStatement(dialect_insert(dialect)(registrations).on_conflict_do_nothing(
        index_elements=["event_id", "email_normalized"], index_where=sql_text(_LIVE),
    ).returning(registrations.c.id), column_keys=_REGISTRATION_COLUMNS)


@cache
def _insert_day_statement():
    return DriverStatement(registration_days.insert(), column_keys=("registration_id", "event_day_id"))


def lock_event_registrations(event: Event) -> None:
    """Make sign-ups to one event run one after another until commit (PostgreSQL; SQLite already does)."""
    # On SQLite, BEGIN IMMEDIATE serializes every writer. On PostgreSQL, once an event was full the
    # conditional UPDATE in take_seat matched no row and so locked nothing: waitlisted sign-ups ran in
    # parallel, their ids (sequence order) stopped matching commit order, and under load two people were
    # told the same waitlist position (found by tests/registration/test_concurrency.py). Holding the
    # event row until commit keeps id order == commit order; the cost is serial sign-ups per event.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def _move_seat(event: "Event | EventSnapshot", modality: str, delta: int) -> bool:
    result = _seat_statement(str(modality), delta).execute(db.session.connection(),
                                                           {"target_event": event.id, "now": utcnow()})
    if isinstance(event, Event):  # an ORM event re-reads its counters; a snapshot (the API) has none
        db.session.expire(event, ["confirmed_in_person", "confirmed_virtual"])
    return result.rowcount == 1


def take_seat(event: "Event | EventSnapshot", modality: str) -> bool:
    """Atomically take one seat of ``modality`` if there is one left; return whether it was taken."""
    return _move_seat(event, modality, +1)


def release_seat(event: Event, modality: str) -> None:
    """Give one seat of ``modality`` back."""
    _move_seat(event, modality, -1)


def ticket_url(registration) -> str:
    """The attendee's private ticket page."""
    return external_url("registration.ticket", token=registration.access_token)


def ticket_code(registration) -> str:
    """The signed code printed in the QR."""
    return make_code(registration.ticket_id)


def _queue(kind: str, registration, template: str, position: int | None = None, *, rendered=None,
           event=None) -> None:
    """Queue ``template`` (or the ``rendered`` message) for ``registration`` (ORM or NewRegistration)."""
    if not registration.email:
        return
    if rendered is None:
        rendered = _render(registration, template, position, event=event)
    queue_message(kind, registration.email, rendered, registration_id=registration.id)


def _render(registration, template: str, position: int | None = None, *, event=None):
    """The message for ``registration``; ``event`` is its event as the caller holds it (ORM or snapshot)."""
    if position is None:
        position = waitlist_position(registration)
    if event is None:
        event = registration.event if isinstance(registration, Registration) else db.session.get(
            Event, registration.event_id)
    return render_message(template, reg=registration, event=event, ticket_url=ticket_url(registration),
                          position=position)


def register_attendee(event: "Event | EventSnapshot", data: RegistrationInput, *, source=RegistrationSource.ONLINE,
                      actor=None, require_consent: bool = True, notify: bool = True,
                      check_open: bool = True, require_email: bool = True, now=None) -> RegistrationResult:
    """Register a person: confirmed if a seat is left, else waitlisted; a known e-mail gets its link again.

    The hot path of a rush (see bench/README.md). Everything that does not depend on the outcome —
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
    email_normalized = normalize_email(values["email"]) or None
    days = tuple(sorted(values.pop("days"), key=lambda d: d.starts_at))
    new = NewRegistration(id=0, event_id=event.id, ticket_id=new_ticket_id(),
                          access_token=secrets.token_urlsafe(32), status=RegistrationStatus.CONFIRMED,
                          modality=values["modality"], name=values["name"], email=values["email"], days=days)
    # Most people are confirmed: their e-mail is rendered before the write transaction (the waitlist one,
    # which needs the position, is rendered inside it).
    confirmation = _render(new, "registration_confirmed", None, event=event) if notify and new.email else None

    lock_event_registrations(event)
    conn = db.session.connection()
    # No duplicate check before the writes: the live-e-mail unique index is the check (the INSERT below
    # inserts nothing for a known e-mail, and the seat is given back). One statement less per sign-up.
    confirmed = take_seat(event, values["modality"])
    status = RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED
    row = dict(
        values, event_id=event.id, ticket_id=new.ticket_id, access_token=new.access_token,
        status=status, source=RegistrationSource(source), email_normalized=email_normalized,
        privacy_consent_at=now if data.privacy_consent else None, confirmed_at=now if confirmed else None,
        created_at=now, updated_at=now, cancelled_at=None, anonymized_at=None,
    )
    registration_id = _insert_registration_statement(conn.dialect.name).execute(conn, row).scalar()
    if registration_id is None:
        # This e-mail is already registered to this event (the live-e-mail unique index said so).
        if confirmed:
            release_seat(event, values["modality"])
        return _duplicate(db.session.get(Registration, _live_registration_id(conn, event.id, email_normalized)),
                          notify, now)
    for day in days:
        _insert_day_statement().execute(conn, {"registration_id": registration_id, "event_day_id": day.id})
    new = replace(new, id=registration_id, status=status)
    result = RegistrationResult(created=True, new=new)
    if actor is not None:
        registration = result.registration
        record_action(actor, "registration.create", registration, label=f"{registration.name} — {event.title}",
                      details={"status": registration.status, "source": registration.source})
    result.waitlist_position = None if confirmed else waitlist_position(new)
    if notify:
        if confirmed:
            _queue("registration.confirmed", new, "registration_confirmed", rendered=confirmation)
        else:
            _queue("registration.waitlisted", new, "registration_waitlisted", result.waitlist_position,
                   event=event)
    return result


def _duplicate(existing: Registration, notify: bool, now) -> RegistrationResult:
    """A second sign-up with a known e-mail: the same answer as ever, and the link again at most once per
    REGISTRATION_LINK_RESEND_SECONDS (40 duplicate posts used to queue 40 messages to one person)."""
    if notify and existing.email and _claim_link_resend(existing.id, now):
        _queue("registration.link_resent", existing, "registration_link")
    return RegistrationResult(created=False, _registration=existing)


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


def _claim_link_resend(registration_id: int, now) -> bool:
    """Tell whether this duplicate may re-send the link; decided by the database, so concurrent duplicates
    in several processes still send one."""
    cutoff = now - timedelta(seconds=current_app.config.get("REGISTRATION_LINK_RESEND_SECONDS", 600))
    result = _link_resend_statement().execute(db.session.connection(), {
        "registration_id": registration_id, "cutoff": cutoff, "now": now})
    return result.rowcount == 1


def waitlist_position(registration) -> int | None:
    """1 for the first person waiting for this event and modality; None when not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id,
        Registration.modality == registration.modality,
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.id <= registration.id,
    ))


def promote_waitlist(event: Event, modality: str, *, notify: bool = True) -> list[Registration]:
    """Confirm waitlisted people, first come first served, while seats are left."""
    promoted = []
    while True:
        stmt = (select(Registration).where(
            Registration.event_id == event.id, Registration.modality == modality,
            Registration.status == RegistrationStatus.WAITLISTED,
        ).order_by(Registration.id).limit(1))
        if db.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        candidate = db.session.scalar(stmt)
        if candidate is None or not take_seat(event, modality):
            break
        candidate.status = RegistrationStatus.CONFIRMED
        candidate.confirmed_at = utcnow()
        db.session.flush()
        promoted.append(candidate)
        if notify:
            _queue("registration.promoted", candidate, "registration_promoted")
    return promoted


def _record(actor, action: str, registration: Registration, details: dict) -> None:
    """Audit a change to a registration, by an account or (``actor`` None) by the attendee from their link."""
    if actor is None:
        details = {"by": "attendee", **details}
    entry = record_action(actor, action, registration, label=f"{registration.name} — {registration.event.title}",
                          details=details)
    if actor is None:
        entry.actor_name = f"{registration.name} (persona registrada)"[:200]


def cancel_registration(registration: Registration, *, actor=None, notify: bool = True,
                        by_attendee: bool = False) -> list[Registration]:
    """Cancel; a confirmed seat goes to the next person waiting, who is told. Returns who was promoted.

    The audit log records who did it: ``actor`` (an account), or the attendee (``by_attendee``, their link)."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError("already_cancelled", "Este registro ya estaba cancelado.", status=409)
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    promoted = []
    if was_confirmed:
        release_seat(registration.event, registration.modality)
        promoted = promote_waitlist(registration.event, registration.modality, notify=notify)
    if actor is not None or by_attendee:
        _record(actor, "registration.cancel", registration, {"promoted": [p.id for p in promoted]})
    if notify:
        _queue("registration.cancelled", registration, "registration_cancelled")
    return promoted


def update_registration(registration: Registration, data: RegistrationInput, *, actor=None,
                        by_attendee: bool = False) -> Registration:
    """Correct a registration's data (the attendee from their link, or an organizer); the audit log records
    which fields changed (their names, not the personal data)."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError("registration_cancelled", "Este registro está cancelado.", status=409)
    if registration.anonymized_at is not None:
        raise DomainError("registration_anonymized", "Este registro fue anonimizado.", status=409)
    event = registration.event
    values = validate_input(event, data, require_consent=False)
    new_email = normalize_email(values["email"])
    if new_email != registration.email_normalized:
        other = find_live_registration(event, new_email)
        if other is not None and other.id != registration.id:
            raise DomainError("duplicate", "Ya hay un registro con ese correo para este evento.",
                              fields={"email": ["Ya hay un registro con ese correo para este evento."]},
                              status=409)
    changed = [name for name, value in values.items() if name != "days" and getattr(registration, name) != value]
    if sorted(d.id for d in values["days"]) != sorted(d.id for d in registration.days):
        changed.append("days")
    if values["modality"] != registration.modality:
        _change_modality(registration, values["modality"])
    for name, value in values.items():
        if name not in ("days", "modality"):
            setattr(registration, name, value)
    registration.email_normalized = new_email
    registration.days = values["days"]
    db.session.flush()
    if actor is not None or by_attendee:
        _record(actor, "registration.update", registration, {"fields": changed})
    return registration


def _change_modality(registration: Registration, modality: str) -> None:
    event = registration.event
    if registration.status == RegistrationStatus.CONFIRMED:
        if not take_seat(event, modality):
            raise DomainError("no_seats", f"Ya no hay lugares en la modalidad {Modality(modality).label.lower()}.",
                              fields={"modality": ["No hay lugares en esa modalidad."]}, status=409)
        release_seat(event, registration.modality)
        old = registration.modality
        registration.modality = modality
        db.session.flush()
        promote_waitlist(event, old)
    else:
        registration.modality = modality


def get_by_token(token: str) -> Registration:
    """The registration behind a ticket URL, or NotFound."""
    registration = None
    if token and len(token) <= 64:
        registration = db.session.scalar(select(Registration).where(Registration.access_token == token))
    if registration is None or registration.anonymized_at is not None:
        raise NotFound("ticket_not_found", "No encontramos ese boleto. Revise el enlace de su correo.")
    return registration


def count_identifiable(event: Event) -> int:
    """How many of the event's registrations still hold personal data (not anonymised yet)."""
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.anonymized_at.is_(None)))


def anonymize_event(event: Event, *, actor=None, now=None) -> int:
    """Erase attendees' personal data after the event, keeping sector, sex, municipality, modality, days."""
    now = now or utcnow()
    if not event.is_past(now):
        raise DomainError("event_not_over", "Solo se puede anonimizar cuando el evento ya terminó.", status=409)
    rows = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.anonymized_at.is_(None))).all()
    for r in rows:
        r.name = "Persona anonimizada"
        r.email = None
        r.email_normalized = None
        r.phone = ""
        r.organization = ""
        r.position = ""
        r.accessibility = ""
        r.access_token = secrets.token_urlsafe(32)  # old ticket links stop working
        r.anonymized_at = now
    # The outbox holds copies of names and addresses: erase those too (delivered or not).
    if rows:
        from foros.mail.models import MessageStatus, OutboxMessage

        ids = [r.id for r in rows]
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.registration_id.in_(ids),
                                        OutboxMessage.status == MessageStatus.PENDING)
            .values(status=MessageStatus.FAILED, last_error="Registro anonimizado: ya no se envía.")
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.registration_id.in_(ids))
            .values(to_address="", subject="(anonimizado)", body_text="", body_html="")
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    record_action(actor, "event.anonymize", event, details={"registrations": len(rows)})
    return len(rows)


def registration_counts(event: Event) -> dict:
    """Counts by status and modality, plus by sector, gender and municipality of the live registrations."""
    def grouped(column, only_live=True):
        stmt = select(column, func.count()).where(Registration.event_id == event.id)
        if only_live:
            stmt = stmt.where(Registration.status != RegistrationStatus.CANCELLED)
        return dict(db.session.execute(stmt.group_by(column)).all())

    by_status_modality = db.session.execute(
        select(Registration.status, Registration.modality, func.count())
        .where(Registration.event_id == event.id).group_by(Registration.status, Registration.modality)
    ).all()
    status_totals: dict[str, int] = {}
    matrix: dict[tuple[str, str], int] = {}
    for status, modality, count in by_status_modality:
        status_totals[status.value] = status_totals.get(status.value, 0) + count
        matrix[(status.value, modality)] = count
    return {
        "status": status_totals,
        "status_modality": matrix,
        "sector": grouped(Registration.sector),
        "gender": grouped(Registration.gender),
        "municipality": grouped(Registration.municipality_key),
        "total": sum(status_totals.values()),
    }


def search_registrations(event: Event, *, text: str = "", status: str = "", sector: str = "",
                         modality: str = "", day_id: int | None = None, municipality_key: str = ""):
    """The filtered query behind the organizer list and the API (newest first)."""
    stmt = select(Registration).where(Registration.event_id == event.id)
    if text:
        stmt = stmt.where(contains_text(text, Registration.name, Registration.email_normalized,
                                        Registration.organization))
    if status:
        stmt = stmt.where(Registration.status == RegistrationStatus(status))
    if sector:
        stmt = stmt.where(Registration.sector == sector)
    if modality:
        stmt = stmt.where(Registration.modality == modality)
    if municipality_key:
        stmt = stmt.where(Registration.municipality_key == municipality_key)
    if day_id:
        stmt = stmt.where(Registration.days.any(id=day_id))
    return stmt.order_by(Registration.id.desc())



# --- Organizer tools: registrations by hand, tickets re-sent, imports, registration settings -------------


def _queue_ticket(registration, kind: str = "") -> None:
    """The ticket e-mail for the registration's current status (confirmation, or waitlist with its place)."""
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    _queue(kind or ("registration.confirmed" if confirmed else "registration.waitlisted"), registration,
           "registration_confirmed" if confirmed else "registration_waitlisted")


def register_by_organizer(event: Event, data: RegistrationInput, *, actor=None,
                          source=RegistrationSource.MANUAL, send_ticket: bool = True) -> RegistrationResult:
    """Register a walk-in or an invited guest: no consent box; the ticket is e-mailed only if asked.

    A known e-mail gets nothing (unlike the public form, which re-sends the link): the organizer is shown
    the existing registration instead.
    """
    result = register_attendee(event, data, source=source, actor=actor, require_consent=False, notify=False)
    if result.created and send_ticket:
        _queue_ticket(result.new)
    return result


def get_event_registration(event: Event, ticket_id: str, *, identifiable_only: bool = False) -> Registration:
    """One registration of this event by its ticket id, or NotFound (organizer pages; the door passes
    ``identifiable_only``: an anonymised person cannot be found or admitted there)."""
    registration = None
    if ticket_id and len(ticket_id) <= 16:
        stmt = select(Registration).where(Registration.event_id == event.id, Registration.ticket_id == ticket_id)
        if identifiable_only:
            stmt = stmt.where(Registration.anonymized_at.is_(None))
        registration = db.session.scalar(stmt)
    if registration is None:
        raise NotFound("registration_not_found", "No existe ese registro en este evento.")
    return registration


def resend_ticket(registration: Registration, actor=None) -> None:
    """Queue the ticket e-mail again (organizers), for the registration's current status."""
    if registration.anonymized_at is not None:
        raise DomainError("registration_anonymized", "Este registro fue anonimizado.", status=409)
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError("registration_cancelled", "Este registro está cancelado: no hay boleto que reenviar.",
                          status=409)
    if not registration.email:
        raise DomainError("no_email", "Este registro no tiene correo electrónico.", status=409)
    _queue_ticket(registration, "registration.ticket_resent")
    record_action(actor, "registration.resend", registration,
                  label=f"{registration.name} — {registration.event.title}",
                  details={"status": registration.status})


@dataclass
class ImportResult:
    """Who was registered by an import, and who was skipped because their e-mail was already registered."""

    created: list[RegistrationResult]
    skipped: list[RegistrationResult]

    @property
    def waitlisted(self) -> int:
        return sum(1 for r in self.created if r.current.status == RegistrationStatus.WAITLISTED)


def import_registrations(event: Event, rows: list[tuple[int, RegistrationInput]], *, actor=None,
                         send_tickets: bool = True, filename: str = "") -> ImportResult:
    """Register invited guests from a file, all or nothing; known e-mails are skipped, never duplicated.

    ``rows`` pairs each person with their line in the file. Any invalid row rejects the whole list
    (``import_rejected``, ``fields`` keyed by line). Nothing is committed here: the caller commits once, or
    rolls back on error.
    """
    if event.status == EventStatus.ARCHIVED:
        raise DomainError("event_archived", "Un evento archivado no admite registros.", status=409)
    if not rows:
        raise DomainError("empty_import", "El archivo no tiene personas que importar.")
    errors: dict[str, list[str]] = {}
    for line, data in rows:
        try:
            validate_input(event, data, require_consent=False)
        except DomainError as exc:
            errors[str(line)] = [message for messages in exc.fields.values() for message in messages]
    if errors:
        raise DomainError("import_rejected", "El archivo tiene errores; no se importó a nadie.", fields=errors)
    created, skipped = [], []
    for _line, data in rows:
        # One audit entry for the whole import (below), not one per person: the log stays readable.
        result = register_by_organizer(event, data, actor=None, source=RegistrationSource.IMPORT,
                                       send_ticket=send_tickets)
        (created if result.created else skipped).append(result)  # no reload per row: the result has it
    outcome = ImportResult(created, skipped)
    record_action(actor, "registration.import", event, details={
        "file": filename[:200], "created": len(created), "skipped": len(skipped),
        "waitlisted": outcome.waitlisted, "tickets_sent": send_tickets,
    })
    return outcome


MAX_SECTORS = 30
SECTOR_LABEL_MAX = 80
PRIVACY_NOTICE_MAX = 20_000


def _new_sector_key(label: str, taken: set[str]) -> str:
    from foros.events.services import slugify  # registration builds on events

    base = slugify(label).replace("-", "_")[:36].strip("_") or "sector"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def update_registration_settings(event: Event, sectors: list[dict], privacy_notice: str, actor=None) -> Event:
    """Change the event's sectors (add, rename, remove) and privacy notice; existing keys never change.

    ``sectors`` is the wanted list in order, each ``{"key": ..., "label": ...}`` with ``key`` empty for a new
    sector. A sector that registrations use cannot be removed (rename it instead).
    """
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    current = {s["key"]: s["label"] for s in event.sector_options or []}
    used = dict(db.session.execute(
        select(Registration.sector, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.sector)).all())
    wanted, seen_keys, seen_labels = [], set(), set()
    for entry in sectors:
        key = str(entry.get("key") or "").strip()
        label = " ".join(str(entry.get("label") or "").split())
        if key and (key not in current or key in seen_keys):
            add("sectors", "La lista de sectores cambió mientras la editaba; recargue la página.")
            continue
        if not label:
            add("sectors", "Escriba el nombre de cada sector (o márquelo para quitarlo).")
            continue
        if len(label) > SECTOR_LABEL_MAX:
            add("sectors", f"«{label[:40]}…»: máximo {SECTOR_LABEL_MAX} caracteres.")
            continue
        if label.casefold() in seen_labels:
            add("sectors", f"El sector «{label}» está repetido.")
            continue
        seen_keys.add(key)
        seen_labels.add(label.casefold())
        wanted.append({"key": key, "label": label})
    if not wanted and "sectors" not in errors:
        add("sectors", "Deje al menos un sector.")
    if len(wanted) > MAX_SECTORS:
        add("sectors", f"Como máximo {MAX_SECTORS} sectores.")
    for key in current.keys() - seen_keys:
        if used.get(key):
            add("sectors", f"No se puede quitar «{current[key]}»: {used[key]} registro(s) lo usan. "
                           "Puede cambiarle el nombre.")
    notice = "\n".join(line.rstrip() for line in str(privacy_notice or "").replace("\r\n", "\n").split("\n"))
    notice = notice.strip()
    if not notice:
        add("privacy_notice", "Escriba el aviso de privacidad: las personas lo aceptan al registrarse.")
    elif len(notice) > PRIVACY_NOTICE_MAX:
        add("privacy_notice", f"Máximo {PRIVACY_NOTICE_MAX:,} caracteres.")
    if errors:
        raise DomainError("invalid_settings", "Revise los campos marcados.", fields=errors)
    taken = set(current) | set(used)
    for sector in wanted:
        if not sector["key"]:
            sector["key"] = _new_sector_key(sector["label"], taken)
            taken.add(sector["key"])
    changes = {}
    old_sectors = [dict(s) for s in event.sector_options or []]
    if wanted != old_sectors:
        changes["sectors"] = [old_sectors, wanted]
        event.sector_options = wanted  # a new list: the JSON column only notices assignment
    if notice != event.privacy_notice:
        # Both texts are kept: what people consented to is part of the record.
        changes["privacy_notice"] = [event.privacy_notice, notice]
        event.privacy_notice = notice
    db.session.flush()
    if changes:
        record_action(actor, "registration.settings", event, details=changes)
    return event
