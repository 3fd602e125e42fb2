"""Health check for load balancers and monitoring."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from foros.accounts.auth import public
from foros.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"error": {"code": "database_unavailable",
                                  "message": "La base de datos no responde."}}), 503
    return jsonify({"status": "ok", "database": "ok"})
