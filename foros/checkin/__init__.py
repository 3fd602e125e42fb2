"""Check-in at the door: lists, exactly-once admissions, scanners, manual search, live counts."""

from flask import Blueprint

#: The routes are in ``foros.checkin.views``, imported by create_app.
bp = Blueprint("checkin", __name__)

from foros.checkin import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
