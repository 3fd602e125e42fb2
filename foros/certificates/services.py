"""Certificates: the template's rules, who is eligible, issuing (idempotent), revoking, re-issuing, lookup."""

import re
import secrets
import string
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from foros.audit.services import record_action
from foros.certificates.models import Certificate, CertificateTemplate
from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.core.errors import DomainError, FieldErrors, NotFound
from foros.core.formatting import fmt_day_span
from foros.core.identity import current_identity
from foros.core.time import utcnow
from foros.core.urls import external_url
from foros.extensions import db
from foros.mail.services import queue_message
from foros.registration.models import Registration, RegistrationStatus

#: The placeholders a template may use, with what each one becomes (shown on the template form).
PLACEHOLDERS = {
    "nombre": "nombre de la persona",
    "evento": "título del evento",
    "fechas": "días del evento (p. ej. «6 y 8 de junio de 2023»)",
    "municipio": "municipio sede",
    "sede": "sede y dirección",
    "organizacion": "nombre del organismo que organiza",
    "institucion": "institución u organización de la persona (si la dio)",
}
TITLE_MAX = 120
BODY_MAX = 2000
SIGNER_NAME_MAX = 120
SIGNER_POSITION_MAX = 160
MAX_SIGNERS = 3
MAX_MIN_COUNT = 100
REASON_MAX = 500
DEFAULT_TITLE = "Constancia de participación"
DEFAULT_BODY = ("Por su participación en «{evento}», celebrado el {fechas} en {municipio}, Estado de México, "
                "organizado por {organizacion}.")
#: Crockford's base32 (no I, L, O, U): easy to read aloud and to type from paper.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 16  # 80 random bits
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
EMAIL_KIND = "certificate.ready"


@dataclass
class Signer:
    name: str
    position: str


@dataclass
class TemplateInput:
    """What the organizer types on the template form."""

    title: str = DEFAULT_TITLE
    body: str = DEFAULT_BODY
    signers: list[Signer] = field(default_factory=list)
    min_days: int = 0
    min_lists: int = 1


# --- The template -----------------------------------------------------------------------------------------


def get_template(event) -> CertificateTemplate | None:
    """The event's saved template, or None."""
    return db.session.scalar(select(CertificateTemplate).where(CertificateTemplate.event_id == event.id))


def template_or_default(event) -> CertificateTemplate:
    """The saved template, or an unsaved one with the default text (for the form and a preview)."""
    return get_template(event) or CertificateTemplate(event_id=event.id, event=event, title=DEFAULT_TITLE,
                                                      body=DEFAULT_BODY, signers=[], min_days=0, min_lists=1)


def placeholders_in(body: str) -> list[str]:
    """The placeholder names ``body`` uses; DomainError if a brace is unbalanced or a placeholder is not a
    plain name (``{0}``, ``{nombre!r}``, ``{nombre:>9}``, ``{nombre.x}``)."""
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        raise DomainError("unbalanced_braces", "Hay una llave { o } sin cerrar. Para escribir una llave "
                          "literal, duplíquela: {{ o }}.", fields={"body": ["Llave { o } sin cerrar."]}) from None
    names = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion or not re.fullmatch(r"[a-z_]+", name):
            raise DomainError("bad_placeholder", f"Marcador no válido: «{{{name}}}». Escriba solo el nombre entre "
                              "llaves, p. ej. {nombre}.", fields={"body": ["Marcador no válido."]})
        names.append(name)
    return names


def _check_template(data: TemplateInput) -> None:
    errors = FieldErrors()
    if not data.title.strip():
        errors["title"] = ["Escriba el título."]
    elif len(data.title) > TITLE_MAX:
        errors["title"] = [f"Máximo {TITLE_MAX} caracteres."]
    if not data.body.strip():
        errors["body"] = ["Escriba el texto de la constancia."]
    elif len(data.body) > BODY_MAX:
        errors["body"] = [f"El texto tiene {len(data.body)} caracteres; el máximo es {BODY_MAX}."]
    else:
        unknown = sorted({n for n in placeholders_in(data.body) if n not in PLACEHOLDERS})
        if unknown:
            known = ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)
            typed = ", ".join(f"{{{n}}}" for n in unknown)
            raise DomainError("unknown_placeholder", f"Marcador desconocido: {typed}. Puede usar: {known}.",
                              fields={"body": [f"Marcador desconocido: {', '.join(unknown)}."]})
    signers = [s for s in data.signers if s.name.strip() or s.position.strip()]
    if not 1 <= len(signers) <= MAX_SIGNERS:
        errors["signers"] = [f"Indique entre 1 y {MAX_SIGNERS} personas que firman."]
    for s in signers:
        if not s.name.strip() or not s.position.strip():
            errors.add("signers", "Cada firma necesita nombre y cargo.")
        if len(s.name) > SIGNER_NAME_MAX or len(s.position) > SIGNER_POSITION_MAX:
            errors.add("signers",
                       f"Nombre: máximo {SIGNER_NAME_MAX} caracteres; cargo: máximo {SIGNER_POSITION_MAX}.")
    for name in ("min_days", "min_lists"):
        value = getattr(data, name)
        if not isinstance(value, int) or not 0 <= value <= MAX_MIN_COUNT:
            errors[name] = [f"Escriba un número entre 0 y {MAX_MIN_COUNT}."]
    if errors:
        raise DomainError("invalid_template", "Revise la plantilla de la constancia.", fields=errors)


