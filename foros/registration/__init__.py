"""Registration: public sign-up, capacity and waitlist, signed tickets, organizer lists and imports."""

from flask import Blueprint

#: The routes are in ``foros.registration.views``, imported by create_app.
bp = Blueprint("registration", __name__)

from foros.registration import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
