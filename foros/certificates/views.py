"""Certificates: the public check page, the attendee's download from the ticket link, and organizer pages
(template, preview, issue, list, revoke, re-issue, ZIP in the background)."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required, public
from foros.certificates import bp, pdf, services
from foros.certificates.forms import ActionForm, CertificateTemplateForm, RevokeForm
from foros.certificates.jobs import ZIP_JOB
from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.export import content_disposition
from foros.core.formatting import fmt_day_span
from foros.events.services import get_event
from foros.jobs.services import create_job
from foros.registration import lifecycle


def _pdf_response(data: bytes, filename: str, *, inline: bool = False) -> Response:
    response = Response(data, mimetype="application/pdf")
    disposition = content_disposition(filename)
    response.headers["Content-Disposition"] = disposition.replace("attachment", "inline", 1) if inline \
        else disposition
    response.headers["Cache-Control"] = "private, no-store"  # a name: no shared cache, no copy on disk
    return response


# --- Public -----------------------------------------------------------------------------------------------


@bp.get("/constancias/verificar")
@public
def verify_form():
    """Type a certificate's code (a GET form: it changes nothing)."""
    typed = request.args.get("codigo", "")
    if typed.strip():
        code = services.normalize_code(typed)
        return redirect(url_for("certificates.verify", code=services.display_code(code)[:80] or "-"))
    return render_template("certificates/verify_form.html", typed="")


@bp.get("/constancias/verificar/<code>")
@public
def verify(code):
    """Whether a code belongs to a valid or revoked certificate: status, name, event, date — nothing else."""
    certificate = services.find_by_code(code)
    if certificate is None:
        return render_template("certificates/verify_form.html", typed=code[:80], not_found=True), 404
    return render_template("certificates/verify.html", certificate=certificate,
                           code=services.display_code(certificate.code), event_title=certificate.event.title,
                           event_dates=fmt_day_span(certificate.event.days)), 200


@bp.get("/boleto/<token>/constancia.pdf")
@public
def ticket_certificate(token):
    """The attendee's certificate, from their ticket link, once the event is over and it has been issued."""
    registration = lifecycle.get_by_token(token)
    certificate = services.live_certificate(registration)
    if certificate is None or not registration.event.is_past():
        return render_template("certificates/unavailable.html", reg=registration, event=registration.event), 404
    template = services.get_template(registration.event)
    return _pdf_response(pdf.certificate_pdf(certificate, template), pdf.certificate_filename(certificate))


def ticket_links(registration) -> list[tuple[str, str]]:
    """The ticket page's "Descargar constancia" button (registered with the ticket page in create_app)."""
    if not registration.event.is_past() or services.live_certificate(registration) is None:
        return []
    return [("Descargar constancia", url_for("certificates.ticket_certificate", token=registration.access_token))]


# --- Organizers -------------------------------------------------------------------------------------------


@bp.get("/gestion/eventos/<slug>/constancias")
@organizer_required
def manage(slug):
    """Template summary, eligible count, issue button, the certificates with revoke and re-issue, the ZIP."""
    event = get_event(slug)
    template = services.get_template(event)
    eligible = services.eligible_registrations(event, template) if template is not None else []
    return render_template("certificates/manage/index.html", event=event, template=template,
                           eligible=len(eligible), certificates=services.event_certificates(event),
                           action_form=ActionForm(), revoke_form=RevokeForm(), display_code=services.display_code)


