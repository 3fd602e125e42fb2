"""Mail test helpers: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, and factories."""

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from foros.extensions import db
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every envelope; refuses chosen recipients with a given SMTP reply."""

    def __init__(self):
        self.envelopes = []
        #: address → reply, e.g. {"nadie@example.org": "550 5.1.1 Usuario desconocido"}.
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        """The received messages, parsed by the email package."""
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


@contextmanager
def smtp_server(port: int, **smtp_options):
    """Run an SMTP server on 127.0.0.1:port for the duration of the block (always stopped, even on failure)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_config(smtp_port):
    """Mail goes to the test's own SMTP server, in clear text (no STARTTLS) unless a test says otherwise."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_USE_TLS": False, "MAIL_TIMEOUT": 5}


@pytest.fixture
def inbox(app, smtp_port):
    with smtp_server(smtp_port) as inbox:
        yield inbox


def person(n=1, **overrides) -> RegistrationInput:
    values = dict(name=f"Persona Número {n}", email=f"persona{n}@example.org", sector="ciudadania",
                  municipality_key="15031", privacy_consent=True)
    values.update(overrides)
    return RegistrationInput(**values)


def register(event, **overrides):
    """Register one person (which queues the confirmation) and commit."""
    registration = register_attendee(event, person(**overrides)).registration
    db.session.commit()
    return registration

