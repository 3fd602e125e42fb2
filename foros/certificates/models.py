"""Certificates of participation ("constancias"): one template per event, one certificate per registration."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.core.time import utcnow
from foros.core.types import UTCDateTime
from foros.extensions import db


class CertificateTemplate(db.Model):
    """What an event's certificates say and who signs them; edited by organizers, one per event."""

    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    #: Plain text with placeholders ({nombre}, {evento}…); never HTML (escaped when drawn).
    body: Mapped[str] = mapped_column(Text)
    #: 1–3 signers: [{"name": ..., "position": ...}] in the order they are drawn.
    signers: Mapped[list] = mapped_column(JSON, default=list)
    #: Only people admitted on at least this many distinct event days get one (0: any admission).
    min_days: Mapped[int] = mapped_column(default=0)
    #: Only people admitted on at least this many distinct check-in lists get one (1: any admission).
    min_lists: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    event = relationship("Event")

    def __repr__(self):
        return f"<CertificateTemplate {self.id} event={self.event_id}>"


class Certificate(db.Model):
    """One certificate issued to one registration; revoking keeps the row (its code then checks as revoked)."""

    __tablename__ = "certificates"
    __table_args__ = (
        # At most one live (not revoked) certificate per registration: "Emitir" twice issues nothing new.
        Index("uq_certificates_registration_live", "registration_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
        Index("ix_certificates_event_issued", "event_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    #: Random verification code printed and in the QR (80 bits, Crockford base32); no personal data.
    code: Mapped[str] = mapped_column(String(24), unique=True)
    #: The name as certified when issued (a later correction needs a re-issue).
    holder_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    revoke_reason: Mapped[str] = mapped_column(String(500), default="")
    #: The certificate issued in place of this one (re-issue), if any.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"),
                                                       nullable=True)

    event = relationship("Event")
    registration = relationship("Registration")
    replaced_by = relationship("Certificate", remote_side=[id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self):
        return f"<Certificate {self.id} reg={self.registration_id} {'revoked' if self.revoked_at else 'valid'}>"
