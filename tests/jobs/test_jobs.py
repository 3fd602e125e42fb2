"""Background jobs: queue, claim once, progress seen while running, file or error, who may see it, expiry."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from foros import worker
from foros.core.errors import DomainError
from foros.core.time import utcnow
from foros.extensions import db
from foros.jobs import runner, services
from foros.jobs.models import BackgroundJob, JobStatus
from foros.jobs.registry import JobResult, register_job_kind

SEEN = []


def _counting_job(job, progress):
    """Reports progress and records what another connection sees of it while the job still runs."""
    total = job.params["total"]
    for done in range(1, total + 1):
        progress(done, total)
        with db.engine.connect() as conn:  # what the status page (another process) would read now
            row = conn.execute(select(BackgroundJob.status, BackgroundJob.progress_done,
                                      BackgroundJob.progress_total).where(BackgroundJob.id == job.id)).one()
        SEEN.append((row.status, row.progress_done, row.progress_total))
    return JobResult("cuenta-ñandú.csv", "text/csv", f"total,{total}\r\n".encode())


def _broken_job(job, progress):
    raise RuntimeError("boom")


def _refusing_job(job, progress):
    raise DomainError("nothing_to_export", "No hay nada que exportar.")


register_job_kind("test_count", _counting_job)
register_job_kind("test_broken", _broken_job)
register_job_kind("test_refusing", _refusing_job)


@pytest.fixture
def job(app, organizer):
    job = services.create_job("test_count", requested_by=organizer, title="Cuenta de prueba", params={"total": 4})
    db.session.commit()
    return job


def test_unknown_kind_is_refused(app, organizer):
    with pytest.raises(DomainError) as error:
        services.create_job("no_such_kind", requested_by=organizer, title="x")
    assert error.value.code == "unknown_job_kind"


def test_progress_is_visible_while_the_job_runs_and_the_file_is_kept(app, job, monkeypatch):
    SEEN.clear()
    monkeypatch.setattr(runner, "PROGRESS_INTERVAL", 0)
    assert runner.run_job(job.id, progress_interval=0) == JobStatus.DONE
    assert [(JobStatus.RUNNING, n, 4) for n in range(1, 5)] == SEEN
    db.session.expire_all()
    job = db.session.get(BackgroundJob, job.id)
    assert job.status == JobStatus.DONE and job.percent == 100
    assert job.result_data == b"total,4\r\n" and job.result_size == 9
    assert job.finished_at is not None and job.expires_at > utcnow()


def test_a_job_is_claimed_once(app, job):
    assert runner.claim(job.id) is True
    assert runner.claim(job.id) is False
    assert runner.run_job(job.id) is None  # already running elsewhere


def test_run_queued_jobs_runs_each_waiting_job(app, organizer):
    for n in (1, 2):
        services.create_job("test_count", requested_by=organizer, title=f"Cuenta {n}", params={"total": n})
    db.session.commit()
    assert runner.run_queued_jobs() == 2
    assert runner.run_queued_jobs() == 0
    assert set(db.session.scalars(select(BackgroundJob.status))) == {JobStatus.DONE}


@pytest.mark.parametrize(("kind", "message"), [
    ("test_broken", runner.GENERIC_ERROR),
    ("test_refusing", "No hay nada que exportar."),
])
def test_a_failing_job_keeps_a_spanish_message(app, organizer, kind, message, caplog):
    job = services.create_job(kind, requested_by=organizer, title="Falla")
    db.session.commit()
    assert runner.run_job(job.id) == JobStatus.FAILED
    db.session.expire_all()
    assert db.session.get(BackgroundJob, job.id).error == message


def test_status_page_refreshes_until_done_then_links_the_file(app, job, organizer_client):
    page = organizer_client.get(f"/trabajos/{job.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "<progress" in html and "En espera" in html
    assert organizer_client.get(f"/trabajos/{job.token}/archivo").status_code == 409

    runner.run_job(job.id)
    html = organizer_client.get(f"/trabajos/{job.token}").get_data(as_text=True)
    assert "http-equiv" not in html and "Listo" in html
    assert f"/trabajos/{job.token}/archivo" in html
    download = organizer_client.get(f"/trabajos/{job.token}/archivo")
    assert download.status_code == 200 and download.data == b"total,4\r\n"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "cuenta-%C3%B1and%C3%BA.csv" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"


def test_only_the_requester_and_organizers_see_a_job(app, staff, staff_client, client, organizer):
    own = services.create_job("test_count", requested_by=staff, title="Mía", params={"total": 1})
    other = services.create_job("test_count", requested_by=organizer, title="Ajena", params={"total": 1})
    db.session.commit()
    runner.run_queued_jobs()
    assert staff_client.get(f"/trabajos/{own.token}").status_code == 200
    assert staff_client.get(f"/trabajos/{own.token}/archivo").status_code == 200
    assert staff_client.get(f"/trabajos/{other.token}").status_code == 404
    assert staff_client.get(f"/trabajos/{other.token}/archivo").status_code == 404
    assert staff_client.get("/trabajos/no-existe").status_code == 404
    anonymous = client.get(f"/trabajos/{own.token}/archivo")
    assert anonymous.status_code == 302 and "/entrar" in anonymous.headers["Location"]


def test_expired_results_are_gone_and_swept(app, job, organizer_client):
    runner.run_job(job.id)
    job = db.session.get(BackgroundJob, job.id)
    job.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = organizer_client.get(f"/trabajos/{job.token}/archivo")
    assert response.status_code == 410 and "ya no está disponible" in response.get_data(as_text=True)
    assert runner.sweep_jobs()["purged"] == 1
    assert db.session.scalar(select(BackgroundJob.id)) is None


def test_jobs_whose_worker_died_are_failed_by_the_sweep(app, job):
    runner.claim(job.id)
    job = db.session.get(BackgroundJob, job.id)
    job.started_at = utcnow() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 1)
    db.session.commit()
    assert runner.sweep_jobs()["stale"] == 1
    db.session.expire_all()
    assert db.session.get(BackgroundJob, job.id).status == JobStatus.FAILED


def test_the_worker_is_asked_only_once_the_job_is_committed(app, organizer, monkeypatch):
    calls = []
    monkeypatch.setattr(worker, "run_jobs_task", lambda: calls.append(1))
    app.config["WORKER_ENQUEUE"] = True
    services.create_job("test_count", requested_by=organizer, title="x", params={"total": 1})
    db.session.rollback()
    assert calls == []
    services.create_job("test_count", requested_by=organizer, title="y", params={"total": 1})
    db.session.commit()
    assert calls == [1]
