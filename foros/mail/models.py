"""The outbox: every e-mail Foros sends, kept until delivered (and after, for the record)."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.core.time import utcnow
from foros.core.types import UTCDateTime, enum_type
from foros.extensions import db


class MessageStatus(enum.StrEnum):
    """pending → sent, or failed after the last retry (organizers can resend)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "Pendiente", "sent": "Enviado", "failed": "Falló"}[self.value]


class OutboxMessage(db.Model):
    """One e-mail, rendered when it was queued; attachments are built from ``registration`` at delivery."""

    __tablename__ = "outbox_messages"
    #: One index serves the worker's "pending and due" and the organizers' filter by status; the other is on
    #: ``registration_id`` (cancelling and anonymising find a person's messages). Every index is one more page
    #: written per queued message (bench/README.md), so the table has no others.
    __table_args__ = (Index("ix_outbox_messages_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the message is, e.g. ``registration.confirmed``; decides the attachments.
    kind: Mapped[str] = mapped_column(String(60))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[MessageStatus] = mapped_column(enum_type(MessageStatus), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: When the worker may try again (backoff grows with each failure).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    registration = relationship("Registration")

    def __repr__(self):
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
