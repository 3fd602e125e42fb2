"""The background job: who asked for what, how far it got, and the file it produced."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from foros.core.time import utcnow
from foros.core.types import UTCDateTime, enum_type
from foros.extensions import db


class JobStatus(enum.StrEnum):
    """A job waits in the queue, runs, then ends done (with a file) or failed (with a message)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "En espera", "running": "En proceso", "done": "Listo", "failed": "Falló"}[self.value]


class BackgroundJob(db.Model):
    """One piece of background work and its result.

    The result file is kept in the database (``result_data``), not on disk: Foros runs as several processes
    (gunicorn workers, the Huey consumer), possibly on several machines, behind one PostgreSQL; the database is
    the one store they all reach, without a shared folder to configure, back up and clean. Results are a few
    MB at most (10,000-row lists) and expire (``expires_at``), after which the sweep deletes the row.
    """

    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random token in the status and download URLs; never the id.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    #: Registry key of the function that does the work (e.g. ``attendance_export``).
    kind: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=True,
                                                 index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                        nullable=True)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED, index=True)
    #: What the job function needs (plain JSON: filters, format, columns).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Shown to people on the status page ("Lista de asistencia (PDF)").
    title: Mapped[str] = mapped_column(String(200), default="")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    #: 0 while the job has not said how much there is to do.
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    result_filename: Mapped[str] = mapped_column(String(200), default="")
    result_mimetype: Mapped[str] = mapped_column(String(120), default="")
    result_size: Mapped[int] = mapped_column(Integer, default=0)
    #: The produced file; deferred so that status pages never load it.
    result_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    #: Spanish message shown when the job failed.
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: After this the result is gone (the row is deleted by the sweep).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    event = relationship("Event")
    requested_by = relationship("User")

    @property
    def percent(self) -> int:
        """How far the job got, 0–100 (100 once done)."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def __repr__(self):
        return f"<BackgroundJob {self.id} {self.kind} {self.status}>"
