"""Certificates of participation ("constancias"): template per event, issuing, PDF, public verification."""

from flask import Blueprint

#: The routes are in ``foros.certificates.views``, imported by create_app.
bp = Blueprint("certificates", __name__)

from foros.certificates import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
