"""Automatic reminders to signatories through the task queue's schedule (issue 15, point 8; Done when: "reminders
scheduled and sent with frozen time"): the periodic task is registered with Huey, its scheduler picks it at minute
07 of each hour, and running it as the consumer does reminds who is due, writes the trail and the audit log and
commits; every N days (FOROS_DECLARATIONS_REMINDER_DAYS), 0 = off. Time is frozen by moving ``utcnow`` of the
declaration modules, as in test_signing."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from huey import MemoryHuey
from sqlalchemy import func, select

from foros import ConfigurationError, create_app, worker
from foros.accounts.models import User
from foros.audit.models import AuditEntry
from foros.config import environment_settings
from foros.core.db import write_transaction
from foros.core.errors import DomainError
from foros.core.time import as_utc
from foros.declarations import board, manage, signing, signing_common, versions
from foros.declarations.models import AuditTrailEvent, DeclarationStatus, Signatory, SignatoryStatus, TrailKind
from foros.extensions import db
from foros.mail.models import OutboxMessage
from tests.conftest import base_config, csrf_token_from, database_uri
from tests.declarations.test_manage import _actions, _declaration

OPENED = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # signing opens (and invitations go) at 09:00 in Mexico City
TASK = "declaration_reminders_task"


class Clock:
    """``utcnow`` of the declaration modules, frozen and moved by the test."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    moment = Clock(OPENED)
    for module in (board, signing, signing_common, versions):
        monkeypatch.setattr(module, "utcnow", moment)
    return moment


@pytest.fixture
def queue(monkeypatch):
    """The worker's own Huey instance (its registry, scheduler and execution) on an in-memory queue."""
    monkeypatch.setattr(worker.huey, "storage", MemoryHuey("foros-test").storage)
    return worker.huey


def _tick(queue, clock, moment: datetime) -> dict:
    """One minute of the consumer at the frozen ``moment``: the scheduler enqueues the periodic tasks due then,
    a worker dequeues and executes them. Returns the reminders task's result by name (absent if not picked)."""
    clock.now = moment
    stamp = moment.astimezone(UTC).replace(tzinfo=None)  # Huey's clock: naive UTC
    for task in queue.read_periodic(stamp):
        if type(task).__name__ == TASK:  # the other periodic tasks (outbox, jobs) are not ours here
            queue.enqueue(task)
    results = {}
    while (task := queue.dequeue()) is not None:
        results[type(task).__name__] = queue.execute(task, stamp)
    return results


def _committed_outbox(kind: str) -> list[str]:
    """Addresses of the queued messages of ``kind`` as another session (the mail worker) sees them."""
    with db.engine.connect() as conn:
        return sorted(conn.scalars(select(OutboxMessage.to_address).where(OutboxMessage.kind == kind)))


def _committed_reminders() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AuditTrailEvent)
                           .where(AuditTrailEvent.kind == TrailKind.REMINDED))


def _open(organizer, **kw):
    declaration = _declaration(organizer, **kw)
    manage.change_status(declaration, "open", actor=organizer)
    db.session.commit()
    return declaration


def test_the_task_is_registered_hourly_at_minute_seven(queue):
    assert TASK in {type(task).__name__ for task in queue._registry.periodic_tasks}
    task = worker.declaration_reminders_task.s()
    assert task.validate_datetime(datetime(2025, 3, 3, 15, 7))
    assert task.validate_datetime(datetime(2025, 12, 31, 0, 7, 59))
    for minute in (0, 6, 8, 37, 59):
        assert not task.validate_datetime(datetime(2025, 3, 3, 15, minute))
    assert TASK in {type(t).__name__ for t in queue.read_periodic(datetime(2025, 3, 3, 15, 7))}
    assert TASK not in {type(t).__name__ for t in queue.read_periodic(datetime(2025, 3, 3, 15, 8))}


