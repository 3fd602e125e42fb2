"""Organizer services of declarations: templates with placeholders, create and edit a declaration, its
signatories, and its status transitions (every change recorded in the audit log)."""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foros.audit.services import diff_fields, record_action
from foros.core.errors import DomainError, NotFound
from foros.core.formatting import fmt_date
from foros.core.municipalities import get_municipality
from foros.declarations.models import (
    Declaration,
    DeclarationStatus,
    DeclarationTemplate,
    DeclarationVersion,
    Signatory,
    SignatoryRole,
    SignatoryStatus,
    TrailKind,
)
from foros.declarations.signing_common import trail
from foros.declarations.versions import new_version, open_signing
from foros.events.models import Event
from foros.extensions import db

TITLE_MAX, PLACE_MAX, BODY_MAX, REASON_MAX = 250, 250, 50_000, 2_000

#: The placeholders a template may use, with what they stand for (shown beside the template's text).
PLACEHOLDERS = {
    "municipio": "Nombre del municipio",
    "fecha": "Fecha de firma (o «fecha por definir»)",
    "lugar": "Lugar de la firma",
    "firmantes": "Nombre, cargo e institución de cada firmante, uno por línea",
    "foro": "Título del foro del que deriva (si lo hay)",
}
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

DEFAULT_TEMPLATE_NAME = "Declaratoria Conjunta de Gobierno Abierto"
DEFAULT_TEMPLATE_TITLE = "Declaratoria Conjunta de Gobierno Abierto de {municipio}"
DEFAULT_TEMPLATE_BODY = """\
En {lugar}, municipio de {municipio}, Estado de México, el {fecha}, quienes suscriben la presente manifiestan \
su voluntad de impulsar un gobierno abierto, transparente y participativo.

Como resultado del {foro}, el Ayuntamiento de {municipio} y el órgano garante de transparencia del Estado de \
México se comprometen a emitir la convocatoria para integrar el Secretariado Técnico Municipal, instalarlo y \
elaborar, con la sociedad civil, el Plan de Acción Municipal de Gobierno Abierto.

Firman la presente declaratoria:
{firmantes}"""


def signatories_text(declaration: Declaration) -> str:
    """The {firmantes} placeholder: one line per signatory (name, position, institution)."""
    lines = []
    for s in declaration.signatories:
        parts = [p for p in (s.name, s.position, s.institution) if p]
        lines.append(", ".join(parts))
    return "\n".join(lines) or "(firmantes por definir)"


def fill_placeholders(text: str, declaration: Declaration, *, keep=()) -> str:
    """Replace every known {placeholder} (but those in ``keep``) with the declaration's value; unknown braces
    stay as typed."""
    municipality = get_municipality(declaration.municipality_key)
    values = {
        "municipio": municipality.name if municipality else declaration.municipality_key,
        "fecha": fmt_date(declaration.signing_date) if declaration.signing_date else "fecha por definir",
        "lugar": declaration.place or (municipality.name if municipality else ""),
        "firmantes": signatories_text(declaration),
        "foro": declaration.event.title if declaration.event is not None else "foro regional de gobierno abierto",
    }
    return _PLACEHOLDER.sub(lambda m: m.group(0) if m.group(1) in keep else values[m.group(1)], text)


# --- templates ---------------------------------------------------------------------------------------------

def list_templates(*, active_only: bool = False) -> list[DeclarationTemplate]:
    """The templates, by name (the default model text is created on first use: ``template_choices``)."""
    stmt = select(DeclarationTemplate).order_by(DeclarationTemplate.name)
    if active_only:
        stmt = stmt.where(DeclarationTemplate.is_active.is_(True))
    return list(db.session.scalars(stmt))


def template_choices() -> list[tuple[int, str]]:
    """(id, name) of the active templates; 0 stands for the default model text until it is first used."""
    choices = [(t.id, t.name) for t in list_templates(active_only=True)]
    if DEFAULT_TEMPLATE_NAME not in {name for _id, name in choices}:
        choices.insert(0, (0, DEFAULT_TEMPLATE_NAME))
    return choices


def ensure_default_template() -> DeclarationTemplate:
    """The installation's model text, created the first time it is needed."""
    template = db.session.scalar(select(DeclarationTemplate).where(
        DeclarationTemplate.name == DEFAULT_TEMPLATE_NAME))
    if template is None:
        template = DeclarationTemplate(name=DEFAULT_TEMPLATE_NAME, title=DEFAULT_TEMPLATE_TITLE,
                                       body=DEFAULT_TEMPLATE_BODY, is_active=True)
        db.session.add(template)
        db.session.flush()
    return template


