"""Bad input on every form and API route: a Spanish 4xx that keeps what was typed, never a 500.

Missing fields, letters where numbers and dates go, 10,000-character strings, HTML, unknown ids and slugs,
choices that are not offered, NUL bytes. Forms must answer with a message people can act on, show the other
fields as typed, escape what they echo, and save nothing; the API must answer ``{"error": {"code",
"message"}}`` with a stable code.
"""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from foros.accounts import services as accounts
from foros.accounts.models import ApiToken, LoginThrottle, Role, User
from foros.core.time import local_today
from foros.events.models import Event, EventStatus
from foros.events.services import change_status
from foros.extensions import db
from tests.conftest import PASSWORD, make_event

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
LONG = "x" * 10_000
HUGE_ID = "99999999999999999999"
#: WTForms' English messages; none may reach a page.
ENGLISH = ("Not a valid", "Field cannot", "Field must", "This field", "Invalid", "not a valid choice",
           "could not coerce", "CSRF")



def table_counts() -> dict:
    """Rows in every table, to prove a refused form saved nothing (not even an audit entry)."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def assert_refused(response, *messages, status=422, form=True) -> str:
    """A Spanish page with the given messages, the right 4xx status, nothing raw or English."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, f"{response.status_code}: {html[:500]}"
    assert response.mimetype == "text/html"
    assert 'lang="es-MX"' in html
    if form:
        assert "Revise el formulario" in html
    for message in messages:
        assert message in html, f"missing {message!r}"
    for english in ENGLISH:
        assert english not in html, f"English message {english!r} in the page"
    assert SCRIPT not in html
    return html


def assert_error_page(response, status: int, *messages) -> str:
    """The Spanish error page (404, 405, 400…), never a 500."""
    html = assert_refused(response, *messages, status=status, form=False)
    assert "Ir al inicio" in html
    return html


def assert_kept(html: str, kept) -> None:
    for fragment in kept:
        assert fragment in html, f"typed value lost: {fragment[:80]!r}"


def assert_json_error(response, status: int, code: str) -> dict:
    """The one API error shape, with a stable code and a Spanish message."""
    assert response.status_code == status, f"{response.status_code}: {response.get_data(as_text=True)[:300]}"
    assert response.is_json, response.content_type
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"code", "message", "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


# --- Log in ------------------------------------------------------------------------------------------------

#: The last item says whether the form was valid, so the password was checked: such an attempt is counted
#: against the address tried (``login_throttles``, the per-account limit) — a security counter, not data.
LOGIN_CASES = [
    pytest.param({}, ["Escriba su correo.", "Escriba su contraseña."], [], False, id="missing-everything"),
    pytest.param({"email": "ana@example.org"}, ["Escriba su contraseña."], ['value="ana@example.org"'], False,
                 id="missing-password"),
    pytest.param({"email": LONG, "password": "x"}, ["Máximo 254 caracteres."], [f'value="{LONG}"'], False,
                 id="long-email"),
    pytest.param({"email": "ana@example.org", "password": LONG}, ["Máximo 200 caracteres."],
                 ['value="ana@example.org"'], False, id="long-password"),
    pytest.param({"email": SCRIPT, "password": "x"}, ["Correo o contraseña incorrectos."],
                 [f'value="{ESCAPED_SCRIPT}"'], True, id="script-in-email"),
    pytest.param({"email": "org@example.org", "password": "no-es-la-contrasena"},
                 ["Correo o contraseña incorrectos."], ['value="org@example.org"'], True, id="wrong-password"),
]


@pytest.mark.parametrize(("data", "messages", "kept", "counted"), LOGIN_CASES)
def test_login_form_refuses_bad_input(client, organizer, data, messages, kept, counted):
    before = table_counts()
    html = assert_refused(client.post("/entrar", data=data), *messages)
    assert_kept(html, kept)
    assert "no-es-la-contrasena" not in html  # passwords are never echoed
    after = table_counts()
    throttles = (before.pop(LoginThrottle.__tablename__), after.pop(LoginThrottle.__tablename__))
    assert after == before  # no domain data, not even an audit entry
    assert throttles == ((0, 1) if counted else (0, 0))
    if counted:  # the attempt counted once, against the address tried (kept as a hash, never in clear)
        throttle = db.session.scalars(select(LoginThrottle)).one()
        assert throttle.failures == 1
        assert throttle.email_hash == hashlib.sha256(accounts.normalize_email(data["email"]).encode()).hexdigest()
    assert db.session.get(User, organizer.id).last_login_at is None
    assert client.get("/gestion/eventos").status_code == 302


# --- Events: create and edit -------------------------------------------------------------------------------

KEPT_EVENT = ['value="Casa de Cultura Conservada"', "Descripción que se conserva"]


def event_form(**overrides) -> dict:
    day = (local_today() + timedelta(days=30)).isoformat()
    data = {
        "title": "Foro de entrada equivocada", "slug": "", "kind": "foro_regional", "municipality_key": "15031",
        "venue": "Casa de Cultura Conservada", "address": "", "modality": "presencial",
        "capacity_in_person": "50", "capacity_virtual": "", "online_url": "", "registration_opens_at": "",
        "registration_closes_at": "", "description": "Descripción que se conserva", "institutions": "",
        "days-0-day": day, "days-0-starts": "09:00", "days-0-ends": "13:00",
        "days-1-day": "", "days-1-starts": "", "days-1-ends": "",
    }
    data.update(overrides)
    return data


