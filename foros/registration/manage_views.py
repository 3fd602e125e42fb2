"""Organizer pages for an event's registrations: list and counts, registration by hand, detail, cancel,
resend the ticket, registration settings, anonymisation, and import of invited guests from CSV or XLSX.

Every view is organizers only (staff never see personal data lists).
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from foros.accounts.auth import organizer_required
from foros.core import export, transaction
from foros.core.errors import DomainError
from foros.core.municipalities import OTHER_STATE_LABEL, all_municipalities, municipality_name
from foros.events.services import get_event
from foros.extensions import db
from foros.registration import bp, imports, lifecycle, manage, signup
from foros.registration.inputs import GENDER_OPTIONS
from foros.registration.manage_forms import (
    ImportConfirmForm,
    ImportUploadForm,
    ManualRegistrationForm,
    RegistrationFilterForm,
    RegistrationSettingsForm,
)
from foros.registration.models import RegistrationStatus

PAGE_SIZE = 50
FILTER_NAMES = ("q", "estado", "sector", "modalidad", "dia", "municipio")
#: Beyond this the page's OFFSET would overflow the database's integer (a 500, not an empty page).
MAX_PAGE = 1_000_000

# Between the preview and the confirmation, the checked rows travel in the confirm form, signed (HMAC, with
# the app's secret key) and compressed by itsdangerous. Why not the session or a table: the cookie session
# holds 4 KB (a 2,000-row list does not fit), and a server-side table would need a migration and a clean-up
# job for abandoned previews. The signature means the browser cannot change a row; the token names the event
# and the organizer, and expires. On confirmation every row is checked again against the event as it is
# then (sectors or days may have changed), and the service re-validates each one before writing.
IMPORT_SALT = "foros.registration.import"
IMPORT_TOKEN_MAX_AGE = 2 * 3600
#: Werkzeug/Flask keep at most 500 KB of a non-file form field in memory; stay under it.
IMPORT_TOKEN_MAX_CHARS = 450_000


def _seats_left(event) -> dict[str, int | None]:
    """Per modality: seats left, or None when there is no limit."""
    left = {}
    for mode in event.modality.attendance_modes:
        capacity = event.capacity_for(mode.value)
        left[mode.value] = None if capacity is None else max(capacity - event.confirmed_for(mode.value), 0)
    return left


def _summary(event, counts: dict) -> dict:
    """The counts of ``lifecycle.registration_counts`` shaped for the page's tables."""
    modes = event.modality.attendance_modes
    genders = dict(GENDER_OPTIONS)

    def ranked(pairs):
        return sorted(pairs, key=lambda p: (-p[1], p[0].casefold()))

    return {
        "modes": modes,
        "matrix": [(status, [counts["status_modality"].get((status.value, m.value), 0) for m in modes],
                    counts["status"].get(status.value, 0)) for status in RegistrationStatus],
        "capacity": [(m, event.capacity_for(m.value), event.confirmed_for(m.value), _seats_left(event)[m.value])
                     for m in modes],
        "sector": ranked([(event.sector_label(k), n) for k, n in counts["sector"].items()]),
        "gender": ranked([(genders.get(k, "Sin respuesta"), n) for k, n in counts["gender"].items()]),
        "municipality": ranked([(municipality_name(k), n) for k, n in counts["municipality"].items()]),
        "live": sum(n for k, n in counts["status"].items() if k != RegistrationStatus.CANCELLED.value),
    }


