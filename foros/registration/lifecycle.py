"""A registration's life after the sign-up: waitlist promotion, cancel, correct, anonymise; reads for the
ticket page and the organizer's lists. ORM throughout (no driver statements: these are not hot paths)."""

import secrets

from sqlalchemy import func, select

from foros.audit.services import record_action
from foros.core.db import contains_text
from foros.core.errors import DomainError, NotFound
from foros.core.text import normalize_email
from foros.core.time import utcnow
from foros.events.models import Event, Modality
from foros.extensions import db
from foros.mail.services import erase_registration_messages
from foros.registration.inputs import RegistrationInput, validate_input
from foros.registration.models import Registration, RegistrationStatus
from foros.registration.signup import live_registration_id, queue_registration_message, release_seat, take_seat


def find_live_registration(event: Event, email: str) -> Registration | None:
    """The confirmed or waitlisted registration of this e-mail to this event, if any."""
    registration_id = live_registration_id(event.id, email)
    return None if registration_id is None else db.session.get(Registration, registration_id)


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
            queue_registration_message("registration.promoted", candidate, "registration_promoted", event=event)
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
        queue_registration_message("registration.cancelled", registration, "registration_cancelled",
                                   event=registration.event)
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
    erase_registration_messages([r.id for r in rows])
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