def _eleven_days():
    start = local_today() + timedelta(days=30)
    data = {}
    for i in range(11):
        data.update({f"days-{i}-day": (start + timedelta(days=i)).isoformat(), f"days-{i}-starts": "09:00",
                     f"days-{i}-ends": "10:00"})
    return data


EVENT_CASES = [
    pytest.param(None, ["Escriba el título.", "Elija una opción de la lista."], [], id="missing-everything"),
    pytest.param({"title": ""}, ["Escriba el título."], KEPT_EVENT, id="missing-title"),
    pytest.param({"capacity_in_person": "cien"}, ["Escriba un número entero"], KEPT_EVENT + ['value="cien"'],
                 id="letters-in-capacity"),
    pytest.param({"days-0-day": "mañana"}, ["Fecha no válida"], KEPT_EVENT + ['value="mañana"'],
                 id="letters-in-date"),
    pytest.param({"days-0-starts": "nueve"}, ["Hora no válida"], KEPT_EVENT + ['value="nueve"'],
                 id="letters-in-time"),
    pytest.param({"registration_opens_at": "ayer"}, ["Fecha y hora no válidas."], KEPT_EVENT + ['value="ayer"'],
                 id="letters-in-datetime"),
    pytest.param({"title": LONG}, ["Máximo 200 caracteres."], KEPT_EVENT + [f'value="{LONG}"'], id="long-title"),
    pytest.param({"slug": LONG}, ["Máximo 80 caracteres."], KEPT_EVENT, id="long-slug"),
    pytest.param({"venue": LONG}, ["Máximo 200 caracteres."], KEPT_EVENT[1:], id="long-venue"),
    pytest.param({"description": "d" * 10_000}, ["Máximo 5000 caracteres."], KEPT_EVENT[:1],
                 id="long-description"),
    pytest.param({"institutions": LONG}, ["Máximo 3000 caracteres."], KEPT_EVENT, id="long-institutions"),
    pytest.param({"online_url": "https://example.org/" + LONG}, ["Máximo 500 caracteres."], KEPT_EVENT,
                 id="long-url"),
    pytest.param({"slug": "Con Espacios"}, ["Use solo minúsculas, números y guiones."],
                 KEPT_EVENT + ['value="Con Espacios"'], id="bad-slug"),
    pytest.param({"slug": "foro-existente"}, ["Ya hay un evento con esa dirección"], KEPT_EVENT,
                 id="slug-taken"),
    pytest.param({"kind": "fiesta"}, ["Elija una opción de la lista."], KEPT_EVENT, id="unknown-kind"),
    pytest.param({"modality": "telepatia"}, ["Elija una opción de la lista."], KEPT_EVENT,
                 id="unknown-modality"),
    pytest.param({"municipality_key": "99999"}, ["Elija una opción de la lista."], KEPT_EVENT,
                 id="unknown-municipality"),
    pytest.param({"municipality_key": ""}, ["Elija un municipio del Estado de México."], KEPT_EVENT,
                 id="no-municipality"),
    pytest.param({"capacity_in_person": "-1"}, ["Entre 0 y 1,000,000."], KEPT_EVENT, id="negative-capacity"),
    pytest.param({"capacity_in_person": HUGE_ID}, ["Entre 0 y 1,000,000."], KEPT_EVENT, id="huge-capacity"),
    pytest.param({"modality": "virtual", "capacity_in_person": "50"},
                 ["Un evento virtual no tiene cupo presencial."], KEPT_EVENT, id="virtual-with-room-capacity"),
    pytest.param({"online_url": "javascript:alert(1)"}, ["Escriba un enlace válido."], KEPT_EVENT,
                 id="javascript-url"),
    pytest.param({"days-0-day": "9999-12-31", "days-0-starts": "22:00", "days-0-ends": "23:00"},
                 ["escriba una fecha entre 2000 y 2100"], KEPT_EVENT + ['value="9999-12-31"'], id="year-9999"),
    pytest.param({"days-0-day": "0001-01-01", "days-0-starts": "00:00", "days-0-ends": "01:00"},
                 ["escriba una fecha entre 2000 y 2100"], KEPT_EVENT, id="year-1"),
    pytest.param({"registration_opens_at": "9999-12-31T23:59"}, ["Escriba una fecha entre 2000 y 2100."],
                 KEPT_EVENT, id="registration-year-9999"),
    pytest.param({"days-0-ends": "08:00"}, ["la hora de término debe ser posterior a la de inicio"], KEPT_EVENT,
                 id="ends-before-starts"),
    pytest.param({"registration_opens_at": "2030-01-02T10:00", "registration_closes_at": "2030-01-01T10:00"},
                 ["El cierre del registro debe ser posterior a su apertura."], KEPT_EVENT,
                 id="closes-before-opens"),
    pytest.param({"days-0-day": "", "days-0-starts": "", "days-0-ends": ""},
                 ["Agregue al menos un día con su horario."], KEPT_EVENT, id="no-days"),
    pytest.param({"days-0-starts": ""}, ["Falta este dato."], KEPT_EVENT, id="half-filled-day"),
    pytest.param(_eleven_days(), ["como máximo 10 días"], KEPT_EVENT, id="too-many-days"),
    pytest.param({"title": SCRIPT, "kind": "fiesta"}, ["Elija una opción de la lista."],
                 KEPT_EVENT + [f'value="{ESCAPED_SCRIPT}"'], id="script-in-title"),
    pytest.param({"description": SCRIPT, "institutions": SCRIPT, "venue": SCRIPT, "title": ""},
                 ["Escriba el título."], [ESCAPED_SCRIPT], id="script-in-text-areas"),
]