def test_the_scheduled_task_reminds_every_n_days_and_commits(app, organizer, clock, queue):
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    declaration = _open(organizer)
    assert _committed_outbox("declaration.invitation") == ["laura@example.org", "raul@example.org"]

    assert _tick(queue, clock, OPENED + timedelta(minutes=7)) == {TASK: 0}
    assert _tick(queue, clock, OPENED + timedelta(days=2, hours=23, minutes=7)) == {TASK: 0}
    assert _tick(queue, clock, OPENED + timedelta(days=3, minutes=8)) == {}  # not picked at minute 08

    due = OPENED + timedelta(days=3, minutes=7)
    assert _tick(queue, clock, due) == {TASK: 2}
    # committed: another session sees the new links' e-mails, the trail and the audit log
    assert _committed_outbox("declaration.invitation") == ["laura@example.org", "laura@example.org",
                                                           "raul@example.org", "raul@example.org"]
    assert _committed_reminders() == 2
    db.session.expire_all()
    events = [e for e in declaration.trail if e.kind == TrailKind.REMINDED]
    assert [as_utc(e.at) for e in events] == [due, due] and all(e.details["automatic"] for e in events)
    assert _actions(declaration).count("declaration.reminder") == 2
    for signatory in declaration.signatories:
        assert signatory.status == SignatoryStatus.INVITED
        assert as_utc(signatory.invited_at) == OPENED and as_utc(signatory.last_reminded_at) == due

    # at once again, and the next hours: nobody
    assert _tick(queue, clock, due) == {TASK: 0}
    assert _tick(queue, clock, due + timedelta(hours=1)) == {TASK: 0}
    assert _tick(queue, clock, due + timedelta(days=2, hours=23)) == {TASK: 0}
    assert _committed_reminders() == 2
    # N days after the last reminder: again
    assert _tick(queue, clock, due + timedelta(days=3)) == {TASK: 2}
    assert _committed_reminders() == 4

    app.config["DECLARATIONS_REMINDER_DAYS"] = 0
    assert _tick(queue, clock, due + timedelta(days=30)) == {TASK: 0}
    assert _committed_reminders() == 4


def test_only_waiting_signatories_of_declarations_in_signing_are_reminded(app, organizer, clock, queue):
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    signing_one = _open(organizer)
    postponed = _open(organizer, municipality="15121")
    cancelled = _open(organizer, municipality="15060")
    manage.change_status(postponed, "postpone", reason="Proceso electoral 2023", actor=organizer)
    manage.change_status(cancelled, "cancel", reason="El ayuntamiento desistió", actor=organizer)
    laura, raul = signing_one.signatories
    raul.status, raul.reason = SignatoryStatus.DECLINED, "No asistirá"
    db.session.commit()

    due = OPENED + timedelta(days=3, minutes=7)
    assert _tick(queue, clock, due) == {TASK: 1}
    db.session.expire_all()
    assert as_utc(laura.last_reminded_at) == due and raul.last_reminded_at is None
    for declaration in (postponed, cancelled):
        assert all(s.last_reminded_at is None for s in declaration.signatories)
        assert "declaration.reminder" not in _actions(declaration)
    assert postponed.status == DeclarationStatus.POSTPONED and cancelled.status == DeclarationStatus.CANCELLED


def test_a_reminder_keeps_when_the_signatory_saw_the_document(app, organizer, clock, queue):
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    declaration = _open(organizer)
    laura = declaration.signatories[0]
    seen = OPENED + timedelta(hours=2)
    laura.status, laura.viewed_at = SignatoryStatus.VIEWED, seen
    db.session.commit()
    assert _tick(queue, clock, OPENED + timedelta(days=3, minutes=7)) == {TASK: 2}
    db.session.expire_all()
    assert laura.status == SignatoryStatus.VIEWED and as_utc(laura.viewed_at) == seen


def test_a_failing_run_commits_nothing_and_leaves_nothing_behind(app, organizer, clock, queue, monkeypatch):
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    declaration = _open(organizer)
    real = board.send_reminder
    calls = []

    def second_fails(signatory, **kw):
        calls.append(signatory.name)
        if len(calls) == 2:
            raise RuntimeError("the SMTP template broke")
        real(signatory, **kw)

    monkeypatch.setattr(board, "send_reminder", second_fails)
    due = OPENED + timedelta(days=3, minutes=7)
    assert _tick(queue, clock, due) == {TASK: None}  # Huey logged the error
    assert len(calls) == 2
    db.session.commit()  # whatever uses this session next commits: the first reminder must not be in it
    assert _committed_reminders() == 0 and len(_committed_outbox("declaration.invitation")) == 2
    assert all(s.last_reminded_at is None for s in declaration.signatories)

    monkeypatch.setattr(board, "send_reminder", real)  # fixed: the next hour reminds both
    assert _tick(queue, clock, due + timedelta(hours=1)) == {TASK: 2}
    assert _committed_reminders() == 2


