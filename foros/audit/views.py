"""The audit log page for organizers."""

from flask import render_template, request
from sqlalchemy import select

from foros.accounts.auth import organizer_required
from foros.accounts.models import User
from foros.audit import bp
from foros.audit.catalogue import describe_details
from foros.audit.forms import AuditFilterForm
from foros.audit.services import ACTION_LABELS, query_entries
from foros.extensions import db

PAGE_SIZE = 50
#: Beyond this the page's OFFSET would overflow the database's integer (a 500, not an empty page).
MAX_PAGE = 1_000_000


@bp.get("/gestion/bitacora")
@organizer_required
def manage_list():
    """Read and filter the audit log, newest first."""
    form = AuditFilterForm(request.args)
    people = db.session.scalars(select(User).order_by(User.name)).all()
    form.persona.choices = [("", "Todas")] + [(str(u.id), u.name) for u in people]
    valid = form.validate()
    filters = {}
    if valid:
        filters = dict(action=form.accion.data or "", object_type=form.objeto.data or "",
                       actor_id=int(form.persona.data) if form.persona.data else None,
                       since=form.desde.data, until=form.hasta.data, text=form.texto.data or "")
    page = min(max(request.args.get("pagina", 1, type=int) or 1, 1), MAX_PAGE)
    pagination = db.paginate(query_entries(**filters), page=page, per_page=PAGE_SIZE, error_out=False)
    status = 200 if valid else 422
    return render_template("audit/manage/list.html", form=form, pagination=pagination,
                           labels=ACTION_LABELS, describe=describe_details), status
