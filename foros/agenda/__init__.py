"""Agenda and panels: sessions, rooms, people on sessions, released programme versions."""

from flask import Blueprint

#: The routes are in ``foros.agenda.manage_views``, imported by create_app.
bp = Blueprint("agenda", __name__)
#: The routes are in ``foros.agenda.participant_views``, imported by create_app.
people_bp = Blueprint("agenda_people", __name__)
#: The routes are in ``foros.agenda.public_views``, imported by create_app.
public_bp = Blueprint("agenda_public", __name__)
#: The routes are in ``foros.agenda.release_views``, imported by create_app.
releases_bp = Blueprint("agenda_releases", __name__)

from foros.agenda import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
