"""One scan entry point: the door page's scan JSON and ``POST /api/v1/checkins`` share the scan schema (with
``scanned_at``), the door resolution and the service; tokens are judged by accounts' rules."""

import ast
import inspect
import uuid
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from foros.accounts.models import ApiToken, Role
from foros.accounts.services import TOKEN_PREFIX, create_token, token_hash_if_well_formed, update_user
from foros.checkin import api as checkin_api
from foros.checkin import scan as scanning
from foros.checkin import views as checkin_views
from foros.checkin.models import Checkin
from foros.checkin.schemas import CheckinRequestSchema, DoorScanSchema, ScanSchema
from foros.core.time import LOCAL_TZ, local_to_utc, local_today, utcnow
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.conftest import make_event


@pytest.fixture
def setup(app, organizer, staff):
    event = make_event(days=[DayInput(local_today(), time(0, 0), time(23, 59))])
    reg = register_attendee(event, RegistrationInput(
        name="Lucía Hernández", email="lucia@example.org", sector="sociedad_civil", municipality_key="15031",
        privacy_consent=True)).registration
    update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event], actor=organizer)
    _row, token = create_token(staff, "Escáner puerta 1")
    db.session.commit()
    door = f"/puerta/{event.slug}/{local_today().isoformat()}"
    return {"event": event, "reg": reg, "token": token, "door": door}


def api_scan(client, s, **extra):
    body = {"code": ticket_code(s["reg"]), "event": s["event"].slug, "scan_id": str(uuid.uuid4()), **extra}
    return client.post("/api/v1/checkins", json=body, headers={"Authorization": f"Bearer {s['token']}"})


def door_scan(client, s, **extra):
    body = {"code": ticket_code(s["reg"]), "scan_id": str(uuid.uuid4()), **extra}
    return client.post(f"{s['door']}/escanear", json=body)


def checkins() -> int:
    return db.session.scalar(select(func.count()).select_from(Checkin))


def iso(moment) -> str:
    return moment.astimezone(LOCAL_TZ).isoformat()


# --- scanned_at ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("via", ["api", "door"])
def test_a_sane_scanned_at_is_stored_as_the_checkin_time(client, staff_client, setup, via):
    read_at = max(utcnow() - timedelta(minutes=30), local_to_utc(local_today(), time(0, 0, 1))).replace(
        microsecond=0)
    response = (api_scan(client, setup, scanned_at=iso(read_at)) if via == "api"
                else door_scan(staff_client, setup, scanned_at=iso(read_at)))
    assert response.status_code == 200 and response.json["result"] == "accepted"
    row = db.session.scalars(select(Checkin)).one()
    assert row.scanned_at == read_at and row.received_at >= row.scanned_at


@pytest.mark.parametrize("via", ["api", "door"])
@pytest.mark.parametrize("when", ["future", "before_event"])
def test_an_insane_scanned_at_is_refused_with_a_code_and_writes_nothing(client, staff_client, setup, via, when):
    moment = (utcnow() + scanning.SCAN_CLOCK_SKEW + timedelta(minutes=1) if when == "future"
              else local_to_utc(local_today(), time(0)) - timedelta(minutes=1))
    response = (api_scan(client, setup, scanned_at=iso(moment)) if via == "api"
                else door_scan(staff_client, setup, scanned_at=iso(moment)))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_scanned_at"
    assert "scanned_at" in response.json["error"]["fields"]
    assert checkins() == 0


def test_a_small_clock_skew_is_accepted(client, setup):
    ahead = utcnow() + scanning.SCAN_CLOCK_SKEW - timedelta(seconds=30)
    assert api_scan(client, setup, scanned_at=iso(ahead)).json["result"] == "accepted"


@pytest.mark.parametrize("via", ["api", "door"])
def test_scanned_at_without_a_zone_is_a_validation_error(client, staff_client, setup, via):
    naive = "2026-01-01T10:00:00"
    response = (api_scan(client, setup, scanned_at=naive) if via == "api"
                else door_scan(staff_client, setup, scanned_at=naive))
    assert response.status_code == 422 and response.json["error"]["code"] == "validation_error"
    assert checkins() == 0


def test_openapi_documents_scanned_at_and_its_error(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/checkins"]["post"]
    schema_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    scanned_at = spec["components"]["schemas"][schema_ref]["properties"]["scanned_at"]
    assert scanned_at["format"] == "date-time" and "invalid_scanned_at" in scanned_at["description"]
    assert "invalid_scanned_at" in operation["responses"]["422"]["description"]


# --- one schema, one door resolution, one service --------------------------------------------------------------

def test_door_and_api_load_the_same_scan_schema():
    assert issubclass(DoorScanSchema, ScanSchema) and issubclass(CheckinRequestSchema, ScanSchema)
    shared = set(ScanSchema().fields)
    assert {"code", "scan_id", "scanned_at"} <= shared
    assert shared <= set(DoorScanSchema().fields) and shared <= set(CheckinRequestSchema().fields)


@pytest.mark.parametrize("module", [checkin_api, checkin_views])
def test_both_scan_routes_call_scan_ticket_and_nothing_else_of_the_scan(module):
    """The scan JSON of both routes goes through ``scan.scan_ticket`` (which resolves the door itself)."""
    source = inspect.getsource(module.create_checkin if module is checkin_api else module.scan)
    called = {node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
              for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)}
    assert "scan_ticket" in called
    assert "check_in_with_token" not in called and not hasattr(scanning, "check_in_with_token")


def test_door_resolution_is_one_function_for_a_user_and_a_token(app, setup, staff):
    by_user = scanning.resolve_door(setup["event"].slug, None, user=staff, device="lector — Sergio")
    by_token = scanning.resolve_door(setup["event"].slug, None, token=setup["token"])
    assert by_user[0] == by_token[0] and by_user[1] == by_token[1]
    assert by_user[2] == "lector — Sergio" and by_token[2] == "Escáner puerta 1"


# --- tokens judged by accounts' rules ----------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["", "sin-prefijo", TOKEN_PREFIX + "x" * 300])
def test_malformed_tokens_are_refused_before_any_lookup(token):
    assert token_hash_if_well_formed(token) is None


def test_the_device_scan_uses_accounts_token_rules(client, setup, monkeypatch):
    seen = []
    original = scanning.token_hash_if_well_formed
    monkeypatch.setattr(scanning, "token_hash_if_well_formed", lambda t: seen.append(t) or original(t))
    assert api_scan(client, setup).status_code == 200
    assert seen == [setup["token"]]
    row = db.session.scalars(select(ApiToken).where(ApiToken.label == "Escáner puerta 1")).one()
    assert row.last_used_at is not None  # accounts' touch_token noted the use