def get_template(template_id: int) -> DeclarationTemplate:
    """A template by id, or 404."""
    template = db.session.get(DeclarationTemplate, template_id)
    if template is None:
        raise NotFound("template_not_found", "No existe esa plantilla.")
    return template


def save_template(template: DeclarationTemplate | None, *, name: str, title: str, body: str,
                  is_active: bool = True, actor=None) -> DeclarationTemplate:
    """Create or edit a template (name unique; body required)."""
    name, title, body = name.strip(), title.strip(), body.strip()
    errors = {}
    if not name:
        errors["name"] = ["Escriba el nombre de la plantilla."]
    if not body:
        errors["body"] = ["Escriba el texto de la plantilla."]
    duplicate = db.session.scalar(select(DeclarationTemplate).where(DeclarationTemplate.name == name))
    if name and duplicate is not None and duplicate is not template:
        errors["name"] = ["Ya existe una plantilla con ese nombre."]
    if errors:
        raise DomainError("invalid_template", "Revise los datos marcados.", fields=errors)
    values = {"name": name, "title": title, "body": body, "is_active": is_active}
    if template is None:
        template = DeclarationTemplate(**values)
        db.session.add(template)
        db.session.flush()
        record_action(actor, "declaration.template_create", template, label=name)
    else:
        changes = diff_fields(template, values)
        for key, value in values.items():
            setattr(template, key, value)
        db.session.flush()
        if changes:
            record_action(actor, "declaration.template_update", template, label=name, details=changes)
    return template


# --- declarations ------------------------------------------------------------------------------------------

@dataclass
class DeclarationInput:
    """What an organizer types on a declaration."""

    municipality_key: str
    title: str = ""
    place: str = ""
    signing_date: date | None = None
    event_id: int | None = None


def _validate(data: DeclarationInput) -> None:
    errors = {}
    if get_municipality(data.municipality_key) is None:
        errors["municipality_key"] = ["Elija un municipio de la lista."]
    if len(data.title) > TITLE_MAX:
        errors["title"] = [f"Máximo {TITLE_MAX} caracteres."]
    if len(data.place) > PLACE_MAX:
        errors["place"] = [f"Máximo {PLACE_MAX} caracteres."]
    if data.signing_date is not None and not 2000 <= data.signing_date.year <= 2100:
        errors["signing_date"] = ["Escriba una fecha entre los años 2000 y 2100."]
    if errors:
        raise DomainError("invalid_declaration", "Revise los datos marcados.", fields=errors)


def _event_or_error(event_id):
    if event_id is None:
        return None
    from_db = db.session.get(Event, event_id)
    if from_db is None:
        raise DomainError("invalid_declaration", "Revise los datos marcados.",
                          fields={"event_id": ["Elija un foro de la lista."]})
    return from_db


def create_declaration(data: DeclarationInput, template: DeclarationTemplate | None = None, *,
                       actor=None) -> Declaration:
    """A new draft declaration from a template, its placeholders filled in (version 1, not fixed)."""
    _validate(data)
    template = template or ensure_default_template()
    declaration = Declaration(municipality_key=data.municipality_key, place=data.place.strip(),
                              signing_date=data.signing_date, template=template,
                              event=_event_or_error(data.event_id), status=DeclarationStatus.DRAFT,
                              created_by=actor if getattr(actor, "id", None) else None)
    declaration.title = fill_placeholders(data.title.strip() or template.title or template.name, declaration)
    declaration.title = declaration.title[:TITLE_MAX]
    db.session.add(declaration)
    # {firmantes} stays in the draft: the signatories are added afterwards; it is filled when signing opens.
    body = fill_placeholders(template.body, declaration, keep=("firmantes",))
    declaration.versions.append(DeclarationVersion(number=1, body=body,
                                                   created_by=declaration.created_by))
    db.session.flush()
    trail(declaration, TrailKind.CREATED, by=getattr(actor, "name", ""))  # the certificate page's first row
    record_action(actor, "declaration.create", declaration, label=declaration.title,
                  details={"municipality_key": data.municipality_key, "template": template.name})
    return declaration


