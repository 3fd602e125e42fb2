"""Deliver the outbox by SMTP (the organizer's side of the outbox is in ``services.py``).

Each message is claimed in its own short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite): the claim counts the attempt and pushes ``next_attempt_at`` past a lease, so
another worker does not pick it up while it is being sent, and a worker that dies mid-send leaves it to be
retried when the lease ends. No database lock is held while talking to the SMTP server. Delivery is
therefore at-least-once: a crash between the server's "250 OK" and our commit sends that message again.
"""

import logging
import random
import smtplib
import ssl
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app
from sqlalchemy import func, select

from foros.core.db import write_transaction
from foros.core.redact import redact_emails
from foros.core.time import utcnow
from foros.extensions import db
from foros.mail.attachments import message_attachments
from foros.mail.models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)

#: How long a claimed message is reserved for the worker sending it (well above MAIL_TIMEOUT × a few).
CLAIM_LEASE = timedelta(minutes=10)
#: Retry delays: 1, 2, 4 … minutes, never more than this.
MAX_BACKOFF = timedelta(hours=1)
ERROR_LENGTH = 300


class _InvalidMessage(Exception):
    """The message itself cannot be sent (bad address): retrying will not help."""


class _ServerUnreachable(Exception):
    """Connecting, TLS or login failed: the rest of the batch waits for the next run."""

    def __init__(self, original: Exception):
        super().__init__(str(original))
        self.original = original


# --- Delivery (the worker) --------------------------------------------------------------------------------


#: Messages one delivery run sends at most (the task runs again while runs come back full).
BATCH = 50


def deliver_due_messages(now: datetime | None = None, limit: int = BATCH) -> dict:
    """Send the pending messages that are due, oldest first, committing after each; return the counts.

    Keys: ``configured`` (False without MAIL_SERVER: nothing is sent, nothing is lost), ``sent``,
    ``retry`` (failed, will be tried again), ``failed`` (gave up) and ``held`` (due but left for a later
    run: no server configured, server unreachable, or ``limit`` reached). It commits, so call it outside
    any transaction of the caller's.
    """
    config = current_app.config
    now = now or utcnow()
    counts = {"configured": bool(config.get("MAIL_SERVER")), "sent": 0, "retry": 0, "failed": 0, "held": 0}
    if counts["configured"]:
        connection = _Connection(config)
        try:
            for _ in range(max(limit, 0)):
                message_id = _claim_next(now, int(config["MAIL_MAX_ATTEMPTS"]))
                if message_id is None:
                    break
                outcome, stop = _deliver_one(message_id, connection, now, config)
                if outcome:
                    counts[outcome] += 1
                if stop:
                    break
        finally:
            connection.close()
    counts["held"] = db.session.scalar(_due(now, select(func.count()).select_from(OutboxMessage)))
    db.session.commit()  # end the read transaction
    return counts


def _due(now: datetime, stmt):
    return stmt.where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)


def _claim_next(now: datetime, max_attempts: int) -> int | None:
    """Reserve the oldest due message for this worker and count the attempt; None when none is due."""
    while True:
        with write_transaction():
            stmt = _due(now, select(OutboxMessage)).order_by(OutboxMessage.id).limit(1)
            if db.session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            message = db.session.scalars(stmt).first()
            if message is None:
                db.session.commit()
                return None
            message_id = message.id
            if message.attempts >= max_attempts:
                # Only reachable when earlier claims never recorded a result (the worker died mid-send).
                message.status = MessageStatus.FAILED
                message.last_error = "El envío se interrumpió demasiadas veces."
                db.session.commit()
                continue
            message.attempts += 1
            message.next_attempt_at = now + CLAIM_LEASE
            db.session.commit()
            return message_id


def _deliver_one(message_id: int, connection: "_Connection", now: datetime, config) -> tuple[str | None, bool]:
    """Build and send one claimed message; record the outcome. Returns (outcome, stop the batch)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:  # deleted since the claim: nothing to send
        db.session.rollback()
        return None, False
    try:
        email = build_email(message, config)
        recipient = email["To"].addresses[0].addr_spec
        sender = email["From"].addresses[0].addr_spec
    except _InvalidMessage as exc:
        db.session.rollback()
        return _record(message_id, now, config, error=str(exc), permanent=True), False
    except Exception as exc:  # a bug building attachments must not stop the other messages
        log.exception("Could not build outbox message %s", message_id)
        db.session.rollback()
        error = f"No se pudo preparar el mensaje ({type(exc).__name__})."
        return _record(message_id, now, config, error=error), False
    db.session.commit()  # end the read transaction before talking to the network
    try:
        connection.send(email, sender, recipient)
    except _ServerUnreachable as exc:
        error, _permanent = describe_smtp_error(exc.original)
        log.warning("Mail server unreachable: %s", redact_emails(error))
        return _record(message_id, now, config, error=error), True
    except Exception as exc:
        error, permanent = describe_smtp_error(exc)
        # The server's answer often quotes the recipient ("550 <ana@…>: unknown user"): the log names the
        # message, the address stays in the outbox that organizers read.
        log.warning("Outbox message %s not sent: %s", message_id, redact_emails(error))
        return _record(message_id, now, config, error=error, permanent=permanent), False
    return _record(message_id, now, config), False


def _record(message_id: int, now: datetime, config, *, error: str | None = None, permanent: bool = False) -> str:
    """Write the outcome of one attempt and commit; return ``sent``, ``retry`` or ``failed``."""
    with write_transaction():
        message = db.session.get(OutboxMessage, message_id)
        if message is None:  # deleted while it was being sent
            db.session.rollback()
            return "sent" if error is None else "failed"
        if error is None:
            message.status = MessageStatus.SENT
            message.sent_at = utcnow()
            message.last_error = ""
            outcome = "sent"
        else:
            message.last_error = error[:ERROR_LENGTH]
            if permanent or message.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
                message.status = MessageStatus.FAILED
                outcome = "failed"
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
                outcome = "retry"
        db.session.commit()
    return outcome


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after ``attempts`` failures: 1, 2, 4 … minutes up to an hour, plus ≤10 % jitter."""
    base = min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 10)), MAX_BACKOFF)
    # Jitter spreads retries of messages that failed together (server down) so they do not all return at once.
    return base * (1 + random.uniform(0, 0.1))


