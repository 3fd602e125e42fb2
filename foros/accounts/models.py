"""Account models: users with a role, their event assignments, and API tokens."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.core.time import utcnow
from foros.core.types import UTCDateTime, enum_type
from foros.extensions import db


class Role(enum.StrEnum):
    """What an account may do: organizers everything, staff the door of their events."""

    ORGANIZER = "organizer"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {"organizer": "Organizador(a)", "staff": "Personal de registro"}[self.value]


#: Which staff accounts work the door of which events.
staff_assignments = db.Table(
    "staff_assignments",
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    db.Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A person who logs in to run events (attendees never need an account)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Werkzeug scrypt/pbkdf2 hash, never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    active: Mapped[bool] = mapped_column(default=True)
    #: Changes when the password changes or the account is disabled, which ends old sessions.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: When the last password-reset e-mail was queued: at most one per PASSWORD_RESET_RESEND_SECONDS.
    password_reset_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    events = relationship("Event", secondary=staff_assignments, back_populates="staff", order_by="Event.id")
    tokens = relationship("ApiToken", back_populates="user", cascade="all, delete-orphan")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_organizer(self) -> bool:
        return self.role == Role.ORGANIZER

    def can_work_event(self, event) -> bool:
        """Tell whether this account may run the door of ``event``."""
        return self.is_organizer or any(e.id == event.id for e in self.events)

    def __repr__(self):
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for a device or integration; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    #: Hex SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: First characters of the token, so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user = relationship("User", back_populates="tokens")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self):
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"


class LoginThrottle(db.Model):
    """Failed logins per e-mail address in the current window, shared by every app process.

    Keyed by the address tried, known or not, so that the lock itself does not tell which accounts exist.
    """

    __tablename__ = "login_throttles"

    #: Hex SHA-256 of the lower-cased e-mail tried (the address itself is not kept).
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Attempts counted in this window (a successful login gives its own attempt back; it never resets).
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    def __repr__(self):
        return f"<LoginThrottle {self.email_hash[:8]}… {self.failures}>"


__all__ = ["ApiToken", "LoginThrottle", "Role", "User", "staff_assignments"]
