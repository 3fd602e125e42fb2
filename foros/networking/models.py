"""Networking models (issue 14): tables of a networking session, seats, the conclusions each table captures
from a phone, their consolidation with provenance, attendees' support marks, and the state agenda.

A networking session is an agenda ``Session`` whose type has the key ``networking``. Its tables
(``NetworkingTable``) seat checked-in attendees (``TableSeat``, one seat per registration and session) and
capture their own conclusions (``TableConclusion``) through an unguessable link (``capture_token``). Organizers
then consolidate them: a ``ConsolidatedConclusion`` keeps links to every original it came from
(``consolidated_sources``) and a history of what was done to it (``ConclusionHistory``). Attendees mark the ones
they support (``ConclusionSupport``). A ``StateAgenda`` gathers published consolidated conclusions of several
events, grouped by ``Theme``.
"""

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.core.editable_list import EditableList, seed_rows, seed_when_created
from foros.core.time import utcnow
from foros.core.types import UTCDateTime, enum_type
from foros.extensions import db

#: The themes every installation starts with: (stable key, name, position). Organizers may rename them, add
#: others or retire them (the issue: "participación, transparencia, … editable").
DEFAULT_THEMES = [
    ("participacion", "Participación ciudadana", 10),
    ("transparencia", "Transparencia", 20),
    ("rendicion_de_cuentas", "Rendición de cuentas", 30),
    ("anticorrupcion", "Anticorrupción", 40),
    ("tecnologia", "Tecnología e innovación", 50),
    ("jovenes", "Jóvenes", 60),
    ("grupos_vulnerables", "Grupos vulnerables", 70),
]

#: Longest conclusion text accepted (characters); one limit for capture, consolidation and the API.
CONCLUSION_TEXT_MAX = 2000
#: Longest "sectors that backed it" note.
BACKING_NOTE_MAX = 300


def new_capture_token() -> str:
    """A table's capture link token: random, unguessable, never derived from the id."""
    return secrets.token_urlsafe(24)


def new_agenda_key() -> str:
    """A state agenda's public URL key."""
    return secrets.token_urlsafe(9)


class Theme(EditableList, db.Model):
    """A theme to tag conclusions with (transparencia, jóvenes…): one editable list per installation."""

    __tablename__ = "conclusion_themes"

    name: Mapped[str] = mapped_column(String(80), unique=True)


def seed_themes(connection) -> None:
    """Insert the default themes (part of the schema, as the migration writes them)."""
    seed_rows(connection, Theme, DEFAULT_THEMES)


seed_when_created(Theme, DEFAULT_THEMES)


