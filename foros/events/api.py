"""Public JSON API for events."""

from flask_smorest import Blueprint

from foros.accounts.auth import public
from foros.core.api import ErrorSchema
from foros.events import services
from foros.events.schemas import EventDetailSchema, EventListQuerySchema, EventSchema

blp = Blueprint("api_events", __name__, url_prefix="/api/v1/events", description="Eventos publicados")


@blp.get("")
@public
@blp.arguments(EventListQuerySchema(), location="query", as_kwargs=True)
@blp.response(200, EventSchema(many=True))
def list_events(when="all"):
    """Published events, upcoming (soonest first) then past (most recent first)."""
    upcoming, past = services.public_events()
    return {"all": upcoming + past, "upcoming": upcoming, "past": past}[when]


@blp.get("/<slug>")
@public
@blp.response(200, EventDetailSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No existe un evento publicado con ese slug")
def get_event(slug):
    """One published event."""
    return services.get_public_event(slug)