def get_declaration(declaration_id: int) -> Declaration:
    """A declaration by id, or 404."""
    declaration = db.session.get(Declaration, declaration_id)
    if declaration is None:
        raise NotFound("declaration_not_found", "No existe esa declaratoria.")
    return declaration


def list_declarations(*, statuses=None, municipality_key: str = "") -> list[Declaration]:
    """Declarations (newest first) with their signatories, versions and final documents loaded."""
    stmt = (select(Declaration)
            .options(selectinload(Declaration.signatories).selectinload(Signatory.role),
                     selectinload(Declaration.versions), selectinload(Declaration.final_documents))
            .order_by(Declaration.id.desc()))
    if statuses:
        stmt = stmt.where(Declaration.status.in_(list(statuses)))
    if municipality_key:
        stmt = stmt.where(Declaration.municipality_key == municipality_key)
    return list(db.session.scalars(stmt))


def _editable(declaration: Declaration) -> None:
    if declaration.status in (DeclarationStatus.SIGNED, DeclarationStatus.CANCELLED):
        raise DomainError("declaration_closed",
                          f"La declaratoria está «{declaration.status.label}»: ya no se edita.", status=409)


def update_declaration(declaration: Declaration, data: DeclarationInput, body: str, *,
                       actor=None) -> Declaration:
    """Edit title, place, date and text. While the text is not fixed it changes in place; once signing opened,
    a changed text goes through ``versions.new_version`` (a new version that voids the signatures on the old
    one)."""
    _editable(declaration)
    _validate(data)
    body = body.strip()
    if not body:
        raise DomainError("invalid_declaration", "Revise los datos marcados.",
                          fields={"body": ["Escriba el texto de la declaratoria."]})
    if len(body) > BODY_MAX:
        raise DomainError("invalid_declaration", "Revise los datos marcados.",
                          fields={"body": [f"Máximo {BODY_MAX} caracteres."]})
    values = {"municipality_key": data.municipality_key, "title": data.title.strip() or declaration.title,
              "place": data.place.strip(), "signing_date": data.signing_date}
    changes = diff_fields(declaration, values)
    for key, value in values.items():
        setattr(declaration, key, value)
    version = declaration.current_version
    if version is None or version.body != body:
        changes["body"] = "changed"
        if version is not None and version.is_fixed:
            new_version(declaration, body, actor=actor)
        elif version is None:
            declaration.versions.append(DeclarationVersion(number=1, body=body))
        else:
            version.body = body
    db.session.flush()
    if changes:
        record_action(actor, "declaration.update", declaration, label=declaration.title, details=changes)
    return declaration


# --- signatories -------------------------------------------------------------------------------------------

@dataclass
class SignatoryInput:
    """A signatory as typed."""

    name: str
    position: str = ""
    institution: str = ""
    role_id: int | None = None
    email: str = ""
    signing_order: int | None = None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def active_roles() -> list[SignatoryRole]:
    """The roles offered in pickers."""
    return list(db.session.scalars(select(SignatoryRole).where(SignatoryRole.is_active.is_(True))
                                   .order_by(SignatoryRole.position, SignatoryRole.name)))


def all_roles() -> list[SignatoryRole]:
    """Every role, retired ones included."""
    return list(db.session.scalars(select(SignatoryRole).order_by(SignatoryRole.position, SignatoryRole.name)))


def roles_for_signatory(signatory: Signatory | None = None) -> list[SignatoryRole]:
    """The roles a signatory may be given: the active ones, plus the one they already have if it was retired
    since (so correcting their e-mail does not take their role away)."""
    roles = active_roles()
    current = signatory.role if signatory is not None else None
    if current is not None and not current.is_active:
        roles = sorted([*roles, current], key=lambda r: (r.position, r.name))
    return roles


def get_role(role_id: int) -> SignatoryRole:
    """A signatory role by id, or 404."""
    role = db.session.get(SignatoryRole, role_id)
    if role is None:
        raise NotFound("role_not_found", "No existe ese rol de firmante.")
    return role


