"""Statistics and open data: attendance figures per event and across events, charts, the state map, and the
anonymised figures organizers publish."""

from flask import Blueprint

#: The routes are in ``foros.stats.views``, imported by create_app.
bp = Blueprint("stats", __name__)

from foros.stats import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
