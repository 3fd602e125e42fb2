"""Check-in API for devices: scan, lists, counts. Bearer token of an account assigned to the event."""

from flask import abort, jsonify
from flask_smorest import Blueprint

from foros.accounts.auth import api_auth, bearer_token, current_api_user
from foros.checkin import scan, services
from foros.checkin.schemas import CheckinListSchema, CheckinRequestSchema, CheckinResponseSchema, CountsSchema
from foros.core.api import ErrorSchema, load_json_body, openapi_only
from foros.core.errors import DomainError
from foros.events.services import get_event

blp = Blueprint("api_checkin", __name__, url_prefix="/api/v1", description="Acceso (check-in)")


def _door(slug, list_ref=None):
    user = current_api_user()
    event = get_event(slug)
    try:
        return services.open_door(user, event, list_ref)
    except DomainError as exc:
        if exc.status == 403:
            abort(403)
        raise


_SCAN_SCHEMA = CheckinRequestSchema()


@blp.post("/checkins")
@api_auth(lazy=True)
@openapi_only(
    blp.arguments(_SCAN_SCHEMA),
    blp.response(200, CheckinResponseSchema),
    blp.alt_response(401, schema=ErrorSchema, description="Token ausente, revocado o no válido"),
    blp.alt_response(403, schema=ErrorSchema, description="La cuenta no está asignada al evento"),
    blp.alt_response(404, schema=ErrorSchema, description="`event_not_found` o `list_not_found`"),
    blp.alt_response(409, schema=ErrorSchema, description="`scan_id_reused`: ya se usó en otra lista"),
    blp.alt_response(422, schema=ErrorSchema, description=(
        "`validation_error` (solicitud mal formada) o `invalid_scanned_at` (`scanned_at` en el futuro o "
        "anterior al evento)")),
    blp.doc(security=[{"bearerAuth": []}]),
)
def create_checkin():
    """Process one scan; a ticket is admitted at most once per list. Same `scan_id` → same answer."""
    body = load_json_body(_SCAN_SCHEMA)
    try:
        # The same service as the door page's scan: for a token, the door and the ticket in one SELECT.
        answer, list_info = scan.scan_ticket(
            scan.ScanInput(code=body["code"], scan_id=str(body["scan_id"]), scanned_at=body["scanned_at"]),
            body["event"], body["list"], token=bearer_token())
    except DomainError as exc:
        if exc.status in (401, 403):
            abort(exc.status)
        raise
    answer["list"] = list_info
    return jsonify(answer)


@blp.get("/events/<slug>/checkin-lists")
@api_auth()
@blp.response(200, CheckinListSchema(many=True))
@blp.alt_response(403, schema=ErrorSchema, description="La cuenta no está asignada al evento")
@blp.doc(security=[{"bearerAuth": []}])
def list_checkin_lists(slug):
    """The event's check-in lists with admitted / expected counts."""
    event = get_event(slug)
    _door(slug)
    rows = []
    for cl in services.event_lists(event):
        counts = services.list_counts(cl)
        cl.admitted, cl.expected = counts["admitted"], counts["expected"]
        rows.append(cl)
    return rows


@blp.get("/events/<slug>/checkin-lists/<list_ref>/counts")
@api_auth()
@blp.response(200, CountsSchema)
@blp.alt_response(403, schema=ErrorSchema, description="La cuenta no está asignada al evento")
@blp.doc(security=[{"bearerAuth": []}])
def list_counts(slug, list_ref):
    """Live counts of one list: admitted, expected, by sector and modality, arrivals per 15 minutes."""
    _door_ctx, checkin_list = _door(slug, list_ref)
    counts = services.list_counts(checkin_list)
    return counts