def _with_repeated_day():
    data = event_form()
    data.update({"days-1-day": data["days-0-day"], "days-1-starts": "15:00", "days-1-ends": "16:00"})
    return data


@pytest.fixture
def existing_event(app):
    return make_event(title="Foro existente", slug="foro-existente")


def test_valid_event_form_is_accepted(organizer_client, existing_event):
    # The baseline every bad case below changes one thing of.
    before = table_counts()
    assert organizer_client.post("/gestion/eventos/nuevo", data=event_form()).status_code == 302
    assert table_counts()["events"] == before["events"] + 1


@pytest.mark.parametrize(("overrides", "messages", "kept"), EVENT_CASES)
def test_event_create_refuses_bad_input(organizer_client, existing_event, overrides, messages, kept):
    data = {} if overrides is None else event_form(**overrides)
    before = table_counts()
    html = assert_refused(organizer_client.post("/gestion/eventos/nuevo", data=data), *messages)
    assert_kept(html, kept)
    assert table_counts() == before


def test_event_create_refuses_repeated_day(organizer_client):
    before = table_counts()
    html = assert_refused(organizer_client.post("/gestion/eventos/nuevo", data=_with_repeated_day()),
                          "está repetido")
    assert_kept(html, KEPT_EVENT)
    assert table_counts() == before


def _event_snapshot(event_id):
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    return (event.title, event.slug, event.venue, event.description, event.capacity_in_person,
            event.status, [(d.day, d.starts_at, d.ends_at) for d in event.days])


@pytest.mark.parametrize(("overrides", "messages", "kept"), EVENT_CASES)
def test_event_edit_refuses_bad_input(organizer_client, existing_event, overrides, messages, kept):
    event = make_event(title="Foro que se edita", publish=False)
    data = {} if overrides is None else event_form(**overrides)
    before, snapshot = table_counts(), _event_snapshot(event.id)
    html = assert_refused(organizer_client.post(f"/gestion/eventos/{event.slug}", data=data), *messages)
    assert_kept(html, kept)
    assert table_counts() == before
    assert _event_snapshot(event.id) == snapshot


def test_valid_event_edit_is_accepted(organizer_client):
    event = make_event(publish=False)
    assert organizer_client.post(f"/gestion/eventos/{event.slug}", data=event_form()).status_code == 302
    assert _event_snapshot(event.id)[0] == "Foro de entrada equivocada"


def test_archived_event_cannot_be_edited(organizer_client):
    event = make_event()
    organizer_client.post(f"/gestion/eventos/{event.slug}/estado", data={"accion": "archive"})
    snapshot = _event_snapshot(event.id)
    html = assert_refused(organizer_client.post(f"/gestion/eventos/{event.slug}", data=event_form()),
                          "Un evento archivado no se puede editar.")
    assert_kept(html, KEPT_EVENT)
    assert _event_snapshot(event.id) == snapshot


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("slug", ["no-existe", LONG, "Mayúsculas y espacios", SCRIPT],
                         ids=["unknown", "10k", "spaces", "script"])
def test_event_edit_unknown_slug_is_spanish_404(organizer_client, method, slug):
    before = table_counts()
    response = getattr(organizer_client, method)(f"/gestion/eventos/{slug}", data=event_form())
    assert_error_page(response, 404, "Página no encontrada")
    assert table_counts() == before


# --- Events: status buttons --------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [{}, {"accion": "explotar"}, {"accion": LONG}, {"accion": SCRIPT}],
                         ids=["missing", "unknown", "10k", "script"])
def test_event_status_refuses_unknown_action(organizer_client, data):
    event = make_event(publish=False)
    before, snapshot = table_counts(), _event_snapshot(event.id)
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/estado", data=data)
    assert_error_page(response, 400, "La solicitud no es válida.")
    assert table_counts() == before
    assert _event_snapshot(event.id) == snapshot


def test_event_status_impossible_transition_says_why(organizer_client):
    # A stale page can offer a button that no longer applies: the organizer is told why, nothing changes.
    event = make_event(publish=False)
    before = table_counts()
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/estado", data={"accion": "close"},
                                     follow_redirects=True)
    assert response.status_code == 200
    assert "No se puede pasar de «Borrador» a «Cerrado»." in response.get_data(as_text=True)
    assert table_counts() == before
    assert _event_snapshot(event.id)[5] == EventStatus.DRAFT


@pytest.mark.parametrize("slug", ["no-existe", LONG], ids=["unknown", "10k"])
def test_event_status_unknown_slug_is_404(organizer_client, slug):
    response = organizer_client.post(f"/gestion/eventos/{slug}/estado", data={"accion": "publish"})
    assert_error_page(response, 404, "No existe un evento con esa dirección.")


# --- Accounts: new and edit --------------------------------------------------------------------------------

KEPT_USER = ['value="Nadia Conservada"', 'value="nadia@example.org"']


def user_form(**overrides) -> dict:
    data = {"name": "Nadia Conservada", "email": "nadia@example.org", "role": "staff",
            "password": "contrasena-nueva-1"}
    data.update(overrides)
    return data


