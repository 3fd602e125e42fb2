"""Joint declarations (issue 15): documents and versions, signatories, electronic and in-person signing, the
sealed final PDF, public verification, the tracking board and the municipal process."""

from flask import Blueprint

#: The public verification pages; the routes are in ``foros.declarations.verify_views``.
verify_bp = Blueprint("declarations_verify", __name__)
#: A signatory's personal link (/firmar/<token>); the routes are in ``foros.declarations.signing_views``.
signing_bp = Blueprint("declarations_signing", __name__)
#: Organizer pages of signing (invite again, autograph signatures, the scan); the routes are in
#: ``foros.declarations.signing_manage_views``.
signing_manage_bp = Blueprint("declarations_signing_manage", __name__)

from foros.declarations import errors  # noqa: E402,F401  (declares its error codes: foros.core.error_catalogue)
