"""Large attendance exports go to the background job (threshold lowered to 3 rows here)."""

import pytest
from sqlalchemy import select

from foros.extensions import db
from foros.jobs import runner
from foros.jobs.models import BackgroundJob, JobStatus
from tests.attendance.test_exports import _csv_rows, _expected, _post, event  # noqa: F401  (the fixture)


@pytest.fixture
def app_config():
    return {"ATTENDANCE_EXPORT_BACKGROUND_ROWS": 3}


def test_large_exports_run_in_the_background_with_progress(organizer_client, event):  # noqa: F811
    response = _post(organizer_client, event, format="csv")
    assert response.status_code == 302 and "/trabajos/" in response.headers["Location"]
    job = db.session.scalar(select(BackgroundJob))
    assert job.status == JobStatus.QUEUED and job.progress_total == 5
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in page and 'http-equiv="refresh"' in page
    assert runner.run_job(job.id) == JobStatus.DONE
    download = organizer_client.get(f"/trabajos/{job.token}/archivo")
    rows = _csv_rows(download)
    assert [r[0].removeprefix("'") for r in rows[1:]] == _expected(event)
    db.session.expire_all()
    assert db.session.get(BackgroundJob, job.id).progress_done == 5


