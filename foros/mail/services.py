"""Queue e-mail in the outbox (same transaction as the change that causes it)."""

from flask import render_template

from foros.core.time import utcnow
from foros.extensions import db
from foros.mail.models import MessageStatus, OutboxMessage


def queue_message(kind: str, to_address: str, template: str, *, registration=None, **context) -> OutboxMessage:
    """Render ``templates/emails/<template>.txt`` and ``.html`` and add the message to the outbox.

    The subject is the first line of the text template (``Asunto: ...``); newlines are impossible in it,
    so headers cannot be injected through data people typed.
    """
    text = render_template(f"emails/{template}.txt", **context)
    html = render_template(f"emails/{template}.html", **context)
    first_line, _, body = text.partition("\n")
    subject = " ".join(first_line.removeprefix("Asunto:").split())[:300]
    message = OutboxMessage(
        kind=kind,
        to_address=" ".join((to_address or "").split())[:254],
        subject=subject,
        body_text=body.lstrip("\n"),
        body_html=html,
        registration=registration,
        status=MessageStatus.PENDING,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message
