"""SMTP rejections are logged without the recipient's address (the outbox keeps it for organizers)."""

import logging

from foros.extensions import db
from foros.mail.delivery import deliver_due_messages
from foros.mail.models import MessageStatus, OutboxMessage
from tests.conftest import make_message


def test_a_refused_recipient_is_logged_without_the_address(app, inbox, caplog):
    inbox.refuse = {"ana.privada@example.org": "550 5.1.1 <ana.privada@example.org>: usuario desconocido"}
    message = make_message(to_address="ana.privada@example.org")

    with caplog.at_level(logging.WARNING, logger="foros.mail.delivery"):
        deliver_due_messages()

    logged = [r.getMessage() for r in caplog.records if r.name == "foros.mail.delivery"]
    assert logged and f"Outbox message {message.id} not sent" in logged[0]
    assert "550" in logged[0] and "[correo]@example.org" in logged[0]
    assert "ana.privada" not in caplog.text
    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED  # organizers still read the whole answer in the outbox
    assert db.session.get(OutboxMessage, message.id).to_address == "ana.privada@example.org"
