"""The outbox for organizers: what was sent, what waits, what failed (and why), and resending."""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.audit.catalogue import message_kind_label
from foros.core import transaction
from foros.core.errors import DomainError
from foros.extensions import db
from foros.mail import attachments, bp, services
from foros.mail.models import MessageStatus

PAGE_SIZE = 50
#: Beyond this the page's OFFSET would overflow the database's integer (a 500, not an empty page).
MAX_PAGE = 1_000_000
MAX_SEARCH = 100


@bp.get("/gestion/correos")
@organizer_required
def manage_list():
    """The outbox, newest first, filtered by status and searched by address."""
    status = request.args.get("estado", "")
    if status not in {s.value for s in MessageStatus}:
        status = ""
    text = " ".join(request.args.get("q", "").split())[:MAX_SEARCH]
    page = min(max(request.args.get("pagina", 1, type=int) or 1, 1), MAX_PAGE)
    pagination = db.paginate(services.query_messages(status=status, text=text), page=page, per_page=PAGE_SIZE,
                             error_out=False)
    return render_template("mail/manage/list.html", pagination=pagination, status=status, text=text,
                           statuses=list(MessageStatus), counts=services.status_counts(),
                           kind_label=message_kind_label, configured=bool(current_app.config.get("MAIL_SERVER")))


@bp.get("/gestion/correos/<int:message_id>")
@organizer_required
def manage_show(message_id):
    """One message as it was queued: headers, the text body, and what will be attached."""
    message = services.get_message(message_id)
    return render_template("mail/manage/show.html", message=message, statuses=MessageStatus,
                           kind_label=message_kind_label, attaches_ticket=attachments.has_attachments(message),
                           configured=bool(current_app.config.get("MAIL_SERVER")))


@bp.get("/gestion/correos/<int:message_id>/correo.html")
@organizer_required
def manage_html(message_id):
    """The HTML body as a plain-text download: never rendered on our origin, so it can run nothing here."""
    message = services.get_message(message_id)
    response = Response(message.body_html, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="correo-{message.id}.html"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/gestion/correos/<int:message_id>/reenviar")
@organizer_required
def manage_resend(message_id):
    """Put a failed message back in the queue, or send a copy of a sent one."""
    message = services.get_message(message_id)
    try:
        queued = services.resend_message(message, current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
        return redirect(url_for("mail.manage_show", message_id=message_id))
    if current_app.config.get("MAIL_SERVER"):
        flash(f"El correo para {queued.to_address} está en la cola y se enviará en unos momentos.", "success")
    else:
        flash(f"El correo para {queued.to_address} está en la cola. No hay servidor de correo configurado: "
              "se enviará cuando lo haya.", "info")
    return redirect(url_for("mail.manage_show", message_id=queued.id))
