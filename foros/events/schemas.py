"""API schemas for events (marshmallow; they also generate the OpenAPI document)."""

import marshmallow as ma


class MunicipalitySchema(ma.Schema):
    """Host municipality."""

    key = ma.fields.String(metadata={"description": "Clave INEGI, p. ej. 15031", "example": "15031"})
    name = ma.fields.String(metadata={"example": "Chimalhuacán"})


class EventDaySchema(ma.Schema):
    """One day of an event."""

    date = ma.fields.Date(attribute="day")
    starts_at = ma.fields.AwareDateTime(metadata={"description": "Inicio, ISO 8601 con zona (UTC)"})
    ends_at = ma.fields.AwareDateTime()


class EventSchema(ma.Schema):
    """A published event."""

    slug = ma.fields.String()
    title = ma.fields.String()
    kind = ma.fields.Function(lambda e: e.kind.value, metadata={
        "enum": ["foro_regional", "jornada", "firma_declaratoria", "otro"]})
    status = ma.fields.Function(lambda e: e.status.value, metadata={"enum": ["published", "closed"]})
    municipality = ma.fields.Function(
        lambda e: {"key": e.municipality_key, "name": e.municipality.name if e.municipality else ""},
        metadata={"type": "object", "properties": {"key": {"type": "string"}, "name": {"type": "string"}}},
    )
    venue = ma.fields.String()
    address = ma.fields.String()
    modality = ma.fields.Function(lambda e: e.modality.value, metadata={
        "enum": ["presencial", "virtual", "hibrida"]})
    days = ma.fields.List(ma.fields.Nested(EventDaySchema))
    registration_open = ma.fields.Function(lambda e: e.registration_open(), metadata={"type": "boolean"})
    url = ma.fields.Function(lambda e: _event_url(e), metadata={"type": "string"})


class EventDetailSchema(EventSchema):
    """A published event with its description and capacities."""

    description = ma.fields.String()
    institutions = ma.fields.List(ma.fields.String(), attribute="institution_list")
    capacity_in_person = ma.fields.Integer(allow_none=True)
    capacity_virtual = ma.fields.Integer(allow_none=True)
    online_url = ma.fields.String()
    registration_opens_at = ma.fields.AwareDateTime(allow_none=True)
    registration_closes_at = ma.fields.AwareDateTime(allow_none=True)
    sectors = ma.fields.List(ma.fields.Dict(), attribute="sector_options",
                             metadata={"description": "Valores aceptados de `sector` al registrarse (key, label)"})
    modalities = ma.fields.Function(lambda e: [m.value for m in e.modality.attendance_modes],
                                    metadata={"type": "array", "items": {"type": "string"},
                                              "description": "Valores aceptados de `modality`"})
    registration_days = ma.fields.Function(lambda e: [d.day.isoformat() for d in e.days],
                                           metadata={"type": "array", "items": {"type": "string",
                                                                                 "format": "date"},
                                                     "description": "Valores aceptados de `days`"})
    seats_left = ma.fields.Function(
        lambda e: {m.value: (None if e.capacity_for(m.value) is None
                             else max(e.capacity_for(m.value) - e.confirmed_for(m.value), 0))
                   for m in e.modality.attendance_modes},
        metadata={"type": "object", "description": "Lugares libres por modalidad (null: sin límite)"})


class EventListQuerySchema(ma.Schema):
    """Filters for the event list."""

    when = ma.fields.String(load_default="all", validate=ma.validate.OneOf(["all", "upcoming", "past"]),
                            metadata={"description": "all, upcoming o past"})


def _event_url(event) -> str:
    from flask import url_for

    return url_for("events.show", slug=event.slug, _external=True)