USER_NEW_CASES = [
    pytest.param(None, ["Escriba el nombre.", "Escriba el correo."], [], id="missing-everything"),
    pytest.param({"name": ""}, ["Escriba el nombre."], KEPT_USER[1:], id="missing-name"),
    pytest.param({"email": "no-es-correo"}, ["Correo electrónico no válido."],
                 KEPT_USER[:1] + ['value="no-es-correo"'], id="bad-email"),
    pytest.param({"name": LONG}, ["Máximo 200 caracteres."], KEPT_USER[1:] + [f'value="{LONG}"'], id="long-name"),
    pytest.param({"email": "a" * 10_000 + "@example.org"}, ["Máximo 254 caracteres."], KEPT_USER[:1],
                 id="long-email"),
    pytest.param({"password": LONG}, ["Máximo 200 caracteres."], KEPT_USER, id="long-password"),
    pytest.param({"password": "corta"}, ["Mínimo 10 caracteres."], KEPT_USER, id="short-password"),
    pytest.param({"role": "rey"}, ["Elija una opción de la lista."], KEPT_USER, id="unknown-role"),
    pytest.param({"events": "abc"}, ["Elija"], KEPT_USER, id="letters-in-events"),
    pytest.param({"events": "999999"}, ["Elija"], KEPT_USER, id="unknown-event"),
    pytest.param({"events": HUGE_ID}, ["Elija"], KEPT_USER, id="huge-event-id"),
    pytest.param({"email": "org@example.org"}, ["Ya existe una cuenta con ese correo."], KEPT_USER[:1],
                 id="duplicate-email"),
    pytest.param({"name": SCRIPT, "role": "rey"}, ["Elija una opción de la lista."],
                 KEPT_USER[1:] + [f'value="{ESCAPED_SCRIPT}"'], id="script-in-name"),
]


@pytest.mark.parametrize(("overrides", "messages", "kept"), USER_NEW_CASES)
def test_account_create_refuses_bad_input(organizer_client, overrides, messages, kept):
    data = {} if overrides is None else user_form(**overrides)
    before = table_counts()
    html = assert_refused(organizer_client.post("/gestion/cuentas/nueva", data=data), *messages)
    assert_kept(html, kept)
    assert "contrasena-nueva-1" not in html
    assert table_counts() == before


def test_valid_account_form_is_accepted(organizer_client):
    before = table_counts()
    assert organizer_client.post("/gestion/cuentas/nueva", data=user_form()).status_code == 302
    assert table_counts()["users"] == before["users"] + 1


def _user_snapshot(user_id):
    db.session.expire_all()
    user = db.session.get(User, user_id)
    return user.name, user.email, user.role, user.active, user.password_hash, [e.id for e in user.events]


KEPT_EDIT = ['value="Sergio Conservado"']

USER_EDIT_CASES = [
    pytest.param({"name": ""}, ["Escriba el nombre."], [], id="missing-name"),
    pytest.param({"name": LONG}, ["Máximo 200 caracteres."], [f'value="{LONG}"'], id="long-name"),
    pytest.param({"role": "rey"}, ["Elija una opción de la lista."], KEPT_EDIT, id="unknown-role"),
    pytest.param({"role": ""}, ["Elija una opción de la lista."], KEPT_EDIT, id="missing-role"),
    pytest.param({"events": "abc"}, ["Elija"], KEPT_EDIT, id="letters-in-events"),
    pytest.param({"events": HUGE_ID}, ["Elija"], KEPT_EDIT, id="huge-event-id"),
    pytest.param({"name": SCRIPT, "role": "rey"}, ["Elija una opción de la lista."],
                 [f'value="{ESCAPED_SCRIPT}"'], id="script-in-name"),
]


@pytest.mark.parametrize(("overrides", "messages", "kept"), USER_EDIT_CASES)
def test_account_edit_refuses_bad_input(organizer_client, staff, overrides, messages, kept):
    data = {"name": "Sergio Conservado", "email": staff.email, "role": "staff", "active": "y"}
    data.update(overrides)
    before, snapshot = table_counts(), _user_snapshot(staff.id)
    html = assert_refused(organizer_client.post(f"/gestion/cuentas/{staff.id}", data=data), *messages)
    assert_kept(html, kept)
    assert table_counts() == before
    assert _user_snapshot(staff.id) == snapshot


def test_account_edit_refuses_self_demotion(organizer_client, organizer):
    snapshot = _user_snapshot(organizer.id)
    data = {"name": "Olga Conservada", "email": organizer.email, "role": "staff", "active": "y"}
    html = assert_refused(organizer_client.post(f"/gestion/cuentas/{organizer.id}", data=data),
                          "No puede quitarse a sí mismo el rol de organizador")
    assert_kept(html, ['value="Olga Conservada"'])
    assert _user_snapshot(organizer.id) == snapshot


PASSWORD_CASES = [
    pytest.param({}, ["Escriba la contraseña."], id="missing"),
    pytest.param({"password": "corta", "confirm": "corta"}, ["Mínimo 10 caracteres."], id="short"),
    pytest.param({"password": LONG, "confirm": LONG}, ["Máximo 200 caracteres."], id="long"),
    pytest.param({"password": "contrasena-nueva-1", "confirm": "otra-contrasena-1"},
                 ["Las contraseñas no coinciden."], id="mismatch"),
    pytest.param({"password": SCRIPT, "confirm": ""}, ["Las contraseñas no coinciden."], id="script"),
]