def save_role(role: SignatoryRole | None, name: str, position: int, is_active: bool, *, actor=None):
    """Add or rename a signatory role (the editable list)."""
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise DomainError("invalid_role", "Revise los datos marcados.",
                          fields={"name": ["Escriba el nombre del rol (máximo 120 caracteres)."]})
    duplicate = db.session.scalar(select(SignatoryRole).where(SignatoryRole.name == name))
    if duplicate is not None and duplicate is not role:
        raise DomainError("invalid_role", "Revise los datos marcados.",
                          fields={"name": ["Ya existe un rol con ese nombre."]})
    values = {"name": name, "position": position, "is_active": is_active}
    if role is None:
        role = SignatoryRole(**values)
        db.session.add(role)
        db.session.flush()
        record_action(actor, "declaration.role_create", role, label=name)
    else:
        changes = diff_fields(role, values)
        for key, value in values.items():
            setattr(role, key, value)
        db.session.flush()
        if changes:
            record_action(actor, "declaration.role_update", role, label=name, details=changes)
    return role


def check_signatory(data: SignatoryInput, *, current_role_id: int | None = None) -> None:
    """Refuse a signatory's data with every field's message at once (``DomainError('invalid_signatory')``)."""
    errors = {}
    if not data.name.strip():
        errors["name"] = ["Escriba el nombre de la persona firmante."]
    if len(data.name) > 200 or len(data.position) > 200:
        errors.setdefault("name", []).append("Máximo 200 caracteres.")
    if len(data.institution) > 250:
        errors["institution"] = ["Máximo 250 caracteres."]
    if data.email and (len(data.email) > 254 or not _EMAIL.match(data.email)):
        errors["email"] = ["Escriba un correo válido (nombre@dominio.mx)."]
    role = db.session.get(SignatoryRole, data.role_id) if data.role_id is not None else None
    if data.role_id is not None and role is None:
        errors["role_id"] = ["Elija un rol de la lista."]
    elif role is not None and not role.is_active and role.id != current_role_id:
        # A retired role stays with whoever already had it, but nobody new is given it.
        errors["role_id"] = ["Ese rol ya no se usa: elija uno de la lista."]
    if data.signing_order is not None and not 1 <= data.signing_order <= 99:
        errors["signing_order"] = ["El orden va de 1 a 99 (vacío: sin orden)."]
    if errors:
        raise DomainError("invalid_signatory", "Revise los datos marcados.", fields=errors)


def _signatory_values(data: SignatoryInput) -> dict:
    return {"name": " ".join(data.name.split()), "position": data.position.strip(),
            "institution": data.institution.strip(), "role_id": data.role_id,
            "email": data.email.strip().lower(), "signing_order": data.signing_order}


def add_signatory(declaration: Declaration, data: SignatoryInput, *, actor=None) -> Signatory:
    """Add a signatory (pendiente) at the end of the signature blocks."""
    _editable(declaration)
    check_signatory(data)
    values = _signatory_values(data)
    last = max((s.sort_order for s in declaration.signatories), default=0)
    signatory = Signatory(**values, sort_order=last + 10, status=SignatoryStatus.PENDING)
    declaration.signatories.append(signatory)
    db.session.flush()
    record_action(actor, "declaration.signatory_add", declaration, label=declaration.title,
                  details={"name": values["name"], "email": values["email"]})
    return signatory


def get_signatory(declaration: Declaration, signatory_id: int) -> Signatory:
    """One of the declaration's signatories, or 404."""
    signatory = db.session.get(Signatory, signatory_id)
    if signatory is None or signatory.declaration_id != declaration.id:
        raise NotFound("signatory_not_found", "No existe esa persona firmante.")
    return signatory


def update_signatory(signatory: Signatory, data: SignatoryInput, *, actor=None) -> Signatory:
    """Correct a signatory; a signed one keeps name and e-mail (the signature was given as such)."""
    declaration = signatory.declaration
    _editable(declaration)
    check_signatory(data, current_role_id=signatory.role_id)
    values = _signatory_values(data)
    if signatory.status == SignatoryStatus.SIGNED and (
            values["name"] != signatory.name or values["email"] != signatory.email):
        raise DomainError("signatory_signed", "Esta persona ya firmó: su nombre y correo no se cambian.",
                          status=409)
    changes = diff_fields(signatory, values)
    for key, value in values.items():
        setattr(signatory, key, value)
    db.session.flush()
    if changes:
        record_action(actor, "declaration.signatory_update", declaration, label=declaration.title,
                      details={"name": signatory.name, **changes})
    return signatory


def remove_signatory(signatory: Signatory, *, actor=None) -> None:
    """Take out a signatory who has not signed."""
    declaration = signatory.declaration
    _editable(declaration)
    if signatory.status == SignatoryStatus.SIGNED:
        raise DomainError("signatory_signed", "Esta persona ya firmó: no se puede quitar.", status=409)
    name = signatory.name
    declaration.signatories.remove(signatory)
    db.session.flush()
    record_action(actor, "declaration.signatory_remove", declaration, label=declaration.title,
                  details={"name": name})


