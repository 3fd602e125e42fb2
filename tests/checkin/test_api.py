"""Check-in API: results, idempotency, token scopes, malformed requests, lists and counts."""

import uuid
from datetime import time, timedelta

import pytest
from sqlalchemy import delete, func, select

from foros.accounts.models import Role
from foros.accounts.services import create_token, revoke_token, update_user
from foros.checkin.models import Checkin, CheckinList
from foros.core.time import LOCAL_TZ, local_to_utc, local_today, utcnow
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import make_code, ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.conftest import make_event


@pytest.fixture
def setup(app, organizer, staff):
    event = make_event(capacity_in_person=1, days=[DayInput(local_today(), time(0, 0), time(23, 59))])
    other = make_event(title="Otro evento")
    reg = register_attendee(event, RegistrationInput(
        name="Lucía Hernández", email="lucia@example.org", phone="5512345678", sector="sociedad_civil",
        municipality_key="15031", organization="Colectivo", privacy_consent=True)).registration
    waiting = register_attendee(event, RegistrationInput(
        name="En Espera", email="espera@example.org", sector="academia", municipality_key="15031",
        privacy_consent=True)).registration
    update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event], actor=organizer)
    token_row, staff_token = create_token(staff, "Escáner puerta 1")
    _, org_token = create_token(organizer, "Tableta")
    db.session.commit()
    return {"event": event, "other": other, "reg": reg, "waiting": waiting, "staff_token": staff_token,
            "org_token": org_token, "token_row": token_row}


def scan(client, token, code, event, scan_id=None, **extra):
    body = {"code": code, "event": event.slug, "scan_id": scan_id or str(uuid.uuid4()), **extra}
    return client.post("/api/v1/checkins", json=body, headers={"Authorization": f"Bearer {token}"})


def test_accept_then_already_with_first_time_and_device(client, setup):
    s = setup
    first = scan(client, s["staff_token"], ticket_code(s["reg"]), s["event"])
    assert first.status_code == 200
    body = first.json
    assert body["result"] == "accepted" and body["attendee"]["name"] == "Lucía Hernández"
    assert body["attendee"]["sector"] == "Sociedad civil organizada"
    text = first.get_data(as_text=True)
    assert "lucia@example.org" not in text and "5512345678" not in text
    assert body["list"]["slug"] == local_today().isoformat()
    again = scan(client, s["org_token"], ticket_code(s["reg"]), s["event"]).json
    assert again["result"] == "already_checked_in"
    assert again["first_checkin"]["device"] == "Escáner puerta 1" and again["first_checkin"]["at"]


@pytest.mark.parametrize("kind, expected", [
    ("forged", "invalid_signature"), ("garbage", "invalid_signature"), ("unknown", "unknown"),
    ("waitlisted", "waitlisted"), ("wrong_event", "wrong_event"), ("cancelled", "cancelled"),
    ("not_valid_for_list", "not_valid_for_list"),
])
def test_every_result(client, setup, kind, expected):
    from foros.registration.lifecycle import cancel_registration

    s = setup
    event = s["event"]
    code = {"forged": "F1" + "B" * 29, "garbage": "<script>", "unknown": make_code("cd" * 8)}.get(kind)
    body = {}
    if kind == "waitlisted":
        code = ticket_code(s["waiting"])
    elif kind == "wrong_event":
        other_reg = register_attendee(s["other"], RegistrationInput(
            name="Otra Persona", email="otra@example.org", sector="medios", municipality_key="15031",
            privacy_consent=True)).registration
        db.session.commit()
        code = ticket_code(other_reg)
    elif kind == "cancelled":
        cancel_registration(s["reg"], notify=False)
        db.session.commit()
        code = ticket_code(s["reg"])
    elif kind == "not_valid_for_list":
        code = ticket_code(s["reg"])
        body = {"list": "networking"}
        from foros.checkin.services import create_list

        create_list(event, name="Networking", slug="networking", day=None, modalities=["virtual"])
        db.session.commit()
    response = scan(client, s["org_token"], code, event, **body)
    assert response.status_code == 200 and response.json["result"] == expected


def test_wrong_event_scan_reveals_nothing_about_the_person(client, setup):
    """Issue 10 point 13: staff of this event learn nothing about another event's attendee."""
    s = setup
    other_reg = register_attendee(s["other"], RegistrationInput(
        name="Otra Persona", email="otra@example.org", sector="medios", municipality_key="15031",
        organization="Organización Ajena", privacy_consent=True)).registration
    db.session.commit()
    scan_id = str(uuid.uuid4())
    for _ in range(2):  # the answer and its replay (same scan_id)
        response = scan(client, s["staff_token"], ticket_code(other_reg), s["event"], scan_id)
        assert response.status_code == 200 and response.json["result"] == "wrong_event"
        assert "attendee" not in response.json
        text = response.get_data(as_text=True)
        assert "Otra Persona" not in text and "Organización Ajena" not in text and "Medios" not in text


