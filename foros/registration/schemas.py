"""API schemas for registrations (they validate input and generate the OpenAPI document)."""

import marshmallow as ma

from foros.core.api import Text
from foros.core.limits import MAX_LENGTH
from foros.registration.inputs import GENDER_KEYS, LIMITS


class RegistrationCreateSchema(ma.Schema):
    """A registration as sent by a form elsewhere or a partner's system."""

    class Meta:
        unknown = ma.RAISE

    name = Text(required=True, validate=ma.validate.Length(max=LIMITS["name"]),
                            metadata={"example": "Lucía Hernández Ortiz"})
    email = Text(required=True, validate=ma.validate.Length(max=LIMITS["email"]),
                             metadata={"example": "lucia@example.org"})
    phone = Text(load_default="", validate=ma.validate.Length(max=LIMITS["phone"]))
    sector = Text(required=True, validate=ma.validate.Length(max=MAX_LENGTH["sector_key"]),
                              metadata={"description": "Una de las claves de `sectors` del evento"})
    organization = Text(load_default="", validate=ma.validate.Length(max=LIMITS["organization"]))
    position = Text(load_default="", validate=ma.validate.Length(max=LIMITS["position"]))
    municipality = Text(required=True, validate=ma.validate.Length(max=MAX_LENGTH["municipality_key"]),
                                    metadata={"description": "Clave INEGI (p. ej. 15113) u `otra`",
                                              "example": "15113"})
    gender = Text(load_default="", validate=ma.validate.OneOf(sorted(GENDER_KEYS) + [""]))
    modality = Text(load_default="", metadata={"enum": ["presencial", "virtual"],
                                                           "description": "Obligatoria en eventos híbridos"})
    days = ma.fields.List(ma.fields.Date(), load_default=list, validate=ma.validate.Length(max=20),
                          metadata={"description": "Fechas ISO de días del evento. Obligatorio cuando el evento "
                                                   "tiene varios días (al menos uno; si no, 422 "
                                                   "`invalid_registration`); con un solo día, ese día."})
    accessibility = Text(load_default="", validate=ma.validate.Length(max=LIMITS["accessibility"]))
    privacy_consent = ma.fields.Boolean(required=True, metadata={
        "enum": [True], "description": "Debe ser true: la persona aceptó el aviso de privacidad del evento (con "
                                       "false se responde 422 `invalid_registration`)."})


class RegistrationCreatedSchema(ma.Schema):
    """The result of a registration."""

    status = ma.fields.String(metadata={"enum": ["confirmed", "waitlisted"]})
    waitlist_position = ma.fields.Integer(allow_none=True)
    ticket_url = ma.fields.String()
    code = ma.fields.String(metadata={"description": "Código firmado del QR"})


class RegistrationSchema(ma.Schema):
    """A registration as organizers see it."""

    id = ma.fields.Integer()
    status = ma.fields.Function(lambda r: r.status.value, metadata={"enum": ["confirmed", "waitlisted",
                                                                              "cancelled"]})
    source = ma.fields.Function(lambda r: r.source.value)
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String()
    sector = ma.fields.String()
    organization = ma.fields.String()
    position = ma.fields.String()
    municipality = ma.fields.String(attribute="municipality_key")
    gender = ma.fields.String()
    modality = ma.fields.String()
    days = ma.fields.Function(lambda r: [d.day.isoformat() for d in r.days],
                              metadata={"type": "array", "items": {"type": "string", "format": "date"}})
    accessibility = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    anonymized = ma.fields.Function(lambda r: r.anonymized_at is not None, metadata={"type": "boolean"})


class RegistrationListQuerySchema(ma.Schema):
    """Filters and paging for the registrations list."""

    class Meta:
        unknown = ma.EXCLUDE

    q = Text(load_default="", validate=ma.validate.Length(max=MAX_LENGTH["search"]),
                         metadata={"description": "Parte del nombre, correo u organización"})
    status = Text(load_default="", validate=ma.validate.OneOf(["", "confirmed", "waitlisted",
                                                                           "cancelled"]))
    sector = Text(load_default="", validate=ma.validate.Length(max=MAX_LENGTH["sector_key"]))
    modality = Text(load_default="", validate=ma.validate.OneOf(["", "presencial", "virtual"]))
    day = ma.fields.Date(load_default=None, metadata={"description": "Solo quienes asisten ese día"})
    municipality = Text(load_default="", validate=ma.validate.Length(max=MAX_LENGTH["municipality_key"]))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


class RegistrationPageSchema(ma.Schema):
    """One page of registrations."""

    items = ma.fields.List(ma.fields.Nested(RegistrationSchema))
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()
    pages = ma.fields.Integer()
