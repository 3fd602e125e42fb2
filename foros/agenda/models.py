"""Agenda models: session types, rooms, sessions, the people on them, and released programme versions.

Organizers edit a *draft* (the ``agenda_sessions`` rows as they stand); "publicar programa" writes a
``ProgrammeRelease`` holding a JSON snapshot of the sessions, so public pages show the latest release and the
changes between two releases are computed from two snapshots. Each session keeps a ``uid`` that never changes
and a ``sequence`` / ``last_modified`` that advance on each released change (iCalendar clients then update
instead of duplicating).
"""

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.core.editable_list import EditableList, seed_rows, seed_when_created
from foros.core.time import utcnow
from foros.core.types import UTCDateTime, enum_type
from foros.events.models import Modality
from foros.extensions import db

#: The session types every installation starts with: (stable key, name, position). Organizers may rename
#: them, add others or retire them; the key lets code find e.g. the networking sessions whatever their name.
DEFAULT_SESSION_TYPES = [
    ("inauguracion", "Inauguración", 10),
    ("conferencia_magistral", "Conferencia magistral", 20),
    ("panel", "Panel", 30),
    ("mesa_de_trabajo", "Mesa de trabajo", 40),
    ("networking", "Networking", 50),
    ("taller", "Taller", 60),
    ("receso", "Receso", 70),
    ("clausura", "Clausura", 80),
]


def new_uid() -> str:
    """A session's iCalendar UID: random, never derived from the id, never changed."""
    return f"{secrets.token_hex(16)}@foros"


def new_token() -> str:
    """A person's private link token (confirmation, bio and photo)."""
    return secrets.token_urlsafe(32)


def new_public_key() -> str:
    """A person's public URL key (their page and photo), random and separate from the private token."""
    return secrets.token_urlsafe(12)


class SessionStatus(enum.StrEnum):
    """A session is held, or cancelled (kept, so calendars get STATUS:CANCELLED)."""

    ACTIVE = "active"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"active": "Activa", "cancelled": "Cancelada"}[self.value]


class SessionRole(enum.StrEnum):
    """What a person does in a session."""

    PONENTE = "ponente"
    PANELISTA = "panelista"
    MODERADOR = "moderador"
    FACILITADOR = "facilitador"
    ANFITRION = "anfitrion"

    @property
    def label(self) -> str:
        return SESSION_ROLE_LABELS[self]


SESSION_ROLE_LABELS = {
    SessionRole.PONENTE: "Ponente",
    SessionRole.PANELISTA: "Panelista",
    SessionRole.MODERADOR: "Moderador(a)",
    SessionRole.FACILITADOR: "Facilitador(a)",
    SessionRole.ANFITRION: "Anfitrión(a)",
}


class SessionType(EditableList, db.Model):
    """A kind of session (panel, taller, receso…): one editable list per installation."""

    __tablename__ = "session_types"

    name: Mapped[str] = mapped_column(String(80), unique=True)


def seed_session_types(connection) -> None:
    """Insert the default session types (part of the schema, as the migration writes them)."""
    seed_rows(connection, SessionType, DEFAULT_SESSION_TYPES)


seed_when_created(SessionType, DEFAULT_SESSION_TYPES)


class Room(db.Model):
    """A room or space: of one event, or of a venue (offered to every event held at that venue)."""

    __tablename__ = "rooms"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("(event_id IS NULL) <> (venue = '')", name="event_or_venue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The event this room belongs to, or NULL for a room of a venue.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=True,
                                                 index=True)
    #: The venue's name as events write it (``Event.venue``) for a venue's room; empty for an event's room.
    venue: Mapped[str] = mapped_column(String(200), default="", index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Seats; NULL when unknown.
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)

    event = relationship("Event")

    def __repr__(self):
        return f"<Room {self.id} {self.name}>"


