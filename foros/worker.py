"""The one background-work mechanism: Huey. Embedded on SQLite by default, Redis at scale.

Run the worker with ``.venv/bin/huey_consumer foros.worker.huey`` (``make run`` starts one beside the
web server). The ``HUEY_URL`` setting (``FOROS_HUEY_URL``; see ``foros.config``) chooses the storage: empty →
a SQLite file in the instance folder; ``redis://host:6379/0`` → Redis; ``memory://`` → in-process (tests).

Tasks only *deliver* what the database already holds (e-mail in the outbox): if the queue loses a
message or is down, the periodic sweep still finds the work in the database.
"""

import atexit
import logging
import os
import threading
import time
from functools import lru_cache

from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

from foros import create_app
from foros.config import ROOT, environment_settings
from foros.core.db import write_transaction
from foros.declarations.board import send_due_reminders
from foros.declarations.sealing import seal_unsealed
from foros.extensions import db
from foros.jobs.runner import run_queued_jobs, sweep_jobs
from foros.mail.delivery import BATCH, deliver_due_messages

log = logging.getLogger(__name__)


def make_huey(url: str):
    """The Huey instance for the ``HUEY_URL`` setting."""
    url = url or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("foros", url=url)
    if url == "memory://":
        return MemoryHuey("foros")
    default = str(ROOT / "instance" / "huey.sqlite3")
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else default
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # No fsync per enqueue: a lost enqueue costs at most a minute (the sweep finds the work in the outbox).
    return SqliteHuey("foros", filename=path, fsync=False)


# Built at import: ``huey_consumer foros.worker.huey`` and the task decorators below need it before any app.
huey = make_huey(environment_settings()["HUEY_URL"])


@lru_cache(maxsize=1)
def _worker_app():
    return create_app()


def _in_app(fn):
    from flask import has_app_context

    if has_app_context():
        return fn()
    with _worker_app().app_context():
        return fn()


def _deliver_everything_due() -> dict:
    """Deliver batch after batch while batches come back full; the counts of the runs together."""
    done = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        counts = deliver_due_messages(limit=BATCH)
        for key in done:
            done[key] += counts[key]
        if counts["sent"] + counts["retry"] + counts["failed"] < BATCH:
            return {**counts, **done}


@huey.task()
def deliver_outbox_task():
    """Deliver the e-mail that is due now."""
    return _in_app(_deliver_everything_due)


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox_task():
    """Every minute: retry what failed and deliver anything whose enqueue was lost."""
    return _in_app(_deliver_everything_due)


class OutboxNotifier:
    """Turns a process's "deliver now" calls into at most one enqueue per ``interval`` seconds.

    One delivery task sends every message that is due when it runs, so a rush of sign-ups needs one task per
    moment, not one per sign-up — an enqueue is a write to the queue (a second SQLite file shared by all
    workers, in the embedded set-up) and cost 8–15 % of the registration bench's throughput. ``notify()``
    only sets a flag; a daemon thread per process (started on first use, also after a fork) enqueues as soon
    as the flag is set, then waits ``interval`` before it looks again: the first message of a quiet moment
    goes at once, later ones wait at most ``interval``. Whatever is still flagged when the process exits is
    enqueued then (``atexit``); if even that is lost, the per-minute sweep delivers it.
    """

    def __init__(self, enqueue, interval: float = 0.2):
        self.enqueue, self.interval = enqueue, interval
        self._wanted = threading.Event()
        self._pid: int | None = None
        self._guard = threading.Lock()
        atexit.register(self.flush)

    def notify(self) -> None:
        self._wanted.set()
        if self._pid != os.getpid():
            with self._guard:
                if self._pid != os.getpid():
                    self._pid = os.getpid()
                    threading.Thread(target=self._run, name="foros-outbox-notify", daemon=True).start()

    def flush(self) -> None:
        """Enqueue now if a notification is waiting (process exit)."""
        if self._wanted.is_set():
            self._wanted.clear()
            self._enqueue()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            self._enqueue()
            time.sleep(self.interval)

    def _enqueue(self) -> None:
        try:
            self.enqueue()
        except Exception:  # the queue being down must never fail a request that already committed
            log.warning("Could not enqueue outbox delivery; the periodic sweep will deliver it.", exc_info=True)


_notifier = OutboxNotifier(deliver_outbox_task)  # calling the task enqueues it


def notify_outbox() -> None:
    """Ask the worker to deliver soon (after commit). Best effort: the periodic sweep is the safety net."""
    from flask import current_app

    if current_app.config.get("WORKER_ENQUEUE", True):
        _notifier.notify()


@huey.task()
def run_jobs_task():
    """Run the background jobs that wait (big exports, certificate ZIPs), oldest first."""
    return _in_app(run_queued_jobs)


@huey.periodic_task(crontab(minute="*"))
def sweep_jobs_task():
    """Every minute: run jobs whose enqueue was lost, fail those whose worker died, delete expired files."""
    return _in_app(sweep_jobs)


def notify_jobs() -> None:
    """A job was queued and committed: ask the worker to run it (best effort; the sweep is the safety net)."""
    from flask import current_app

    if not current_app.config.get("WORKER_ENQUEUE", True):
        return
    try:
        run_jobs_task()
    except Exception:  # the queue being down must never fail a request that already committed
        log.warning("Could not enqueue the background jobs; the periodic sweep will run them.", exc_info=True)


def _remind_signatories() -> int:
    # The worker is its own transaction boundary: the queued e-mail, the trail and the audit entries of every
    # reminder commit together, or none of them does (a failure leaves nothing half-done in the session). A
    # writer from the start: on SQLite two workers then take turns (the second finds nobody due) instead of the
    # second failing on a write lock mid-run; on PostgreSQL each reminder's conditional UPDATE is the claim.
    with write_transaction():
        try:
            sent = send_due_reminders()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return sent


@huey.periodic_task(crontab(minute="7"))
def declaration_reminders_task():
    """Every hour: remind each signatory who has not signed, once every ``DECLARATIONS_REMINDER_DAYS`` days."""
    return _in_app(_remind_signatories)


def _seal_declarations() -> dict:
    run = seal_unsealed()  # one transaction per declaration; a failure is logged and left for the next run
    if run.sealed or run.failed:
        log.info("Sealed %d declaration(s); %d still unsealed", len(run.sealed), len(run.failed))
    return {"sealed": len(run.sealed), "failed": len(run.failed)}


@huey.periodic_task(crontab(minute="*/10"))
def seal_declarations_task():
    """Every ten minutes: seal the final document of each signed declaration left unsealed when its last
    signature arrived (the timestamp authority or the certificate failed then), without waiting for a click."""
    return _in_app(_seal_declarations)