def test_same_scan_id_is_idempotent(client, setup):
    s = setup
    scan_id = str(uuid.uuid4())
    answers = [scan(client, s["staff_token"], ticket_code(s["reg"]), s["event"], scan_id).json for _ in range(3)]
    assert [a["result"] for a in answers] == ["accepted"] * 3
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1


def test_scanned_at_is_kept_for_replayed_scans(client, setup):
    s = setup
    # A read just after midnight today (Mexico City), sent later: sane (the event is today), so stored as given.
    read_at = local_to_utc(local_today(), time(0, 0, 1))
    scan(client, s["staff_token"], ticket_code(s["reg"]), s["event"],
         scanned_at=read_at.astimezone(LOCAL_TZ).isoformat())
    row = db.session.scalars(select(Checkin)).one()
    assert row.scanned_at.isoformat() == read_at.isoformat() and row.received_at > row.scanned_at


def test_token_scopes(client, setup, app):
    s = setup
    code = ticket_code(s["reg"])
    assert client.post("/api/v1/checkins", json={}).status_code == 401
    assert scan(client, "foros_not-a-token", code, s["event"]).status_code == 401
    response = scan(client, s["staff_token"], code, s["other"])
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    revoke_token(s["token_row"])
    db.session.commit()
    assert scan(client, s["staff_token"], code, s["event"]).status_code == 401


FORGED = "F1" + "B" * 29


def checkins_count():
    return db.session.scalar(select(func.count()).select_from(Checkin))


def test_forged_code_still_checks_token_event_and_list_first(client, setup, staff, organizer):
    """A forged code reads only the door, yet answers 401/403/404 exactly like a valid one."""
    s = setup
    assert scan(client, "foros_not-a-token", FORGED, s["event"]).status_code == 401
    response = scan(client, s["staff_token"], FORGED, s["other"])
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    body = {"code": FORGED, "event": "no-existe", "scan_id": str(uuid.uuid4())}
    auth = {"Authorization": f"Bearer {s['staff_token']}"}
    response = client.post("/api/v1/checkins", json=body, headers=auth)
    assert response.status_code == 404 and response.json["error"]["code"] == "event_not_found"
    response = scan(client, s["staff_token"], FORGED, s["event"], list="nada")
    assert response.status_code == 404 and response.json["error"]["code"] == "list_not_found"
    # First scan of the day (no list yet): the slow path creates today's list, then refuses the code.
    first = scan(client, s["staff_token"], FORGED, s["event"])
    assert first.status_code == 200 and first.json["result"] == "invalid_signature"
    assert first.json["list"]["slug"] == local_today().isoformat()
    again = scan(client, s["staff_token"], FORGED, s["event"])  # the list exists: the door statement alone
    assert again.json == first.json and "attendee" not in again.json
    assert checkins_count() == 0
    update_user(staff, name=staff.name, role=Role.STAFF, active=False, events=[s["event"]], actor=organizer)
    db.session.commit()
    assert scan(client, s["staff_token"], FORGED, s["event"]).status_code == 401
    assert scan(client, s["staff_token"], ticket_code(s["reg"]), s["event"]).status_code == 401
    assert checkins_count() == 0


def test_unknown_ticket_first_scan_of_the_day_replay_and_reuse(client, setup):
    s = setup
    unknown, scan_id = make_code("ab" * 8), str(uuid.uuid4())
    # Saving an event's days creates its lists; an event saved before that (no lists) takes the slow path.
    db.session.execute(delete(CheckinList))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CheckinList)) == 0
    first = scan(client, s["staff_token"], unknown, s["event"], scan_id)  # slow path: creates the list
    assert first.status_code == 200 and first.json["result"] == "unknown" and "attendee" not in first.json
    second = scan(client, s["staff_token"], unknown, s["event"], scan_id)  # merged statement, same scan_id
    assert second.json == first.json
    third = scan(client, s["staff_token"], unknown, s["event"])
    assert third.json["result"] == "unknown"
    assert checkins_count() == 2
    from foros.checkin.services import create_list

    create_list(s["event"], name="Vinculación", slug="vinculacion", day=None)
    db.session.commit()
    for code in (unknown, ticket_code(s["reg"])):
        response = scan(client, s["staff_token"], code, s["event"], scan_id, list="vinculacion")
        assert response.status_code == 409 and response.json["error"]["code"] == "scan_id_reused"
    assert checkins_count() == 2


def test_repeat_replays_its_answer_with_the_first_admission(client, setup):
    s = setup
    code = ticket_code(s["reg"])
    assert scan(client, s["staff_token"], code, s["event"]).json["result"] == "accepted"
    scan_id = str(uuid.uuid4())
    answers = [scan(client, s["org_token"], code, s["event"], scan_id).json for _ in range(2)]
    assert answers[0] == answers[1] and answers[0]["result"] == "already_checked_in"
    assert answers[0]["first_checkin"]["device"] == "Escáner puerta 1"
    assert checkins_count() == 2


