"""Registration models: one person's registration to one event, and the days they attend."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.core.time import utcnow
from foros.core.types import UTCDateTime, enum_type
from foros.extensions import db


class RegistrationStatus(enum.StrEnum):
    """Confirmed people hold a seat; waitlisted ones wait for one; cancelled ones gave it back."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        labels = {"confirmed": "Confirmado", "waitlisted": "En lista de espera", "cancelled": "Cancelado"}
        return labels[self.value]


class RegistrationSource(enum.StrEnum):
    """How the registration arrived."""

    ONLINE = "online"
    API = "api"
    MANUAL = "manual"
    IMPORT = "import"
    WALKIN = "walkin"

    @property
    def label(self) -> str:
        return {"online": "Formulario", "api": "API", "manual": "Captura manual", "import": "Importación",
                "walkin": "En puerta"}[self.value]


#: Which days of the event each registration attends.
registration_days = db.Table(
    "registration_days",
    db.Column("registration_id", ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True),
    db.Column("event_day_id", ForeignKey("event_days.id", ondelete="CASCADE"), primary_key=True),
)


class Registration(db.Model):
    """One person registered to one event (attendees have no account)."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One live registration per e-mail per event; cancelled and anonymised rows do not count.
        Index("uq_registrations_event_email_live", "event_id", "email_normalized", unique=True,
              sqlite_where=text("status != 'cancelled'"), postgresql_where=text("status != 'cancelled'")),
        Index("ix_registrations_event_status_modality", "event_id", "status", "modality", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: No index of its own: both indexes above start with it (every query of registrations filters by event).
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    #: Random id carried (signed) in the QR code; no personal data, not the primary key.
    ticket_id: Mapped[str] = mapped_column(String(16), unique=True)
    #: Random secret in the attendee's ticket URL (see, edit, cancel); unguessable.
    access_token: Mapped[str] = mapped_column(String(43), unique=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_type(RegistrationStatus))
    #: presencial or virtual (never hibrida: a hybrid event asks which one).
    modality: Mapped[str] = mapped_column(String(20))
    source: Mapped[RegistrationSource] = mapped_column(enum_type(RegistrationSource),
                                                       default=RegistrationSource.ONLINE)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    #: Lower-cased e-mail for the uniqueness rule; NULL once anonymised.
    email_normalized: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: Key of one of the event's sectors (Event.sector_options).
    sector: Mapped[str] = mapped_column(String(40))
    organization: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    #: INEGI key of the municipality of residence, or "otra" (another state).
    municipality_key: Mapped[str] = mapped_column(String(5))
    #: mujer, hombre, no_binario, otro, prefiero_no_decir or "" (not given).
    gender: Mapped[str] = mapped_column(String(20), default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    privacy_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: When a duplicate sign-up last re-sent the ticket link: at most one per REGISTRATION_LINK_RESEND_SECONDS.
    link_resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    event = relationship("Event")
    days = relationship("EventDay", secondary=registration_days, order_by="EventDay.starts_at")

    def __repr__(self):
        return f"<Registration {self.id} event={self.event_id} {self.status}>"