@bp.route("/gestion/eventos/<slug>/constancias/plantilla", methods=["GET", "POST"])
@organizer_required
def manage_template(slug):
    """Edit the event's certificate template."""
    event = get_event(slug)
    template = services.template_or_default(event)
    if request.method == "POST":
        form = CertificateTemplateForm()
    else:
        form = CertificateTemplateForm(data=CertificateTemplateForm.data_for(template))
    if form.validate_on_submit():
        try:
            services.save_template(event, form.to_input(), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event = get_event(slug)
            form.show_error(exc)
        else:
            flash("Plantilla guardada.", "success")
            return redirect(url_for("certificates.manage", slug=event.slug))
    return render_template("certificates/manage/template.html", event=event, form=form,
                           placeholders=services.PLACEHOLDERS), 422 if form.is_submitted() else 200


@bp.get("/gestion/eventos/<slug>/constancias/vista-previa.pdf")
@organizer_required
def manage_preview(slug):
    """A preview of the saved template with the first eligible person's name (or a sample name)."""
    event = get_event(slug)
    template = services.template_or_default(event)
    people = services.eligible_registrations(event, template) if template.id is not None else []
    return _pdf_response(pdf.preview_pdf(event, template, people[0] if people else None),
                         f"vista-previa-constancia-{event.slug}.pdf", inline=True)


@bp.post("/gestion/eventos/<slug>/constancias/emitir")
@organizer_required
def manage_issue(slug):
    """Issue certificates to every eligible person who has none yet."""
    event = get_event(slug)
    if not ActionForm().validate_on_submit():
        flash("La sesión del formulario caducó; inténtelo de nuevo.", "error")
        return redirect(url_for("certificates.manage", slug=event.slug))
    try:
        issued = services.issue_certificates(event, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"Constancias emitidas: {issued}." if issued else "No había constancias nuevas que emitir.",
              "success")
    return redirect(url_for("certificates.manage", slug=event.slug))


@bp.post("/gestion/eventos/<slug>/constancias/zip")
@organizer_required
def manage_zip(slug):
    """Start building the ZIP of every live certificate in the background; go to its progress page."""
    event = get_event(slug)
    total = len(services.live_certificates(event))
    if not ActionForm().validate_on_submit() or not total:
        flash("No hay constancias vigentes que descargar." if not total else
              "La sesión del formulario caducó; inténtelo de nuevo.", "error")
        return redirect(url_for("certificates.manage", slug=event.slug))
    job = create_job(ZIP_JOB, requested_by=current_user, title=f"Constancias (ZIP) — {event.title}", event=event,
                     total=total)
    return redirect(url_for("jobs.status", job_token=job.token))


@bp.get("/gestion/eventos/<slug>/constancias/<code>/constancia.pdf")
@organizer_required
def manage_download(slug, code):
    """One certificate's PDF (also a revoked one, for the record)."""
    event = get_event(slug)
    certificate = services.get_event_certificate(event, code)
    return _pdf_response(pdf.certificate_pdf(certificate, services.template_or_default(event)),
                         pdf.certificate_filename(certificate))


@bp.post("/gestion/eventos/<slug>/constancias/<code>/revocar")
@organizer_required
def manage_revoke(slug, code):
    """Revoke a certificate with a reason."""
    event = get_event(slug)
    certificate = services.get_event_certificate(event, code)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors) or "Revise el motivo.", "error")
        return redirect(url_for("certificates.manage", slug=event.slug))
    try:
        services.revoke_certificate(certificate, form.reason.data, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"Constancia {services.display_code(certificate.code)} revocada.", "success")
    return redirect(url_for("certificates.manage", slug=event.slug))


@bp.post("/gestion/eventos/<slug>/constancias/<code>/reemitir")
@organizer_required
def manage_reissue(slug, code):
    """Issue a new certificate (new code) in place of this one, which ends revoked."""
    event = get_event(slug)
    certificate = services.get_event_certificate(event, code)
    if not ActionForm().validate_on_submit():
        flash("La sesión del formulario caducó; inténtelo de nuevo.", "error")
        return redirect(url_for("certificates.manage", slug=event.slug))
    try:
        replacement = services.reissue_certificate(certificate, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"Constancia reemitida con el código {services.display_code(replacement.code)}.", "success")
    return redirect(url_for("certificates.manage", slug=event.slug))
