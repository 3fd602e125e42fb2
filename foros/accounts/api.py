"""API: who am I (for devices configured with a token)."""

import marshmallow as ma
from flask_smorest import Blueprint

from foros.accounts.auth import api_auth, current_api_user
from foros.core.api import ErrorSchema

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="Cuenta del token")


class AssignedEventSchema(ma.Schema):
    """An event the account may work."""

    slug = ma.fields.String()
    title = ma.fields.String()


class MeSchema(ma.Schema):
    """The account behind the bearer token."""

    name = ma.fields.String()
    role = ma.fields.Function(lambda u: u.role.value, metadata={"enum": ["organizer", "staff"]})
    events = ma.fields.List(ma.fields.Nested(AssignedEventSchema),
                            metadata={"description": "Eventos asignados (personal de registro)"})


@blp.get("/me")
@api_auth()
@blp.response(200, MeSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Token ausente, revocado o no válido")
@blp.doc(security=[{"bearerAuth": []}])
def me():
    """The account of the bearer token, with the events it may work."""
    return current_api_user()