#: Theme tags of a table's original conclusion.
table_conclusion_themes = Table(
    "table_conclusion_themes",
    db.metadata,
    Column("conclusion_id", ForeignKey("table_conclusions.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("conclusion_themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

#: Theme tags of a consolidated conclusion.
consolidated_conclusion_themes = Table(
    "consolidated_conclusion_themes",
    db.metadata,
    Column("conclusion_id", ForeignKey("consolidated_conclusions.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("conclusion_themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

#: Provenance: the table originals a consolidated conclusion was made from (one or many after a merge).
consolidated_sources = Table(
    "consolidated_sources",
    db.metadata,
    Column("consolidated_id", ForeignKey("consolidated_conclusions.id", ondelete="CASCADE"), primary_key=True),
    Column("table_conclusion_id", ForeignKey("table_conclusions.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class NetworkingTable(db.Model):
    """One table of a networking session: its topic, facilitator, rapporteur and capture link."""

    __tablename__ = "networking_tables"
    __table_args__ = (
        UniqueConstraint("session_id", "number", name="session_number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The agenda session (of type networking) the table belongs to.
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_sessions.id", ondelete="CASCADE"), index=True)
    #: Table number shown on the card and in the relatoría (1, 2, 3… per session).
    number: Mapped[int] = mapped_column(Integer)
    #: Guiding question or topic.
    topic: Mapped[str] = mapped_column(String(300), default="")
    facilitator: Mapped[str] = mapped_column(String(200), default="")
    rapporteur: Mapped[str] = mapped_column(String(200), default="")
    #: Secret of the capture link /mesa/<token> and the table card's QR; separate from the id.
    capture_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_capture_token)
    #: When the organizer closed capture (the link then refuses edits); NULL while open.
    capture_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session = relationship("Session")
    seats = relationship("TableSeat", back_populates="table", cascade="all, delete-orphan",
                         order_by="TableSeat.id")
    conclusions = relationship("TableConclusion", back_populates="table", cascade="all, delete-orphan",
                               order_by="(TableConclusion.position, TableConclusion.id)")

    @property
    def capture_open(self) -> bool:
        return self.capture_closed_at is None

    def __repr__(self):
        return f"<NetworkingTable {self.id} session={self.session_id} #{self.number}>"


class SeatSource(enum.StrEnum):
    """How an attendee got their seat."""

    MANUAL = "manual"
    AUTO = "auto"
    LATE = "late"

    @property
    def label(self) -> str:
        return {"manual": "A mano", "auto": "Automática", "late": "Llegada tardía"}[self.value]


class TableSeat(db.Model):
    """A checked-in attendee seated at a table (one seat per attendee and session)."""

    __tablename__ = "table_seats"
    __table_args__ = (UniqueConstraint("session_id", "registration_id", name="session_registration"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("networking_tables.id", ondelete="CASCADE"), index=True)
    #: The table's session, repeated so the database refuses a second seat for one attendee in one session.
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_sessions.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    source: Mapped[SeatSource] = mapped_column(enum_type(SeatSource), default=SeatSource.MANUAL)
    seated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    table = relationship("NetworkingTable", back_populates="seats")
    registration = relationship("Registration")

    def __repr__(self):
        return f"<TableSeat table={self.table_id} registration={self.registration_id}>"


class TableConclusion(db.Model):
    """A conclusion as a table wrote it (the original, kept for provenance and the relatoría's annex).

    ``version`` is the optimistic-concurrency counter: each edit says which version it was based on and is
    refused when the row moved on (a conditional UPDATE … WHERE version = based_on), so two rapporteurs never
    overwrite each other silently. ``client_uuid`` makes an offline phone's retried "add" idempotent.
    Deleting from the capture page sets ``deleted_at`` (a retried delete or add then stays a no-op).
    """

    __tablename__ = "table_conclusions"
    __table_args__ = (
        UniqueConstraint("table_id", "client_uuid", name="table_client_uuid"),
        CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("networking_tables.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    #: Optional note of which sectors backed it ("sociedad civil y academia").
    backing_sectors: Mapped[str] = mapped_column(String(BACKING_NOTE_MAX), default="")
    #: Order within the table (ascending), as the rapporteur arranged it.
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Optimistic-concurrency counter: 1 at creation, +1 on every change of text, tags, note or deletion.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: UUID the phone generated for an "add", so a retried submit never makes a duplicate; NULL without JS.
    client_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    #: Removed by the rapporteur (kept, hidden); NULL while current.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    table = relationship("NetworkingTable", back_populates="conclusions")
    themes = relationship("Theme", secondary=table_conclusion_themes, order_by="Theme.position")
    consolidated = relationship("ConsolidatedConclusion", secondary=consolidated_sources,
                                back_populates="sources")

    def __repr__(self):
        return f"<TableConclusion {self.id} table={self.table_id} v{self.version}>"


class ConclusionStatus(enum.StrEnum):
    """A consolidated conclusion is a draft until organizers approve it."""

    DRAFT = "draft"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return {"draft": "Borrador", "approved": "Aprobada"}[self.value]


class ConsolidatedConclusion(db.Model):
    """A conclusion of the whole session, made from one or more tables' originals (``sources``)."""

    __tablename__ = "consolidated_conclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_sessions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    #: Order in the published numbered list (ascending); the number shown is the rank, not this value.
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ConclusionStatus] = mapped_column(enum_type(ConclusionStatus), default=ConclusionStatus.DRAFT)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    #: When it appeared on the public page (NULL: not published).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session = relationship("Session")
    approved_by = relationship("User")
    themes = relationship("Theme", secondary=consolidated_conclusion_themes, order_by="Theme.position")
    sources = relationship("TableConclusion", secondary=consolidated_sources, back_populates="consolidated")
    history = relationship("ConclusionHistory", back_populates="conclusion", cascade="all, delete-orphan",
                           order_by="ConclusionHistory.id")
    supports = relationship("ConclusionSupport", back_populates="conclusion", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<ConsolidatedConclusion {self.id} session={self.session_id} {self.status}>"


class HistoryAction(enum.StrEnum):
    """What was done to a consolidated conclusion."""

    CREATED = "created"
    EDITED = "edited"
    THEMES = "themes"
    MERGED = "merged"
    SPLIT = "split"
    REORDERED = "reordered"
    APPROVED = "approved"
    REOPENED = "reopened"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return HISTORY_ACTION_LABELS[self]


HISTORY_ACTION_LABELS = {
    HistoryAction.CREATED: "Creada",
    HistoryAction.EDITED: "Redacción editada",
    HistoryAction.THEMES: "Temas cambiados",
    HistoryAction.MERGED: "Fusionada",
    HistoryAction.SPLIT: "Separada",
    HistoryAction.REORDERED: "Orden cambiado",
    HistoryAction.APPROVED: "Aprobada",
    HistoryAction.REOPENED: "Devuelta a borrador",
    HistoryAction.PUBLISHED: "Publicada",
    HistoryAction.WITHDRAWN: "Retirada de la publicación",
}


class ConclusionHistory(db.Model):
    """One step in a consolidated conclusion's life: who did what, when (edits, merges, splits…)."""

    __tablename__ = "conclusion_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    conclusion_id: Mapped[int] = mapped_column(ForeignKey("consolidated_conclusions.id", ondelete="CASCADE"),
                                               index=True)
    action: Mapped[HistoryAction] = mapped_column(enum_type(HistoryAction))
    #: The organizer who did it; NULL for the system (capture import) or a deleted account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: What changed: e.g. {"before": "...", "after": "..."}, {"merged_from": [ids], "sources": [ids]}.
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    conclusion = relationship("ConsolidatedConclusion", back_populates="history")
    user = relationship("User")

    def __repr__(self):
        return f"<ConclusionHistory {self.conclusion_id} {self.action}>"


class ConclusionSupport(db.Model):
    """An attendee's mark of support for a consolidated conclusion (one per person and conclusion)."""

    __tablename__ = "conclusion_supports"
    __table_args__ = (UniqueConstraint("conclusion_id", "registration_id", name="conclusion_registration"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conclusion_id: Mapped[int] = mapped_column(ForeignKey("consolidated_conclusions.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conclusion = relationship("ConsolidatedConclusion", back_populates="supports")
    registration = relationship("Registration")

    def __repr__(self):
        return f"<ConclusionSupport {self.conclusion_id} registration={self.registration_id}>"


class StateAgendaStatus(enum.StrEnum):
    """A state agenda is a draft until published."""

    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return {"draft": "Borrador", "published": "Publicada"}[self.value]


class StateAgenda(db.Model):
    """An "agenda estatal": published conclusions of several forums and Jornadas, grouped by theme."""

    __tablename__ = "state_agendas"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Public URL key (/agenda-estatal/<key>): random, not the id.
    public_key: Mapped[str] = mapped_column(String(32), unique=True, default=new_agenda_key)
    status: Mapped[StateAgendaStatus] = mapped_column(enum_type(StateAgendaStatus),
                                                      default=StateAgendaStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    created_by = relationship("User")
    items = relationship("StateAgendaItem", back_populates="agenda", cascade="all, delete-orphan",
                         order_by="StateAgendaItem.position")

    def __repr__(self):
        return f"<StateAgenda {self.id} {self.title!r}>"


class StateAgendaItem(db.Model):
    """One item of a state agenda: a published consolidated conclusion, under a theme."""

    __tablename__ = "state_agenda_items"
    __table_args__ = (UniqueConstraint("agenda_id", "conclusion_id", name="agenda_conclusion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_id: Mapped[int] = mapped_column(ForeignKey("state_agendas.id", ondelete="CASCADE"), index=True)
    #: The consolidated conclusion it draws on (which traces back to its event, session and tables).
    conclusion_id: Mapped[int] = mapped_column(ForeignKey("consolidated_conclusions.id", ondelete="CASCADE"),
                                               index=True)
    #: The theme it is grouped under; NULL: "Otros temas".
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("conclusion_themes.id", ondelete="SET NULL"),
                                                 nullable=True, index=True)
    #: Order within its theme group (ascending).
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Optional organizer's wording for the agenda; empty: the conclusion's own text.
    text: Mapped[str] = mapped_column(Text, default="")

    agenda = relationship("StateAgenda", back_populates="items")
    conclusion = relationship("ConsolidatedConclusion")
    theme = relationship("Theme")

    def __repr__(self):
        return f"<StateAgendaItem agenda={self.agenda_id} conclusion={self.conclusion_id}>"
