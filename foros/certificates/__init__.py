"""Certificates of participation ("constancias"): template per event, issuing, PDF, public verification."""

from flask import Blueprint

#: The routes are in ``foros.certificates.views``, imported by create_app.
bp = Blueprint("certificates", __name__)
