"""API schemas for check-in."""

import marshmallow as ma

from foros.core.api import Text


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Escriba el texto del código.")


class ScanSchema(ma.Schema):
    """One scan: the fields the door page and a device both send (``foros.checkin.scan.ScanInput``)."""

    class Meta:
        unknown = ma.RAISE

    code = Text(required=True, validate=[ma.validate.Length(min=1, max=200), _not_blank],
                metadata={"description": "El texto del QR"})
    scan_id = ma.fields.UUID(required=True, metadata={"description": "UUID elegido por el dispositivo"})
    scanned_at = ma.fields.AwareDateTime(load_default=None, allow_none=True, metadata={"description": (
        "Cuándo se leyó (ISO 8601 con zona); por omisión, al llegar. Una puerta sin conexión envía la hora de "
        "cada lectura al reenviar su cola: se guarda como la hora del acceso si no está más de 5 minutos en "
        "el futuro ni es anterior al primer día del evento (hora de la Ciudad de México); si no, la lectura "
        "se rechaza con 422 `invalid_scanned_at`.")})


class CheckinRequestSchema(ScanSchema):
    """One scan from a device (also replayed later by an offline device): ``POST /api/v1/checkins``."""

    event = Text(required=True, validate=ma.validate.Length(min=1, max=80),
                 metadata={"description": "Slug del evento"})
    list = Text(load_default=None, allow_none=True, validate=ma.validate.Length(max=60),
                metadata={"description": "Id o slug de la lista; por omisión, la de hoy"})


class DoorScanSchema(ScanSchema):
    """One scan from the door page's script (event and list are in its URL)."""

    source = ma.fields.String(load_default="lector", validate=ma.validate.OneOf(
        ["camara", "lector"], error="«camara» o «lector»."),
        metadata={"description": "Cómo se leyó: con la cámara o con un lector"})


class AttendeeSchema(ma.Schema):
    """Only what the door needs: never e-mail or phone."""

    name = ma.fields.String()
    organization = ma.fields.String()
    sector = ma.fields.String()


class FirstCheckinSchema(ma.Schema):
    """When and where the ticket was first admitted."""

    at = ma.fields.String(metadata={"format": "date-time"})
    device = ma.fields.String()


class CheckinResponseSchema(ma.Schema):
    """The answer to a scan."""

    result = ma.fields.String(metadata={"enum": ["accepted", "already_checked_in", "unknown",
                                                 "invalid_signature", "wrong_event", "cancelled", "waitlisted",
                                                 "not_valid_for_list"]})
    message = ma.fields.String()
    attendee = ma.fields.Nested(AttendeeSchema)
    first_checkin = ma.fields.Nested(FirstCheckinSchema, allow_none=True)
    list = ma.fields.Dict(metadata={"description": "id, slug y nombre de la lista"})


class CheckinListSchema(ma.Schema):
    """A check-in list with its counts."""

    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    day = ma.fields.Function(lambda cl: cl.event_day.day.isoformat() if cl.event_day else None,
                             metadata={"type": "string", "format": "date", "nullable": True})
    starts_at = ma.fields.AwareDateTime(allow_none=True)
    ends_at = ma.fields.AwareDateTime(allow_none=True)
    modalities = ma.fields.List(ma.fields.String())
    admitted = ma.fields.Integer()
    expected = ma.fields.Integer()


class CountsSchema(ma.Schema):
    """Live counts of one list."""

    list = ma.fields.Dict()
    admitted = ma.fields.Integer()
    expected = ma.fields.Integer()
    by_sector = ma.fields.Dict()
    by_modality = ma.fields.Dict()
    arrivals = ma.fields.List(ma.fields.Dict())
