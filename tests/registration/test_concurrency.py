"""Seats under real concurrency: many simultaneous requests against gunicorn with 3 worker processes.

The database alone keeps confirmed registrations within capacity (conditional UPDATE + CHECK constraint,
BEGIN IMMEDIATE on SQLite, row locks on PostgreSQL); these tests prove it on the database the suite runs on.
One server serves the whole module (starting gunicorn costs seconds): each test has its own event.
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select

from foros.events.models import Event
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration import signup
from foros.registration.inputs import RegistrationInput
from foros.registration.models import Registration, RegistrationStatus
from tests.conftest import csrf_token_from, make_event
from tests.support.server import gunicorn_server, request_json

pytestmark = pytest.mark.slow

CAPACITY = 5
THREADS = 30
TIMEOUT = 20  # seconds for any single request or batch; the whole test stays well under it


def body(n: int, email: str | None = None) -> dict:
    return {"name": f"Persona Concurrente {n}", "email": email or f"persona{n}@example.org",
            "sector": "ciudadania", "municipality": "15031", "privacy_consent": True}


def fire_at_once(calls) -> list:
    """Run the zero-argument ``calls`` on THREADS threads, released together; return results in order."""
    go = threading.Event()

    def run(call):
        assert go.wait(TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run, call) for call in calls]
        go.set()
        return [future.result(timeout=TIMEOUT) for future in futures]


def register_call(url: str, payload: dict):
    return lambda: request_json("POST", url, payload, timeout=TIMEOUT)


def seed_full_event_with_waitlist() -> dict:
    """An event with its CAPACITY seats taken and ten people waiting."""
    event = make_event(capacity_in_person=CAPACITY, title="Foro lleno con lista de espera")
    regs = [signup.register_attendee(event, RegistrationInput(
        name=f"Persona Sembrada {n}", email=f"sembrada{n}@example.org", sector="ciudadania",
        municipality_key="15031", privacy_consent=True)).registration for n in range(CAPACITY + 10)]
    db.session.flush()
    confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    assert len(confirmed) == CAPACITY and len(waiting) == 10
    return {"slug": event.slug, "cancel": [r.access_token for r in confirmed[:3]],
            "waiting_ids": [r.id for r in waiting]}


def seed() -> dict:
    """One event per test: two empty ones with CAPACITY seats, one full with a waitlist."""
    return {
        "empty": make_event(capacity_in_person=CAPACITY, title="Foro con cinco lugares").slug,
        "same_email": make_event(capacity_in_person=CAPACITY, title="Foro para correos repetidos").slug,
        "full": seed_full_event_with_waitlist(),
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with gunicorn_server(tmp_path_factory.mktemp("gunicorn"), seed) as running:
        yield running


def load_event(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


@pytest.fixture(autouse=True)
def clean_server_log(server):
    """Fail the test if the server logged an error while it ran (a 500 the client might not show)."""
    start = len(server.log_text())
    yield
    log = server.log_text()[start:]
    assert "Traceback" not in log and "Unhandled error" not in log, log[-4000:]


def test_concurrent_registrations_never_exceed_capacity(server):
    slug = server.seeded["empty"]
    url = f"{server.url}/api/v1/events/{slug}/registrations"
    results = fire_at_once([register_call(url, body(n)) for n in range(60)])

    assert Counter(status for status, _ in results) == {201: 60}, results
    outcomes = Counter(payload["status"] for _, payload in results)
    assert outcomes == {"confirmed": CAPACITY, "waitlisted": 60 - CAPACITY}
    # Each person is told a distinct place in the queue (PostgreSQL once told two people the same one).
    positions = sorted(p["waitlist_position"] for _, p in results if p["status"] == "waitlisted")
    assert positions == list(range(1, 60 - CAPACITY + 1))

    with server.app.app_context():
        event = load_event(slug)
        rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                  .order_by(Registration.id)).all()
        assert len(rows) == 60
        assert Counter(r.status for r in rows) == {RegistrationStatus.CONFIRMED: CAPACITY,
                                                   RegistrationStatus.WAITLISTED: 60 - CAPACITY}
        waiting = [r for r in rows if r.status == RegistrationStatus.WAITLISTED]
        assert [signup.waitlist_position(r) for r in waiting] == list(range(1, len(waiting) + 1))
        assert event.confirmed_in_person == CAPACITY


def test_concurrent_same_email_registers_once(server):
    slug = server.seeded["same_email"]
    url = f"{server.url}/api/v1/events/{slug}/registrations"
    results = fire_at_once([register_call(url, body(n, email="misma@example.org")) for n in range(20)])

    assert Counter(status for status, _ in results) == {201: 1, 409: 19}, results
    assert {p["error"]["code"] for status, p in results if status == 409} == {"duplicate"}

    with server.app.app_context():
        event = load_event(slug)
        assert db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == event.id)) == 1
        assert event.confirmed_in_person == 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer we check


def attendee_browser():
    """An opener with its own cookie jar (session + CSRF token), like one person's browser."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect(),
                                       urllib.request.HTTPCookieProcessor(CookieJar()))


def fetch(opener, url, data=None) -> tuple[int, str, str]:
    """(status, Location header, body) of one request, redirects not followed."""
    try:
        response = opener.open(url, data=data, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        response = exc
    try:
        return response.code, response.headers.get("Location", ""), response.read().decode()
    finally:
        response.close()


def test_concurrent_cancellations_promote_exactly_the_first_waiting(server):
    seeded = server.seeded["full"]
    cancels = []
    for token in seeded["cancel"]:
        browser = attendee_browser()
        cancel_url = f"{server.url}/boleto/{token}/cancelar"
        status, _, html = fetch(browser, cancel_url)
        assert status == 200
        form = urllib.parse.urlencode({"csrf_token": csrf_token_from(html)}).encode()
        cancels.append(lambda b=browser, u=cancel_url, f=form: fetch(b, u, f))
    # New sign-ups race the cancellations: a released seat must still go to the waitlist, in order.
    url = f"{server.url}/api/v1/events/{seeded['slug']}/registrations"
    newcomers = [register_call(url, body(100 + n)) for n in range(5)]

    results = fire_at_once(cancels + newcomers)

    for (status, location, _), token in zip(results[:3], seeded["cancel"], strict=True):
        assert status == 302 and location.endswith(f"/boleto/{token}")
    assert [(s, p["status"]) for s, p in results[3:]] == [(201, "waitlisted")] * 5
    with server.app.app_context():
        event = load_event(seeded["slug"])
        rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
        by_token = {r.access_token: r for r in rows}
        assert all(by_token[t].status == RegistrationStatus.CANCELLED for t in seeded["cancel"])
        first_waiting = set(seeded["waiting_ids"][:3])
        assert {r.id for r in rows if r.confirmed_at and r.id in first_waiting} == first_waiting
        assert all(r.status == RegistrationStatus.CONFIRMED for r in rows if r.id in first_waiting)
        assert Counter(r.status for r in rows) == {RegistrationStatus.CONFIRMED: CAPACITY,
                                                   RegistrationStatus.CANCELLED: 3,
                                                   RegistrationStatus.WAITLISTED: 7 + 5}
        assert event.confirmed_in_person == CAPACITY
        promoted_mail = db.session.scalar(select(func.count()).select_from(OutboxMessage).join(
            Registration, OutboxMessage.registration_id == Registration.id).where(
            Registration.event_id == event.id, OutboxMessage.kind == "registration.promoted"))
        assert promoted_mail == 3
