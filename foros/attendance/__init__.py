"""Attendance: lists of who registered and who came, exported as CSV, XLSX and the signed PDF list."""

from flask import Blueprint

#: The routes are in ``foros.attendance.views``, imported by create_app.
bp = Blueprint("attendance", __name__)