class _Connection:
    """One SMTP connection per run, opened on the first message and reopened after a broken one."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
        try:
            if config.get("MAIL_USE_SSL"):
                smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
            try:
                if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                    smtp.starttls(context=ssl.create_default_context())
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            except Exception:
                smtp.close()
                raise
        except Exception as exc:
            raise _ServerUnreachable(exc) from exc
        return smtp

    def send(self, email: EmailMessage, sender: str, recipient: str) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        try:
            self.smtp.send_message(email, from_addr=sender, to_addrs=[recipient])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
            raise  # smtplib reset the session: the connection serves the next message
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except Exception:  # already broken; closing is all that is left to do
            self.smtp.close()
        self.smtp = None


def describe_smtp_error(exc: Exception) -> tuple[str, bool]:
    """A short Spanish description for organizers (never credentials), and whether retrying is pointless."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, response = next(iter(exc.recipients.values()), (0, b""))
        return f"El servidor rechazó al destinatario ({code} {_response_text(response)}).", 500 <= code < 600
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"El servidor rechazó el usuario o la contraseña de correo ({exc.smtp_code}).", False
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"El servidor rechazó al remitente ({exc.smtp_code} {_response_text(exc.smtp_error)}).", False
    if isinstance(exc, smtplib.SMTPDataError):
        return (f"El servidor rechazó el mensaje ({exc.smtp_code} {_response_text(exc.smtp_error)}).",
                500 <= exc.smtp_code < 600)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"El servidor no admite lo que el mensaje necesita ({_short(str(exc))}).", True
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "El servidor de correo cerró la conexión.", False
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"El servidor de correo respondió {exc.smtp_code} {_response_text(exc.smtp_error)}.", False
    if isinstance(exc, ssl.SSLError):
        detail = _short(exc.reason or str(exc))
        return f"Falló la conexión cifrada (TLS) con el servidor de correo ({detail}).", False
    if isinstance(exc, TimeoutError):
        return "El servidor de correo no respondió a tiempo.", False
    if isinstance(exc, OSError):
        detail = _short(exc.strerror or type(exc).__name__)
        return f"No se pudo conectar con el servidor de correo ({detail}).", False
    return f"Error al enviar ({type(exc).__name__}).", False


def _response_text(response) -> str:
    if isinstance(response, bytes):
        response = response.decode("utf-8", "replace")
    return _short(str(response))


def _short(text: str, length: int = 160) -> str:
    return " ".join(str(text).split())[:length]


# --- Building the e-mail ----------------------------------------------------------------------------------


def build_email(message: OutboxMessage, config) -> EmailMessage:
    """The MIME message: headers through the email package (no CR/LF can reach them), text + HTML, files."""
    name, sender_address = parseaddr(config["MAIL_DEFAULT_SENDER"])
    try:
        sender = _address(sender_address, _one_line(name))
    except ValueError as exc:
        raise _InvalidMessage("El remitente configurado (MAIL_DEFAULT_SENDER) no es válido.") from exc
    try:
        # Exactly one bare address: CR/LF, a second address or a display name are refused, never sent.
        recipient = _address(message.to_address or "")
    except ValueError as exc:
        raise _InvalidMessage("La dirección del destinatario no es válida.") from exc
    email = EmailMessage()
    email["Subject"] = _one_line(message.subject)
    email["From"] = sender
    email["To"] = recipient
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(idstring=f"foros.{message.id}", domain=sender.domain)
    email["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps the Spanish text 7-bit clean for servers without 8BITMIME.
    email.set_content(message.body_text, cte="quoted-printable")
    email.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    for attachment in message_attachments(message):
        # Text files say their charset, or clients read the Spanish in an .ics as ASCII.
        params = {"charset": "utf-8"} if attachment.maintype == "text" else {}
        email.add_attachment(attachment.data, maintype=attachment.maintype, subtype=attachment.subtype,
                             filename=attachment.filename, params=params)
    return email


def _address(addr_spec: str, display_name: str = "") -> Address:
    """Parse one ``local@domain`` with the email package; ValueError for anything else."""
    if not addr_spec or addr_spec != addr_spec.strip():
        raise ValueError("empty or padded address")
    address = Address(display_name=display_name, addr_spec=addr_spec)  # raises ValueError (header defects)
    if not address.username or not address.domain:
        raise ValueError("address without local part or domain")
    return address


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


# --- Organizers: read, count, resend ----------------------------------------------------------------------
