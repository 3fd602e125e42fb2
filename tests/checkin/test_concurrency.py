"""Check-in under real concurrency: many simultaneous scans against gunicorn with 3 worker processes.

Exactly-once admission is the database's job (partial unique index on admitted (list, registration)
pairs, unique ``scan_id``, ``INSERT … ON CONFLICT DO NOTHING``); these tests prove it across processes on
the database the suite runs on (SQLite, or PostgreSQL with FOROS_TEST_DATABASE_URI). The check-in lists
are *not* created beforehand: the first scans of the day also race to create today's default list.
One server serves the whole module (starting gunicorn costs seconds): each test has its own event.
"""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import time

import pytest
from sqlalchemy import func, select

from foros.accounts import services as accounts
from foros.accounts.models import Role
from foros.checkin.models import Checkin, CheckinList
from foros.core.time import local_today
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.conftest import PASSWORD, base_config, make_event
from tests.support.server import gunicorn_server, request_json

pytestmark = pytest.mark.slow

TIMEOUT = 20  # seconds for any single request or batch

#: The seeding app signs ticket codes with its SECRET_KEY; the server must verify them with the same key.
SIGNING_ENV = {"FOROS_TICKET_SIGNING_KEY": base_config("")["SECRET_KEY"]}


def seed_event(title: str, email: str, staff) -> dict:
    """A published event happening today (all day), the staff account assigned, one confirmed ticket."""
    event = make_event(title=title, days=[DayInput(local_today(), time(0, 0), time(23, 59))])
    staff.events.append(event)
    reg = register_attendee(event, RegistrationInput(
        name="Lucía Hernández", email=email, sector="sociedad_civil", municipality_key="15031",
        organization="Colectivo", privacy_consent=True)).registration
    db.session.flush()
    assert reg.status.value == "confirmed"
    return {"slug": event.slug, "event_id": event.id, "registration_id": reg.id, "code": ticket_code(reg)}


def seed() -> dict:
    staff = accounts.create_user(email="staff@example.org", name="Sergio Staff", role=Role.STAFF,
                                 password=PASSWORD)
    organizer = accounts.create_user(email="org@example.org", name="Olga Organizadora", role=Role.ORGANIZER,
                                     password=PASSWORD)
    events = {"same_code": seed_event("Foro de acceso simultáneo", "lucia@example.org", staff),
              "same_scan": seed_event("Foro de reintentos", "reintento@example.org", staff)}
    _, staff_token = accounts.create_token(staff, "Escáner puerta 1")
    _, org_token = accounts.create_token(organizer, "Tableta")
    return {"events": events, "tokens": [staff_token, org_token]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with gunicorn_server(tmp_path_factory.mktemp("gunicorn"), seed, workers=3, extra_env=SIGNING_ENV) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_server_log(server):
    """Fail the test if the server logged an error while it ran (a 500 the client might not show)."""
    start = len(server.log_text())
    yield
    log = server.log_text()[start:]
    assert "Traceback" not in log and "Unhandled error" not in log, log[-4000:]


def fire_at_once(calls: list) -> list:
    """Run the zero-argument ``calls``, one thread each, released together; return results in order."""
    go = threading.Event()

    def run(call):
        assert go.wait(TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        go.set()
        return [future.result(timeout=TIMEOUT) for future in futures]


def scan_call(server, token: str, code: str, slug: str, scan_id: str):
    body = {"code": code, "event": slug, "scan_id": scan_id}
    return lambda: request_json("POST", f"{server.url}/api/v1/checkins", body, timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {token}"})


def rows_for(server, registration_id: int) -> list[Checkin]:
    with server.app.app_context():
        rows = db.session.scalars(select(Checkin).where(Checkin.registration_id == registration_id)).all()
        db.session.expunge_all()
        return rows


def test_fifty_devices_scan_the_same_code_at_once(server):
    seeded = server.seeded["events"]["same_code"]
    tokens = server.seeded["tokens"]
    calls = [scan_call(server, tokens[n % 2], seeded["code"], seeded["slug"], str(uuid.uuid4()))
             for n in range(50)]

    results = fire_at_once(calls)

    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 50}, [r for r in results if r[0] != 200][:3]
    answers = Counter(body["result"] for _, body in results)
    assert answers == {"accepted": 1, "already_checked_in": 49}
    lists = {body["list"]["slug"] for _, body in results}
    assert lists == {local_today().isoformat()}
    accepted = next(body for _, body in results if body["result"] == "accepted")
    assert accepted["attendee"]["name"] == "Lucía Hernández"
    for _, body in results:
        if body["result"] == "already_checked_in":
            assert body["first_checkin"]["device"] in ("Escáner puerta 1", "Tableta")
    rows = rows_for(server, seeded["registration_id"])
    assert len(rows) == 50  # every scan is recorded (one per scan_id)…
    assert Counter(r.result for r in rows) == {"accepted": 1, "already_checked_in": 49}  # …one admission
    with server.app.app_context():
        # The lists were created by the racing first scans: exactly one default list per day.
        lists_in_db = db.session.scalar(select(func.count()).select_from(CheckinList).where(
            CheckinList.event_id == seeded["event_id"]))
        assert lists_in_db == 1


def test_one_scan_id_sent_by_ten_threads_gets_one_answer_and_one_row(server):
    seeded = server.seeded["events"]["same_scan"]
    token = server.seeded["tokens"][0]
    scan_id = str(uuid.uuid4())

    results = fire_at_once([scan_call(server, token, seeded["code"], seeded["slug"], scan_id)
                            for _ in range(10)])

    assert {status for status, _ in results} == {200}, results[:3]
    assert all(body == results[0][1] for _, body in results), results
    assert results[0][1]["result"] == "accepted"
    rows = rows_for(server, seeded["registration_id"])
    assert [(r.scan_id, r.result) for r in rows] == [(scan_id, "accepted")]
