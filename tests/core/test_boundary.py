"""Input refused at the boundary, the same way on every route: lone surrogates and NUL (400 with the one
error shape), authentication judged before input on protected routes."""

import json
import uuid

import pytest

from foros.accounts import services as accounts
from foros.accounts.models import Role
from foros.checkin.services import ensure_default_lists
from foros.extensions import db
from tests.conftest import make_event

SURROGATE = "\\ud800"  # as it travels in JSON text: json.dumps cannot write a lone surrogate as UTF-8


def raw_json(values: dict, **surrogates) -> str:
    """A JSON body whose ``surrogates`` fields hold a lone surrogate escape."""
    body = json.dumps({**values, **{k: f"@@{k}@@" for k in surrogates}})
    for key, text in surrogates.items():
        body = body.replace(f'"@@{key}@@"', text)
    return body


def assert_bad_request(response, status=400, code="bad_request"):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


REGISTRATION = {"name": "Ana Pérez", "email": "ana@example.org", "sector": "sociedad_civil",
                "municipality": "15031", "privacy_consent": True}


@pytest.mark.parametrize("field", ["name", "email", "phone", "organization", "position", "accessibility",
                                   "sector", "municipality"])
def test_lone_surrogate_in_a_registration_field_is_refused(client, field):
    event = make_event()
    body = raw_json({k: v for k, v in REGISTRATION.items() if k != field}, **{field: f'"Ana {SURROGATE}"'})
    response = client.post(f"/api/v1/events/{event.slug}/registrations", data=body,
                           content_type="application/json")
    assert_bad_request(response)
    assert "no válidos" in response.get_json()["error"]["message"]


def test_lone_surrogate_in_a_json_key_is_refused(client):
    event = make_event()
    body = raw_json(REGISTRATION, extra='"x"').replace('"extra"', f'"{SURROGATE}"')
    assert_bad_request(client.post(f"/api/v1/events/{event.slug}/registrations", data=body,
                                   content_type="application/json"))


@pytest.fixture
def door(app, organizer, staff):
    event = make_event(slug="foro-puerta")
    accounts.update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event])
    lists = ensure_default_lists(event)
    _row, token = accounts.create_token(staff, "puerta")
    db.session.commit()
    return {"event": event, "list": lists[0], "token": token}


@pytest.mark.parametrize("field", ["event", "list", "code"])
def test_lone_surrogate_in_a_checkin_field_is_refused(client, door, field):
    values = {"code": "F1ABC", "event": door["event"].slug, "list": door["list"].slug,
              "scan_id": str(uuid.uuid4())}
    body = raw_json({k: v for k, v in values.items() if k != field}, **{field: f'"x{SURROGATE}"'})
    valid = client.post("/api/v1/checkins", data=body, content_type="application/json",
                        headers={"Authorization": f"Bearer {door['token']}"})
    assert_bad_request(valid)
    # Any other token: authentication is judged first, and still no 500.
    for token in ("foros_nada", "x"):
        other = client.post("/api/v1/checkins", data=body, content_type="application/json",
                            headers={"Authorization": f"Bearer {token}"})
        assert_bad_request(other, 401, "unauthorized")


def test_lone_surrogate_in_a_door_scan_is_refused(app, staff, door):
    from tests.conftest import login

    staff_client = app.test_client()
    login(staff_client, staff.email)
    body = raw_json({"scan_id": str(uuid.uuid4())}, code=f'"F1{SURROGATE}"')
    response = staff_client.post(f"/puerta/{door['event'].slug}/{door['list'].slug}/escanear", data=body,
                                 content_type="application/json")
    assert_bad_request(response)


# --- Authentication before input --------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/me?x=%00", "/api/v1/events/foro-puerta/registrations?q=%00",
                                 "/api/v1/events/foro-puerta/checkin-lists?x=%00",
                                 "/api/v1/events/foro-puerta/checkin-lists/a%00b/counts"])
def test_nul_on_a_token_route_says_401_without_a_token(client, door, url):
    assert_bad_request(client.get(url), 401, "unauthorized")
    assert_bad_request(client.get(url, headers={"Authorization": "Bearer foros_nada"}), 401, "unauthorized")
    # With a valid token the input is judged: 400.
    _row, token = accounts.create_token(accounts.get_user_by_email("org@example.org"))
    db.session.commit()
    assert_bad_request(client.get(url, headers={"Authorization": f"Bearer {token}"}))


def test_nul_in_a_checkin_body_says_401_without_a_token(client, door):
    body = raw_json({"event": "foro-puerta", "scan_id": str(uuid.uuid4())}, code='"a\\u0000"')
    response = client.post("/api/v1/checkins", data=body, content_type="application/json")
    assert_bad_request(response, 401, "unauthorized")


def test_nul_on_an_organizer_page_sends_visitors_to_log_in(client, door):
    response = client.get("/gestion/eventos?q=%00")
    assert response.status_code == 302 and "/entrar" in response.headers["Location"]
    assert client.get("/eventos?q=%00").status_code == 400  # public pages: the input is judged


# --- Control and bidi characters, private downloads -------------------------------------------------------

def test_control_and_bidi_characters_are_stripped_from_api_text(client):
    event = make_event()
    body = {**REGISTRATION, "name": "Ana\u202e Pérez\x1b[31m", "organization": "Colectivo\u2066 A\tB"}
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    from foros.registration.models import Registration
    reg = db.session.scalar(db.select(Registration))
    assert reg.name == "Ana Pérez[31m" and reg.organization == "Colectivo A B"


def test_control_and_bidi_characters_are_stripped_from_forms(app):
    from wtforms import PasswordField, StringField

    from foros.core.forms import BaseForm

    class Sample(BaseForm):
        name = StringField()
        secret = PasswordField()

    with app.test_request_context(method="POST", data={"name": "Ana\u202e\x1b Pérez\u200f", "secret": "a\x1bb"}):
        form = Sample()
        assert form.name.data == "Ana Pérez" and form.secret.data == "a\x1bb"
        assert Sample().name.data == "Ana Pérez"  # a second form is cleaned once, the same way


def test_ticket_downloads_are_not_cached(client):
    from foros.registration import signup
    from foros.registration.inputs import RegistrationInput

    event = make_event()
    result = signup.register_attendee(event, RegistrationInput(
        name="Ana Pérez", email="ana@example.org", sector="sociedad_civil", municipality_key="15031",
        privacy_consent=True))
    db.session.commit()
    token = result.current.access_token
    for name in ("boleto.pdf", "evento.ics"):
        response = client.get(f"/boleto/{token}/{name}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"
