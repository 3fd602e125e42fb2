"""The organizer's outbox pages: list, filters, counts, reading a message safely, resending; no one else."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from foros.audit.models import AuditEntry
from foros.core import transaction
from foros.core.time import utcnow
from foros.extensions import db
from foros.mail.models import MessageStatus, OutboxMessage
from foros.mail.services import OUTBOX_QUEUED
from tests.conftest import PASSWORD, csrf_token_from, make_message


@pytest.fixture
def notified(app):
    """Record the calls that ask the worker to deliver, made once queued mail commits (queue off in tests)."""
    calls = []
    transaction.on_commit(app, OUTBOX_QUEUED, lambda: calls.append(True))
    return calls


@pytest.fixture
def outbox(app):
    now = utcnow()
    return {
        "sent": make_message(to_address="ana@example.org", subject="Confirmado", status=MessageStatus.SENT,
                             attempts=1, sent_at=now, created_at=now - timedelta(hours=3)),
        "pending": make_message(to_address="beto@example.org", subject="En espera", attempts=2,
                                last_error="No se pudo conectar con el servidor de correo (Connection refused).",
                                next_attempt_at=now + timedelta(minutes=2), created_at=now - timedelta(hours=2)),
        "failed": make_message(to_address="carla@example.org", subject="Fallido", status=MessageStatus.FAILED,
                               attempts=8, last_error="El servidor rechazó al destinatario (550 no existe).",
                               created_at=now - timedelta(hours=1)),
    }


def test_list_shows_newest_first_with_counts_and_errors(organizer_client, outbox):
    response = organizer_client.get("/gestion/correos")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("carla@example.org") < html.index("beto@example.org") < html.index("ana@example.org")
    assert "Todos: 3" in html and "Pendiente: 1" in html and "Enviado: 1" in html and "Falló: 1" in html
    assert "550 no existe" in html and "Connection refused" in html
    assert 'href="/gestion/correos"' in html  # the nav link for organizers


def test_list_filters_by_status_and_searches_by_address(organizer_client, outbox):
    html = organizer_client.get("/gestion/correos?estado=failed").get_data(as_text=True)
    assert "carla@example.org" in html and "ana@example.org" not in html and "beto@example.org" not in html
    html = organizer_client.get("/gestion/correos?q=BETO@").get_data(as_text=True)
    assert "beto@example.org" in html and "carla@example.org" not in html
    html = organizer_client.get("/gestion/correos?q=%25").get_data(as_text=True)  # LIKE wildcards are literal
    assert "No hay correos con esos filtros." in html
    response = organizer_client.get("/gestion/correos?estado=desconocido&pagina=999999999999")
    assert response.status_code == 200 and "No hay correos." in response.get_data(as_text=True)


def test_list_paginates(organizer_client, app):
    for n in range(55):
        make_message(to_address=f"persona{n:02d}@example.org")
    first = organizer_client.get("/gestion/correos").get_data(as_text=True)
    second = organizer_client.get("/gestion/correos?pagina=2").get_data(as_text=True)
    assert "persona54@example.org" in first and "persona04@example.org" not in first
    assert "persona04@example.org" in second and "Página 2 de 2" in second
    # Filters are kept in the page links; url_for's own "_" options typed into the address are not.
    odd = organizer_client.get("/gestion/correos?q=persona&_scheme=https&_anchor=x")
    assert odd.status_code == 200 and "https://" not in odd.get_data(as_text=True)
    assert "q=persona" in odd.get_data(as_text=True)


def test_list_says_when_no_mail_server_is_configured(organizer_client, app, outbox):
    app.config["MAIL_SERVER"] = ""
    html = organizer_client.get("/gestion/correos").get_data(as_text=True)
    assert "No hay servidor de correo configurado" in html


def test_show_reads_the_message_and_never_renders_its_html(organizer_client, app):
    message = make_message(subject="Confirmación <b>", body_text="Hola, <Ana>.\nSu boleto: https://x/boleto/t",
                           body_html='<p>Hola</p><script>alert("xss")</script>')
    response = organizer_client.get(f"/gestion/correos/{message.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Confirmación &lt;b&gt;" in html and "ana@example.org" in html
    assert "Hola, &lt;Ana&gt;." in html and "https://x/boleto/t" in html
    assert "<script>alert" not in html and "alert(" not in html
    assert f"/gestion/correos/{message.id}/correo.html" in html

    download = organizer_client.get(f"/gestion/correos/{message.id}/correo.html")
    assert download.status_code == 200
    assert download.mimetype == "text/plain"
    assert download.headers["Content-Disposition"] == f'attachment; filename="correo-{message.id}.html"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.get_data(as_text=True) == message.body_html


def test_unknown_message_is_404(organizer_client, app):
    assert organizer_client.get("/gestion/correos/999").status_code == 404
    assert organizer_client.get("/gestion/correos/999/correo.html").status_code == 404
    assert organizer_client.post("/gestion/correos/999/reenviar").status_code == 404


def test_resend_failed_puts_it_back_in_the_queue(organizer_client, outbox, notified):
    failed = outbox["failed"]
    response = organizer_client.post(f"/gestion/correos/{failed.id}/reenviar")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/gestion/correos/{failed.id}")
    db.session.refresh(failed)
    assert failed.status == MessageStatus.PENDING and failed.attempts == 0
    assert failed.next_attempt_at <= utcnow()
    assert notified == [True]
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "está en la cola y se enviará en unos momentos" in page
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mail.resend")).one()
    assert entry.details["previous_status"] == "failed" and entry.object_id == str(failed.id)
    assert "Reenvió correo" in organizer_client.get("/gestion/bitacora").get_data(as_text=True)


def test_resend_sent_queues_a_copy(organizer_client, outbox, notified):
    sent = outbox["sent"]
    response = organizer_client.post(f"/gestion/correos/{sent.id}/reenviar")
    db.session.expire_all()
    copy = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert copy.id != sent.id and response.headers["Location"].endswith(f"/gestion/correos/{copy.id}")
    assert copy.status == MessageStatus.PENDING and copy.attempts == 0
    assert (copy.to_address, copy.subject, copy.body_text, copy.body_html, copy.kind) == (
        sent.to_address, sent.subject, sent.body_text, sent.body_html, sent.kind)
    assert db.session.get(OutboxMessage, sent.id).status == MessageStatus.SENT
    assert notified == [True]


def test_resend_pending_is_refused(organizer_client, outbox, notified):
    pending = outbox["pending"]
    response = organizer_client.post(f"/gestion/correos/{pending.id}/reenviar", follow_redirects=True)
    assert "ya está en la cola" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "mail.resend")) == 0
    assert notified == []


def test_resend_without_mail_server_says_it_waits(organizer_client, app, outbox, notified):
    app.config["MAIL_SERVER"] = ""
    response = organizer_client.post(f"/gestion/correos/{outbox['failed'].id}/reenviar", follow_redirects=True)
    assert "se enviará cuando lo haya" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_resend_needs_the_csrf_token(client, organizer, outbox, notified):
    token = csrf_token_from(client.get("/entrar").get_data(as_text=True))
    client.post("/entrar", data={"email": organizer.email, "password": PASSWORD, "csrf_token": token})
    failed = outbox["failed"]
    assert client.post(f"/gestion/correos/{failed.id}/reenviar").status_code == 400
    page = client.get(f"/gestion/correos/{failed.id}").get_data(as_text=True)
    response = client.post(f"/gestion/correos/{failed.id}/reenviar", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302 and notified == [True]


@pytest.mark.parametrize("method, path", [
    ("GET", "/gestion/correos"),
    ("GET", "/gestion/correos/{id}"),
    ("GET", "/gestion/correos/{id}/correo.html"),
    ("POST", "/gestion/correos/{id}/reenviar"),
])
def test_staff_gets_403_and_anonymous_goes_to_login(app, staff_client, client, outbox, method, path):
    url = path.format(id=outbox["failed"].id)
    assert staff_client.open(url, method=method).status_code == 403
    response = client.open(url, method=method)
    assert response.status_code == 302 and "/entrar" in response.headers["Location"]
    db.session.refresh(outbox["failed"])
    assert outbox["failed"].status == MessageStatus.FAILED
    assert 'href="/gestion/correos"' not in staff_client.get("/inicio").get_data(as_text=True)