def save_template(event, data: TemplateInput, *, actor) -> CertificateTemplate:
    """Create or update the event's template (validated); audit-logged."""
    _check_template(data)
    template = get_template(event)
    created = template is None
    if created:
        template = CertificateTemplate(event_id=event.id)
        db.session.add(template)
    template.title = " ".join(data.title.split())
    template.body = data.body.strip()
    template.signers = [{"name": " ".join(s.name.split()), "position": " ".join(s.position.split())}
                        for s in data.signers if s.name.strip()]
    template.min_days, template.min_lists = data.min_days, data.min_lists
    template.updated_by_id = getattr(actor, "id", None)
    template.updated_at = utcnow()
    db.session.flush()
    record_action(actor, "certificate.template", event, details={
        "title": template.title, "signers": [s["name"] for s in template.signers],
        "min_days": template.min_days, "min_lists": template.min_lists})
    return template


def placeholder_values(event, *, name: str, institution: str = "") -> dict[str, str]:
    """What each placeholder becomes for one person."""
    municipality = event.municipality
    return {
        "nombre": name,
        "evento": event.title,
        "fechas": fmt_day_span(event.days),
        "municipio": municipality.name if municipality else "",
        "sede": event.full_address,
        "organizacion": current_identity().name,
        "institucion": institution,
    }


def render_body(body: str, values: dict[str, str], escape=lambda s: s) -> str:
    """The template's text with its placeholders filled (``escape`` applied to the text and to each value)."""
    escaped = {k: escape(v) for k, v in values.items()}
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(body):
        out.append(escape(literal))
        if name is not None:
            out.append(escaped.get(name, ""))
    return "".join(out)


# --- Who gets one -----------------------------------------------------------------------------------------


def admission_counts(event):
    """Per admitted registration of the event: (registration_id, distinct lists, distinct days)."""
    return (
        select(Checkin.registration_id,
               func.count(func.distinct(Checkin.list_id)).label("lists"),
               func.count(func.distinct(CheckinList.event_day_id)).label("days"))
        .join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(CheckinList.event_id == event.id, Checkin.result == ScanResult.ACCEPTED.value,
               Checkin.undone_at.is_(None), Checkin.registration_id.is_not(None))
        .group_by(Checkin.registration_id)
    )


def eligible_registrations(event, template: CertificateTemplate) -> list[Registration]:
    """Confirmed, identifiable registrations admitted on at least ``min_lists`` lists and ``min_days`` days."""
    counts = admission_counts(event).subquery()
    stmt = (
        select(Registration).join(counts, counts.c.registration_id == Registration.id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
               Registration.anonymized_at.is_(None),
               counts.c.lists >= max(template.min_lists, 1), counts.c.days >= template.min_days)
        .order_by(Registration.name, Registration.id)
    )
    return list(db.session.scalars(stmt))


# --- Issuing, revoking, re-issuing ------------------------------------------------------------------------


def new_code() -> str:
    """A random verification code: 16 characters of Crockford base32 (80 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_CHARS))


def normalize_code(typed: str) -> str:
    """A typed code as stored: letters and digits only, upper case, O/I/L read as 0/1."""
    return re.sub(r"[^0-9A-Za-z]", "", (typed or "")[:80]).upper().translate(_TYPO)


def display_code(code: str) -> str:
    """'K7QF-M2XP-9TRA-B4WN'."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _new_certificate(event, registration, *, actor) -> Certificate:
    certificate = Certificate(event_id=event.id, registration_id=registration.id, code=new_code(),
                              holder_name=registration.name, issued_at=utcnow(),
                              issued_by_id=getattr(actor, "id", None))
    db.session.add(certificate)
    return certificate


def issue_certificates(event, *, actor) -> int:
    """Issue a certificate to every eligible person who has no live one (idempotent); each new one e-mails its
    holder once. Only after the event has ended, from a saved template. Returns how many were issued."""
    if not event.is_past():
        raise DomainError("event_not_over", "Las constancias se emiten cuando el evento ha terminado.")
    template = db.session.scalar(select(CertificateTemplate).where(CertificateTemplate.event_id == event.id)
                                 .with_for_update())  # two clicks at once: the second waits, then finds all
    if template is None:
        raise DomainError("no_template", "Guarde primero la plantilla de la constancia.")
    live = set(db.session.scalars(select(Certificate.registration_id).where(
        Certificate.event_id == event.id, Certificate.revoked_at.is_(None))))
    issued = []
    for registration in eligible_registrations(event, template):
        if registration.id in live:
            continue
        issued.append(_new_certificate(event, registration, actor=actor))
    db.session.flush()
    for certificate in issued:
        _tell_holder(certificate)
    if issued:
        record_action(actor, "certificate.issue", event, details={"issued": len(issued)})
    return len(issued)


