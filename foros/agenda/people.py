"""People on the programme: kept once and reused across events, put on sessions with a role and an order,
and their private link (confirm, correct bio and photo).

Stable error codes: ``invalid_person``, ``invalid_assignment``, ``already_assigned``, ``invalid_photo``.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from foros.agenda.models import Person, Session, SessionPerson, SessionRole
from foros.agenda.photos import MAX_BYTES, process_photo
from foros.audit.services import record_action
from foros.core.errors import DomainError, NotFound
from foros.core.text import normalize_email
from foros.core.time import utcnow
from foros.extensions import db

NAME_MAX = 200
CARGO_MAX = 200
INSTITUTION_MAX = 200
BIO_MAX = 2000
EMAIL_MAX = 254
SEARCH_LIMIT = 20


@dataclass
class PersonInput:
    """A person's data as organizers type it."""

    name: str
    cargo: str = ""
    institution: str = ""
    bio: str = ""
    email: str = ""


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_people(text: str, *, limit: int = SEARCH_LIMIT) -> list[Person]:
    """People whose name, institution or cargo contains ``text`` (to reuse them across events)."""
    text = (text or "").strip()[:100]
    query = select(Person).order_by(Person.name).limit(limit)
    if text:
        pattern = _like(text.lower())
        query = query.where(func.lower(Person.name).like(pattern, escape="\\")
                            | func.lower(Person.institution).like(pattern, escape="\\")
                            | func.lower(Person.cargo).like(pattern, escape="\\"))
    return list(db.session.scalars(query))


def get_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound("not_found", "No encontramos a esa persona.")
    return person


def get_person_by_token(token: str) -> Person:
    """The person of a private link, or 404 (the same answer for any wrong token)."""
    person = db.session.scalar(select(Person).where(Person.token == (token or "")[:64])
                               .options(selectinload(Person.sessions).selectinload(SessionPerson.session)))
    if person is None:
        raise NotFound("not_found", "Este enlace no es válido.")
    return person


def get_person_by_key(key: str) -> Person:
    person = db.session.scalar(select(Person).where(Person.public_key == (key or "")[:32]))
    if person is None:
        raise NotFound("not_found", "No encontramos a esa persona.")
    return person


def _check_person(data: PersonInput) -> dict:
    errors = {}
    limits = {"name": NAME_MAX, "cargo": CARGO_MAX, "institution": INSTITUTION_MAX, "bio": BIO_MAX,
              "email": EMAIL_MAX}
    for name, limit in limits.items():
        if len(getattr(data, name) or "") > limit:
            errors[name] = [f"Máximo {limit} caracteres."]
    if not (data.name or "").strip():
        errors["name"] = ["Escriba el nombre."]
    email = (data.email or "").strip()
    if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        errors["email"] = ["Escriba un correo válido, como nombre@dominio.mx."]
    return errors


def save_person(data: PersonInput, *, person: Person | None = None, actor=None) -> Person:
    """Create a person (``person`` None) or correct one."""
    errors = _check_person(data)
    if errors:
        raise DomainError("invalid_person", "Revise los campos marcados.", fields=errors)
    creating = person is None
    if creating:
        person = Person()
        db.session.add(person)
    person.name, person.cargo = data.name.strip(), (data.cargo or "").strip()
    person.institution, person.bio = (data.institution or "").strip(), (data.bio or "").strip()
    person.email = normalize_email(data.email)
    db.session.flush()
    record_action(actor, "agenda.person_create" if creating else "agenda.person_update", person,
                  object_type="person", label=person.name)
    return person


def set_photo(person: Person, data: bytes, *, actor=None, by_person: bool = False) -> None:
    """Store a new photo, validated by content, re-encoded without metadata and resized."""
    photo = process_photo(data)
    person.photo, person.photo_content_type, person.photo_size = photo.data, photo.content_type, len(photo.data)
    person.photo_updated_at = utcnow()
    db.session.flush()
    record_action(actor, "agenda.person_photo", person, object_type="person", label=person.name,
                  details={"by": "person" if by_person else "organizer"})


