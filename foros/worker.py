"""The one background-work mechanism: Huey. Embedded on SQLite by default, Redis at scale.

Run the worker with ``.venv/bin/huey_consumer foros.worker.huey`` (``make run`` starts one beside the
web server). ``FOROS_HUEY_URL`` chooses the storage: unset → a SQLite file in the instance folder;
``redis://host:6379/0`` → Redis; ``memory://`` → in-process (tests).

Tasks only *deliver* what the database already holds (e-mail in the outbox): if the queue loses a
message or is down, the periodic sweep still finds the work in the database.
"""

import logging
import os
from functools import lru_cache
from pathlib import Path

from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


def _make_huey():
    url = os.environ.get("FOROS_HUEY_URL", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("foros", url=url)
    if url == "memory://":
        return MemoryHuey("foros")
    default = str(ROOT / "instance" / "huey.sqlite3")
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else default
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # No fsync per enqueue: a lost enqueue costs at most a minute (the sweep finds the work in the outbox).
    return SqliteHuey("foros", filename=path, fsync=False)


huey = _make_huey()


@lru_cache(maxsize=1)
def _worker_app():
    from foros import create_app

    return create_app()


def _in_app(fn):
    from flask import has_app_context

    if has_app_context():
        return fn()
    with _worker_app().app_context():
        return fn()


@huey.task()
def deliver_outbox_task():
    """Deliver the e-mail that is due now."""
    from foros.mail.delivery import deliver_due_messages

    return _in_app(deliver_due_messages)


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox_task():
    """Every minute: retry what failed and deliver anything whose enqueue was lost."""
    from foros.mail.delivery import deliver_due_messages

    return _in_app(deliver_due_messages)


def notify_outbox() -> None:
    """Ask the worker to deliver now (after commit). Best effort: the periodic sweep is the safety net."""
    from flask import current_app

    if not current_app.config.get("WORKER_ENQUEUE", True):
        return
    try:
        deliver_outbox_task()
    except Exception:  # the queue being down must never fail the request that already committed
        log.warning("Could not enqueue outbox delivery; the periodic sweep will deliver it.", exc_info=True)
