"""What a person types to register, and its validation: shared by the sign-up, corrections and imports."""

import re
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email

from foros.core.errors import DomainError, FieldErrors
from foros.core.limits import MAX_LENGTH
from foros.core.municipalities import OTHER_STATE, get_municipality
from foros.events.models import EventRules, Modality

#: Sex/gender options for disaggregated statistics (optional).
GENDER_OPTIONS = [
    ("mujer", "Mujer"),
    ("hombre", "Hombre"),
    ("no_binario", "No binario"),
    ("otro", "Otro"),
    ("prefiero_no_decir", "Prefiero no decir"),
]
GENDER_KEYS = {key for key, _ in GENDER_OPTIONS}

#: The person's fields checked for length, with their limits from ``core.limits``.
LIMITS = {"name": MAX_LENGTH["person_name"], **{name: MAX_LENGTH[name] for name in (
    "email", "phone", "organization", "position", "accessibility")}}
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


def modality_choices(event: EventRules) -> list[str]:
    """The modalities a person can choose for this event."""
    return [m.value for m in event.modality.attendance_modes]


def validate_input(event: EventRules, data: RegistrationInput, *, require_consent: bool = True,
                   require_email: bool = True) -> dict:
    """Check every field; return clean values or raise ``invalid_registration`` with per-field errors.

    ``event`` is an ``Event`` or the sign-up's ``EventSnapshot`` (both ``EventRules``, with ``days``).
    ``require_email=False`` (walk-ins at the door): an empty e-mail is kept as None, never a duplicate.
    """
    errors = FieldErrors()
    values = _clean(data)
    _check_person(values, errors, require_email=require_email)
    _check_choices(event, values, errors)
    by_date = {d.day: d for d in event.days}
    wanted = list(dict.fromkeys(data.days or []))
    if not wanted and len(by_date) == 1:
        wanted = list(by_date)
    if not wanted:
        errors.add("days", "Elija al menos un día.")
    elif any(d not in by_date for d in wanted):
        errors.add("days", "Elija días del evento.")
    if require_consent and data.privacy_consent is not True:
        errors.add("privacy_consent", "Para registrarse debe aceptar el aviso de privacidad.")
    if errors:
        raise DomainError("invalid_registration", "Revise los campos marcados.", fields=dict(errors))
    values["days"] = [by_date[d] for d in wanted if d in by_date]
    return values


def _clean(data: RegistrationInput) -> dict:
    """The typed text with spaces collapsed (names, organization) or trimmed."""
    return {
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


def _check_person(values: dict, errors: FieldErrors, *, require_email: bool) -> None:
    """Lengths, name, e-mail (normalised in place; None for a walk-in without one) and phone."""
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors.add(name, f"Máximo {limit} caracteres.")
    if len(values["name"]) < 3:
        errors.add("name", "Escriba su nombre completo.")
    if not values["email"]:
        if require_email:
            errors.add("email", "Escriba su correo electrónico.")
        else:
            values["email"] = None
    elif "email" not in errors:
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            errors.add("email", "Escriba un correo electrónico válido, por ejemplo nombre@dominio.mx.")
    if values["phone"] and not _PHONE_RE.match(values["phone"]):
        errors.add("phone", "Escriba solo números, espacios y los signos + ( ) -.")


def _check_choices(event: EventRules, values: dict, errors: FieldErrors) -> None:
    """Sector, municipality, gender and modality against the event's (and the state's) lists."""
    if values["sector"] not in {s["key"] for s in event.sector_options or []}:
        errors.add("sector", "Elija un sector de la lista.")
    if values["municipality_key"] != OTHER_STATE and get_municipality(values["municipality_key"]) is None:
        errors.add("municipality_key", "Elija un municipio del Estado de México u «Otra entidad».")
    if values["gender"] and values["gender"] not in GENDER_KEYS:
        errors.add("gender", "Elija una opción de la lista.")
    choices = modality_choices(event)
    if len(choices) == 1 and not values["modality"]:
        values["modality"] = choices[0]
    if values["modality"] not in choices:
        errors.add("modality",
                   "Elija la modalidad: " + " o ".join(Modality(c).label.lower() for c in choices) + ".")
