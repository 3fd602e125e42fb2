"""Registration API: public sign-up (rate-limited) and the organizer's list."""

from flask import current_app, jsonify
from flask_smorest import Blueprint

from foros.accounts.auth import api_auth, public
from foros.accounts.models import Role
from foros.core.api import ErrorSchema, load_json_body, openapi_only
from foros.core.db import read_phase
from foros.core.errors import json_error
from foros.events.services import get_event
from foros.extensions import db, limiter
from foros.registration import codes, lifecycle, signup
from foros.registration.inputs import RegistrationInput
from foros.registration.models import RegistrationSource
from foros.registration.schemas import (
    RegistrationCreatedSchema,
    RegistrationCreateSchema,
    RegistrationListQuerySchema,
    RegistrationPageSchema,
)

blp = Blueprint("api_registrations", __name__, url_prefix="/api/v1/events",
                description="Registro a eventos")


def _limit():
    return current_app.config["REGISTRATION_RATE_LIMIT"]


_CREATE_SCHEMA = RegistrationCreateSchema()


@blp.post("/<slug>/registrations")
@public
@limiter.limit(_limit)
@openapi_only(
    blp.arguments(_CREATE_SCHEMA),
    blp.response(201, RegistrationCreatedSchema),
    blp.alt_response(409, schema=ErrorSchema, description="`duplicate` (correo ya registrado; se le reenvía el "
                                                           "enlace) o `registration_closed`"),
    blp.alt_response(422, schema=ErrorSchema, description="`validation_error` / `invalid_registration` con "
                                                           "`fields`"),
    blp.alt_response(404, schema=ErrorSchema, description="`event_not_found`"),
    blp.alt_response(429, schema=ErrorSchema, description="`rate_limited`"),
)
def create_registration(slug):
    """Register a person; confirmed while seats last, then waitlisted."""
    body = load_json_body(_CREATE_SCHEMA)
    with read_phase():  # the event and its days are read before the write lock is taken
        event = signup.get_signup_event(slug)
    data = RegistrationInput(
        name=body["name"], email=body["email"], phone=body["phone"], sector=body["sector"],
        organization=body["organization"], position=body["position"], municipality_key=body["municipality"],
        gender=body["gender"], modality=body["modality"], days=body["days"], accessibility=body["accessibility"],
        privacy_consent=body["privacy_consent"],
    )
    result = signup.register_attendee(event, data, source=RegistrationSource.API)
    if result.duplicate:  # returned, not raised: the e-mail re-sending the ticket link is committed
        return json_error(409, "duplicate", "Ese correo ya está registrado en este evento; le reenviamos el "
                                            "enlace de su boleto.")
    reg = result.new
    answer = jsonify({"status": reg.status.value, "waitlist_position": result.waitlist_position,
                      "ticket_url": codes.ticket_url(reg), "code": codes.ticket_code(reg)})
    answer.status_code = 201
    return answer


@blp.get("/<slug>/registrations")
@api_auth(Role.ORGANIZER)
@blp.arguments(RegistrationListQuerySchema(), location="query")
@blp.response(200, RegistrationPageSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Token ausente o no válido")
@blp.alt_response(403, schema=ErrorSchema, description="El token no es de una cuenta organizadora")
@blp.doc(security=[{"bearerAuth": []}])
def list_registrations(args, slug):
    """Registrations of an event (organizers), newest first, with filters."""
    event = get_event(slug)
    day_id = None
    if args["day"] is not None:
        day_id = next((d.id for d in event.days if d.day == args["day"]), -1)
    stmt = lifecycle.search_registrations(
        event, text=args["q"], status=args["status"], sector=args["sector"], modality=args["modality"],
        day_id=day_id, municipality_key=args["municipality"])
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total,
            "pages": page.pages}
