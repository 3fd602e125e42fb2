"""Attendance API: the same export as the organizer page, answered as a file.

``GET /api/v1/events/{slug}/attendance?format=csv|xlsx|pdf`` with the page's filters. The answer is always the
file itself: CSV is streamed however large; XLSX and PDF are built in the request (10,000 rows take a few
seconds, see bench/README.md).

Each export is in the audit log like the page's (who — the bearer token's account —, when, format, filters,
columns, rows, ``via: api``), although a GET never writes: the entry alone is committed in a short
transaction of its own before the file is answered (``record_action_apart``); the request's own transaction
still commits nothing. The issue names this route a GET, and clients and the OpenAPI document rely on that;
the GET-writes-nothing test allows exactly the audit table for exactly this route, with that reason.
"""

import marshmallow as ma
from flask_smorest import Blueprint

from foros.accounts.auth import api_auth, current_api_user
from foros.accounts.models import Role
from foros.attendance import exports, services
from foros.core.api import ErrorSchema, Text
from foros.core.limits import MAX_LENGTH
from foros.events.services import get_event

blp = Blueprint("api_attendance", __name__, url_prefix="/api/v1/events",
                description="Listas de asistencia (exportaciones)")


class AttendanceQuerySchema(ma.Schema):
    """Format, filters and columns of an attendance export."""

    class Meta:
        unknown = ma.EXCLUDE

    format = Text(load_default="csv", validate=ma.validate.OneOf(list(services.FORMATS)))
    day = Text(load_default="", validate=ma.validate.Length(max=10),
               metadata={"description": "Fecha de un día del evento (AAAA-MM-DD)"})
    list_slug = Text(load_default="", data_key="list", validate=ma.validate.Length(max=MAX_LENGTH["list_slug"]),
                     metadata={"description": "Identificador de una lista de registro"})
    status = Text(load_default="", validate=ma.validate.OneOf(["", *services.STATUS_FILTERS]))
    sector = Text(load_default="", validate=ma.validate.Length(max=MAX_LENGTH["sector_key"]))
    municipality = Text(load_default="", validate=ma.validate.Length(max=MAX_LENGTH["municipality_key"]))
    modality = Text(load_default="", validate=ma.validate.OneOf(["", "presencial", "virtual"]))
    columns = ma.fields.List(Text(validate=ma.validate.OneOf(list(services.COLUMNS))), load_default=list,
                             metadata={"description": "Columnas (repetible); sin ellas, las predeterminadas del "
                                                      "evento"})


@blp.get("/<slug>/attendance")
@api_auth(Role.ORGANIZER)
@blp.arguments(AttendanceQuerySchema(), location="query")
@blp.response(200, description="El archivo (text/csv, XLSX o application/pdf)")
@blp.alt_response(401, schema=ErrorSchema, description="Token ausente o no válido")
@blp.alt_response(403, schema=ErrorSchema, description="El token no es de una cuenta organizadora")
@blp.alt_response(404, schema=ErrorSchema, description="`event_not_found`")
@blp.alt_response(422, schema=ErrorSchema,
                  description="`validation_error` / `invalid_filter` con `fields`: un día, una lista, un sector o "
                              "un municipio que no son de este evento")
@blp.doc(security=[{"bearerAuth": []}])
def export_attendance(args, slug):
    """An event's attendance list as CSV, XLSX or PDF (organizers)."""
    event = get_event(slug)
    scope = services.resolve(event, services.AttendanceFilter(
        day=args["day"], list_slug=args["list_slug"], status=args["status"], sector=args["sector"],
        municipality=args["municipality"], modality=args["modality"]))
    columns = services.choose_columns(args["columns"] or services.default_columns(event))
    services.record_export(event, scope, columns, args["format"], services.count_rows(scope),
                           actor=current_api_user(), via="api", apart=True)
    return exports.send_export(scope, columns, args["format"])
