"""Registration API: create (public) and list (organizer token)."""

import pytest
from sqlalchemy import func, select

from foros.accounts.services import create_token
from foros.extensions import db
from foros.registration.codes import read_code
from foros.registration.models import Registration
from tests.conftest import make_event

BODY = {"name": "Ana Pérez Gómez", "email": "ana@example.org", "sector": "academia", "municipality": "15113",
        "privacy_consent": True}


def post(client, slug, body=None, **kwargs):
    return client.post(f"/api/v1/events/{slug}/registrations", json=body if body is not None else BODY, **kwargs)


def test_create_confirmed_then_waitlisted(client):
    event = make_event(capacity_in_person=1)
    response = post(client, event.slug)
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "confirmed" and body["waitlist_position"] is None
    reg = db.session.scalars(select(Registration)).one()
    assert read_code(body["code"]) == reg.ticket_id and body["ticket_url"].endswith(reg.access_token)
    assert reg.source.value == "api" and reg.municipality_key == "15113"
    second = post(client, event.slug, dict(BODY, email="b@example.org")).json
    assert second["status"] == "waitlisted" and second["waitlist_position"] == 1


def test_duplicate_is_409(client):
    event = make_event()
    post(client, event.slug)
    response = post(client, event.slug, dict(BODY, email="ANA@example.org"))
    assert response.status_code == 409 and response.json["error"]["code"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


@pytest.mark.parametrize("body, field", [
    ({k: v for k, v in BODY.items() if k != "email"}, "email"),
    (dict(BODY, name=123), "name"),
    (dict(BODY, name="x" * 10_000), "name"),
    (dict(BODY, privacy_consent="quizá"), "privacy_consent"),
    (dict(BODY, days=["ayer"]), "days"),
    (dict(BODY, unknown="x"), "unknown"),
    (dict(BODY, gender="z"), "gender"),
])
def test_schema_errors_are_422_validation_error(client, body, field):
    event = make_event()
    response = post(client, event.slug, body)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error" and field in response.json["error"]["fields"]


@pytest.mark.parametrize("body, field", [
    (dict(BODY, sector="astronauta"), "sector"),
    (dict(BODY, municipality="09001"), "municipality_key"),
    (dict(BODY, privacy_consent=False), "privacy_consent"),
    (dict(BODY, email="no-es-correo"), "email"),
    (dict(BODY, days=["2001-01-01"]), "days"),
])
def test_rule_errors_are_422_with_fields(client, body, field):
    event = make_event()
    response = post(client, event.slug, body)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_registration" and field in response.json["error"]["fields"]


def test_malformed_json_wrong_type_and_unknown_event(client):
    event = make_event()
    response = client.post(f"/api/v1/events/{event.slug}/registrations", data="{no",
                           content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"
    assert post(client, event.slug, [1, 2]).status_code == 422
    response = post(client, "no-existe")
    assert response.status_code == 404 and response.json["error"]["code"] == "event_not_found"


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "REGISTRATION_RATE_LIMIT": "3 per minute"}


def test_public_registration_is_rate_limited(client):
    event = make_event()
    codes = [post(client, event.slug, dict(BODY, email=f"p{i}@example.org")).status_code for i in range(4)]
    assert codes[:3] == [201, 201, 201]
    response = post(client, event.slug, dict(BODY, email="p9@example.org"))
    assert response.status_code == 429 and response.json["error"]["code"] == "rate_limited"


def test_list_requires_organizer_token_and_filters(client, organizer, staff):
    event = make_event()
    post(client, event.slug)
    post(client, event.slug, dict(BODY, email="juan@example.org", name="Juan López", sector="medios"))
    _r, org_token = create_token(organizer)
    _r, staff_token = create_token(staff)
    db.session.commit()
    url = f"/api/v1/events/{event.slug}/registrations"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {staff_token}"}).status_code == 403
    auth = {"Authorization": f"Bearer {org_token}"}
    body = client.get(url, headers=auth).json
    assert body["total"] == 2 and [i["name"] for i in body["items"]] == ["Juan López", "Ana Pérez Gómez"]
    assert client.get(url + "?sector=medios", headers=auth).json["total"] == 1
    assert client.get(url + "?q=ANA", headers=auth).json["items"][0]["email"] == "ana@example.org"
    page = client.get(url + "?per_page=1&page=2", headers=auth).json
    assert page["pages"] == 2 and page["items"][0]["name"] == "Ana Pérez Gómez"
    assert client.get(url + "?status=bogus", headers=auth).status_code == 422
    assert client.get(url + "?per_page=100000", headers=auth).status_code == 422
    assert client.get("/api/v1/events/no-existe/registrations", headers=auth).status_code == 404


def test_openapi_lists_registration_routes(client):
    spec = client.get("/api/v1/openapi.json").json
    path = spec["paths"]["/api/v1/events/{slug}/registrations"]
    assert {"get", "post"} <= set(path)
    assert "RegistrationCreate" in spec["components"]["schemas"]
    assert set(path["post"]["responses"]) >= {"201", "409", "422"}
