"""Check-in at the door: lists, exactly-once admissions, scanners, manual search, live counts."""

from flask import Blueprint

#: The routes are in ``foros.checkin.views``, imported by create_app.
bp = Blueprint("checkin", __name__)
