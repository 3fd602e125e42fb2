"""Registration: public sign-up, capacity and waitlist, signed tickets, organizer lists and imports."""

from flask import Blueprint

#: The routes are in ``foros.registration.views``, imported by create_app.
bp = Blueprint("registration", __name__)
