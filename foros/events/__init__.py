"""Events: regional forums, Jornadas, declaration signings — and their public pages."""

from flask import Blueprint

#: The routes are in ``foros.events.views``, imported by create_app.
bp = Blueprint("events", __name__)
