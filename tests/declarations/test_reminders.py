"""Automatic reminders to signatories through the task queue's schedule (issue 15, point 8; Done when: "reminders
scheduled and sent with frozen time"): the periodic task is registered with Huey, its scheduler picks it at minute
07 of each hour, and running it as the consumer does reminds who is due, writes the trail and the audit log and
commits; every N days (FOROS_DECLARATIONS_REMINDER_DAYS), 0 = off. Time is frozen by moving ``utcnow`` of the
declaration modules, as in test_signing."""

from datetime import UTC, datetime, timedelta

import pytest
from huey import MemoryHuey
from sqlalchemy import func, select

from foros import ConfigurationError, create_app, worker
from foros.config import environment_settings
from foros.core.time import as_utc
from foros.declarations import board, manage, signing, signing_common, versions
from foros.declarations.models import AuditTrailEvent, DeclarationStatus, SignatoryStatus, TrailKind
from foros.extensions import db
from foros.mail.models import OutboxMessage
from tests.conftest import base_config, database_uri
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
    manage.change_status(declaration, "open", actor=organizer, open_signing=versions.open_signing)
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