def _tell_holder(certificate: Certificate) -> None:
    registration = certificate.registration
    if not registration.email:
        return
    queue_message(EMAIL_KIND, registration.email, "certificates/ready", registration_id=registration.id,
                  reg=registration, event=certificate.event,
                  ticket_url=external_url("registration.ticket", token=registration.access_token),
                  verify_url=verify_url(certificate.code), code=display_code(certificate.code))


def revoke_certificate(certificate: Certificate, reason: str, *, actor) -> Certificate:
    """Revoke a live certificate, with a reason; its code then checks as revoked. Audit-logged."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("reason_required", "Escriba el motivo de la revocación.",
                          fields={"reason": ["Escriba el motivo."]})
    if len(reason) > REASON_MAX:
        raise DomainError("reason_too_long", f"El motivo admite hasta {REASON_MAX} caracteres.",
                          fields={"reason": [f"Máximo {REASON_MAX} caracteres."]})
    if certificate.revoked_at is not None:
        raise DomainError("already_revoked", "Esa constancia ya estaba revocada.")
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = getattr(actor, "id", None)
    certificate.revoke_reason = reason
    db.session.flush()
    record_action(actor, "certificate.revoke", certificate, object_type="certificate",
                  label=f"{certificate.holder_name} · {display_code(certificate.code)}",
                  details={"reason": reason})
    return certificate


def reissue_certificate(certificate: Certificate, *, actor) -> Certificate:
    """A new certificate (new code, the name as it is now) in place of this one, which ends revoked."""
    if certificate.replaced_by_id is not None:
        raise DomainError("already_replaced", "Esa constancia ya fue reemplazada por otra.")
    registration = certificate.registration
    if registration.anonymized_at is not None or registration.status != RegistrationStatus.CONFIRMED:
        raise DomainError("not_eligible", "El registro ya no está confirmado: no se puede reemitir.")
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
        certificate.revoked_by_id = getattr(actor, "id", None)
        certificate.revoke_reason = "Reemplazada por una constancia nueva."
        db.session.flush()  # the live-certificate index admits the new one only once this one is revoked
    elif live_certificate(registration) is not None:
        raise DomainError("already_live", "Esa persona ya tiene una constancia vigente.")
    replacement = _new_certificate(certificate.event, registration, actor=actor)
    db.session.flush()
    certificate.replaced_by_id = replacement.id
    db.session.flush()
    record_action(actor, "certificate.reissue", replacement, object_type="certificate",
                  label=f"{replacement.holder_name} · {display_code(replacement.code)}",
                  details={"previous_code": display_code(certificate.code),
                           "code": display_code(replacement.code)})
    return replacement


# --- Reading ----------------------------------------------------------------------------------------------


def live_certificate(registration) -> Certificate | None:
    """The registration's certificate that is not revoked, if any."""
    return db.session.scalar(select(Certificate).where(Certificate.registration_id == registration.id,
                                                       Certificate.revoked_at.is_(None)))


def find_by_code(typed: str) -> Certificate | None:
    """The certificate behind a typed or scanned code, or None (forged, mistyped)."""
    code = normalize_code(typed)
    if not re.fullmatch(f"[{_ALPHABET}]{{{CODE_CHARS}}}", code):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def get_event_certificate(event, code: str) -> Certificate:
    """One certificate of this event by its code (organizer pages), or NotFound."""
    certificate = find_by_code(code)
    if certificate is None or certificate.event_id != event.id:
        raise NotFound("certificate_not_found", "No existe esa constancia en este evento.")
    return certificate


def event_certificates(event) -> list[Certificate]:
    """Every certificate of the event, newest first (live and revoked)."""
    return list(db.session.scalars(select(Certificate).where(Certificate.event_id == event.id)
                                   .order_by(Certificate.holder_name, Certificate.issued_at.desc())))


def live_certificates(event) -> list[Certificate]:
    """The event's live certificates in name order (the ZIP)."""
    return list(db.session.scalars(select(Certificate).where(Certificate.event_id == event.id,
                                                             Certificate.revoked_at.is_(None))
                                   .options(selectinload(Certificate.registration))
                                   .order_by(Certificate.holder_name, Certificate.id)))


def verify_url(code: str) -> str:
    """The public check page of a code, on PUBLIC_URL (printed under the QR)."""
    return external_url("certificates.verify", code=display_code(code))
