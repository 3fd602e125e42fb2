"""Running queued jobs (the Huey worker, or a test): claim one, call its function, keep its file or its error.

Like mail delivery, this is a transaction boundary of its own (it runs outside requests) and commits:

1. **Claim** — a conditional ``UPDATE … SET status='running' WHERE id=… AND status='queued'``: of several
   workers only one gets each job.
2. **Work** — the registered function runs in a *read* transaction and reports progress through
   ``Progress``, which writes ``progress_done``/``progress_total`` on a connection of its own, at most every
   ``PROGRESS_INTERVAL`` seconds, so the status page sees it move while the job still runs. (A job function
   therefore only reads; what it produces is its return value.)
3. **Finish** — the read transaction ends; the file (or the error) is written and committed.

Jobs whose worker died stay ``running``; ``fail_stale_jobs`` marks them failed after ``JOB_STALE_SECONDS``.
"""

import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from foros.core.db import write_transaction
from foros.core.errors import DomainError
from foros.core.time import utcnow
from foros.extensions import db
from foros.jobs.models import BackgroundJob, JobStatus
from foros.jobs.registry import JobResult, job_function
from foros.jobs.services import expiry_from, purge_expired

log = logging.getLogger(__name__)

#: Seconds between two progress writes of one job.
PROGRESS_INTERVAL = 0.5
GENERIC_ERROR = "Ocurrió un error al generar el archivo. Intente de nuevo; si se repite, avise al equipo técnico."


class Progress:
    """``progress(done, total=None)``: how far a job got, written on its own connection (throttled)."""

    def __init__(self, job_id: int, interval: float = PROGRESS_INTERVAL):
        self.job_id, self.interval = job_id, interval
        self.done, self.total = 0, 0
        self._written_at = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self._written_at >= self.interval or (self.total and done >= self.total):
            self._written_at = now
            self.write()

    def write(self) -> None:
        values = {"progress_done": self.done}
        if self.total:
            values["progress_total"] = self.total
        with write_transaction(), db.engine.begin() as conn:
            conn.execute(update(BackgroundJob).where(BackgroundJob.id == self.job_id).values(**values))


def claim(job_id: int) -> bool:
    """Mark a queued job running; False if another worker took it (or it is not queued)."""
    with write_transaction():
        result = db.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id, BackgroundJob.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=utcnow())
        )
        db.session.commit()
    return result.rowcount == 1


def run_job(job_id: int, *, progress_interval: float = PROGRESS_INTERVAL) -> JobStatus | None:
    """Claim and run one job; return its final status (None if it was not there to claim). Commits."""
    db.session.commit()  # start from a clean session (a test, a worker loop)
    if not claim(job_id):
        return None
    job = db.session.get(BackgroundJob, job_id)
    progress = Progress(job_id, progress_interval)
    run = job_function(job.kind)
    try:
        if run is None:
            raise DomainError("unknown_job_kind", "Este tipo de trabajo ya no existe en el servidor.")
        result: JobResult = run(job, progress)
    except DomainError as error:
        db.session.rollback()
        return _finish(job_id, error=error.message, done=progress.done)
    except Exception:
        log.exception("Background job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        return _finish(job_id, error=GENERIC_ERROR, done=progress.done)
    db.session.commit()  # end the read transaction before writing the result
    return _finish(job_id, result=result, done=progress.total or progress.done)


def _finish(job_id: int, *, result: JobResult | None = None, error: str = "", done: int = 0) -> JobStatus:
    now = utcnow()
    values = {"finished_at": now, "progress_done": done}
    if result is not None:
        values.update(status=JobStatus.DONE, result_filename=result.filename[:200],
                      result_mimetype=result.mimetype[:120], result_data=result.data,
                      result_size=len(result.data))
    else:
        values.update(status=JobStatus.FAILED, error=error[:500])
    values["expires_at"] = expiry_from(now, current_app.config["JOB_RESULT_TTL_SECONDS"])
    with write_transaction():
        db.session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(**values))
        db.session.commit()
    return values["status"]


def run_queued_jobs(limit: int | None = None) -> int:
    """Run queued jobs, oldest first, until none is left (or ``limit``); return how many ran. Commits."""
    ran = 0
    while limit is None or ran < limit:
        db.session.commit()
        job_id = db.session.scalar(select(BackgroundJob.id).where(BackgroundJob.status == JobStatus.QUEUED)
                                   .order_by(BackgroundJob.id).limit(1))
        if job_id is None:
            break
        if run_job(job_id) is not None:
            ran += 1
    db.session.commit()
    return ran


def fail_stale_jobs(now=None) -> int:
    """Jobs ``running`` for longer than ``JOB_STALE_SECONDS`` lost their worker: mark them failed. Commits."""
    now = now or utcnow()
    limit = now - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    with write_transaction():
        result = db.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.status == JobStatus.RUNNING, BackgroundJob.started_at < limit)
            .values(status=JobStatus.FAILED, error=GENERIC_ERROR, finished_at=now,
                    expires_at=expiry_from(now, current_app.config["JOB_RESULT_TTL_SECONDS"]))
        )
        db.session.commit()
    return result.rowcount or 0


def sweep_jobs() -> dict:
    """The worker's periodic pass: fail stale jobs, delete expired ones, run what waits. Commits."""
    stale = fail_stale_jobs()
    with write_transaction():
        purged = purge_expired()
        db.session.commit()
    return {"stale": stale, "purged": purged, "ran": run_queued_jobs()}