class Session(db.Model):
    """One item of an event's programme: a panel, a talk, a break…, on one day, in one room."""

    __tablename__ = "agenda_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("session_types.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(250))
    #: The event day the session falls on; NULL when it falls outside the event's days (a day was removed or
    #: moved: the session is kept and the organizer warned, never silently deleted).
    event_day_id: Mapped[int | None] = mapped_column(ForeignKey("event_days.id", ondelete="SET NULL"),
                                                     nullable=True, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"), nullable=True,
                                                index=True)
    modality: Mapped[Modality] = mapped_column(enum_type(Modality), default=Modality.PRESENCIAL)
    #: Streaming or meeting link. PRIVATE: only for registrants of the virtual/hybrid modality, never public.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: Seats for this session; NULL means the room's or no limit.
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[SessionStatus] = mapped_column(enum_type(SessionStatus), default=SessionStatus.ACTIVE)
    #: iCalendar UID: random at creation, never changed.
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    #: iCalendar SEQUENCE: advanced by a release that changes the session.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: iCalendar LAST-MODIFIED: the release that last changed it (NULL until first released).
    last_modified: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The session's own door list ("abrir lista de acceso para esta sesión"), if opened.
    checkin_list_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_lists.id", ondelete="SET NULL"),
                                                        nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Last draft edit (the public pages show the release, not this).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event = relationship("Event")
    session_type = relationship("SessionType")
    event_day = relationship("EventDay")
    room = relationship("Room")
    checkin_list = relationship("CheckinList")
    people = relationship("SessionPerson", back_populates="session", cascade="all, delete-orphan",
                          order_by="SessionPerson.position")

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def __repr__(self):
        return f"<Session {self.id} {self.title!r} event={self.event_id}>"


class Person(db.Model):
    """A speaker, panelist, moderator, facilitator or host: kept once, reused across events."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    #: Position (cargo), e.g. «Comisionada presidenta».
    cargo: Mapped[str] = mapped_column(String(200), default="")
    institution: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    #: Where the private link and change notices are sent; never shown publicly.
    email: Mapped[str] = mapped_column(String(254), default="")
    #: Private link token (/participantes/<token>): confirm sessions, correct bio and photo.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    #: Public URL key of the person's page and photo.
    public_key: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_key)
    #: Re-encoded photo (metadata stripped, at most 800 px); NULL when none.
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    photo_content_type: Mapped[str] = mapped_column(String(40), default="")
    photo_size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: When the photo last changed (cache-busting query string of its URL).
    photo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    sessions = relationship("SessionPerson", back_populates="person", cascade="all, delete-orphan")

    @property
    def has_photo(self) -> bool:
        return self.photo_updated_at is not None and self.photo_size > 0

    def __repr__(self):
        return f"<Person {self.id} {self.name!r}>"


class SessionPerson(db.Model):
    """A person on a session, with a role, an order and their confirmation."""

    __tablename__ = "session_people"
    __table_args__ = (UniqueConstraint("session_id", "person_id", name="session_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_sessions.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[SessionRole] = mapped_column(enum_type(SessionRole))
    #: Order on the session (moderator first, then panelists…), as organizers set it.
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: When the person confirmed through their private link (NULL: not yet).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    session = relationship("Session", back_populates="people")
    person = relationship("Person", back_populates="sessions")

    def __repr__(self):
        return f"<SessionPerson session={self.session_id} person={self.person_id} {self.role}>"


class ProgrammeRelease(db.Model):
    """A numbered, published version of an event's programme ("publicar programa").

    ``snapshot`` is the programme as released and the changes against the previous release — its format is
    stated in ``foros.agenda.programme`` (times ISO 8601 UTC). It holds each session's online link *as released*
    (so a release can tell a changed link, and personal feeds give the released one); only the personal feed and
    the ticket page of virtual registrants read it — public pages, the public feed and the API never do.
    """

    __tablename__ = "programme_releases"
    __table_args__ = (UniqueConstraint("event_id", "number", name="event_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3… per event.
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                        nullable=True)
    #: Optional public note ("Se movió el panel a la sala B").
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)

    event = relationship("Event")
    published_by = relationship("User")

    def __repr__(self):
        return f"<ProgrammeRelease {self.event_id} #{self.number}>"
