"""Attendance: lists of who registered and who came, exported as CSV, XLSX and the signed PDF list."""

from flask import Blueprint

#: The routes are in ``foros.attendance.views``, imported by create_app.
bp = Blueprint("attendance", __name__)

from foros.attendance import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