def test_the_day_is_read_at_the_list_the_door_resolved(client, setup, organizer):
    """The merged statement checks the ticket's day against the joined list's day, per list."""
    s = setup
    today = local_today()
    event = make_event(title="Dos días", days=[DayInput(today, time(0, 0), time(23, 59)),
                                               DayInput(today + timedelta(days=1), time(9), time(14))])
    days = [today + timedelta(days=1), today]
    tomorrow_only, today_only = (register_attendee(event, RegistrationInput(
        name=f"Persona {n}", email=f"p{n}@example.org", sector="academia", municipality_key="15031",
        privacy_consent=True, days=[day])).registration for n, day in enumerate(days))
    db.session.commit()
    assert scan(client, s["org_token"], ticket_code(today_only), event).json["result"] == "accepted"
    assert scan(client, s["org_token"], ticket_code(tomorrow_only), event).json["result"] == "not_valid_for_list"
    tomorrow = (today + timedelta(days=1)).isoformat()
    answer = scan(client, s["org_token"], ticket_code(tomorrow_only), event, list=tomorrow).json
    assert answer["result"] == "accepted" and answer["list"]["slug"] == tomorrow
    answer = scan(client, s["org_token"], ticket_code(today_only), event, list=str(answer["list"]["id"])).json
    assert answer["result"] == "not_valid_for_list"


def test_last_used_at_is_written_at_most_once_a_minute(client, setup):
    s = setup
    row = s["token_row"]
    code = ticket_code(s["reg"])
    scan(client, s["staff_token"], code, s["event"])
    db.session.refresh(row)
    first = row.last_used_at
    assert first is not None
    scan(client, s["staff_token"], code, s["event"])
    db.session.refresh(row)
    assert row.last_used_at == first
    row.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    scan(client, s["staff_token"], FORGED, s["event"])
    db.session.refresh(row)
    assert row.last_used_at >= first

@pytest.mark.parametrize("body", [
    {}, {"code": "x"}, {"code": "x", "event": "e", "scan_id": "no-es-uuid"},
    {"code": "x" * 10_000, "event": "e", "scan_id": str(uuid.uuid4())},
    {"code": 5, "event": "e", "scan_id": str(uuid.uuid4())},
    {"code": "x", "event": "e", "scan_id": str(uuid.uuid4()), "scanned_at": "ayer"},
    {"code": "x", "event": "e", "scan_id": str(uuid.uuid4()), "extra": 1},
    [1, 2, 3],
])
def test_malformed_requests_are_422(client, setup, body):
    response = client.post("/api/v1/checkins", json=body,
                           headers={"Authorization": f"Bearer {setup['org_token']}"})
    assert response.status_code == 422 and response.json["error"]["code"] == "validation_error"


def test_malformed_json_unknown_event_and_list(client, setup):
    s = setup
    auth = {"Authorization": f"Bearer {s['org_token']}"}
    response = client.post("/api/v1/checkins", data="{", content_type="application/json", headers=auth)
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"
    body = {"code": "x", "event": "no-existe", "scan_id": str(uuid.uuid4())}
    assert client.post("/api/v1/checkins", json=body, headers=auth).json["error"]["code"] == "event_not_found"
    body = {"code": "x", "event": s["event"].slug, "list": "nada", "scan_id": str(uuid.uuid4())}
    assert client.post("/api/v1/checkins", json=body, headers=auth).json["error"]["code"] == "list_not_found"


def test_lists_and_counts_for_devices(client, setup):
    s = setup
    auth = {"Authorization": f"Bearer {s['staff_token']}"}
    scan(client, s["staff_token"], ticket_code(s["reg"]), s["event"])
    lists = client.get(f"/api/v1/events/{s['event'].slug}/checkin-lists", headers=auth).json
    assert lists[0]["slug"] == local_today().isoformat()
    assert lists[0]["admitted"] == 1 and lists[0]["expected"] == 1
    counts = client.get(f"/api/v1/events/{s['event'].slug}/checkin-lists/{lists[0]['id']}/counts",
                        headers=auth).json
    assert counts["admitted"] == 1 and counts["by_sector"]["sociedad_civil"]["admitted"] == 1
    assert client.get(f"/api/v1/events/{s['other'].slug}/checkin-lists", headers=auth).status_code == 403


def test_checkin_routes_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/checkins" in spec["paths"]
    # The view parses by hand (core.api.load_json_body); the document still comes from the schemas.
    post = spec["paths"]["/api/v1/checkins"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CheckinRequest")
    assert set(post["responses"]) >= {"200", "401", "403", "404", "422"}
    assert post["security"] == [{"bearerAuth": []}]
    enum = spec["components"]["schemas"]["CheckinResponse"]["properties"]["result"]["enum"]
    assert set(enum) == {"accepted", "already_checked_in", "unknown", "invalid_signature", "wrong_event",
                         "cancelled", "waitlisted", "not_valid_for_list"}
