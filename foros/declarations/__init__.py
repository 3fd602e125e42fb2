"""Joint declarations (issue 15): documents and versions, signatories, electronic and in-person signing, the
sealed final PDF, public verification, the tracking board and the municipal process."""

from flask import Blueprint

#: The public verification pages; the routes are in ``foros.declarations.verify_views``.
verify_bp = Blueprint("declarations_verify", __name__)
