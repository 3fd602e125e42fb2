"""A background job's page (progress, then the download link) and its file: the requester and organizers."""

from flask import Response, abort, render_template
from flask_login import current_user

from foros.accounts.auth import staff_required
from foros.core.errors import DomainError
from foros.core.export import content_disposition
from foros.jobs import bp, services
from foros.jobs.models import BackgroundJob

#: Seconds between two reloads of the status page while the job is not finished.
REFRESH_SECONDS = 2


def _visible_job(job_token: str) -> BackgroundJob:
    """The job, or 404 — also for people who may not see it (its existence is not revealed)."""
    job = services.job_by_token(job_token)
    if job is None or not services.may_see(job, current_user):
        abort(404)
    return job


@bp.get("/trabajos/<job_token>")
@staff_required
def status(job_token):
    """Progress of a background job; reloads itself (meta refresh, no script) until it is done."""
    job = _visible_job(job_token)
    return render_template("jobs/status.html", job=job, refresh=None if job.finished else REFRESH_SECONDS)


@bp.get("/trabajos/<job_token>/archivo")
@staff_required
def download(job_token):
    """The file a finished job produced."""
    job = _visible_job(job_token)
    try:
        data = services.result_of(job)
    except DomainError as error:
        status_code = 410 if error.code == "job_expired" else 409
        return render_template("jobs/status.html", job=job, refresh=None, problem=error.message), status_code
    response = Response(data, mimetype=job.result_mimetype or "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(job.result_filename or "archivo")
    response.headers["Cache-Control"] = "private, no-store"
    return response
