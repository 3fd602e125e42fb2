"""Capture under real concurrency: gunicorn with 3 worker processes, on the suite's database (SQLite, or
PostgreSQL with FOROS_TEST_DATABASE_URI). Twenty phones saving an edit based on the same version at once: exactly
one wins, every other is refused with the winner's text (never overwritten silently); twenty retries of one add
(same client UUID) at once: one conclusion. CSRF is off for this server only (its check is tested in
test_capture.py): each request here would otherwise need its own page visit and cookie."""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import time

import pytest
from sqlalchemy import select

from foros.extensions import db
from foros.networking import capture, tables
from foros.networking.models import NetworkingTable, TableConclusion
from tests.conftest import make_event, make_session
from tests.support.server import gunicorn_server, request_json

pytestmark = pytest.mark.slow

TIMEOUT = 20


def seed() -> dict:
    event = make_event(title="Jornadas: captura simultánea")
    session = make_session(event, "Intercambio", starts=time(12, 0), ends=time(13, 0), type_key="networking")
    tables.save_table(session, tables.TableInput(number=1, topic="Participación"))
    table = tables.session_tables(session)[0]
    conclusion, _ = capture.add_conclusion(table, capture.ConclusionInput(text="Texto de partida"))
    db.session.flush()
    return {"token": table.capture_token, "conclusion_id": conclusion.id, "table_id": table.id}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with gunicorn_server(tmp_path_factory.mktemp("gunicorn"), seed, workers=3,
                         extra_env={"FOROS_WTF_CSRF_ENABLED": "false"}) as running:
        yield running


def fire_at_once(calls: list) -> list:
    go = threading.Event()

    def run(call):
        assert go.wait(TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        go.set()
        return [future.result(timeout=TIMEOUT) for future in futures]


def save(server, body: dict):
    url = f"{server.url}/mesa/{server.seeded['token']}/conclusiones.json"
    return lambda: request_json("POST", url, body, timeout=TIMEOUT)


def test_twenty_stale_edits_at_once_one_wins_none_lost_silently(server):
    cid = server.seeded["conclusion_id"]
    texts = [f"Versión del teléfono {n}" for n in range(20)]
    results = fire_at_once([save(server, {"op": "edit", "id": cid, "base_version": 1, "text": text})
                            for text in texts])
    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: 19}, results[:3]
    winner = next(body["conclusion"]["text"] for status, body in results if status == 200)
    for status, body in results:
        if status == 409:
            assert body["error"]["code"] == "stale_edit"
            assert body["current"] == {**body["current"], "text": winner, "version": 2}
    with server.app.app_context():
        row = db.session.get(TableConclusion, cid)
        assert (row.text, row.version) == (winner, 2)
        db.session.remove()


def test_twenty_retries_of_one_add_make_one_conclusion(server):
    key = str(uuid.uuid4())
    body = {"op": "add", "client_uuid": key, "text": "Enviada veinte veces"}
    results = fire_at_once([save(server, body) for _ in range(20)])
    assert Counter(status for status, _ in results) == {201: 1, 200: 19}, results[:3]
    assert len({body["conclusion"]["id"] for _, body in results}) == 1
    with server.app.app_context():
        rows = db.session.scalars(select(TableConclusion).join(NetworkingTable)
                                  .where(TableConclusion.client_uuid == key)).all()
        assert len(rows) == 1
        db.session.remove()
