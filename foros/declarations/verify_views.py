"""Public verification of declarations (/declaratorias/verificar): type the code or scan the QR to see the
status, signatories and hash; upload a PDF to learn whether it is the registered final document and whether its
seal is intact; download the sealed final document. Nothing here writes."""

from flask import Response, redirect, render_template, request, url_for

from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.export import content_disposition
from foros.core.security import public
from foros.declarations import verify_bp as bp
from foros.declarations.document import display_code
from foros.declarations.verification import check_upload, find_by_code, max_upload_bytes, public_summary
from foros.declarations.verify_forms import VerifyUploadForm
from foros.extensions import limiter

NOINDEX = {"X-Robots-Tag": "noindex"}


@bp.get("/declaratorias/verificar")
@public
def verify_form():
    """Type a declaration's verification code (a GET form: it changes nothing)."""
    typed = request.args.get("codigo", "")
    if typed.strip():
        declaration = find_by_code(typed)
        if declaration is not None:
            return redirect(url_for("declarations_verify.verify_code",
                                    code=display_code(declaration.verification_code)))
        return render_template("declarations/verify_form.html", typed=typed[:40], not_found=True), 404, NOINDEX
    return render_template("declarations/verify_form.html", typed=""), 200, NOINDEX


def _page(declaration, form, result=None, status=200):
    return render_template("declarations/verify.html", declaration=declaration, info=public_summary(declaration),
                           code=display_code(declaration.verification_code), form=form, result=result,
                           max_mb=max_upload_bytes() // (1024 * 1024)), status, NOINDEX


def _declaration_or_404(code):
    declaration = find_by_code(code)
    if declaration is None:
        return None, (render_template("declarations/verify_form.html", typed=code[:40], not_found=True), 404,
                      NOINDEX)
    return declaration, None


@bp.get("/declaratorias/verificar/<code>")
@public
def verify_code(code):
    """A declaration's status, signatories' names, roles and dates, and its hash."""
    declaration, missing = _declaration_or_404(code)
    if missing:
        return missing
    return _page(declaration, VerifyUploadForm())


@bp.post("/declaratorias/verificar/<code>")
@public
@limiter.limit("30 per minute")
def verify_upload(code):
    """Check an uploaded PDF against the registered final document and validate its seal (writes nothing)."""
    declaration, missing = _declaration_or_404(code)
    if missing:
        return missing
    form = VerifyUploadForm()
    if not form.validate_on_submit():
        form.form_errors.append("La sesión del formulario caducó; inténtelo de nuevo.")
        return _page(declaration, form, status=400)
    upload = form.archivo.data
    data = upload.stream.read(max_upload_bytes() + 1) if upload else b""
    try:
        result = check_upload(declaration, data)
    except DomainError as exc:
        transaction.discard()
        form.show_error(exc)
        return _page(declaration, form, status=exc.status)
    return _page(declaration, VerifyUploadForm(), result=result)


@bp.get("/declaratorias/verificar/<code>/documento.pdf")
@public
def final_pdf(code):
    """The sealed final document, for anyone who has the code."""
    declaration = find_by_code(code)
    final = declaration.final_document if declaration is not None else None
    if final is None:
        return render_template("declarations/verify_form.html", typed=code[:40], not_found=True), 404, NOINDEX
    filename = f"declaratoria-{declaration.verification_code}.pdf"
    return Response(final.content, mimetype="application/pdf",
                    headers={"Content-Disposition": content_disposition(filename), **NOINDEX})