def remove_photo(person: Person, *, actor=None, by_person: bool = False) -> None:
    person.photo, person.photo_content_type, person.photo_size, person.photo_updated_at = None, "", 0, None
    db.session.flush()
    record_action(actor, "agenda.person_photo_removed", person, object_type="person", label=person.name,
                  details={"by": "person" if by_person else "organizer"})


# --- People on sessions -------------------------------------------------------------------------------------


def assign_person(session: Session, person: Person, role: str, *, position: int | None = None,
                  actor=None) -> SessionPerson:
    """Put a person on a session with a role; without ``position`` they go last."""
    if role not in {r.value for r in SessionRole}:
        raise DomainError("invalid_assignment", "Revise los campos marcados.",
                          fields={"role": ["Elija un papel de la lista."]})
    if any(sp.person_id == person.id for sp in session.people):
        raise DomainError("already_assigned", f"{person.name} ya está en esta sesión.",
                          fields={"person_id": [f"{person.name} ya está en esta sesión."]})
    if position is None:
        position = max((sp.position for sp in session.people), default=0) + 1
    assignment = SessionPerson(session=session, person=person, role=SessionRole(role), position=position)
    db.session.add(assignment)
    db.session.flush()
    record_action(actor, "agenda.person_assign", session, object_type="session",
                  label=f"{session.title} — {session.event.title}",
                  details={"name": person.name, "role": role})
    return assignment


def update_assignment(assignment: SessionPerson, *, role: str, position: int, actor=None) -> None:
    """Change a person's role or order on a session."""
    errors = {}
    if role not in {r.value for r in SessionRole}:
        errors["role"] = ["Elija un papel de la lista."]
    if not 0 <= position <= 1000:
        errors["position"] = ["El orden debe ser un número entre 0 y 1000."]
    if errors:
        raise DomainError("invalid_assignment", "Revise los campos marcados.", fields=errors)
    assignment.role, assignment.position = SessionRole(role), position
    db.session.flush()
    record_action(actor, "agenda.person_assign", assignment.session, object_type="session",
                  label=f"{assignment.session.title} — {assignment.session.event.title}",
                  details={"name": assignment.person.name, "role": role})


def remove_assignment(assignment: SessionPerson, *, actor=None) -> None:
    session = assignment.session
    record_action(actor, "agenda.person_unassign", session, object_type="session",
                  label=f"{session.title} — {session.event.title}", details={"name": assignment.person.name})
    session.people.remove(assignment)
    db.session.flush()


def get_assignment(session: Session, assignment_id: int) -> SessionPerson:
    assignment = next((sp for sp in session.people if sp.id == assignment_id), None)
    if assignment is None:
        raise NotFound("not_found", "Esa persona no está en esta sesión.")
    return assignment


# --- The private link ---------------------------------------------------------------------------------------


def person_assignments(person: Person) -> list[SessionPerson]:
    """The person's sessions (all events), in time order."""
    return sorted(person.sessions, key=lambda sp: (sp.session.starts_at, sp.session.id))


def confirm_participation(person: Person, assignment_id: int) -> bool:
    """The person confirms one of their sessions; a second confirmation changes nothing (returns False)."""
    assignment = next((sp for sp in person.sessions if sp.id == assignment_id), None)
    if assignment is None:
        raise NotFound("not_found", "Esa sesión no es suya.")
    if assignment.confirmed_at is not None:
        return False
    assignment.confirmed_at = utcnow()
    db.session.flush()
    record_action(None, "agenda.person_confirm", assignment.session, object_type="session",
                  label=f"{assignment.session.title} — {assignment.session.event.title}",
                  details={"name": person.name, "by": "person"})
    return True


def correct_own_profile(person: Person, *, bio: str, cargo: str, institution: str) -> None:
    """The person corrects their bio, cargo and institution from their link (the name stays the organizers')."""
    save_person(PersonInput(name=person.name, cargo=cargo, institution=institution, bio=bio, email=person.email),
                person=person)


#: Bytes read from an upload: one more than the limit, so an oversized file is seen as such and refused.
PHOTO_READ_LIMIT = MAX_BYTES + 1
