"""Login, logout, rate limit on failures, account and token management pages."""

import pytest
from sqlalchemy import func, select

from foros.accounts.models import ApiToken, User
from foros.extensions import db
from tests.conftest import PASSWORD, login


def test_login_redirects_organizer_to_event_management(client, organizer):
    response = login(client, organizer.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/inicio")
    assert client.get("/inicio").headers["Location"].endswith("/gestion/eventos")
    assert client.get("/gestion/eventos").status_code == 200


def test_login_failure_says_so_in_spanish_and_keeps_email(client, organizer):
    response = login(client, organizer.email, "incorrecta")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Correo o contraseña incorrectos" in html and organizer.email in html


def test_login_ignores_offsite_next(client, organizer):
    response = client.post("/entrar?next=//evil.example/x", data={"email": organizer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/inicio")
    client.post("/salir")
    response = client.post("/entrar?next=/gestion/cuentas", data={"email": organizer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/gestion/cuentas")


def test_staff_sees_their_events_and_gets_403_on_organizer_pages(staff_client, staff):
    assert staff_client.get("/inicio").status_code == 200
    for path in ["/gestion/eventos", "/gestion/cuentas", "/gestion/tokens", "/gestion/bitacora"]:
        response = staff_client.get(path)
        assert response.status_code == 403, path
        assert "Acceso no permitido" in response.get_data(as_text=True)


def test_logout_requires_post_and_ends_session(organizer_client):
    assert organizer_client.get("/salir").status_code == 405
    organizer_client.post("/salir")
    assert organizer_client.get("/gestion/eventos").status_code == 302


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "LOGIN_FAILURE_LIMIT": "3 per minute"}


def test_failed_logins_are_rate_limited_but_successes_are_not_counted(client, organizer):
    for _ in range(3):
        login(client, organizer.email)
        client.post("/salir")
    for _ in range(3):
        assert login(client, organizer.email, "mala-contrasena").status_code == 422
    response = login(client, organizer.email, "mala-contrasena")
    assert response.status_code == 429
    assert "Demasiados intentos" in response.get_data(as_text=True)


def test_organizer_creates_edits_and_disables_account(organizer_client):
    response = organizer_client.post("/gestion/cuentas/nueva", data={
        "name": "Nuevo Staff", "email": "nuevo@example.org", "role": "staff", "password": "una-contrasena-larga"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nuevo@example.org"))
    response = organizer_client.post(f"/gestion/cuentas/{user.id}", data={
        "name": "Nuevo Staff Editado", "email": user.email, "role": "staff"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Nuevo Staff Editado" and user.active is False


def test_disabled_account_session_ends(app, organizer_client, staff, staff_client):
    assert staff_client.get("/inicio").status_code == 200
    organizer_client.post(f"/gestion/cuentas/{staff.id}", data={"name": staff.name, "email": staff.email,
                                                                "role": "staff"})
    assert staff_client.get("/inicio").status_code == 302


def test_token_created_in_ui_shown_once_and_revocable(organizer_client, staff):
    response = organizer_client.post("/gestion/tokens", data={"user_id": staff.id, "label": "Puerta 1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Token creado" in html
    token = html.split('id="nuevo-token">')[1].split("<")[0]
    assert organizer_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in organizer_client.get("/gestion/tokens").get_data(as_text=True)
    row = db.session.scalars(select(ApiToken)).one()
    organizer_client.post(f"/gestion/tokens/{row.id}/revocar")
    assert organizer_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_new_account_form_defaults_to_staff(organizer_client):
    """Issue 10 point 11: the least powerful role is the default, not organizer."""
    import re

    html = organizer_client.get("/gestion/cuentas/nueva").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>", html)
    selected = [re.search(r'value="([^"]+)"', o).group(1) for o in options if re.search(r"\bselected\b", o)]
    assert selected == ["staff"]
