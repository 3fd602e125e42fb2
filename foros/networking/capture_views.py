"""The rapporteur's capture page /mesa/<capture_token> (public: the token is the credential, no account), its
JSON endpoint for the page's script, and the organizer's printable table cards.

Without JavaScript everything is a plain form: add, edit (with the version it was based on), move up or down,
delete after a confirmation page. With JavaScript (static/js/networking/capture.js) the page saves as the
rapporteur types through ``conclusiones.json``; the app-wide CSRF check covers it (the script sends the page's
token as ``X-CSRFToken``), and since the request carries JSON a refusal is answered as JSON (``csrf_invalid``),
so another site cannot write through a visitor's browser even if it knew the link.
"""

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from foros.accounts.auth import organizer_required, public
from foros.core import transaction
from foros.core.errors import DomainError, json_error
from foros.core.export import content_disposition
from foros.events.services import get_event
from foros.networking import capture, consolidation, table_cards, tables
from foros.networking.capture_forms import ConclusionForm, DeleteForm, MoveForm, int_or_none

bp = Blueprint("networking_capture", __name__)

EXPIRED = "La página caducó; recárguela e inténtelo de nuevo. Lo que escribió sigue en el cuadro."
#: The capture page's address is its secret: never cached by the way, never sent on as a Referer.
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer",
                   "X-Robots-Tag": "noindex"}


def _back(token: str, anchor: str = ""):
    return redirect(url_for("networking_capture.capture_page", capture_token=token) + anchor)


def _forms(table, themes, *, new_form=None, edit_forms=None):
    forms = dict(edit_forms or {})
    rows = capture.current_conclusions(table)
    for row in rows:
        if row.id not in forms:
            form = ConclusionForm(prefix=f"c{row.id}", formdata=None, text=row.text,
                                  backing_sectors=row.backing_sectors, version=row.version,
                                  themes=[t.id for t in row.themes])
            form.set_themes(themes)
            forms[row.id] = form
    if new_form is None:
        new_form = ConclusionForm(prefix="nueva", formdata=None)
        new_form.set_themes(themes)
    return rows, forms, new_form


def _page(table, *, new_form=None, edit_forms=None, conflicts=None, unsaved="", status=200):
    themes = consolidation.active_themes()
    rows, forms, new_form = _forms(table, themes, new_form=new_form, edit_forms=edit_forms)
    session = table.session
    body = render_template("networking/capture.html", table=table, session=session, event=session.event,
                           conclusions=rows, forms=forms, new_form=new_form, move_form=MoveForm(),
                           conflicts=conflicts or {}, themes=themes, unsaved=unsaved)
    return body, status, PRIVATE_HEADERS


def _input(form) -> capture.ConclusionInput:
    return capture.ConclusionInput(text=form.text.data or "", theme_ids=list(form.themes.data or []),
                                   backing_sectors=form.backing_sectors.data or "")


@bp.get("/mesa/<capture_token>")
@public
def capture_page(capture_token):
    """The table's conclusions, each editable while capture is open; read-only once the organizer closed it."""
    return _page(capture.get_capture_table(capture_token))


@bp.post("/mesa/<capture_token>/conclusiones")
@public
def capture_add(capture_token):
    """Add a conclusion (without JavaScript; a resubmitted form with the same client UUID adds nothing more)."""
    table = capture.get_capture_table(capture_token)
    form = ConclusionForm(prefix="nueva")
    form.set_themes(consolidation.active_themes())
    if form.validate_on_submit():
        try:
            conclusion, _created = capture.add_conclusion(table, _input(form), client_uuid=form.client_uuid.data)
        except DomainError as exc:
            transaction.discard()
            table = capture.get_capture_table(capture_token)
            if exc.code == "capture_closed":  # read-only now; what was typed is shown so it can be copied
                return _page(table, unsaved=form.text.data or "", status=409)
            form.show_error(exc)
        else:
            flash("Conclusión agregada.", "success")
            return _back(capture_token, f"#conclusion-{conclusion.id}")
    elif "csrf_token" in form.errors:
        form.form_errors.append(EXPIRED)
    return _page(table, new_form=form, status=422)


@bp.post("/mesa/<capture_token>/conclusiones/<int:conclusion_id>")
@public
def capture_edit(capture_token, conclusion_id):
    """Save an edited conclusion; a stale edit shows the current text beside the one typed (kept in the box)."""
    table = capture.get_capture_table(capture_token)
    conclusion = capture.get_conclusion(table, conclusion_id)
    form = ConclusionForm(prefix=f"c{conclusion.id}")
    form.set_themes(consolidation.active_themes())
    if form.validate_on_submit():
        try:
            capture.edit_conclusion(table, conclusion, int_or_none(form.version.data), _input(form))
        except capture.StaleEdit as exc:
            current = capture.as_json(exc.current)
            transaction.discard()
            table = capture.get_capture_table(capture_token)
            form.form_errors.append(exc.message)
            form.version.data = str(current["version"])  # saving again now replaces it, knowingly
            return _page(table, edit_forms={conclusion_id: form}, conflicts={conclusion_id: current}, status=409)
        except DomainError as exc:
            transaction.discard()
            table = capture.get_capture_table(capture_token)
            if exc.code == "capture_closed":
                return _page(table, unsaved=form.text.data or "", status=409)
            form.show_error(exc)
        else:
            flash("Conclusión guardada.", "success")
            return _back(capture_token, f"#conclusion-{conclusion.id}")
    elif "csrf_token" in form.errors:
        form.form_errors.append(EXPIRED)
    return _page(table, edit_forms={conclusion_id: form}, status=422)


