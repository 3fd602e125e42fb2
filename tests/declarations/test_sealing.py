"""Signed declarations left unsealed heal without a click (issue 15, points 6–7): when the timestamp authority is
down at the last signature the declaration stays signed and unsealed; the worker's periodic task, every ten
minutes, seals each such declaration in its own transaction, logging and skipping one that fails so the next run
tries it again. Two finalizations at once — two workers, or the task and an organizer's "Sellar" — make exactly
one final document: the declaration's row is the claim (on PostgreSQL the second waits for it, with connections
of its own), and the loser is shown the document the winner sealed, never a 500."""

import logging
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text, update

from foros import worker
from foros.audit.models import AuditEntry
from foros.core.db import write_transaction
from foros.core.time import utcnow
from foros.declarations import sealing
from foros.declarations.models import AuditTrailEvent, Declaration, FinalDocument, TrailKind
from foros.extensions import db
from tests.conftest import csrf_token_from
from tests.declarations import test_reminders as reminders
from tests.declarations import test_timestamp as timestamps
from tests.declarations.test_reminders import _in_threads, _on_postgresql
from tests.declarations.test_timestamp import _signed

# Their fixtures: the worker's Huey on an in-memory queue; the seal, the local TSA and the app configured for both.
queue = reminders.queue
seal_p12, tsa_id, tsa, app_config = timestamps.seal_p12, timestamps.tsa_id, timestamps.tsa, timestamps.app_config
TASK = "seal_declarations_task"


def _scheduled(queue, moment: datetime):
    """The sealing task as the consumer runs it at ``moment``: the scheduler must pick it, a worker dequeues and
    executes it. Returns its result, or "not picked"."""
    stamp = moment.astimezone(UTC).replace(tzinfo=None)  # Huey's clock: naive UTC
    picked = [task for task in queue.read_periodic(stamp) if type(task).__name__ == TASK]
    if not picked:
        return "not picked"
    queue.enqueue(picked[0])
    return queue.execute(queue.dequeue(), stamp)


def _committed() -> dict:
    """Final documents, "sealed" trail events and audit entries, as another connection sees them."""
    with db.engine.connect() as conn:
        return {
            "finals": conn.scalar(select(func.count()).select_from(FinalDocument)),
            "trail": conn.scalar(select(func.count()).select_from(AuditTrailEvent)
                                 .where(AuditTrailEvent.kind == TrailKind.SEALED)),
            "audit": conn.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "declaration.sealed")),
        }


def _public(client, declaration) -> dict:
    return client.get(f"/api/v1/declarations/verify/{declaration.verification_code}").get_json()


def test_the_task_is_registered_every_ten_minutes(queue):
    assert TASK in {type(task).__name__ for task in queue._registry.periodic_tasks}
    task = worker.seal_declarations_task.s()
    for minute in (0, 10, 20, 30, 40, 50):
        assert task.validate_datetime(datetime(2025, 3, 3, 15, minute))
    for minute in (1, 5, 9, 11, 35, 59):
        assert not task.validate_datetime(datetime(2025, 3, 3, 15, minute))