@bp.get("/gestion/eventos/<slug>/registros")
@organizer_required
def manage_list(slug):
    """The event's registrations: search, filters, counts and pages; waitlisted rows show their place."""
    event = get_event(slug)
    form = RegistrationFilterForm(formdata=request.args).for_event(event)
    page = min(max(request.args.get("pagina", 1, type=int) or 1, 1), MAX_PAGE)
    stmt = lifecycle.search_registrations(event, **form.filters(event))
    pagination = db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)
    positions = {r.id: signup.waitlist_position(r) for r in pagination.items
                 if r.status == RegistrationStatus.WAITLISTED}
    counts = lifecycle.registration_counts(event)
    # Only the filters go back into the pager links (arbitrary query keys would reach url_for).
    query = {name: str(form[name].data)[:100] for name in FILTER_NAMES if form[name].data}
    return render_template("registration/manage/list.html", event=event, form=form, pagination=pagination,
                           query=query, positions=positions, summary=_summary(event, counts),
                           statuses=RegistrationStatus, municipality_name=municipality_name)


@bp.route("/gestion/eventos/<slug>/registros/nuevo", methods=["GET", "POST"])
@organizer_required
def manage_new(slug):
    """Register a walk-in or an invited official by hand (no consent box; e-mail the ticket if chosen)."""
    event = get_event(slug)
    form = ManualRegistrationForm().for_event(event, with_consent=False)
    if form.validate_on_submit():
        try:
            result = manage.register_by_organizer(event, form.to_input(), actor=current_user,
                                                    send_ticket=bool(form.send_ticket.data))
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            reg = result.current
            if result.duplicate:
                flash("Ya hay un registro con ese correo en este evento; no se creó otro ni se envió nada.",
                      "info")
            elif reg.status == RegistrationStatus.WAITLISTED:
                flash(f"{reg.name} quedó en lista de espera: no hay lugares en esa modalidad.", "info")
            else:
                flash(f"{reg.name} quedó registrado(a) y confirmado(a).", "success")
            return redirect(url_for("registration.manage_show", slug=event.slug, ticket_id=reg.ticket_id))
    status = 422 if form.is_submitted() else 200
    return render_template("registration/manage/new.html", event=event, form=form,
                           municipalities=all_municipalities(), other_state=OTHER_STATE_LABEL), status


@bp.get("/gestion/eventos/<slug>/registros/<ticket_id>")
@organizer_required
def manage_show(slug, ticket_id):
    """One registration: every field, its status and history, and the organizer's actions."""
    event = get_event(slug)
    registration = lifecycle.get_event_registration(event, ticket_id)
    return render_template("registration/manage/show.html", event=event, reg=registration,
                           position=signup.waitlist_position(registration), statuses=RegistrationStatus,
                           municipality=municipality_name(registration.municipality_key),
                           gender=dict(GENDER_OPTIONS).get(registration.gender, ""))


