"""Core: helpers every domain shares (time, text, errors, API plumbing, database, exports); imports no domain."""

from flask import Blueprint

#: The routes are in ``foros.core.health``, imported by create_app.
bp = Blueprint("health", __name__)
