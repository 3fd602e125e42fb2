"""Health check for load balancers and monitoring."""

from flask import jsonify
from sqlalchemy.exc import SQLAlchemyError

from foros.core import bp
from foros.core.db import database_write_problem
from foros.core.errors import database_unavailable_response
from foros.core.security import public
from foros.extensions import db


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers and can be written, 503 ``database_unavailable`` otherwise."""
    try:
        problem = database_write_problem(db.session)
    except SQLAlchemyError:
        db.session.rollback()
        problem = "La base de datos no responde."
    if problem:
        return database_unavailable_response(problem)
    return jsonify({"status": "ok", "database": "ok"})