def test_the_task_seals_what_the_authority_left_unsealed_and_retries_failures(app, client, tsa, queue, monkeypatch,
                                                                                 caplog):
    first, second = _signed(), _signed(signatories=2)
    db.session.commit()
    assert _public(client, first)["status"] == "signed" and not _public(client, first)["sealed"]
    moment = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
    assert _scheduled(queue, moment.replace(minute=5)) == "not picked"

    tsa.stop()  # down: both fail, are logged, and nothing is committed
    assert _scheduled(queue, moment) == {"sealed": 0, "failed": 2}
    assert _committed() == {"finals": 0, "trail": 0, "audit": 0}
    warnings = [r.getMessage() for r in caplog.records if r.name == sealing.__name__]
    assert len(warnings) == 2 and all("timestamp_unavailable" in w for w in warnings)

    tsa.start()  # back, but sealing the first one breaks (a bug): it is skipped, the second is sealed
    real = sealing.seal_final

    def first_breaks(declaration):
        if declaration.id == first.id:
            raise RuntimeError("the renderer broke")
        return real(declaration)

    monkeypatch.setattr(sealing, "seal_final", first_breaks)
    caplog.clear()
    assert _scheduled(queue, moment.replace(minute=10)) == {"sealed": 1, "failed": 1}
    assert _committed() == {"finals": 1, "trail": 1, "audit": 1}
    assert [r.exc_info[0] for r in caplog.records if r.levelno >= logging.ERROR] == [RuntimeError]
    assert _public(client, second)["sealed"] and _public(client, second)["timestamped"]
    assert not _public(client, first)["sealed"]

    monkeypatch.setattr(sealing, "seal_final", real)  # fixed: the next run seals the first, then nothing is left
    assert _scheduled(queue, moment.replace(minute=20)) == {"sealed": 1, "failed": 0}
    assert _scheduled(queue, moment.replace(minute=30)) == {"sealed": 0, "failed": 0}
    assert _committed() == {"finals": 2, "trail": 2, "audit": 2}
    assert _public(client, first)["sealed"] and tsa.requests == 2  # one query per seal made


# --- never two final documents ---------------------------------------------------------------------------------

def _wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _waiting_for_a_lock() -> int:
    """Connections of this test database waiting for a lock (PostgreSQL)."""
    with db.engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND wait_event_type = 'Lock'"))


@pytest.mark.parametrize("parties", [("task", "task"), ("task", "click"), ("click", "task")])
def test_two_finalizations_at_once_make_one_final_document(app, organizer, organizer_client, tsa, parties):
    """On PostgreSQL the authority holds both seals until both have asked it (or the second waits for the row),
    so both reach the claim with a sealed document in hand; on SQLite they run as they come."""
    declaration = _signed()
    db.session.commit()
    token = csrf_token_from(organizer_client.get(f"/gestion/declaratorias/{declaration.id}/firmas")
                            .get_data(as_text=True))
    postgres = _on_postgresql()
    if postgres:
        tsa.hold()

    def party(kind: str, turn: int):
        def run():
            if postgres and turn == 2:
                _wait_for(lambda: tsa.requests == 1)  # the first is at the authority
            if kind == "task":
                return worker.seal_declarations_task.call_local()
            response = organizer_client.post(f"/gestion/declaratorias/{declaration.id}/sellar",
                                              data={"csrf_token": token}, follow_redirects=True)
            return response.status_code, response.get_data(as_text=True)
        return run

    def referee():
        if postgres:
            _wait_for(lambda: tsa.requests >= 2 or _waiting_for_a_lock() >= 1)
            tsa.release()

    *results, _ = _in_threads(app, party(parties[0], 1), party(parties[1], 2), referee)
    for kind, result in zip(parties, results, strict=True):
        if kind == "task":  # sealed by this run or found sealed by the other: nothing failed
            assert result == {"sealed": 1, "failed": 0}
        else:  # the organizer sees the sealed document, never a 500
            status, page = result
            assert status == 200 and "Documento final sellado con sello de tiempo." in page
            assert "Con sello de tiempo" in page
    assert _committed() == {"finals": 1, "trail": 1, "audit": 1}
    assert tsa.requests <= 2


def test_while_the_task_waits_for_the_authority_no_writer_waits(app, tsa):
    """The task seals in a read transaction: the declaration's row stays free (PostgreSQL) and so does SQLite's
    one write lock, so a registration rush is not held up by a slow authority."""
    declaration = _signed()
    db.session.commit()
    declaration_id = declaration.id
    tsa.hold()

    def writer():
        _wait_for(lambda: tsa.requests == 1)  # the task is at the authority
        started = time.monotonic()
        with write_transaction():
            db.session.execute(update(Declaration).where(Declaration.id == declaration_id)
                               .values(updated_at=utcnow()))
            db.session.commit()
        waited = time.monotonic() - started
        tsa.release()
        return waited

    result, waited = _in_threads(app, worker.seal_declarations_task.call_local, writer)
    assert waited < 1 and result == {"sealed": 1, "failed": 0}
    assert _committed() == {"finals": 1, "trail": 1, "audit": 1}