# --- status transitions ------------------------------------------------------------------------------------

#: transition → (allowed from, target, audit action). "open" fixes the text (the document's service); firmada
#: is reached by the last signature (``signing.after_signature``), never by hand.
_TRANSITIONS = {
    "open": ({DeclarationStatus.DRAFT, DeclarationStatus.POSTPONED}, DeclarationStatus.SIGNING,
             "declaration.open_signing"),
    "postpone": ({DeclarationStatus.DRAFT, DeclarationStatus.SIGNING, DeclarationStatus.POSTPONED},
                 DeclarationStatus.POSTPONED, "declaration.postpone"),
    "resume": ({DeclarationStatus.POSTPONED}, DeclarationStatus.DRAFT, "declaration.resume"),
    "cancel": ({DeclarationStatus.DRAFT, DeclarationStatus.SIGNING, DeclarationStatus.POSTPONED},
               DeclarationStatus.CANCELLED, "declaration.cancel"),
    "restore": ({DeclarationStatus.CANCELLED}, DeclarationStatus.DRAFT, "declaration.restore"),
}

TRANSITION_LABELS = {
    "open": "Abrir a firma",
    "postpone": "Posponer",
    "resume": "Reanudar (volver a borrador)",
    "cancel": "Cancelar",
    "restore": "Recuperar (volver a borrador)",
}

TRANSITION_MESSAGES = {
    "open": "Firma abierta: el texto quedó fijado y se puede invitar a las personas firmantes.",
    "postpone": "Declaratoria pospuesta.",
    "resume": "Declaratoria reanudada: vuelve a borrador.",
    "cancel": "Declaratoria cancelada.",
    "restore": "Declaratoria recuperada: vuelve a borrador.",
}


def available_transitions(declaration: Declaration) -> list[str]:
    """The transitions allowed from the declaration's status, in the order they are offered."""
    return [name for name, (allowed, _t, _a) in _TRANSITIONS.items() if declaration.status in allowed]


def change_status(declaration: Declaration, transition: str, *, reason: str = "", expected_date=None,
                  actor=None) -> Declaration:
    """Move a declaration through its life cycle; postpone and cancel need a reason. Opening signing fixes the
    text and its hash (``versions.open_signing``)."""
    if transition not in _TRANSITIONS:
        raise DomainError("unknown_transition", "Acción no reconocida.", status=400)
    allowed, target, action = _TRANSITIONS[transition]
    if declaration.status not in allowed:
        raise DomainError("invalid_transition",
                          f"No se puede pasar de «{declaration.status.label}» a «{target.label}».", status=409)
    reason = (reason or "").strip()
    if transition in ("postpone", "cancel") and not reason:
        raise DomainError("reason_required", "Escriba el motivo.", fields={"reason": ["Escriba el motivo."]})
    if len(reason) > REASON_MAX:
        raise DomainError("reason_too_long", "Motivo demasiado largo.",
                          fields={"reason": [f"Máximo {REASON_MAX} caracteres."]})
    if expected_date is not None and not 2000 <= expected_date.year <= 2100:
        raise DomainError("invalid_date", "Fecha no válida.",
                          fields={"expected_date": ["Escriba una fecha entre los años 2000 y 2100."]})
    if transition == "open" and not declaration.signatories:
        raise DomainError("no_signatories", "Agregue al menos una persona firmante antes de abrir la firma.",
                          status=409)
    old = declaration.status
    if transition == "open":
        version = declaration.current_version
        if version is not None and not version.is_fixed:
            version.body = fill_placeholders(version.body, declaration)
        open_signing(declaration, actor=actor)
    declaration.status = target
    if transition in ("postpone", "cancel"):
        declaration.status_reason = reason
        declaration.expected_date = expected_date if transition == "postpone" else None
    elif transition in ("resume", "restore", "open"):
        declaration.status_reason, declaration.expected_date = "", None
    details = {"status": [old.value, target.value]}
    if reason:
        details["reason"] = reason
    if expected_date is not None:
        details["expected_date"] = expected_date.isoformat()
    db.session.flush()
    record_action(actor, action, declaration, label=declaration.title, details=details)
    return declaration
