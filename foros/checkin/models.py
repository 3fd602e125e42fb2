"""Check-in models: lists (a day, or a part of the event) and scans (each one its own row)."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.core.time import utcnow
from foros.core.types import UTCDateTime
from foros.extensions import db


class ScanResult(enum.StrEnum):
    """What the door answers; stable codes for the API."""

    ACCEPTED = "accepted"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN = "unknown"
    INVALID_SIGNATURE = "invalid_signature"
    WRONG_EVENT = "wrong_event"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    NOT_VALID_FOR_LIST = "not_valid_for_list"


class CheckinList(db.Model):
    """Who may enter what, when: one per event day by default, plus lists for parts of the event."""

    __tablename__ = "checkin_lists"
    __table_args__ = (UniqueConstraint("event_id", "slug", name="event_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: Short name used by devices (``2026-12-16``, ``networking``).
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    #: The day this list belongs to (only people registered for that day are valid), or NULL for all days.
    event_day_id: Mapped[int | None] = mapped_column(ForeignKey("event_days.id", ondelete="CASCADE"),
                                                     nullable=True)
    #: Optional time window; scans outside it are refused as not valid for the list.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Modalities admitted, e.g. ["presencial"]; virtual attendees are not expected at the door.
    modalities: Mapped[list] = mapped_column(JSON, default=lambda: ["presencial"])
    #: True for the lists Foros creates per event day (organizers add the others).
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event = relationship("Event")
    event_day = relationship("EventDay")

    def __repr__(self):
        return f"<CheckinList {self.id} {self.slug} event={self.event_id}>"


class Checkin(db.Model):
    """One processed scan with a valid signature: an admission (accepted) or a refusal, never updated
    except to record an undo. ``scan_id`` makes a device's retries idempotent."""

    __tablename__ = "checkins"
    __table_args__ = (
        # Exactly once: one live admission per person per list, guaranteed by the database.
        Index("uq_checkins_list_registration_admitted", "list_id", "registration_id", unique=True,
              sqlite_where=text("result = 'accepted' AND undone_at IS NULL"),
              postgresql_where=text("result = 'accepted' AND undone_at IS NULL")),
        Index("ix_checkins_list_result_received", "list_id", "result", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Chosen by the device (UUID); the same scan sent twice gets the first answer.
    scan_id: Mapped[str] = mapped_column(String(36), unique=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("checkin_lists.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                                        nullable=True, index=True)
    result: Mapped[str] = mapped_column(String(24))
    #: When the device saw the code (its clock; replayed offline scans keep it).
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the server processed it.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Device label (token label, "cámara", "lector", "manual").
    device: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                     nullable=True)

    checkin_list = relationship("CheckinList")
    registration = relationship("Registration")
    user = relationship("User", foreign_keys=[user_id])
    undone_by = relationship("User", foreign_keys=[undone_by_id])

    def __repr__(self):
        return f"<Checkin {self.id} {self.result} list={self.list_id} reg={self.registration_id}>"
