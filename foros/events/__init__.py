"""Events: regional forums, Jornadas, declaration signings — and their public pages."""

from flask import Blueprint

#: The routes are in ``foros.events.views``, imported by create_app.
bp = Blueprint("events", __name__)

from foros.events import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
