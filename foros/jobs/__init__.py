"""Background jobs: long work (big exports, certificate ZIPs) run by the Huey worker, with progress and a file."""

from flask import Blueprint

#: The routes are in ``foros.jobs.views``, imported by create_app.
bp = Blueprint("jobs", __name__)

from foros.jobs import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