def test_the_interval_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FOROS_DECLARATIONS_REMINDER_DAYS", "5")
    assert environment_settings()["DECLARATIONS_REMINDER_DAYS"] == 5
    app = create_app(base_config(database_uri(tmp_path)))
    assert app.config["DECLARATIONS_REMINDER_DAYS"] == 5
    with app.app_context():
        assert board.reminder_days() == 5
    monkeypatch.setenv("FOROS_DECLARATIONS_REMINDER_DAYS", "0")
    assert create_app(base_config(database_uri(tmp_path))).config["DECLARATIONS_REMINDER_DAYS"] == 0
    for wrong in ("tres", "2.5", "-1", "true"):
        monkeypatch.setenv("FOROS_DECLARATIONS_REMINDER_DAYS", wrong)
        with pytest.raises(ConfigurationError, match="FOROS_DECLARATIONS_REMINDER_DAYS"):
            create_app(base_config(database_uri(tmp_path)))


# --- one reminder, one record -------------------------------------------------------------------------------

def _trail_of(signatory) -> list[tuple]:
    db.session.expire_all()
    return [(e.kind, e.details) for e in signatory.declaration.trail if e.signatory_id == signatory.id]


def _audit_of(declaration) -> list[tuple]:
    return [(e.action, e.actor_name, e.details) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == str(declaration.id)).order_by(AuditEntry.id))]


