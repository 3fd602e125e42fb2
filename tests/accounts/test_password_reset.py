"""'¿Olvidó su contraseña?': a single-use, expiring link through the outbox; no account enumeration; rate
limits; organizers send the link or set a password (issue 10, point 22)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from foros.accounts import services
from foros.audit.models import AuditEntry
from foros.core.time import utcnow
from foros.extensions import db
from foros.mail.models import OutboxMessage
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "una-contrasena-nueva-1"


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "PASSWORD_RESET_RATE_LIMIT": "4 per minute",
            "PUBLIC_URL": "https://foros.example.org"}


def messages():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def reset_link(message) -> str:
    return re.search(r"https://foros\.example\.org(/contrasena/restablecer/\S+)", message.body_text).group(1)


def actions():
    return [a for (a,) in db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id))]


def request_reset(client, email, **kwargs):
    return client.post("/contrasena/olvido", data={"email": email}, **kwargs)


def test_login_page_offers_the_reset(client):
    html = client.get("/entrar").get_data(as_text=True)
    assert 'href="/contrasena/olvido"' in html and "¿Olvidó su contraseña?" in html


def test_request_use_once_then_reuse_is_refused(client, staff):
    response = request_reset(client, "STAFF@example.org ")
    assert response.status_code == 200 and "Revise su correo" in response.get_data(as_text=True)
    [message] = messages()
    assert message.kind == "user.password_reset" and message.to_address == staff.email
    assert "caduca en 60 minutos" in message.body_text and "una sola vez" in message.body_text
    link = reset_link(message)
    assert link in message.body_html

    page = client.get(link)
    assert page.status_code == 200 and staff.email in page.get_data(as_text=True)
    short = client.post(link, data={"password": "corta", "confirm": "corta"})
    assert short.status_code == 422 and "Mínimo 10 caracteres" in short.get_data(as_text=True)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/entrar")
    assert login(client, staff.email, PASSWORD).status_code == 422
    assert login(client, staff.email, NEW_PASSWORD).status_code == 302
    client.post("/salir")

    # Used once: the same link is refused, to read and to post.
    for again in (client.get(link), client.post(link, data={"password": "otra-contrasena-9",
                                                              "confirm": "otra-contrasena-9"})):
        assert again.status_code == 400 and "no es válido, ya se usó o caducó" in again.get_data(as_text=True)
    assert login(client, staff.email, NEW_PASSWORD).status_code == 302
    assert actions()[-2:] == ["user.password_reset_request", "user.password_reset"]


def test_expired_link_is_refused(client, staff):
    token = services.password_reset_token(staff, now=utcnow() - timedelta(minutes=61))
    response = client.get(f"/contrasena/restablecer/{token}")
    assert response.status_code == 400 and "caducó" in response.get_data(as_text=True)
    fresh = services.password_reset_token(staff, now=utcnow() - timedelta(minutes=59))
    assert client.get(f"/contrasena/restablecer/{fresh}").status_code == 200


@pytest.mark.parametrize("token", ["x", "a" * 5000, "<script>", "WzEsImFiYyIsMV0.firma-falsa"])
def test_forged_links_are_refused_without_error(client, staff, token):
    response = client.get(f"/contrasena/restablecer/{token}")
    assert response.status_code in (400, 404) and "<script>" not in response.get_data(as_text=True)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, staff):
    known = request_reset(client, staff.email).get_data(as_text=True)
    unknown = request_reset(client, "nadie@example.org").get_data(as_text=True)
    assert unknown.replace("nadie@example.org", "X") == known.replace(staff.email, "X")
    assert [m.to_address for m in messages()] == [staff.email]


def test_disabled_account_gets_no_mail(client, organizer, staff):
    services.update_user(staff, name=staff.name, role="staff", active=False, actor=organizer)
    db.session.commit()
    assert request_reset(client, staff.email).status_code == 200
    assert messages() == []


def test_one_mail_per_account_per_window_and_requests_per_address_are_limited(client, staff):
    for _ in range(4):
        assert request_reset(client, staff.email).status_code == 200
    assert len(messages()) == 1  # one e-mail per PASSWORD_RESET_RESEND_SECONDS, whatever the answers say
    response = request_reset(client, staff.email)
    assert response.status_code == 429 and "Demasiados intentos" in response.get_data(as_text=True)


def test_link_ignores_a_forged_host_header(client, staff):
    request_reset(client, staff.email, headers={"Host": "evil.example"})
    [message] = messages()
    assert "evil.example" not in message.body_text and "https://foros.example.org/contrasena/" in message.body_text


def test_reset_clears_the_failed_logins_of_the_account(app, client, staff):
    app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"] = 2
    for _ in range(2):
        login(client, staff.email, "mala-contrasena")
    assert login(client, staff.email, PASSWORD).status_code == 429
    request_reset(client, staff.email)
    client.post(reset_link(messages()[0]), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert login(client, staff.email, NEW_PASSWORD).status_code == 302


def test_organizer_sends_a_reset_link(organizer_client, staff):
    page = organizer_client.get(f"/gestion/cuentas/{staff.id}").get_data(as_text=True)
    assert f'action="/gestion/cuentas/{staff.id}/enlace-contrasena"' in page
    response = organizer_client.post(f"/gestion/cuentas/{staff.id}/enlace-contrasena")
    assert response.status_code == 302
    assert "Enviamos a staff@example.org un enlace" in organizer_client.get(
        response.headers["Location"]).get_data(as_text=True)
    [message] = messages()
    assert message.to_address == staff.email and message.kind == "user.password_reset"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_reset_link"))
    assert entry.actor_name == "Olga Organizadora" and entry.object_label == staff.email


def test_organizer_sets_another_accounts_password(app, organizer_client, staff):
    staff_client = app.test_client()
    assert login(staff_client, staff.email).status_code == 302
    response = organizer_client.post(f"/gestion/cuentas/{staff.id}/contrasena",
                                     data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert staff_client.get("/inicio").status_code == 302  # the staff's open session ended
    assert login(app.test_client(), staff.email, PASSWORD).status_code == 422
    assert login(app.test_client(), staff.email, NEW_PASSWORD).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "user.password")) == 1
