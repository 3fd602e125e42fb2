"""Organizer tools for registrations: people registered by hand or imported, tickets re-sent, the event's
registration settings (sectors, privacy notice). ORM throughout."""

from dataclasses import dataclass

from sqlalchemy import func, select

from foros.audit.services import record_action
from foros.core.errors import DomainError, FieldErrors
from foros.core.text import slugify
from foros.events.models import Event, EventStatus, sector_labels
from foros.extensions import db
from foros.registration.inputs import RegistrationInput, validate_input
from foros.registration.models import Registration, RegistrationSource, RegistrationStatus
from foros.registration.signup import RegistrationResult, Ticket, queue_registration_message, register_attendee


def _queue_ticket(registration: Ticket, event: Event, kind: str = "") -> None:
    """The ticket e-mail for the registration's current status (confirmation, or waitlist with its place)."""
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    queue_registration_message(kind or ("registration.confirmed" if confirmed else "registration.waitlisted"),
                               registration, "registration_confirmed" if confirmed else "registration_waitlisted",
                               event=event)


def register_by_organizer(event: Event, data: RegistrationInput, *, actor=None,
                          source=RegistrationSource.MANUAL, send_ticket: bool = True) -> RegistrationResult:
    """Register a walk-in or an invited guest: no consent box; the ticket is e-mailed only if asked.

    A known e-mail gets nothing (unlike the public form, which re-sends the link): the organizer is shown
    the existing registration instead.
    """
    result = register_attendee(event, data, source=source, actor=actor, require_consent=False, notify=False)
    if result.created and send_ticket:
        _queue_ticket(result.new, event)
    return result


def resend_ticket(registration: Registration, actor=None) -> None:
    """Queue the ticket e-mail again (organizers), for the registration's current status."""
    if registration.anonymized_at is not None:
        raise DomainError("registration_anonymized", "Este registro fue anonimizado.", status=409)
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError("registration_cancelled", "Este registro está cancelado: no hay boleto que reenviar.",
                          status=409)
    if not registration.email:
        raise DomainError("no_email", "Este registro no tiene correo electrónico.", status=409)
    _queue_ticket(registration, registration.event, "registration.ticket_resent")
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
    errors = FieldErrors()
    current = sector_labels(event.sector_options)
    used = dict(db.session.execute(
        select(Registration.sector, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.sector)).all())
    wanted = _wanted_sectors(sectors, current, used, errors)
    notice = _clean_notice(privacy_notice, errors)
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


def _wanted_sectors(sectors: list[dict], current: dict, used: dict, errors: FieldErrors) -> list[dict]:
    """The sectors as typed, checked (known keys, labels, repeats, count, removals of used ones)."""
    wanted, seen_keys, seen_labels = [], set(), set()
    for entry in sectors:
        key = str(entry.get("key") or "").strip()
        label = " ".join(str(entry.get("label") or "").split())
        if key and (key not in current or key in seen_keys):
            errors.add("sectors", "La lista de sectores cambió mientras la editaba; recargue la página.")
        elif not label:
            errors.add("sectors", "Escriba el nombre de cada sector (o márquelo para quitarlo).")
        elif len(label) > SECTOR_LABEL_MAX:
            errors.add("sectors", f"«{label[:40]}…»: máximo {SECTOR_LABEL_MAX} caracteres.")
        elif label.casefold() in seen_labels:
            errors.add("sectors", f"El sector «{label}» está repetido.")
        else:
            seen_keys.add(key)
            seen_labels.add(label.casefold())
            wanted.append({"key": key, "label": label})
    if not wanted and "sectors" not in errors:
        errors.add("sectors", "Deje al menos un sector.")
    if len(wanted) > MAX_SECTORS:
        errors.add("sectors", f"Como máximo {MAX_SECTORS} sectores.")
    for key in current.keys() - seen_keys:
        if used.get(key):
            errors.add("sectors", f"No se puede quitar «{current[key]}»: {used[key]} registro(s) lo usan. "
                                  "Puede cambiarle el nombre.")
    return wanted


def _clean_notice(privacy_notice: str, errors: dict) -> str:
    """The privacy notice with line ends normalised and trailing spaces trimmed; checked for presence and size."""
    notice = "\n".join(line.rstrip() for line in str(privacy_notice or "").replace("\r\n", "\n").split("\n"))
    notice = notice.strip()
    if not notice:
        errors["privacy_notice"] = ["Escriba el aviso de privacidad: las personas lo aceptan al registrarse."]
    elif len(notice) > PRIVACY_NOTICE_MAX:
        errors["privacy_notice"] = [f"Máximo {PRIVACY_NOTICE_MAX:,} caracteres."]
    return notice
