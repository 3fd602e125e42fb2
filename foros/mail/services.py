"""The outbox: queue e-mail in the same transaction as the change that causes it; the organizer's side of it
(read, count, resend) and its erasure. Delivery by SMTP is ``delivery.py``."""

from dataclasses import dataclass
from functools import cache

from flask import current_app
from sqlalchemy import func, insert, select, update

from foros.audit.services import record_action
from foros.core import transaction
from foros.core.db import DriverStatement, contains_text
from foros.core.error_catalogue import Catalogue
from foros.core.errors import DomainError, NotFound
from foros.core.time import utcnow
from foros.extensions import db
from foros.mail.models import MessageStatus, OutboxMessage

#: The error codes these services raise (foros.core.error_catalogue; listed in the OpenAPI document).
CATALOGUE = Catalogue("mail", {
    "already_pending": (409, "Este correo ya está en la cola; se reintentará automáticamente."),
    "message_not_found": (404, "No encontramos ese correo."),
    "registration_anonymized": (409, "No se puede reenviar: los datos de ese registro fueron anonimizados."),
})

#: The after-commit action that wakes the worker (registered in ``create_app``): queued mail is delivered soon.
OUTBOX_QUEUED = "outbox"


@dataclass(frozen=True)
class RenderedMessage:
    """A message's subject and bodies, rendered from ``templates/emails/<template>.txt`` and ``.html``."""

    subject: str
    text: str
    html: str


def render_message(template: str, **context) -> RenderedMessage:
    """Render a message. The subject is the first line of the text template (``Asunto: ...``); newlines are
    impossible in it, so headers cannot be injected through data people typed."""
    # Straight from the Jinja environment: an e-mail depends only on its context, never on the request
    # (no context processors, no template signals; the worker renders the same way).
    env = current_app.jinja_env
    text = env.get_template(f"emails/{template}.txt").render(**context)
    html = env.get_template(f"emails/{template}.html").render(**context)
    first_line, _, body = text.partition("\n")
    subject = " ".join(first_line.removeprefix("Asunto:").split())[:300]
    return RenderedMessage(subject=subject, text=body.lstrip("\n"), html=html)


def queue_message(kind: str, to_address: str, template: str | RenderedMessage, *,
                  registration_id: int | None = None, **context) -> None:
    """Add a message to the outbox: ``template`` rendered with ``context`` (or already rendered).

    The row is one INSERT in the caller's transaction (no ORM object: a sign-up queues one per request, see
    bench/README.md), so the message exists exactly when the change that caused it does; the worker is told
    once that transaction commits (``OUTBOX_QUEUED``).
    """
    message = template if isinstance(template, RenderedMessage) else render_message(template, **context)
    now = utcnow()
    _insert_statement().execute(db.session.connection(), {
        "kind": kind, "to_address": " ".join((to_address or "").split())[:254], "subject": message.subject,
        "body_text": message.text, "body_html": message.html, "registration_id": registration_id,
        "status": MessageStatus.PENDING, "attempts": 0, "next_attempt_at": now, "last_error": "",
        "created_at": now, "sent_at": None,
    })
    transaction.after_commit(OUTBOX_QUEUED)


@cache
def _insert_statement():
    return DriverStatement(insert(OutboxMessage.__table__))  # every column of the table: none forgotten


# --- the organizer's outbox: read, count, resend, erase ----------------------------------------------------

def query_messages(*, status: str = "", text: str = ""):
    """The filtered, newest-first query behind the organizer's outbox page."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == MessageStatus(status))
    if text:
        stmt = stmt.where(contains_text(text, OutboxMessage.to_address))
    return stmt


def status_counts() -> dict[MessageStatus, int]:
    """How many messages there are in each status (every status present, zeros included)."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    found = dict(rows)
    return {status: found.get(status, 0) for status in MessageStatus}


def get_message(message_id: int) -> OutboxMessage:
    """One outbox message, or NotFound."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("message_not_found", "No encontramos ese correo.")
    return message


def resend_message(message: OutboxMessage, actor) -> OutboxMessage:
    """Send a message again: a failed one goes back to the queue, a sent one is copied as a new message."""
    if message.status == MessageStatus.PENDING:
        raise DomainError("already_pending", "Este correo ya está en la cola; se reintentará automáticamente.",
                          status=409)
    registration = message.registration
    if registration is not None and registration.anonymized_at is not None:
        raise DomainError("registration_anonymized",
                          "No se puede reenviar: los datos de ese registro fueron anonimizados.", status=409)
    previous_status = message.status
    now = utcnow()
    if previous_status == MessageStatus.SENT:
        target = OutboxMessage(kind=message.kind, to_address=message.to_address, subject=message.subject,
                               body_text=message.body_text, body_html=message.body_html,
                               registration=registration, status=MessageStatus.PENDING, attempts=0,
                               next_attempt_at=now, last_error="", created_at=now)
        db.session.add(target)
    else:
        # A failed message was never delivered: send that same one, with a fresh set of attempts.
        target = message
        target.status = MessageStatus.PENDING
        target.attempts = 0
        target.next_attempt_at = now
    db.session.flush()
    transaction.after_commit(OUTBOX_QUEUED)
    record_action(actor, "mail.resend", message, object_type="outbox_message",
                  label=f"{message.to_address} — {message.subject}",
                  details={"previous_status": previous_status, "queued_message": target.id, "kind": message.kind})
    return target


def erase_registration_messages(registration_ids: list[int]) -> None:
    """Blank the outbox's copies of these people's names and addresses (an event anonymised); what was still
    waiting is never sent."""
    if not registration_ids:
        return
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.registration_id.in_(registration_ids),
                                    OutboxMessage.status == MessageStatus.PENDING)
        .values(status=MessageStatus.FAILED, last_error="Registro anonimizado: ya no se envía.")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.registration_id.in_(registration_ids))
        .values(to_address="", subject="(anonimizado)", body_text="", body_html="")
        .execution_options(synchronize_session=False)
    )
