"""Queue e-mail in the outbox (same transaction as the change that causes it)."""

from dataclasses import dataclass
from functools import cache

from flask import current_app
from sqlalchemy import insert

from foros.core import transaction
from foros.core.db import DriverStatement
from foros.core.time import utcnow
from foros.extensions import db
from foros.mail.models import MessageStatus, OutboxMessage

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
