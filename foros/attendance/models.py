"""Attendance export settings: the columns an organizer chose as the default for an event."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from foros.core.time import utcnow
from foros.core.types import UTCDateTime
from foros.extensions import db


class AttendanceExportDefault(db.Model):
    """The columns an event's attendance exports start with (one row per event, saved by an organizer)."""

    __tablename__ = "attendance_export_defaults"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    #: Keys of ``foros.attendance.columns.COLUMNS``, in the order chosen.
    columns: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    def __repr__(self):
        return f"<AttendanceExportDefault event={self.event_id} {self.columns}>"
