"""The signatory's personal link (/firmar/<token>): open the document, ask for the code, sign or decline.

Every page of the link is private (``no-store``, no referrer). A link that does not open (unknown, expired,
used, replaced, declaration not in signing) shows a page that says why and what to do. GET writes nothing:
"visto" is recorded by the button that opens the document (a POST).
"""

from flask import Response, abort, flash, redirect, render_template, request, url_for

from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.municipalities import get_municipality
from foros.core.security import public
from foros.declarations import signing, signing_codes
from foros.declarations import signing_bp as bp
from foros.declarations.models import SignatoryStatus
from foros.declarations.signing_forms import ActionForm, DeclineForm, SignForm

PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
EXPIRED = "La sesión del formulario caducó; inténtelo de nuevo."


def _client() -> dict:
    return {"ip": request.remote_addr or "", "user_agent": request.user_agent.string or ""}


def _closed(exc: DomainError):
    """The page of a link that does not open, with its status (404, 409 or 410)."""
    return render_template("declarations/sign_closed.html", error=exc), exc.status, PRIVATE


def _page(token, visit, *, sign_form=None, decline_form=None, status=200):
    declaration = visit.signatory.declaration
    municipality = get_municipality(declaration.municipality_key)
    return render_template(
        "declarations/sign.html", token=token, visit=visit, signatory=visit.signatory, declaration=declaration,
        version=declaration.current_version, municipality=municipality, action_form=ActionForm(),
        sign_form=sign_form or SignForm(), decline_form=decline_form or DeclineForm(),
        consent_text=signing.CONSENT_TEXT, code_minutes=signing_codes.CODE_MINUTES,
    ), status, PRIVATE


def _open(token):
    try:
        return signing.open_link(token), None
    except DomainError as exc:
        return None, _closed(exc)


def _back(token, anchor="firmar"):
    return redirect(url_for("declarations_signing.sign", token=token, _anchor=anchor))


@bp.get("/firmar/<token>")
@public
def sign(token):
    """The link's page: a button to open the document, then the document, the code, signing and declining."""
    visit, closed = _open(token)
    return closed or _page(token, visit)


@bp.post("/firmar/<token>/abrir")
@public
def open_document(token):
    """Open the document: invitado → visto (recorded with time, IP and browser)."""
    visit, closed = _open(token)
    if closed:
        return closed
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return _back(token, "contenido")
    signing.mark_viewed(visit, **_client())
    return _back(token, "documento")


@bp.get("/firmar/<token>/documento.pdf")
@public
def document_pdf(token):
    """The exact PDF being signed (its SHA-256 is on the page), once the signatory opened the document."""
    visit, closed = _open(token)
    if closed:
        return closed
    version = visit.signatory.declaration.current_version
    if visit.signatory.status != SignatoryStatus.VIEWED or version is None or not version.document_pdf:
        abort(404)
    response = Response(version.document_pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="declaratoria-v{version.number}.pdf"'
    response.headers.update(PRIVATE)
    return response


@bp.post("/firmar/<token>/codigo")
@public
def send_code(token):
    """E-mail a one-time code (rate-limited per signatory)."""
    visit, closed = _open(token)
    if closed:
        return closed
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return _back(token)
    try:
        signing_codes.send_code(visit, **_client())
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
        return _back(token)
    flash(f"Le enviamos un código de 6 dígitos a {visit.signatory.email}. Vence en "
          f"{signing_codes.CODE_MINUTES} minutos.", "success")
    return _back(token)


@bp.post("/firmar/<token>")
@public
def sign_post(token):
    """Sign: the drawing or the typed name, the consent and the one-time code."""
    visit, closed = _open(token)
    if closed:
        return closed
    form = SignForm()
    if form.validate_on_submit():
        try:
            signing.sign_electronically(visit, code=form.code.data, method=form.method.data,
                                        drawing=form.drawing.data or "", typed_name=form.typed_name.data or "",
                                        consent=bool(form.consent.data), **_client())
        except DomainError as exc:
            if exc.code not in signing_codes.COUNTED_FAILURES:
                transaction.discard()  # a wrong code is kept: its attempt counts (returning commits)
            visit, closed = _open(token)
            if closed:
                return closed
            form.show_error(exc)
            form.drawing.data = ""
        else:
            return render_template("declarations/sign_done.html", signatory=visit.signatory,
                                   declaration=visit.signatory.declaration, declined=False), 200, PRIVATE
    return _page(token, visit, sign_form=form, status=422)


@bp.post("/firmar/<token>/rechazar")
@public
def decline(token):
    """Decline to sign, with a reason."""
    visit, closed = _open(token)
    if closed:
        return closed
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            signing.decline(visit, reason=form.reason.data, **_client())
        except DomainError as exc:
            transaction.discard()
            visit, closed = _open(token)
            if closed:
                return closed
            form.show_error(exc)
        else:
            return render_template("declarations/sign_done.html", signatory=visit.signatory,
                                   declaration=visit.signatory.declaration, declined=True), 200, PRIVATE
    return _page(token, visit, decline_form=form, status=422)