@pytest.mark.parametrize(("data", "messages"), PASSWORD_CASES)
def test_account_password_refuses_bad_input(organizer_client, staff, data, messages):
    before, snapshot = table_counts(), _user_snapshot(staff.id)
    html = assert_refused(organizer_client.post(f"/gestion/cuentas/{staff.id}/contrasena", data=data),
                          *messages)
    for typed in data.values():
        assert not typed or f'value="{typed}"' not in html  # passwords are never echoed back
    assert table_counts() == before
    assert _user_snapshot(staff.id) == snapshot
    assert accounts.authenticate(staff.email, PASSWORD) is not None


@pytest.mark.parametrize("path", ["/gestion/cuentas/{}", "/gestion/cuentas/{}/contrasena"],
                         ids=["edit", "password"])
@pytest.mark.parametrize("user_id", ["999999", HUGE_ID, "abc", "-1", LONG], ids=["unknown", "huge", "letters",
                                                                             "negative", "10k"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_account_unknown_id_is_spanish_404(organizer_client, path, user_id, method):
    before = table_counts()
    response = getattr(organizer_client, method)(path.format(user_id), data={"password": "x" * 12})
    assert_error_page(response, 404, "No encontramos lo que busca.")
    assert table_counts() == before


# --- API tokens --------------------------------------------------------------------------------------------

KEPT_TOKEN = ['value="Escáner puerta conservada"']

TOKEN_CASES = [
    pytest.param({"user_id": None}, ["Elija una opción de la lista."], KEPT_TOKEN, id="missing-account"),
    pytest.param({"user_id": "abc"}, ["Elija una opción de la lista."], KEPT_TOKEN, id="letters-in-account"),
    pytest.param({"user_id": "999999"}, ["Elija una opción de la lista."], KEPT_TOKEN, id="unknown-account"),
    pytest.param({"user_id": HUGE_ID}, ["Elija una opción de la lista."], KEPT_TOKEN, id="huge-account"),
    pytest.param({"label": LONG}, ["Máximo 100 caracteres."], [f'value="{LONG}"'], id="long-label"),
    pytest.param({"label": SCRIPT, "user_id": "abc"}, ["Elija una opción de la lista."],
                 [f'value="{ESCAPED_SCRIPT}"'], id="script-in-label"),
]


@pytest.mark.parametrize(("overrides", "messages", "kept"), TOKEN_CASES)
def test_token_create_refuses_bad_input(organizer_client, staff, overrides, messages, kept):
    data = {"user_id": str(staff.id), "label": "Escáner puerta conservada"}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    before = table_counts()
    html = assert_refused(organizer_client.post("/gestion/tokens", data=data), *messages)
    assert_kept(html, kept)
    assert "Token creado" not in html
    assert table_counts() == before


def test_token_create_refuses_inactive_account(organizer_client, staff):
    accounts.update_user(staff, name=staff.name, role=Role.STAFF, active=False)
    db.session.commit()
    before = table_counts()
    html = assert_refused(organizer_client.post("/gestion/tokens", data={"user_id": str(staff.id),
                                                                          "label": "Escáner puerta conservada"}),
                          "Elija una opción de la lista.")
    assert_kept(html, KEPT_TOKEN)
    assert table_counts() == before


@pytest.mark.parametrize("token_id", ["999999", HUGE_ID, "abc", "-1", LONG],
                         ids=["unknown", "huge", "letters", "negative", "10k"])
def test_token_revoke_unknown_id_is_spanish_404(organizer_client, token_id):
    before = table_counts()
    response = organizer_client.post(f"/gestion/tokens/{token_id}/revocar")
    assert_error_page(response, 404, "No encontramos lo que busca.")
    assert table_counts() == before


def test_token_revoke_twice_changes_nothing_the_second_time(organizer_client, staff):
    row, _token = accounts.create_token(staff, "dos veces")
    db.session.commit()
    assert organizer_client.post(f"/gestion/tokens/{row.id}/revocar").status_code == 302
    before = table_counts()
    assert organizer_client.post(f"/gestion/tokens/{row.id}/revocar").status_code == 302
    assert table_counts() == before
    assert db.session.get(ApiToken, row.id).revoked_at is not None


# --- Audit log filters (GET) -------------------------------------------------------------------------------

KEPT_AUDIT = ['value="texto conservado"']

AUDIT_CASES = [
    pytest.param({"desde": "ayer"}, ["Fecha no válida"], KEPT_AUDIT + ['value="ayer"'], id="letters-in-date"),
    pytest.param({"hasta": "31/12/2024"}, ["Fecha no válida"], KEPT_AUDIT, id="wrong-date-format"),
    pytest.param({"accion": "event.explode"}, ["Elija una opción de la lista."], KEPT_AUDIT, id="unknown-action"),
    pytest.param({"objeto": "planeta"}, ["Elija una opción de la lista."], KEPT_AUDIT, id="unknown-object"),
    pytest.param({"persona": "abc"}, ["Elija una opción de la lista."], KEPT_AUDIT, id="letters-in-person"),
    pytest.param({"persona": HUGE_ID}, ["Elija una opción de la lista."], KEPT_AUDIT, id="huge-person"),
    pytest.param({"texto": LONG, "desde": "2024-01-01"}, ["Máximo 100 caracteres."],
                 ['value="2024-01-01"', f'value="{LONG}"'], id="long-text"),
    pytest.param({"texto": SCRIPT, "desde": "ayer"}, ["Fecha no válida"], [f'value="{ESCAPED_SCRIPT}"'],
                 id="script-in-text"),
]


@pytest.mark.parametrize(("params", "messages", "kept"), AUDIT_CASES)
def test_audit_filters_refuse_bad_input(organizer_client, params, messages, kept):
    query = {"texto": "texto conservado", **params}
    before = table_counts()
    html = assert_refused(organizer_client.get("/gestion/bitacora", query_string=query), *messages)
    assert_kept(html, kept)
    assert table_counts() == before


@pytest.mark.parametrize("params", [
    {"hasta": "9999-12-31"}, {"desde": "0001-01-01"}, {"desde": "9999-12-31", "hasta": "0001-01-01"},
    {"pagina": "abc"}, {"pagina": "-3"}, {"pagina": "0"}, {"pagina": HUGE_ID}, {"pagina": LONG},
    {"texto": "%_\\"}, {"desconocido": "1"},
], ids=["last-day", "first-day", "reversed", "page-letters", "page-negative", "page-zero", "page-huge",
        "page-10k", "like-wildcards", "unknown-param"])
def test_audit_filters_extreme_but_valid_values_are_not_errors(organizer_client, params):
    response = organizer_client.get("/gestion/bitacora", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "registros" in response.get_data(as_text=True)


# --- Oversized forms: a clear answer, never the value echoed back -----------------------------------------

#: Over MAX_FORM_MEMORY_SIZE (500 KB): the whole form is refused with the 413 page.
HUGE = "N" * 1_000_000
#: Under it, but far over any field and over what a refused form shows back as typed (core.forms).
BIG = "N" * 100_000


def registration_form(**overrides) -> dict:
    data = {"name": "Lucía Hernández Ortiz", "email": "lucia@example.org", "phone": "55 1234 5678",
            "sector": "sociedad_civil", "organization": "Colectivo Conservado", "position": "Coordinadora",
            "municipality": "chimalhuacan", "gender": "mujer", "accessibility": "", "privacy_consent": "y"}
    data.update(overrides)
    return data


def assert_not_echoed(html: str, limit: int) -> None:
    """The value comes back cut to its field's limit: no longer than that, and the page stays small."""
    assert "N" * (limit + 1) not in html
    assert len(html) < 60_000, len(html)


def test_a_1_mb_name_on_the_registration_form_gets_the_413_page(client):
    event = make_event()
    before = table_counts()
    response = client.post(f"/eventos/{event.slug}/registro", data=registration_form(name=HUGE))
    html = assert_error_page(response, 413, "demasiado grandes")
    assert_not_echoed(html, 99)  # nothing of it
    assert table_counts() == before


def test_a_1_mb_title_on_the_event_form_gets_the_413_page(organizer_client):
    before = table_counts()
    response = organizer_client.post("/gestion/eventos/nuevo", data=event_form(title=HUGE))
    html = assert_error_page(response, 413, "demasiado grandes")
    assert_not_echoed(html, 99)  # nothing of it
    assert table_counts() == before


def test_a_100_kb_name_on_the_registration_form_comes_back_cut_to_its_limit(client):
    event = make_event()
    before = table_counts()
    response = client.post(f"/eventos/{event.slug}/registro", data=registration_form(name=BIG))
    html = assert_refused(response, "Máximo 200 caracteres.")
    assert_not_echoed(html, 200)
    assert_kept(html, ['value="' + "N" * 200 + '"', 'value="lucia@example.org"', 'value="Colectivo Conservado"'])
    assert table_counts() == before


def test_a_100_kb_title_on_the_event_form_comes_back_cut_to_its_limit(organizer_client):
    before = table_counts()
    response = organizer_client.post("/gestion/eventos/nuevo", data=event_form(title=BIG))
    html = assert_refused(response, "Máximo 200 caracteres.")
    assert_not_echoed(html, 200)
    assert_kept(html, KEPT_EVENT + ['value="' + "N" * 200 + '"'])
    assert table_counts() == before


def test_a_refused_form_keeps_a_10_000_character_value_whole(organizer_client):
    # An overflow a person could paste stays editable; only values past ECHO_MAX_CHARS are cut.
    html = assert_refused(organizer_client.post("/gestion/eventos/nuevo", data=event_form(title="N" * 10_000)),
                          "Máximo 200 caracteres.")
    assert 'value="' + "N" * 10_000 + '"' in html


# --- NUL bytes (PostgreSQL cannot store or compare them) ---------------------------------------------------

@pytest.mark.parametrize(("method", "path", "data"), [
    ("post", "/gestion/eventos/nuevo", event_form(title="Foro\x00nulo")),
    ("post", "/gestion/cuentas/nueva", user_form(name="Nadia\x00")),
    ("post", "/gestion/tokens", {"label": "a\x00b"}),
    ("get", "/gestion/bitacora?texto=a%00b", None),
    ("get", "/gestion/eventos/a%00b", None),
    ("get", "/eventos/a%00b", None),
    ("get", "/?q=%00", None),
], ids=["event-title", "account-name", "token-label", "audit-text", "event-slug", "public-slug", "query"])
def test_nul_bytes_are_refused_with_400(organizer_client, method, path, data):
    before = table_counts()
    response = getattr(organizer_client, method)(path, data=data)
    assert_error_page(response, 400, "La solicitud no es válida.")
    assert table_counts() == before


def test_nul_byte_in_login_is_refused_with_400(client, organizer):
    response = client.post("/entrar", data={"email": "org@example.org\x00", "password": PASSWORD})
    assert_error_page(response, 400, "La solicitud no es válida.")
    assert client.get("/gestion/eventos").status_code == 302


# --- HTML error pages --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/no-existe", "/gestion/no-existe", "/" + LONG, "/static/no-existe.css"],
                         ids=["page", "manage-page", "10k", "static"])
def test_unknown_page_is_spanish_404(client, path):
    assert_error_page(client.get(path), 404, "Página no encontrada", "No encontramos lo que busca.")


@pytest.mark.parametrize("slug", ["no-existe", LONG, "borrador"], ids=["unknown", "10k", "draft"])
def test_unknown_or_hidden_event_is_spanish_404(client, slug):
    make_event(title="Borrador", slug="borrador", publish=False)
    assert_error_page(client.get(f"/eventos/{slug}"), 404, "No existe un evento con esa dirección.")


def wrong_methods(app, values: dict, *, api: bool):
    """(url, method, allowed) for every path and each method none of its rules accepts.

    The router answers 405 before any view runs, so arguments may point at nothing ("1").
    """
    adapter = app.url_map.bind("localhost")
    by_path: dict[str, tuple[str, set]] = {}
    for rule in app.url_map.iter_rules():
        if (rule.rule.startswith("/api/") or rule.rule == "/healthz") != api:
            continue
        url = adapter.build(rule.endpoint, {name: values.get(name, "1") for name in rule.arguments})
        by_path.setdefault(rule.rule, (url, set()))[1].update(rule.methods)
    for url, allowed in by_path.values():
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method not in allowed:
                yield url, method, allowed


def test_wrong_method_on_every_html_route_is_spanish_405(app, organizer_client):
    event = make_event()
    checked = 0
    for url, method, _allowed in wrong_methods(app, {"slug": event.slug, "filename": "css/foros.css"}, api=False):
        response = organizer_client.open(url, method=method)
        assert response.status_code == 405, f"{method} {url}: {response.status_code}"
        assert_error_page(response, 405, "Método no permitido.")
        checked += 1
    assert checked > 20


# --- JSON API ----------------------------------------------------------------------------------------------

API_CASES = [
    pytest.param("GET", "/api/v1/events?when=mañana", {}, 422, "validation_error", id="when-unknown"),
    pytest.param("GET", "/api/v1/events?when=" + LONG, {}, 422, "validation_error", id="when-10k"),
    pytest.param("GET", "/api/v1/events?when=", {}, 422, "validation_error", id="when-empty"),
    pytest.param("GET", "/api/v1/events?when=%00", {}, 400, "bad_request", id="when-nul"),
    pytest.param("GET", "/api/v1/events/no-existe", {}, 404, "event_not_found", id="unknown-slug"),
    pytest.param("GET", "/api/v1/events/" + LONG, {}, 404, "event_not_found", id="10k-slug"),
    pytest.param("GET", "/api/v1/events/" + SCRIPT, {}, 404, "not_found", id="script-slug"),  # has a "/"
    pytest.param("GET", "/api/v1/events/a%00b", {}, 400, "bad_request", id="nul-slug"),
    pytest.param("GET", "/api/v1/no-existe", {}, 404, "not_found", id="unknown-route"),
    pytest.param("GET", "/api/v1/" + LONG, {}, 404, "not_found", id="10k-route"),
    pytest.param("GET", "/api/v1/me", {}, 401, "unauthorized", id="me-no-token"),
    pytest.param("GET", "/api/v1/me", {"headers": {"Authorization": "Bearer nada"}}, 401, "unauthorized",
                 id="me-garbage-token"),
    pytest.param("GET", "/api/v1/me", {"headers": {"Authorization": "Bearer foros_nada"}}, 401,
                 "unauthorized", id="me-prefixed-garbage-token"),
    pytest.param("GET", "/api/v1/me", {"headers": {"Authorization": "Bearer foros_" + LONG}}, 401,
                 "unauthorized", id="me-10k-token"),
    pytest.param("GET", "/api/v1/me", {"headers": {"Authorization": "Bearer "}}, 401, "unauthorized",
                 id="me-empty-bearer"),
    pytest.param("GET", "/api/v1/me", {"headers": {"Authorization": "Basic b3JnOmNvbnRyYXNlbmE="}}, 401,
                 "unauthorized", id="me-basic-auth"),
    pytest.param("GET", "/api/v1/me", {"headers": {"Authorization": SCRIPT}}, 401, "unauthorized",
                 id="me-script-header"),
    pytest.param("POST", "/api/v1/events", {"data": "{no es json", "content_type": "application/json"}, 405,
                 "method_not_allowed", id="post-malformed-json"),
    pytest.param("POST", "/api/v1/events", {"json": {"title": "x"}}, 405, "method_not_allowed",
                 id="post-json"),
    pytest.param("POST", "/api/v1/me", {"data": "<a/>", "content_type": "application/xml"}, 405,
                 "method_not_allowed", id="post-xml"),
    pytest.param("PUT", "/api/v1/events/no-existe", {"data": "x=1"}, 405, "method_not_allowed", id="put"),
    pytest.param("DELETE", "/api/v1/events", {}, 405, "method_not_allowed", id="delete"),
    pytest.param("PATCH", "/api/v1/me", {"data": b"\xff\xfe", "content_type": "application/json"}, 405,
                 "method_not_allowed", id="patch-binary"),
    pytest.param("POST", "/api/v1/no-existe", {"data": "{", "content_type": "application/json"}, 404,
                 "not_found", id="post-unknown-route"),
    pytest.param("GET", "/api/v1/no-existe", {"headers": {"Accept": "text/html"}}, 404, "not_found",
                 id="accept-html"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), API_CASES)
def test_api_bad_requests_give_json_errors(client, method, path, kwargs, status, code):
    error = assert_json_error(client.open(path, method=method, **kwargs), status, code)
    if code == "validation_error":
        assert "when" in error["fields"]


def test_api_unknown_slug_message_is_spanish(client):
    error = assert_json_error(client.get("/api/v1/events/no-existe"), 404, "event_not_found")
    assert error["message"] == "No existe un evento con esa dirección."


@pytest.mark.parametrize("publish", [False, True], ids=["draft", "archived"])
def test_api_hidden_event_is_not_found(client, publish):
    event = make_event(publish=publish, title="Oculto")
    if publish:
        change_status(event, "archive")
        db.session.commit()
    assert_json_error(client.get(f"/api/v1/events/{event.slug}"), 404, "event_not_found")


def test_api_revoked_token_is_refused(client, staff):
    row, token = accounts.create_token(staff)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    accounts.revoke_token(row)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_json_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_token_of_deactivated_account_is_refused(client, staff):
    _row, token = accounts.create_token(staff)
    accounts.update_user(staff, name=staff.name, role=Role.STAFF, active=False)
    db.session.commit()
    assert_json_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401,
                      "unauthorized")


@pytest.mark.parametrize(("data", "content_type"), [
    ("{no es json", "application/json"), ("", "application/json"), ("[1, 2", "application/json"),
    ("--x\r\nbasura", "multipart/form-data; boundary=x"), ("<a/>", "application/xml"),
    (b"\xff\xfe\x00", "application/octet-stream"),
], ids=["malformed-json", "empty-json", "truncated-json", "broken-multipart", "xml", "binary"])
def test_api_get_ignores_a_body_it_does_not_read(client, staff, data, content_type):
    make_event(title="Foro visible")
    _row, token = accounts.create_token(staff)
    db.session.commit()
    listing = client.get("/api/v1/events", data=data, content_type=content_type)
    assert listing.status_code == 200 and [e["title"] for e in listing.get_json()] == ["Foro visible"]
    me = client.get("/api/v1/me", data=data, content_type=content_type,
                    headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["name"] == staff.name


def test_wrong_method_on_every_api_route_is_json_405(app, client):
    checked = 0
    for url, method, allowed in wrong_methods(app, {"slug": "no-existe"}, api=True):
        response = client.open(url, method=method, data="{", content_type="application/json")
        assert_json_error(response, 405, "method_not_allowed")
        assert set(response.headers["Allow"].split(", ")) >= allowed, url
        checked += 1
    assert checked >= 16


BAD_BODIES = [
    pytest.param("{no es json", "application/json", 400, "malformed_json", id="malformed-json"),
    pytest.param('{"name": "Ana"', "application/json", 400, "malformed_json", id="truncated-json"),
    pytest.param(b"\xff\xfe{}", "application/json", 400, "malformed_json", id="invalid-utf8"),
    pytest.param("[" * 100_000, "application/json", 400, "malformed_json", id="deep-nesting"),
    pytest.param('{"name": 1' + "0" * 5_000 + "}", "application/json", 400, "malformed_json", id="5000-digits"),
    pytest.param('{"name": "a\\u0000b"}', "application/json", 400, "bad_request", id="nul-in-string"),
    pytest.param('{"a\\u0000": 1}', "application/json", 400, "bad_request", id="nul-in-key"),
    pytest.param("[1, 2]", "application/json", 422, "validation_error", id="json-array"),
    pytest.param("null", "application/json", 422, "validation_error", id="json-null"),
    pytest.param('"hola"', "application/json", 422, "validation_error", id="json-string"),
    pytest.param("{}", "application/json", 422, "validation_error", id="empty-object"),
    pytest.param("", "application/json", 422, "validation_error", id="empty-body"),
    pytest.param('{"name": "Ana"}', "text/plain", 422, "validation_error", id="json-as-text"),
    pytest.param("name=Ana&email=ana%40example.org", "application/x-www-form-urlencoded", 422,
                 "validation_error", id="form-encoded"),
    pytest.param("<registro><nombre>Ana</nombre></registro>", "application/xml", 422, "validation_error",
                 id="xml"),
    pytest.param(f'{{"name": "{LONG}", "email": 5, "days": "x", "privacy_consent": "quizá", "extra": 1}}',
                 "application/json", 422, "validation_error", id="10k-and-wrong-types"),
]


@pytest.mark.parametrize(("data", "content_type", "status", "code"), BAD_BODIES)
def test_api_routes_that_take_a_body_refuse_bad_bodies(app, client, organizer, data, content_type, status, code):
    event = make_event()
    # A valid organizer token, so that routes behind a token get as far as reading the body.
    _row, token = accounts.create_token(organizer, "cuerpos malos")
    db.session.commit()
    adapter = app.url_map.bind("localhost")
    routes = [rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") and rule.methods & {"POST", "PUT", "PATCH"}]
    if not routes:
        pytest.skip("no API route takes a body yet")
    values = {"slug": event.slug}
    before = table_counts()
    for rule in routes:
        url = adapter.build(rule.endpoint, {name: values.get(name, "1") for name in rule.arguments})
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            response = client.open(url, method=method, data=data, content_type=content_type,
                                   headers={"Authorization": f"Bearer {token}"})
            error = assert_json_error(response, status, code)
            if code == "validation_error":
                assert error.get("fields"), f"{method} {url}: say which fields are wrong"
    assert table_counts() == before
