"""Organizer pages of signing: where each signatory stands, invite again (after a decline or a lost e-mail),
record autograph signatures given at the event (with their time), upload and download the scanned signed copy,
and the final document (sealed, timestamped; sealing again when it could not be sealed at the last signature)."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.municipalities import get_municipality
from foros.core.time import local_to_utc, local_today, to_local, utcnow
from foros.declarations import manage, signing, signing_inperson, versions
from foros.declarations import signing_manage_bp as bp
from foros.declarations.models import DeclarationStatus, ScannedCopy, SignatoryStatus
from foros.declarations.signing_common import is_turn
from foros.declarations.signing_forms import ActionForm, AutographForm, ScanForm
from foros.extensions import db


def _page(declaration, *, autograph_forms=None, scan_form=None, status=200):
    now = to_local(utcnow())
    forms = {}
    for signatory in declaration.signatories:
        given = (autograph_forms or {}).get(signatory.id)
        forms[signatory.id] = given or AutographForm(prefix=f"s{signatory.id}", formdata=None,
                                                     data={"day": local_today(), "at": now.time().replace(
                                                         second=0, microsecond=0)})
    return render_template(
        "declarations/manage/signing.html", declaration=declaration,
        municipality=get_municipality(declaration.municipality_key), version=declaration.current_version,
        autograph_forms=forms, scan_form=scan_form or ScanForm(), action_form=ActionForm(), is_turn=is_turn,
        statuses=SignatoryStatus, signing_open=declaration.status == DeclarationStatus.SIGNING,
        max_mb=signing_inperson.SCAN_MAX_BYTES // (1024 * 1024),
    ), status


def _back(declaration_id):
    return redirect(url_for("declarations_signing_manage.signing_page", declaration_id=declaration_id))


@bp.get("/gestion/declaratorias/<int:declaration_id>/firmas")
@organizer_required
def signing_page(declaration_id):
    """Each signatory's status, times and method; invite again; autograph signatures; the scanned copy."""
    return _page(manage.get_declaration(declaration_id))


@bp.post("/gestion/declaratorias/<int:declaration_id>/firmantes/<int:signatory_id>/invitar")
@organizer_required
def reinvite(declaration_id, signatory_id):
    """E-mail the signatory a new personal link (the previous one stops opening)."""
    declaration = manage.get_declaration(declaration_id)
    signatory = manage.get_signatory(declaration, signatory_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        signing.reinvite_signatory(signatory, current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"Enviamos a {signatory.name} un enlace nuevo para firmar.", "success")
    return _back(declaration_id)


@bp.post("/gestion/declaratorias/<int:declaration_id>/firmantes/<int:signatory_id>/autografa")
@organizer_required
def record_autograph(declaration_id, signatory_id):
    """Record the autograph signature a signatory gave on paper at the event, with its date and time."""
    declaration = manage.get_declaration(declaration_id)
    signatory = manage.get_signatory(declaration, signatory_id)
    form = AutographForm(prefix=f"s{signatory.id}")
    if form.validate_on_submit():
        try:
            signing_inperson.record_autograph(signatory, signed_at=local_to_utc(form.day.data, form.at.data),
                                              actor=current_user)
        except DomainError as exc:
            transaction.discard()
            declaration = manage.get_declaration(declaration_id)
            form.show_error(exc)
        else:
            flash(f"Firma autógrafa de {signatory.name} registrada.", "success")
            _warn_if_unsealed(declaration)
            return _back(declaration_id)
    return _page(declaration, autograph_forms={signatory_id: form}, status=422)


@bp.post("/gestion/declaratorias/<int:declaration_id>/copia-escaneada")
@organizer_required
def upload_scan(declaration_id):
    """Upload the scan of the signed paper copy (a PDF, judged by content, within the size limit)."""
    declaration = manage.get_declaration(declaration_id)
    form = ScanForm()
    if form.validate_on_submit():
        storage = form.scan.data
        data = storage.read(signing_inperson.SCAN_READ_LIMIT) if storage and hasattr(storage, "read") else b""
        try:
            signing_inperson.upload_scan(declaration, filename=getattr(storage, "filename", "") or "",
                                         data=data, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            declaration = manage.get_declaration(declaration_id)
            form.show_error(exc)
            return _page(declaration, scan_form=form, status=exc.status)
        flash("Copia firmada cargada y guardada con su huella SHA-256.", "success")
        return _back(declaration_id)
    return _page(declaration, scan_form=form, status=422)


def _warn_if_unsealed(declaration):
    if declaration.status == DeclarationStatus.SIGNED and declaration.final_document is None:
        flash("Ya firmaron todas las personas, pero el documento final no se pudo sellar todavía: se intentará de "
              "nuevo automáticamente cada diez minutos, o use «Sellar el documento final» en esta página.",
              "warning")


@bp.post("/gestion/declaratorias/<int:declaration_id>/sellar")
@organizer_required
def seal(declaration_id):
    """Seal the final document of a signed declaration that could not be sealed at its last signature."""
    declaration = manage.get_declaration(declaration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        final = versions.seal_signed(declaration, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        stamp = " con sello de tiempo" if final.timestamped else ""
        flash(f"Documento final sellado{stamp}.", "success")
    return _back(declaration_id)


@bp.get("/gestion/declaratorias/<int:declaration_id>/copias/<int:scan_id>.pdf")
@organizer_required
def download_scan(declaration_id, scan_id):
    """The scanned signed copy, as uploaded."""
    scan = db.session.get(ScannedCopy, scan_id)
    if scan is None or scan.declaration_id != declaration_id:
        abort(404)
    response = Response(scan.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="copia-firmada-{scan.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
