"""Public JSON API of declaration verification: GET /api/v1/declarations/verify/{code} (status, signatories'
names and roles, the hashes, whether the final document is sealed, when and with a timestamp) — the same facts
as the public verification page."""

import marshmallow as ma
from flask_smorest import Blueprint

from foros.core.api import ErrorSchema
from foros.core.errors import NotFound
from foros.core.security import public
from foros.declarations.schemas import SealFactsSchema
from foros.declarations.verification import find_by_code, public_summary

blp = Blueprint("api_declarations_verify", __name__, url_prefix="/api/v1",
                description="Verificación pública de declaratorias")


class VerifiedSignatorySchema(ma.Schema):
    """A signatory as the public sees them (no e-mail, no address, no reason)."""

    name = ma.fields.String()
    position = ma.fields.String()
    institution = ma.fields.String()
    role = ma.fields.String(metadata={"description": "Papel con el que firma (presidencia municipal, …)"})
    status = ma.fields.String(metadata={"description": "pending, invited, viewed, signed o declined"})
    method = ma.fields.String(allow_none=True, metadata={"description": "electronic o autograph"})
    signed_at = ma.fields.DateTime(allow_none=True)


class VerificationSchema(SealFactsSchema):
    """A declaration found by its verification code (with whether and when its final document was sealed)."""

    code = ma.fields.String()
    title = ma.fields.String()
    municipality = ma.fields.String()
    municipality_key = ma.fields.String()
    status = ma.fields.String(metadata={"description": "draft, signing, signed, postponed o cancelled"})
    version = ma.fields.Integer(allow_none=True)
    document_sha256 = ma.fields.String(allow_none=True,
                                       metadata={"description": "SHA-256 del documento fijado para firma"})
    signed_at = ma.fields.DateTime(allow_none=True)
    signatories = ma.fields.List(ma.fields.Nested(VerifiedSignatorySchema))


@blp.get("/declarations/verify/<code>")
@public
@blp.response(200, VerificationSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No existe una declaratoria con ese código")
def verify(code):
    """A declaration's status, its signatories' names and roles, and its hashes, by verification code."""
    declaration = find_by_code(code)
    if declaration is None:
        raise NotFound("declaration_not_found", "No existe una declaratoria con ese código.")
    return public_summary(declaration)