@bp.post("/mesa/<capture_token>/conclusiones/<int:conclusion_id>/mover")
@public
def capture_move(capture_token, conclusion_id):
    """Move a conclusion one place up or down."""
    table = capture.get_capture_table(capture_token)
    conclusion = capture.get_conclusion(table, conclusion_id)
    if not MoveForm().validate_on_submit():
        flash(EXPIRED, "error")
        return _back(capture_token)
    try:
        capture.move_conclusion(table, conclusion, request.form.get("direccion", ""))
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    return _back(capture_token, f"#conclusion-{conclusion_id}")


@bp.get("/mesa/<capture_token>/conclusiones/<int:conclusion_id>/eliminar")
@public
def capture_delete_confirm(capture_token, conclusion_id):
    """Ask before removing a conclusion."""
    table = capture.get_capture_table(capture_token)
    conclusion = capture.get_conclusion(table, conclusion_id)
    if conclusion.deleted_at is not None:
        return _back(capture_token)
    form = DeleteForm(formdata=None, version=conclusion.version)
    return render_template("networking/capture_delete.html", table=table, conclusion=conclusion,
                           form=form), 200, PRIVATE_HEADERS


@bp.post("/mesa/<capture_token>/conclusiones/<int:conclusion_id>/eliminar")
@public
def capture_delete(capture_token, conclusion_id):
    """Remove a conclusion (refused if someone changed it since it was shown)."""
    table = capture.get_capture_table(capture_token)
    conclusion = capture.get_conclusion(table, conclusion_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        flash(EXPIRED, "error")
        return _back(capture_token)
    try:
        capture.delete_conclusion(table, conclusion, int_or_none(form.version.data))
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
        return _back(capture_token, f"#conclusion-{conclusion_id}")
    flash("Conclusión eliminada.", "success")
    return _back(capture_token)


def _json_error(exc: DomainError, **extra):
    response = json_error(exc.status, exc.code, exc.message, exc.fields)
    if extra:
        body = response.get_json()
        body.update(extra)
        response = jsonify(body)
        response.status_code = exc.status
    return response


def _save_from_json(table, payload: dict):
    op = payload.get("op")
    data = capture.ConclusionInput(text=payload.get("text"), theme_ids=payload.get("themes") or [],
                                   backing_sectors=payload.get("backing_sectors") or "")
    if not isinstance(data.theme_ids, list):
        data.theme_ids = [None]  # refused as "Elija temas de la lista."
    if op == "add":
        conclusion, created = capture.add_conclusion(table, data, client_uuid=payload.get("client_uuid"))
        return conclusion, created
    conclusion = capture.get_conclusion(table, payload.get("id"))
    if op == "edit":
        return capture.edit_conclusion(table, conclusion, payload.get("base_version"), data), False
    if op == "delete":
        return capture.delete_conclusion(table, conclusion, payload.get("base_version")), False
    raise DomainError("invalid_operation", "Operación no válida.")


@bp.post("/mesa/<capture_token>/conclusiones.json")
@public
def capture_save_json(capture_token):
    """Save one change sent by the page's script: ``{"op": "add"|"edit"|"delete", …}``; JSON in and out."""
    try:
        table = capture.get_capture_table(capture_token)
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            raise DomainError("invalid_json", "El cuerpo debe ser un objeto JSON.", status=400)
        conclusion, created = _save_from_json(table, payload)
    except capture.StaleEdit as exc:
        current = capture.as_json(exc.current)
        transaction.discard()
        return _json_error(exc, current=current)
    except DomainError as exc:
        transaction.discard()
        return _json_error(exc)
    return jsonify({"conclusion": capture.as_json(conclusion), "created": created}), 201 if created else 200


@bp.get("/gestion/eventos/<slug>/networking/<int:session_id>/tarjetas.pdf")
@organizer_required
def manage_table_cards(slug, session_id):
    """The printable cards of the session's tables, each with the QR of its capture link."""
    event = get_event(slug)
    session = tables.get_networking_session(event, session_id)
    data = table_cards.table_cards_pdf(event, session, tables.session_tables(session))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"tarjetas-mesas-{event.slug}-{session.id}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response
