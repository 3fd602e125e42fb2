"""Audit log: who changed what, and when."""

from flask import Blueprint

#: The routes are in ``foros.audit.views``, imported by create_app.
bp = Blueprint("audit", __name__)
