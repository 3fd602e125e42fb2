"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): received and read back, retried with backoff
while the server is down, failed after the last attempt, resent by an organizer, held without a server."""

import shutil
import ssl
import subprocess
import threading
from datetime import timedelta

import icalendar
import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from foros.audit.models import AuditEntry
from foros.core.time import LOCAL_TZ, utcnow
from foros.extensions import db
from foros.mail import delivery
from foros.mail.delivery import deliver_due_messages, retry_delay
from foros.mail.models import MessageStatus, OutboxMessage
from foros.registration.codes import ticket_code, ticket_url
from foros.registration.lifecycle import cancel_registration
from foros.registration.tickets import qr_png
from tests.conftest import make_event, make_message
from tests.mail.conftest import register, smtp_server


def only_message() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage)).one()


def counts(sent=0, retry=0, failed=0, held=0, configured=True):
    return {"configured": configured, "sent": sent, "retry": retry, "failed": failed, "held": held}


def test_confirmation_arrives_in_spanish_with_ticket_link_qr_and_calendar(app, inbox):
    event = make_event()
    reg = register(event, name="Ana Pérez Núñez", email="ana@example.org")

    assert deliver_due_messages() == counts(sent=1)

    [envelope] = inbox.envelopes
    assert envelope.mail_from == "no-responder@foros.local"
    assert envelope.rcpt_tos == ["ana@example.org"]
    [mail] = inbox.messages()
    assert mail["Subject"] == f"Su registro está confirmado: {event.title}"
    assert mail["To"] == "ana@example.org"
    assert mail["From"].addresses[0].display_name == "Foros de Gobierno Abierto"
    assert mail["Message-ID"] and mail["Date"] and mail["Auto-Submitted"] == "auto-generated"

    link = ticket_url(reg)
    text = mail.get_body(("plain",)).get_content()
    assert "Hola, Ana Pérez Núñez:" in text and "está confirmado" in text and link in text
    html = mail.get_body(("html",)).get_content()
    assert f'href="{link}"' in html and "Ver mi boleto" in html

    files = {part.get_filename(): part for part in mail.iter_attachments()}
    assert set(files) == {"boleto-qr.png", "evento.ics"}
    assert files["boleto-qr.png"].get_content_type() == "image/png"
    assert files["boleto-qr.png"].get_content() == qr_png(ticket_code(reg))
    assert files["evento.ics"].get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(files["evento.ics"].get_content())
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == event.title
    start = vevent.decoded("dtstart")
    assert start.date() == event.days[0].day and start.utcoffset() == start.astimezone(LOCAL_TZ).utcoffset()
    assert str(start.tzinfo) == "America/Mexico_City"

    message = only_message()
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    assert message.attempts == 1 and message.last_error == ""
    assert deliver_due_messages() == counts()  # nothing is sent twice


def test_server_down_keeps_message_pending_with_backoff_then_delivers(app, smtp_port):
    register(make_event())
    start = utcnow()

    assert deliver_due_messages(now=start) == counts(retry=1)  # nobody listens on the port
    message = only_message()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert message.last_error.startswith("No se pudo conectar con el servidor de correo")
    assert start + timedelta(minutes=1) <= message.next_attempt_at <= start + timedelta(minutes=1.2)
    assert deliver_due_messages(now=start + timedelta(seconds=30)) == counts()  # not due yet

    with smtp_server(smtp_port) as inbox:
        assert deliver_due_messages(now=start + timedelta(minutes=2)) == counts(sent=1)
    assert len(inbox.envelopes) == 1
    message = only_message()
    assert message.status == MessageStatus.SENT and message.attempts == 2 and message.last_error == ""


def test_server_down_stops_the_batch_without_charging_every_message(app):
    for n in range(3):
        make_message(to_address=f"persona{n}@example.org")
    assert deliver_due_messages() == counts(retry=1, held=2)
    attempts = [m.attempts for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert attempts == [1, 0, 0]


def test_backoff_doubles_up_to_an_hour_with_small_jitter():
    for attempts, minutes in [(1, 1), (2, 2), (3, 4), (4, 8), (7, 60), (30, 60)]:
        delay = retry_delay(attempts)
        assert timedelta(minutes=minutes) <= delay <= timedelta(minutes=minutes * 1.1)


def test_last_attempt_marks_failed_visible_to_organizers_who_resend(app, organizer_client, smtp_port):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    register(make_event(), email="ana@example.org")
    now = utcnow()
    results, delays = [], []
    for _ in range(3):
        results.append(deliver_due_messages(now=now))
        message = only_message()
        delays.append(message.next_attempt_at - now)
        now += timedelta(hours=2)
    assert results == [counts(retry=1), counts(retry=1), counts(failed=1)]
    assert timedelta(minutes=1) <= delays[0] < timedelta(minutes=2) <= delays[1] < timedelta(minutes=4)
    message = only_message()
    assert message.status == MessageStatus.FAILED and message.attempts == 3
    assert deliver_due_messages(now=now + timedelta(days=1)) == counts()  # failed is final

    page = organizer_client.get("/gestion/correos?estado=failed").get_data(as_text=True)
    assert "ana@example.org" in page and "No se pudo conectar con el servidor de correo" in page
    assert "Falló: 1" in page

    response = organizer_client.post(f"/gestion/correos/{message.id}/reenviar")
    assert response.status_code == 302
    message = only_message()
    assert message.status == MessageStatus.PENDING and message.attempts == 0
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mail.resend")).one()
    assert entry.object_type == "outbox_message" and entry.object_id == str(message.id)
    assert entry.actor_name == "Olga Organizadora" and "ana@example.org" in entry.object_label

    with smtp_server(smtp_port) as inbox:
        assert deliver_due_messages() == counts(sent=1)
    assert inbox.envelopes[0].rcpt_tos == ["ana@example.org"]
    assert only_message().status == MessageStatus.SENT


def test_without_mail_server_nothing_is_sent_and_nothing_is_lost(app, inbox, runner):
    app.config["MAIL_SERVER"] = ""
    register(make_event())

    assert deliver_due_messages() == counts(held=1, configured=False)
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0 and "No hay servidor de correo" in result.output and "1 mensajes" in result.output
    assert inbox.envelopes == []
    message = only_message()
    assert message.status == MessageStatus.PENDING and message.attempts == 0 and message.body_text

    app.config["MAIL_SERVER"] = "127.0.0.1"
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "Enviados: 1" in result.output
    assert len(inbox.envelopes) == 1 and only_message().status == MessageStatus.SENT


def test_cli_exits_non_zero_when_the_server_is_down(app, runner):
    make_message()
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 1 and "Por reintentar: 1" in result.output


def test_a_name_with_crlf_cannot_add_a_header(app, inbox):
    evil = "Ana\r\nBcc: x@evil.example"
    register(make_event(), name=evil, email="ana@example.org")
    make_message(subject=f"Hola {evil}", to_address="ana@example.org")
    refused = [make_message(to_address="ana@example.org\r\nBcc: x@evil.example"),
               make_message(to_address="ana@example.org, x@evil.example"),
               make_message(to_address="Ana <ana@example.org>")]

    assert deliver_due_messages() == counts(sent=2, failed=3)

    assert [e.rcpt_tos for e in inbox.envelopes] == [["ana@example.org"], ["ana@example.org"]]
    for envelope, mail in zip(inbox.envelopes, inbox.messages(), strict=True):
        assert "Bcc" not in mail and mail["To"] == "ana@example.org"
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        assert not any(line.lower().startswith(b"bcc:") for line in head.split(b"\r\n"))
    assert inbox.messages()[1]["Subject"] == "Hola Ana Bcc: x@evil.example"
    assert "Hola, Ana Bcc: x@evil.example:" in inbox.messages()[0].get_body(("plain",)).get_content()
    for message in refused:
        db.session.refresh(message)
        assert message.status == MessageStatus.FAILED
        assert message.last_error == "La dirección del destinatario no es válida."


def test_one_refused_recipient_does_not_block_the_others(app, inbox):
    inbox.refuse = {"nadie@example.org": "550 5.1.1 Usuario desconocido",
                    "lleno@example.org": "452 4.2.2 Buzón lleno"}
    ids = [make_message(to_address=a).id for a in
           ["uno@example.org", "nadie@example.org", "lleno@example.org", "dos@example.org"]]

    assert deliver_due_messages() == counts(sent=2, failed=1, retry=1)

    assert [e.rcpt_tos for e in inbox.envelopes] == [["uno@example.org"], ["dos@example.org"]]
    nobody, full = db.session.get(OutboxMessage, ids[1]), db.session.get(OutboxMessage, ids[2])
    assert nobody.status == MessageStatus.FAILED and "550" in nobody.last_error
    assert full.status == MessageStatus.PENDING and "452" in full.last_error and full.attempts == 1


def test_only_a_ticket_that_admits_its_holder_is_attached(app, inbox):
    event = make_event(capacity_in_person=1)
    first = register(event, n=1)
    register(event, n=2)  # waitlisted

    assert deliver_due_messages() == counts(sent=2)
    confirmed, waitlisted = inbox.messages()
    assert {p.get_filename() for p in confirmed.iter_attachments()} == {"boleto-qr.png", "evento.ics"}
    assert "lista de espera" in waitlisted["Subject"] and list(waitlisted.iter_attachments()) == []

    cancel_registration(first)  # the seat goes to the second person
    db.session.commit()
    assert deliver_due_messages() == counts(sent=2)
    by_recipient = {e.rcpt_tos[0]: m for e, m in zip(inbox.envelopes[2:], inbox.messages()[2:], strict=True)}
    assert list(by_recipient["persona1@example.org"].iter_attachments()) == []
    promoted = by_recipient["persona2@example.org"]
    assert {p.get_filename() for p in promoted.iter_attachments()} == {"boleto-qr.png", "evento.ics"}


def test_login_with_credentials_and_wrong_password_is_reported_without_secrets(app, smtp_port):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"foros", b"clave-correcta")
        return AuthResult(success=ok, handled=False)

    app.config.update(MAIL_USERNAME="foros", MAIL_PASSWORD="clave-secreta-incorrecta")
    make_message()
    with smtp_server(smtp_port, authenticator=authenticator, auth_require_tls=False) as inbox:
        assert deliver_due_messages() == counts(retry=1)
        message = only_message()
        assert "usuario o la contraseña" in message.last_error and "clave" not in message.last_error

        app.config["MAIL_PASSWORD"] = "clave-correcta"
        assert deliver_due_messages(now=utcnow() + timedelta(hours=1)) == counts(sent=1)
    assert len(inbox.envelopes) == 1


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (openssl CLI)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_verifies_the_certificate(app, smtp_port, certificate, monkeypatch, mode):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    if mode == "starttls":
        app.config["MAIL_USE_TLS"] = True
        server_options = {"tls_context": context, "require_starttls": True}
    else:  # implicit TLS, as on port 465
        app.config.update(MAIL_USE_TLS=False, MAIL_USE_SSL=True)
        server_options = {"ssl_context": context}
    make_message()
    with smtp_server(smtp_port, **server_options) as inbox:
        assert deliver_due_messages() == counts(retry=1)  # an unknown certificate is refused
        assert "TLS" in only_message().last_error and inbox.envelopes == []

        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now the client trusts it
        assert deliver_due_messages(now=utcnow() + timedelta(hours=1)) == counts(sent=1)
    assert inbox.envelopes[0].rcpt_tos == ["ana@example.org"]


def test_two_workers_never_send_the_same_message(app, inbox):
    total = 24
    for n in range(total):
        make_message(to_address=f"persona{n}@example.org")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(deliver_due_messages(limit=total))
                db.session.remove()
        except Exception as exc:  # surfaced below: an assertion in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    recipients = sorted(r for e in inbox.envelopes for r in e.rcpt_tos)
    assert recipients == sorted(f"persona{n}@example.org" for n in range(total))
    assert sum(r["sent"] for r in results) == total
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {MessageStatus.SENT}


def test_a_message_claimed_by_a_dead_worker_is_retried_after_the_lease(app, inbox):
    message = make_message()
    now = utcnow()
    assert delivery._claim_next(now, max_attempts=8) == message.id  # the worker dies right after claiming
    assert deliver_due_messages(now=now) == counts()
    assert deliver_due_messages(now=now + delivery.CLAIM_LEASE + timedelta(seconds=1)) == counts(sent=1)
    assert only_message().attempts == 2


def test_huey_task_delivers_in_the_app(app, inbox):
    from foros.worker import deliver_outbox_task

    register(make_event())
    assert deliver_outbox_task.call_local() == counts(sent=1)
    assert len(inbox.envelopes) == 1


def test_one_task_delivers_more_than_a_batch(app, inbox, monkeypatch):
    # One task per moment (OutboxNotifier) may find more than a batch waiting: it runs batch after batch.
    from foros.worker import deliver_outbox_task

    monkeypatch.setattr(delivery, "BATCH", 2)
    for n in range(5):
        make_message(to_address=f"persona{n}@example.org")
    assert deliver_outbox_task.call_local() == counts(sent=5)
    assert len(inbox.envelopes) == 5
