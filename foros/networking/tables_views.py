"""Organizer pages of a networking session's tables: add and edit tables, seat checked-in attendees by hand or
automatically, open and close each table's capture link. Each view loads (404), checks access (decorator),
calls one service."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.core import transaction
from foros.core.errors import DomainError
from foros.events.services import get_event
from foros.networking import tables
from foros.networking.forms import ActionForm, SeatForm, TableForm

bp = Blueprint("networking_tables", __name__)

EXPIRED = "La sesión del formulario caducó; inténtelo de nuevo."


def _tables_url(event, session):
    return url_for("networking_tables.manage_tables", slug=event.slug, session_id=session.id)


def _load(slug, session_id):
    event = get_event(slug)
    return event, tables.get_networking_session(event, session_id)


def _render(event, session, *, table_form=None, edit_forms=None, status=200):
    rows = tables.session_tables(session)
    waiting = tables.unseated(session)
    checked_in = tables.checked_in(session)
    edit_forms = edit_forms or {}
    for table in rows:
        if table.id not in edit_forms:
            edit_forms[table.id] = TableForm(obj=table, prefix=f"mesa{table.id}", formdata=None)
    seat_form = SeatForm()
    seat_form.set_choices(checked_in)
    return render_template(
        "networking/manage/tables.html", event=event, session=session, tables=rows, waiting=waiting,
        checked_in=checked_in, table_form=table_form or TableForm(number=_next_number(rows)),
        edit_forms=edit_forms, seat_form=seat_form, action_form=ActionForm(),
        sector_label=event.sector_label), status


def _next_number(rows) -> int:
    return max((t.number for t in rows), default=0) + 1


@bp.get("/gestion/eventos/<slug>/networking")
@organizer_required
def manage_sessions(slug):
    """The event's networking sessions (agenda sessions of type networking), each with its tables."""
    event = get_event(slug)
    return render_template("networking/manage/sessions.html", event=event,
                           sessions=tables.networking_sessions(event))


@bp.get("/gestion/eventos/<slug>/networking/<int:session_id>/mesas")
@organizer_required
def manage_tables(slug, session_id):
    """The session's tables with who sits at each, the attendees still without a table, and the forms."""
    event, session = _load(slug, session_id)
    return _render(event, session)


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas")
@organizer_required
def manage_table_add(slug, session_id):
    """Add a table."""
    event, session = _load(slug, session_id)
    form = TableForm()
    if form.validate_on_submit():
        try:
            table = tables.save_table(session, form.to_input(), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event, session = _load(slug, session_id)
            form.show_error(exc)
        else:
            flash(f"Mesa {table.number} agregada.", "success")
            return redirect(_tables_url(event, session))
    return _render(event, session, table_form=form, status=422)


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas/<int:table_id>")
@organizer_required
def manage_table_edit(slug, session_id, table_id):
    """Change a table's number, topic, facilitator or rapporteur."""
    event, session = _load(slug, session_id)
    table = tables.get_table(session, table_id)
    form = TableForm(prefix=f"mesa{table.id}")
    if form.validate_on_submit():
        try:
            tables.save_table(session, form.to_input(), table=table, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event, session = _load(slug, session_id)
            form.show_error(exc)
        else:
            flash(f"Mesa {table.number} guardada.", "success")
            return redirect(_tables_url(event, session))
    return _render(event, session, edit_forms={table_id: form}, status=422)


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas/<int:table_id>/eliminar")
@organizer_required
def manage_table_delete(slug, session_id, table_id):
    """Remove a table without conclusions."""
    event, session = _load(slug, session_id)
    table = tables.get_table(session, table_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(_tables_url(event, session))
    try:
        tables.delete_table(table, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash("Mesa eliminada; quienes estaban en ella quedaron sin mesa.", "success")
    return redirect(_tables_url(event, session))


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas/<int:table_id>/asignar")
@organizer_required
def manage_seat(slug, session_id, table_id):
    """Seat one checked-in attendee at this table by hand (moving them from another table if needed)."""
    event, session = _load(slug, session_id)
    table = tables.get_table(session, table_id)
    form = SeatForm()
    form.set_choices(tables.checked_in(session))
    if not form.validate_on_submit():
        flash("Elija una persona de la lista." if form.is_submitted() and "csrf_token" not in form.errors
              else EXPIRED, "error")
        return redirect(_tables_url(event, session))
    try:
        seat = tables.seat_attendee(table, form.registration_id.data, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"{seat.registration.name} quedó en la mesa {table.number}.", "success")
    return redirect(_tables_url(event, session))


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas/<int:table_id>/quitar/<int:seat_id>")
@organizer_required
def manage_unseat(slug, session_id, table_id, seat_id):
    """Take one person off a table."""
    event, session = _load(slug, session_id)
    table = tables.get_table(session, table_id)
    if ActionForm().validate_on_submit():
        tables.unseat(table, seat_id)
        flash("La persona quedó sin mesa.", "success")
    else:
        flash(EXPIRED, "error")
    return redirect(_tables_url(event, session))


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas/asignacion-automatica")
@organizer_required
def manage_auto_assign(slug, session_id):
    """Seat every checked-in attendee still without a table (late arrivals never move anyone)."""
    event, session = _load(slug, session_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(_tables_url(event, session))
    try:
        seated = tables.assign_automatically(session, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"Personas asignadas: {seated}." if seated else "Todas las personas con entrada ya tienen mesa.",
              "success")
    return redirect(_tables_url(event, session))


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas/vaciar")
@organizer_required
def manage_clear_seats(slug, session_id):
    """Empty every table (to assign again from scratch)."""
    event, session = _load(slug, session_id)
    if ActionForm().validate_on_submit():
        removed = tables.clear_seats(session, actor=current_user)
        flash(f"Mesas vaciadas ({removed} asignaciones quitadas).", "success")
    else:
        flash(EXPIRED, "error")
    return redirect(_tables_url(event, session))


def _capture(slug, session_id, table_id, is_open: bool):
    event, session = _load(slug, session_id)
    table = tables.get_table(session, table_id)
    if ActionForm().validate_on_submit():
        tables.set_capture_open(table, is_open, actor=current_user)
        flash(f"Captura de la mesa {table.number} {'abierta' if is_open else 'cerrada'}.", "success")
    else:
        flash(EXPIRED, "error")
    return redirect(_tables_url(event, session))


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas/<int:table_id>/cerrar-captura")
@organizer_required
def manage_capture_close(slug, session_id, table_id):
    """Close a table's capture link: it then refuses edits with a clear message."""
    return _capture(slug, session_id, table_id, False)


@bp.post("/gestion/eventos/<slug>/networking/<int:session_id>/mesas/<int:table_id>/abrir-captura")
@organizer_required
def manage_capture_open(slug, session_id, table_id):
    """Reopen a table's capture link."""
    return _capture(slug, session_id, table_id, True)
