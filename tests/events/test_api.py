"""Public events API and the generated OpenAPI document."""

from datetime import time, timedelta

from foros.core.time import local_today
from foros.events.services import DayInput
from tests.conftest import make_event


def test_list_events_published_past_and_upcoming(client):
    make_event(title="Próximo foro", municipality_key="15121")
    make_event(title="Foro pasado", days=[DayInput(local_today() - timedelta(days=9), time(9), time(12))])
    make_event(title="Borrador", publish=False)
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    titles = [e["title"] for e in response.json]
    assert titles == ["Próximo foro", "Foro pasado"]
    first = response.json[0]
    assert first["municipality"] == {"key": "15121", "name": "Cuautitlán Izcalli"}
    assert first["kind"] == "foro_regional" and first["modality"] == "presencial"
    assert first["registration_open"] is True and response.json[1]["registration_open"] is False
    assert first["days"][0]["starts_at"].endswith("+00:00")
    assert [e["title"] for e in client.get("/api/v1/events?when=past").json] == ["Foro pasado"]


def test_get_event_and_unknown_slug(client):
    event = make_event(institutions="A\nB")
    body = client.get(f"/api/v1/events/{event.slug}").json
    assert body["slug"] == event.slug and body["institutions"] == ["A", "B"]
    assert body["capacity_in_person"] == 100
    response = client.get("/api/v1/events/no-existe")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "event_not_found",
                                       "message": "No existe un evento con esa dirección."}}


def test_bad_query_gives_validation_error(client):
    response = client.get("/api/v1/events?when=mañana")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert "when" in response.json["error"]["fields"]


def test_me_requires_bearer_token(client, staff):
    from foros.accounts.services import create_token
    from foros.extensions import db

    make_event()
    _row, token = create_token(staff)
    db.session.commit()
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["code"] == "unauthorized"
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json == {"name": staff.name, "role": "staff", "events": []}


def test_each_request_is_judged_by_its_own_token(app, client, staff):
    """The account behind a token is cached per request, not on ``g``, which outlives requests made inside an
    app context that was already pushed (this test's; a CLI's): the next request without a token is refused."""
    from foros.accounts.services import create_token
    from foros.extensions import db

    _row, token = create_token(staff)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer no-vale"}).status_code == 401


def test_openapi_document_is_generated_from_code(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/events", "/api/v1/events/{slug}", "/api/v1/me"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Event" in spec["components"]["schemas"]
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "GET /api/v1/events" in docs
