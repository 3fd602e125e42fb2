"""The audit log entry model."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.core.time import utcnow
from foros.core.types import UTCDateTime
from foros.extensions import db


class AuditEntry(db.Model):
    """One change made by a person (or the system): append-only."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: Who acted; NULL for the system or the command line without an account.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: Name at the time, kept if the account is later removed.
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    #: Dotted verb, e.g. ``event.publish``; stable, used for filtering.
    action: Mapped[str] = mapped_column(String(60), index=True)
    #: Kind of object changed, e.g. ``event``, ``user``, ``api_token``.
    object_type: Mapped[str] = mapped_column(String(40), index=True)
    object_id: Mapped[str] = mapped_column(String(40), default="")
    #: Human-readable label of the object at the time (event title, account e-mail).
    object_label: Mapped[str] = mapped_column(String(200), default="")
    #: Changed fields as {"field": [old, new]} or other details; never secrets.
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User")

    def __repr__(self):
        return f"<AuditEntry {self.id} {self.action} {self.object_type}:{self.object_id}>"
