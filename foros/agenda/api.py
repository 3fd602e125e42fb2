"""Public JSON API of the released programme (never an online link)."""

from flask_smorest import Blueprint

from foros.accounts.auth import public
from foros.agenda.public import public_sessions
from foros.agenda.releases import released_programme
from foros.agenda.schemas import ProgrammeSchema
from foros.core.api import ErrorSchema
from foros.events.services import get_public_event

blp = Blueprint("api_agenda", __name__, url_prefix="/api/v1/events", description="Programa publicado")


@blp.get("/<slug>/sessions")
@public
@blp.response(200, ProgrammeSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No existe un evento publicado con ese slug")
def list_sessions(slug):
    """The latest released programme: sessions with times, rooms, types and people (cancelled ones included,
    with ``status: cancelled``); ``version`` null and no sessions before the first release."""
    event = get_public_event(slug)
    programme = released_programme(event)
    if programme is None:
        return {"number": None, "published_at": None, "note": "", "sessions": []}
    return {"number": programme.number, "published_at": programme.published_at, "note": programme.note,
            "sessions": sorted(public_sessions(programme), key=lambda s: (s.starts_at, s.title))}