def _remind_on_board(client, declaration, signatory):
    token = csrf_token_from(client.get("/gestion/declaratorias/tablero").get_data(as_text=True))
    response = client.post(f"/gestion/declaratorias/{declaration.id}/firmantes/{signatory.id}/recordar",
                           data={"csrf_token": token, "next": "board"}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_reminder_is_one_trail_event_and_one_audit_entry_with_the_true_status(app, organizer, organizer_client,
                                                                               clock, queue):
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    declaration = _open(organizer)
    laura, raul = declaration.signatories
    laura.status, laura.viewed_at = SignatoryStatus.VIEWED, OPENED + timedelta(hours=2)
    db.session.commit()
    trail = {s.id: len(_trail_of(s)) for s in (laura, raul)}
    audit, mails = len(_audit_of(declaration)), len(_committed_outbox("declaration.invitation"))

    # the task: one "reminded" event per person (no "sent" beside it), one audit entry each with their status
    assert _tick(queue, clock, OPENED + timedelta(days=3, minutes=7)) == {TASK: 2}
    for person in (laura, raul):
        assert _trail_of(person)[trail[person.id]:] == [(TrailKind.REMINDED, {"automatic": True, "by": ""})]
    assert _audit_of(declaration)[audit:] == [
        ("declaration.reminder", "sistema", {"signatory": laura.name, "status": "viewed", "automatic": True}),
        ("declaration.reminder", "sistema", {"signatory": raul.name, "status": "invited", "automatic": True})]
    assert len(_committed_outbox("declaration.invitation")) == mails + 2
    assert laura.status == SignatoryStatus.VIEWED

    # the board's button, an hour later: the same, by the organizer
    clock.now = OPENED + timedelta(days=3, hours=1)
    trail, audit = len(_trail_of(laura)), len(_audit_of(declaration))
    assert "Recordatorio enviado con un enlace nuevo." in _remind_on_board(organizer_client, declaration, laura)
    assert _trail_of(laura)[trail:] == [(TrailKind.REMINDED, {"automatic": False, "by": organizer.name})]
    assert _audit_of(declaration)[audit:] == [("declaration.reminder", organizer.name, {
        "signatory": laura.name, "status": "viewed", "automatic": False})]
    assert len(_committed_outbox("declaration.invitation")) == mails + 3
    assert laura.status == SignatoryStatus.VIEWED and laura.viewed_at is not None

    # a real re-invitation still records its own: "sent" (re-invited) and the re-invitation, status invitado
    trail, audit = len(_trail_of(laura)), len(_audit_of(declaration))
    signing.reinvite_signatory(laura, organizer)
    db.session.commit()
    assert _trail_of(laura)[trail:] == [(TrailKind.SENT, {"reinvited": True})]
    assert _audit_of(declaration)[audit:] == [("declaration.signatory_reinvited", organizer.name, {
        "signatory": laura.name, "previous_status": "viewed", "status": "invited"})]
    assert laura.status == SignatoryStatus.INVITED and laura.viewed_at is None


# --- never twice: the claim is in the database -------------------------------------------------------------

def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _in_threads(app, *jobs) -> list:
    """Run each job at once in its own thread, app context, session and connection; their results in order."""
    results, errors = [None] * len(jobs), []

    def run(index, job):
        try:
            with app.app_context():
                try:
                    results[index] = job()
                finally:
                    db.session.remove()
        except Exception as exc:  # surfaced below: an assertion in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors
    return results


def _gate_after_reading(monkeypatch, parties: int) -> threading.Barrier | None:
    """On PostgreSQL, hold each worker after it read who is due until every party has read too, so they race
    for the same rows for real. On SQLite the writer queue runs writers one after the other (a held writer
    would hold the others at BEGIN), so nothing is held there."""
    if not _on_postgresql():
        return None
    gate, real, waited = threading.Barrier(parties), board.reminder_due, threading.local()

    def held(*args):
        if not getattr(waited, "done", False):
            waited.done = True
            gate.wait(timeout=20)
        return real(*args)

    monkeypatch.setattr(board, "reminder_due", held)
    return gate


def test_two_workers_at_the_same_moment_remind_each_signatory_once(app, organizer, clock, monkeypatch):
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    declaration = _open(organizer)
    clock.now = OPENED + timedelta(days=3, minutes=7)
    _gate_after_reading(monkeypatch, 2)
    task = worker.declaration_reminders_task.call_local  # what each consumer runs, in its own process
    assert sorted(_in_threads(app, task, task)) == [0, 2]
    assert _committed_outbox("declaration.invitation") == ["laura@example.org", "laura@example.org",
                                                           "raul@example.org", "raul@example.org"]
    assert _committed_reminders() == 2
    assert _actions(declaration).count("declaration.reminder") == 2


def test_a_click_at_the_moment_the_task_runs_sends_one_email(app, organizer, clock, monkeypatch):
    """Two reminders to one person within a minute are one too many, whoever sends them: the click that comes
    second is refused (reminded_recently), the task that comes second skips her."""
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    declaration = _open(organizer)
    laura_id, organizer_id = declaration.signatories[0].id, organizer.id
    clock.now = OPENED + timedelta(days=3, minutes=7)
    gate = _gate_after_reading(monkeypatch, 2)

    def click():
        with write_transaction():  # a POST's transaction, as the view has it
            laura, actor = db.session.get(Signatory, laura_id), db.session.get(User, organizer_id)
            if gate is not None:
                gate.wait(timeout=20)
            try:
                board.send_reminder(laura, actor=actor)
            except DomainError as exc:
                db.session.rollback()
                return exc.code
            db.session.commit()
            return "sent"

    clicked, reminded = _in_threads(app, click, worker.declaration_reminders_task.call_local)
    assert (clicked, reminded) in {("sent", 1), ("reminded_recently", 2)}
    assert _committed_outbox("declaration.invitation") == ["laura@example.org", "laura@example.org",
                                                           "raul@example.org", "raul@example.org"]
    assert _committed_reminders() == 2


def test_no_second_reminder_within_a_minute(app, organizer, organizer_client, clock, queue):
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    declaration = _open(organizer)
    laura, raul = declaration.signatories
    due = OPENED + timedelta(days=3, minutes=7)
    # the organizer clicks first: the task at the same moment reminds only the other one
    clock.now = due
    assert "Recordatorio enviado" in _remind_on_board(organizer_client, declaration, laura)
    assert _tick(queue, clock, due) == {TASK: 1}
    assert _committed_outbox("declaration.invitation").count("laura@example.org") == 2
    # a click 30 s after the last reminder (a double click, or right after the task): refused, nothing sent
    for moment in (due + timedelta(seconds=30), due + timedelta(seconds=59)):
        clock.now = moment
        for person in (laura, raul):
            page = _remind_on_board(organizer_client, declaration, person)
            assert "recibió un recordatorio hace menos de un minuto" in page
    assert len(_committed_outbox("declaration.invitation")) == 4 and _committed_reminders() == 2
    with pytest.raises(DomainError) as refused:
        board.send_reminder(laura, actor=organizer, now=due + timedelta(seconds=59))
    assert refused.value.code == "reminded_recently"
    db.session.rollback()
    # a minute later the button works again (and moves the next automatic reminder three days on)
    clock.now = due + timedelta(minutes=1)
    assert "Recordatorio enviado" in _remind_on_board(organizer_client, declaration, raul)
    assert len(_committed_outbox("declaration.invitation")) == 5 and _committed_reminders() == 3
    assert _tick(queue, clock, due + timedelta(days=3)) == {TASK: 1}  # Laura; Raúl's clock started a minute later