@bp.post("/gestion/eventos/<slug>/registros/<ticket_id>/cancelar")
@organizer_required
def manage_cancel(slug, ticket_id):
    """Cancel a registration; a freed seat goes to the next person waiting (who is told by e-mail)."""
    event = get_event(slug)
    registration = lifecycle.get_event_registration(event, ticket_id)
    try:
        promoted = lifecycle.cancel_registration(registration, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        names = ", ".join(p.name for p in promoted)
        message = "Registro cancelado; se avisó a la persona por correo."
        if names:
            message += f" Pasó de la lista de espera a confirmado: {names}."
        flash(message, "success")
    return redirect(url_for("registration.manage_show", slug=event.slug, ticket_id=ticket_id))


@bp.post("/gestion/eventos/<slug>/registros/<ticket_id>/reenviar")
@organizer_required
def manage_resend(slug, ticket_id):
    """Send the ticket e-mail again (confirmation with QR, or the waitlist notice)."""
    event = get_event(slug)
    registration = lifecycle.get_event_registration(event, ticket_id)
    try:
        manage.resend_ticket(registration, current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        email = registration.email
        flash(f"El boleto está en la cola de correo para {email}.", "success")
    return redirect(url_for("registration.manage_show", slug=event.slug, ticket_id=ticket_id))


@bp.route("/gestion/eventos/<slug>/registro/ajustes", methods=["GET", "POST"])
@organizer_required
def manage_settings(slug):
    """The event's registration settings: sectors (add, rename, remove) and the privacy notice."""
    event = get_event(slug)
    if request.method == "POST":
        form = RegistrationSettingsForm()
    else:
        form = RegistrationSettingsForm(data=RegistrationSettingsForm.data_for(event))
    if form.validate_on_submit():
        try:
            manage.update_registration_settings(event, form.to_sectors(), form.privacy_notice.data or "",
                                                  current_user)
        except DomainError as exc:
            transaction.discard()
            form.form_errors.extend(exc.fields.get("sectors", []))
            form.privacy_notice.errors = list(form.privacy_notice.errors) + exc.fields.get("privacy_notice", [])
            if not exc.fields:
                form.form_errors.append(exc.message)
        else:
            flash("Ajustes del registro guardados.", "success")
            return redirect(url_for("registration.manage_settings", slug=event.slug))
    usage = lifecycle.registration_counts(event)["sector"]
    status = 422 if form.is_submitted() else 200
    return render_template("registration/manage/settings.html", event=event, form=form, usage=usage), status


@bp.route("/gestion/eventos/<slug>/registros/anonimizar", methods=["GET", "POST"])
@organizer_required
def manage_anonymize(slug):
    """Erase attendees' personal data once the event is over (a confirmation page first)."""
    event = get_event(slug)
    if request.method == "POST":
        try:
            count = lifecycle.anonymize_event(event, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            flash(exc.message, "error")
            return redirect(url_for("registration.manage_anonymize", slug=event.slug))
        flash(f"Se anonimizaron {count:,} registros. Las estadísticas por sector, sexo y municipio se "
              "conservan.", "success")
        return redirect(url_for("registration.manage_list", slug=event.slug))
    pending = lifecycle.count_identifiable(event)
    return render_template("registration/manage/anonymize.html", event=event, pending=pending,
                           is_over=event.is_past())


# --- Import ----------------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=IMPORT_SALT)


def _preview(event, rows) -> imports.ImportPreview:
    return imports.build_preview(event, rows, registered_emails=imports.registered_emails(event),
                                 seats_left=_seats_left(event))


def _render_upload(event, form, status=200):
    max_bytes, max_rows = imports.limits(current_app.config)
    return render_template("registration/manage/import.html", event=event, form=form,
                           columns=imports.column_help(event), max_mb=max_bytes / (1024 * 1024),
                           max_rows=max_rows), status


def _render_preview(event, preview, filename, send_tickets, status=None):
    confirm = None
    if preview.ok and preview.count("new"):  # nothing new: nothing to confirm (no «Importar 0 personas»)
        token = _serializer().dumps({"event": event.id, "user": current_user.id, "file": filename,
                                     "rows": imports.rows_payload(preview.rows)})
        if len(token) > IMPORT_TOKEN_MAX_CHARS:
            preview.file_errors.append("El archivo es demasiado grande para confirmarlo de una vez: divídalo en "
                                       "archivos más pequeños.")
        else:
            confirm = ImportConfirmForm(formdata=None, data={"payload": token, "send_tickets": send_tickets})
    upload = ImportUploadForm(formdata=None, data={"send_tickets": send_tickets})
    status = status or (200 if confirm or preview.ok else 422)
    return render_template("registration/manage/import_preview.html", event=event, preview=preview,
                           filename=filename, confirm=confirm, upload=upload), status


@bp.route("/gestion/eventos/<slug>/registros/importar", methods=["GET", "POST"])
@organizer_required
def manage_import(slug):
    """Import invited guests, step 1: upload a CSV or XLSX and see every row checked (nothing saved yet)."""
    event = get_event(slug)
    max_bytes, max_rows = imports.limits(current_app.config)
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _render_upload(event, form, 422 if form.is_submitted() else 200)
    upload = form.archivo.data
    if upload is None or not getattr(upload, "filename", ""):
        form.archivo.errors = ["Elija el archivo que quiere importar."]
        return _render_upload(event, form, 422)
    # Read one byte past the limit, never the whole upload. (The request body itself is bounded only by the
    # app-wide MAX_CONTENT_LENGTH: before_request hooks parse the form before this view runs.)
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        form.archivo.errors = [f"El archivo pesa más de {max_bytes / (1024 * 1024):g} MB, el máximo. Divídalo en "
                               "archivos más pequeños."]
        return _render_upload(event, form, 413)
    filename = " ".join(upload.filename.split())[:200]
    try:
        table = imports.read_table(filename, data, max_rows=max_rows)
        rows, ignored = imports.parse_rows(table, max_rows=max_rows)
    except imports.FileRejected as exc:
        form.archivo.errors = [exc.message]
        return _render_upload(event, form, 422)
    preview = _preview(event, rows)
    preview.ignored_headers = ignored
    return _render_preview(event, preview, filename, bool(form.send_tickets.data))


@bp.post("/gestion/eventos/<slug>/registros/importar/confirmar")
@organizer_required
def manage_import_confirm(slug):
    """Import invited guests, step 2: register every row of the checked file in one transaction."""
    event = get_event(slug)
    form = ImportConfirmForm()
    try:
        if not form.validate_on_submit():
            raise BadSignature("form")
        payload = _serializer().loads(form.payload.data or "", max_age=IMPORT_TOKEN_MAX_AGE)
        if payload.get("event") != event.id or payload.get("user") != current_user.id:
            raise BadSignature("other event or organizer")
        rows = imports.rows_from_payload(payload["rows"])
        filename = str(payload.get("file", ""))
    except (BadSignature, ValueError, TypeError, KeyError, AttributeError):
        flash("La vista previa caducó o no es válida. Suba el archivo de nuevo.", "error")
        return redirect(url_for("registration.manage_import", slug=event.slug))
    send_tickets = bool(form.send_tickets.data)
    preview = _preview(event, rows)  # checked again: the event may have changed since the preview
    if not preview.ok:
        preview.file_errors.insert(0, "El evento cambió desde la vista previa y ahora hay filas con errores. "
                                      "No se importó a nadie.")
        return _render_preview(event, preview, filename, send_tickets, 422)
    try:
        result = manage.import_registrations(event, [(r.line, r.data) for r in preview.rows],
                                               actor=current_user, send_tickets=send_tickets, filename=filename)
    except DomainError as exc:
        transaction.discard()
        flash(f"{exc.message} No se importó a nadie.", "error")
        return redirect(url_for("registration.manage_import", slug=event.slug))
    created, skipped, waitlisted = len(result.created), len(result.skipped), result.waitlisted
    message = f"Importación terminada: {created:,} personas registradas"
    if waitlisted:
        message += f" ({waitlisted:,} en lista de espera)"
    message += f"; {skipped:,} ya estaban registradas y se omitieron." if skipped else "."
    if created and send_tickets:
        message += " Los boletos están en la cola de correo."
    flash(message, "success")
    return redirect(url_for("registration.manage_list", slug=event.slug))


@bp.get("/gestion/eventos/<slug>/registros/importar/plantilla.csv")
@organizer_required
def manage_import_template(slug):
    """A CSV template with the expected headers and example rows for this event."""
    event = get_event(slug)
    return export.send_csv(imports.TEMPLATE_COLUMNS, imports.template_rows(event),
                           f"plantilla-registros-{event.slug}.csv")


@bp.get("/gestion/eventos/<slug>/registros/importar/plantilla.xlsx")
@organizer_required
def manage_import_template_xlsx(slug):
    """The same template as an Excel workbook."""
    event = get_event(slug)
    return export.send_xlsx(imports.TEMPLATE_COLUMNS, imports.template_rows(event),
                            f"plantilla-registros-{event.slug}.xlsx", sheet_title="Registros")
