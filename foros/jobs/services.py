"""Background jobs: ask for one, find it, decide who may see it. (Running them: ``foros.jobs.runner``.)"""

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from foros.accounts.models import Role
from foros.core.errors import DomainError
from foros.core.time import utcnow
from foros.core.transaction import after_commit
from foros.extensions import db
from foros.jobs.models import BackgroundJob, JobStatus
from foros.jobs.registry import job_function

#: After-commit action: a job was queued, wake the worker (``foros.worker.notify_jobs``).
JOBS_QUEUED = "jobs.queued"


def create_job(kind: str, *, requested_by, title: str, event=None, params: dict | None = None,
               total: int = 0) -> BackgroundJob:
    """Queue a job of a registered kind; the worker is woken once the caller's transaction commits."""
    if job_function(kind) is None:
        raise DomainError("unknown_job_kind", "Ese tipo de trabajo en segundo plano no existe.")
    job = BackgroundJob(token=secrets.token_urlsafe(32), kind=kind, title=title[:200], params=params or {},
                        event_id=getattr(event, "id", None), requested_by_id=getattr(requested_by, "id", None),
                        status=JobStatus.QUEUED, progress_total=max(total, 0))
    db.session.add(job)
    db.session.flush()
    after_commit(JOBS_QUEUED)
    return job


def job_by_token(token: str) -> BackgroundJob | None:
    """The job behind a status/download URL, or None (also for malformed tokens)."""
    if not token or len(token) > 43:
        return None
    return db.session.scalar(select(BackgroundJob).where(BackgroundJob.token == token))


def may_see(job: BackgroundJob, user) -> bool:
    """Only the person who asked for the job, and organizers, see its progress and its file."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role == Role.ORGANIZER or (job.requested_by_id is not None and job.requested_by_id == user.id)


def result_of(job: BackgroundJob) -> bytes:
    """The job's file; ``job_not_ready`` until it is done, ``job_expired`` once it is gone."""
    if job.status != JobStatus.DONE:
        raise DomainError("job_not_ready", "El archivo todavía no está listo.")
    if job.expires_at is not None and job.expires_at <= utcnow() or job.result_data is None:
        raise DomainError("job_expired", "El archivo ya no está disponible; vuelva a solicitarlo.")
    return job.result_data


def expiry_from(now, seconds: int):
    """When a result made at ``now`` expires."""
    return now + timedelta(seconds=seconds)


def purge_expired(now=None) -> int:
    """Delete jobs whose result expired; return how many (worker sweep; the caller commits)."""
    now = now or utcnow()
    result = db.session.execute(delete(BackgroundJob).where(BackgroundJob.expires_at.is_not(None),
                                                            BackgroundJob.expires_at <= now))
    return result.rowcount or 0
