"""Public JSON API of networking conclusions: an event's published numbered conclusions (provenance as table
numbers) and the published state agenda. Drafts never appear."""

import marshmallow as ma
from flask_smorest import Blueprint

from foros.accounts.auth import public
from foros.core.api import ErrorSchema
from foros.events.services import get_public_event
from foros.networking import consolidation
from foros.networking import state_agenda as agendas

blp = Blueprint("api_networking", __name__, url_prefix="/api/v1", description="Conclusiones y agenda estatal")


class ConclusionSchema(ma.Schema):
    """A published consolidated conclusion."""

    number = ma.fields.Integer(metadata={"description": "Número en la lista publicada de su sesión"})
    text = ma.fields.String()
    themes = ma.fields.List(ma.fields.String())
    tables = ma.fields.List(ma.fields.Integer(), metadata={"description": "Números de las mesas de origen"})
    supports = ma.fields.Integer(metadata={"description": "Personas asistentes que la apoyaron"})
    published_at = ma.fields.DateTime()


class NetworkingSessionSchema(ma.Schema):
    """A networking session and its published conclusions."""

    title = ma.fields.String()
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    tables = ma.fields.List(ma.fields.Dict(), metadata={"description": "Mesas: número y tema"})
    conclusions = ma.fields.List(ma.fields.Nested(ConclusionSchema))


class EventConclusionsSchema(ma.Schema):
    """An event's networking sessions with published conclusions."""

    event = ma.fields.String(metadata={"description": "Slug del evento"})
    sessions = ma.fields.List(ma.fields.Nested(NetworkingSessionSchema))


class OriginSchema(ma.Schema):
    """Where an item of the state agenda comes from."""

    event = ma.fields.String(attribute="event_slug")
    event_title = ma.fields.String()
    session = ma.fields.String(attribute="session_title")
    number = ma.fields.Integer(metadata={"description": "Número de la conclusión en su sesión"})
    tables = ma.fields.List(ma.fields.Integer())


class AgendaItemSchema(ma.Schema):
    number = ma.fields.Integer()
    text = ma.fields.String()
    theme = ma.fields.String()
    origins = ma.fields.List(ma.fields.Nested(OriginSchema))


class StateAgendaSchema(ma.Schema):
    """The latest published state agenda (``title`` null and no items before the first publication)."""

    title = ma.fields.String(allow_none=True)
    introduction = ma.fields.String()
    published_at = ma.fields.DateTime(allow_none=True)
    items = ma.fields.List(ma.fields.Nested(AgendaItemSchema))


@blp.get("/events/<slug>/conclusions")
@public
@blp.response(200, EventConclusionsSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No existe un evento publicado con ese slug")
def event_conclusions(slug):
    """The event's published networking conclusions, numbered per session, with their tables of origin."""
    event = get_public_event(slug)
    sessions = []
    for session in consolidation.networking_sessions(event):
        published = consolidation.published_conclusions(session)
        if not published:
            continue
        supports = consolidation.support_counts(session)
        sessions.append({
            "title": session.title, "starts_at": session.starts_at, "ends_at": session.ends_at,
            "tables": [{"number": t.number, "topic": t.topic} for t in consolidation.session_tables(session)],
            "conclusions": [{"number": i, "text": c.text, "themes": [t.name for t in c.themes],
                             "tables": consolidation.source_tables(c), "supports": supports.get(c.id, 0),
                             "published_at": c.published_at} for i, c in enumerate(published, start=1)],
        })
    return {"event": event.slug, "sessions": sessions}


@blp.get("/agenda-estatal")
@public
@blp.response(200, StateAgendaSchema)
def state_agenda():
    """The latest published state agenda, items numbered and grouped by theme, each traced to events and tables."""
    agenda = agendas.current_public_agenda()
    if agenda is None:
        return {"title": None, "introduction": "", "published_at": None, "items": []}
    document = agendas.agenda_document(agenda)
    return {"title": document.title, "introduction": document.introduction, "published_at": document.published_at,
            "items": document.items}
