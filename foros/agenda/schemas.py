"""API schemas for the released programme (marshmallow; they also generate the OpenAPI document).

There is no field for a session's online link: the public API never carries it.
"""

import marshmallow as ma
from flask import request, url_for


class SessionPersonSchema(ma.Schema):
    """A person on a session, in the order organizers set."""

    name = ma.fields.String()
    position = ma.fields.String(attribute="cargo", metadata={"description": "Cargo"})
    institution = ma.fields.String()
    role = ma.fields.String(metadata={"enum": ["ponente", "panelista", "moderador", "facilitador", "anfitrion"]})
    role_label = ma.fields.String(metadata={"example": "Moderador(a)"})
    key = ma.fields.String(metadata={"description": "Clave pública de la persona (su página en el programa)"})


class SessionSchema(ma.Schema):
    """A session of the latest released programme."""

    uid = ma.fields.String(metadata={"description": "Identificador estable (el UID de iCalendar); nunca cambia"})
    title = ma.fields.String()
    type = ma.fields.String(metadata={"description": "Tipo de sesión", "example": "Panel"})
    type_key = ma.fields.String(metadata={"description": "Clave estable del tipo (vacía en tipos agregados)",
                                          "example": "panel"})
    date = ma.fields.Date(attribute="day", metadata={"description": "Día (hora del centro de México)"})
    starts_at = ma.fields.AwareDateTime(metadata={"description": "Inicio, ISO 8601 con zona (UTC)"})
    ends_at = ma.fields.AwareDateTime()
    room = ma.fields.String(metadata={"description": "Sala o espacio (vacío si no se indicó)"})
    modality = ma.fields.String(metadata={"enum": ["presencial", "virtual", "hibrida"]})
    status = ma.fields.String(metadata={"enum": ["active", "cancelled"]})
    description = ma.fields.String()
    capacity = ma.fields.Integer(allow_none=True)
    sequence = ma.fields.Integer(metadata={"description": "Crece con cada versión publicada que cambia la sesión"})
    last_modified = ma.fields.AwareDateTime(
        metadata={"description": "Cuándo la cambió por última vez una versión publicada"})
    changes = ma.fields.List(ma.fields.String(), attribute="marks",
                             metadata={"description": "Cambios en la última versión: nuevo, cancelado, "
                                                      "cambió de sala/horario, actualizado"})
    people = ma.fields.List(ma.fields.Nested(SessionPersonSchema))
    url = ma.fields.Function(lambda s: _session_url(s), metadata={"type": "string",
                                                                   "description": "Página pública de la sesión"})


class ProgrammeSchema(ma.Schema):
    """The latest released programme of an event."""

    version = ma.fields.Integer(attribute="number", allow_none=True,
                                metadata={"description": "Número de la versión publicada (null: sin publicar)"})
    published_at = ma.fields.AwareDateTime(allow_none=True)
    note = ma.fields.String()
    sessions = ma.fields.List(ma.fields.Nested(SessionSchema))


def _session_url(session) -> str:
    return url_for("agenda_public.session_page", slug=request.view_args["slug"], session_uid=session.uid,
                   _external=True)
