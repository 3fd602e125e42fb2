"""Organizer JSON API of declarations: ``GET /api/v1/declarations`` (municipality, status, version, hash,
signatories with role and status, whether the final document is sealed, when and with a timestamp)."""

import marshmallow as ma
from flask_smorest import Blueprint

from foros.accounts.auth import api_auth
from foros.accounts.models import Role
from foros.core.api import ErrorSchema
from foros.core.municipalities import get_municipality
from foros.declarations import manage
from foros.declarations.models import DeclarationStatus
from foros.declarations.schemas import SealFactsSchema
from foros.declarations.verification import seal_facts

blp = Blueprint("api_declarations_manage", __name__, url_prefix="/api/v1",
                description="Declaratorias conjuntas (organizadores)")


class DeclarationsQuerySchema(ma.Schema):
    """Filters of the list."""

    status = ma.fields.String(load_default="",
                              validate=ma.validate.OneOf([""] + [s.value for s in DeclarationStatus],
                                                         error="Estado no válido."),
                              metadata={"description": "draft, signing, signed, postponed o cancelled"})
    municipality = ma.fields.String(load_default="", validate=ma.validate.Length(max=5),
                                    metadata={"description": "Clave del municipio"})


class SignatorySchema(ma.Schema):
    """A signatory and where they stand."""

    name = ma.fields.String()
    position = ma.fields.String()
    institution = ma.fields.String()
    role = ma.fields.String(allow_none=True)
    signing_order = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(metadata={"description": "pending, invited, viewed, signed o declined"})
    method = ma.fields.String(allow_none=True, metadata={"description": "electronic o autograph"})
    signed_at = ma.fields.DateTime(allow_none=True)
    declined_at = ma.fields.DateTime(allow_none=True)


class DeclarationSchema(SealFactsSchema):
    """A declaration on the organizers' list (with whether and when its final document was sealed)."""

    id = ma.fields.Integer()
    title = ma.fields.String()
    municipality_key = ma.fields.String()
    municipality = ma.fields.String()
    event = ma.fields.String(allow_none=True, metadata={"description": "Slug del foro del que deriva"})
    status = ma.fields.String()
    status_reason = ma.fields.String()
    expected_date = ma.fields.Date(allow_none=True)
    version = ma.fields.Integer(allow_none=True)
    content_sha256 = ma.fields.String(allow_none=True, metadata={"description": "SHA-256 del documento fijado"})
    verification_code = ma.fields.String()
    signatories = ma.fields.List(ma.fields.Nested(SignatorySchema))


class DeclarationListSchema(ma.Schema):
    declarations = ma.fields.List(ma.fields.Nested(DeclarationSchema))


def _declaration(d) -> dict:
    version = d.current_version
    municipality = get_municipality(d.municipality_key)
    return {
        "id": d.id, "title": d.title, "municipality_key": d.municipality_key,
        "municipality": municipality.name if municipality else "", "event": d.event.slug if d.event else None,
        "status": d.status.value, "status_reason": d.status_reason, "expected_date": d.expected_date,
        "version": version.number if version else None,
        "content_sha256": version.content_sha256 if version else None, "verification_code": d.verification_code,
        **seal_facts(d),
        "signatories": [{"name": s.name, "position": s.position, "institution": s.institution,
                         "role": s.role.name if s.role else None, "signing_order": s.signing_order,
                         "status": s.status.value, "method": s.method.value if s.method else None,
                         "signed_at": s.signed_at, "declined_at": s.declined_at} for s in d.signatories],
    }


@blp.get("/declarations")
@api_auth(Role.ORGANIZER)
@blp.arguments(DeclarationsQuerySchema(), location="query")
@blp.response(200, DeclarationListSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Token ausente o no válido")
@blp.alt_response(403, schema=ErrorSchema, description="El token no es de una cuenta organizadora")
@blp.alt_response(422, schema=ErrorSchema, description="`validation_error` con `fields`")
@blp.doc(security=[{"bearerAuth": []}])
def list_declarations(args):
    """Every declaration (newest first): municipality, status, version, hash, signatories with role and status,
    and whether its final document is sealed, when (UTC) and with a trusted timestamp."""
    statuses = [DeclarationStatus(args["status"])] if args["status"] else None
    found = manage.list_declarations(statuses=statuses, municipality_key=args["municipality"])
    return {"declarations": [_declaration(d) for d in found]}
