"""Event models: an event, its days, and the vocabularies (kind, modality, status)."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foros.accounts.models import staff_assignments
from foros.core.municipalities import get_municipality
from foros.core.text import ascii_lower
from foros.core.time import as_utc, utcnow
from foros.core.types import UTCDateTime, enum_type
from foros.extensions import db


class EventKind(enum.StrEnum):
    """What sort of event this is."""

    FORO_REGIONAL = "foro_regional"
    JORNADA = "jornada"
    FIRMA_DECLARATORIA = "firma_declaratoria"
    OTHER = "otro"

    @property
    def label(self) -> str:
        return EVENT_KIND_LABELS[self]


EVENT_KIND_LABELS = {
    EventKind.FORO_REGIONAL: "Foro regional",
    EventKind.JORNADA: "Jornada",
    EventKind.FIRMA_DECLARATORIA: "Firma de declaratoria",
    EventKind.OTHER: "Otro",
}


#: The sectors of the registration form unless organizers change them for an event.
DEFAULT_SECTORS = [
    {"key": "estudiante", "label": "Estudiante"},
    {"key": "academia", "label": "Academia"},
    {"key": "sector_empresarial", "label": "Sector empresarial"},
    {"key": "servidor_publico", "label": "Servidor(a) público(a)"},
    {"key": "poder_legislativo", "label": "Poder legislativo"},
    {"key": "sociedad_civil", "label": "Sociedad civil organizada"},
    {"key": "ciudadania", "label": "Ciudadanía"},
    {"key": "medios", "label": "Medios de comunicación"},
]


def sector_labels(sector_options) -> dict[str, str]:
    """Sector key → label of an event's ``sector_options`` (``DEFAULT_SECTORS`` when given those)."""
    return {s["key"]: s["label"] for s in sector_options or []}

DEFAULT_PRIVACY_NOTICE = (
    "Aviso de privacidad simplificado. Los datos personales que proporcione se utilizarán únicamente para "
    "registrar su asistencia al evento, emitir su boleto y constancia, comunicarle cambios y elaborar "
    "estadísticas disociadas (por sector, sexo y municipio), conforme a la Ley de Protección de Datos "
    "Personales en Posesión de Sujetos Obligados del Estado de México y Municipios. No se transferirán "
    "sin su consentimiento salvo las excepciones previstas en la ley. Puede consultar, corregir o cancelar "
    "su registro desde el enlace de su boleto."
)


class Modality(enum.StrEnum):
    """How people attend: in the room, online, or either."""

    PRESENCIAL = "presencial"
    VIRTUAL = "virtual"
    HIBRIDA = "hibrida"

    @property
    def label(self) -> str:
        return {"presencial": "Presencial", "virtual": "Virtual", "hibrida": "Híbrida"}[self.value]

    @property
    def attendance_modes(self) -> list["Modality"]:
        """The modalities an attendee can choose (presencial and/or virtual)."""
        if self is Modality.HIBRIDA:
            return [Modality.PRESENCIAL, Modality.VIRTUAL]
        return [self]


class EventStatus(enum.StrEnum):
    """Life cycle: draft → published → closed (no more registrations) → archived (hidden)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return {
            "draft": "Borrador",
            "published": "Publicado",
            "closed": "Cerrado",
            "archived": "Archivado",
        }[self.value]


STATE_NAME = "Estado de México"
#: Ways people write the state in an address (folded: no accents, dots or case), so it is not added twice.
_STATE_SPELLINGS = {"estado de mexico", "edo de mexico", "edo de mex", "edo mex", "edomex", "estado de mex",
                    "mex", "mexico"}


def _fold_place(text: str) -> str:
    """A piece of an address for comparison: no accents, dots, case, postal code or «C.P.»."""
    text = ascii_lower(text)
    words = [w for w in text.replace(".", " ").split() if not w.isdigit() and w not in ("cp", "c", "p")]
    return " ".join(words)


def compose_address(venue: str, address: str, municipality_name: str) -> str:
    """The one way to write where an event is: «venue, address, municipality, Estado de México».

    The municipality and the state are added only when the address does not already name them (organizers
    often type «Centro, Texcoco, Estado de México»), so nothing is printed twice.
    """
    parts = [" ".join(p.split()) for p in (venue or "", address or "") if p and p.strip()]
    written = {_fold_place(piece) for piece in ", ".join(parts).split(",")}
    if municipality_name and _fold_place(municipality_name) not in written:
        parts.append(municipality_name)
    if parts and not written & _STATE_SPELLINGS:
        parts.append(STATE_NAME)
    return ", ".join(parts)


class EventRules:
    """What an event *is* at a moment — dates, visibility, registration window, sector labels — from its fields.

    Shared by the ``Event`` model and ``foros.registration.signup.EventSnapshot`` (the sign-up hot path reads an
    event without the ORM), so that the rules are written once. Needs ``status``, ``days`` (ordered by
    start), ``sector_options``, ``registration_opens_at``, ``registration_closes_at``, ``venue``, ``address``
    and ``municipality_key``.
    """

    @property
    def municipality(self):
        return get_municipality(self.municipality_key)

    @property
    def full_address(self) -> str:
        """Venue, address, municipality and state, each once (ticket page, PDF, calendar file, e-mail)."""
        municipality = self.municipality
        return compose_address(self.venue, self.address, municipality.name if municipality else "")

    @property
    def starts_at(self):
        return self.days[0].starts_at if self.days else None

    @property
    def ends_at(self):
        return self.days[-1].ends_at if self.days else None

    @property
    def is_public(self) -> bool:
        return self.status in (EventStatus.PUBLISHED, EventStatus.CLOSED)

    def is_past(self, now=None) -> bool:
        now = now or utcnow()
        return self.ends_at is not None and as_utc(self.ends_at) < now

    def sector_label(self, key: str) -> str:
        """The label of a sector key of this event (the key itself if it was removed)."""
        return sector_labels(self.sector_options).get(key, key)

    def registration_open(self, now=None) -> bool:
        """Tell whether people can register right now."""
        now = now or utcnow()
        if self.status != EventStatus.PUBLISHED or self.is_past(now):
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)


class Event(EventRules, db.Model):
    """A forum, Jornada or signing: what people register for and check in to."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity_in_person IS NULL OR capacity_in_person >= 0", name="capacity_in_person"),
        CheckConstraint("capacity_virtual IS NULL OR capacity_virtual >= 0", name="capacity_virtual"),
        # The seat guarantee: confirmed registrations never exceed capacity, whatever the code does.
        CheckConstraint("capacity_in_person IS NULL OR confirmed_in_person <= capacity_in_person",
                        name="in_person_within_capacity"),
        CheckConstraint("capacity_virtual IS NULL OR confirmed_virtual <= capacity_virtual",
                        name="virtual_within_capacity"),
        CheckConstraint("confirmed_in_person >= 0 AND confirmed_virtual >= 0", name="confirmed_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: URL name, unique, lower-case letters, digits and hyphens.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind))
    status: Mapped[EventStatus] = mapped_column(enum_type(EventStatus), default=EventStatus.DRAFT, index=True)
    #: INEGI key of the host municipality (one of the 125 of the Estado de México).
    municipality_key: Mapped[str] = mapped_column(String(5), index=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    modality: Mapped[Modality] = mapped_column(enum_type(Modality))
    #: Seats in the room; NULL means no limit (and no in-person attendance for virtual events).
    capacity_in_person: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Places online; NULL means no limit.
    capacity_virtual: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Confirmed in-person registrations; changed only by conditional UPDATEs in registration services.
    confirmed_in_person: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Confirmed virtual registrations; same rule.
    confirmed_virtual: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Sectors offered in the registration form: [{"key": ..., "label": ...}], editable per event.
    sector_options: Mapped[list] = mapped_column(JSON, default=lambda: [dict(s) for s in DEFAULT_SECTORS])
    #: The privacy notice (aviso de privacidad) people consent to when they register.
    privacy_notice: Mapped[str] = mapped_column(Text, default=lambda: DEFAULT_PRIVACY_NOTICE)
    #: Link for the online part (hybrid and virtual events).
    online_url: Mapped[str] = mapped_column(String(500), default="")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: Participating institutions, one per line, in the order they are shown.
    institutions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: When organizers released the event's anonymised figures as open data (NULL: not published).
    open_data_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    days = relationship(
        "EventDay", back_populates="event", cascade="all, delete-orphan", order_by="EventDay.starts_at"
    )
    staff = relationship("User", secondary=staff_assignments, back_populates="events")

    @property
    def institution_list(self) -> list[str]:
        return [line.strip() for line in self.institutions.splitlines() if line.strip()]

    def capacity_for(self, modality: str) -> int | None:
        """Seats for ``presencial`` or ``virtual`` (None: no limit)."""
        return self.capacity_in_person if modality == Modality.PRESENCIAL else self.capacity_virtual

    def confirmed_for(self, modality: str) -> int:
        """Confirmed registrations for ``presencial`` or ``virtual``."""
        return self.confirmed_in_person if modality == Modality.PRESENCIAL else self.confirmed_virtual

    def places_left(self) -> list[tuple[Modality, int | None]]:
        """(modality, places left) for each way to attend; None means no limit, 0 means new people wait.

        Empty when no modality has a capacity (nothing to announce)."""
        modes = self.modality.attendance_modes
        if all(self.capacity_for(m) is None for m in modes):
            return []
        return [(m, None if self.capacity_for(m) is None else max(self.capacity_for(m) - self.confirmed_for(m), 0))
                for m in modes]

    def seats_moved(self) -> None:
        """The seat counters were changed by an UPDATE behind the ORM's back: re-read them on next access."""
        db.session.expire(self, ["confirmed_in_person", "confirmed_virtual"])

    def __repr__(self):
        return f"<Event {self.id} {self.slug} {self.status}>"


class EventDay(db.Model):
    """One day of an event, with its start and end time (stored UTC)."""

    __tablename__ = "event_days"
    __table_args__ = (
        UniqueConstraint("event_id", "day", name="event_day"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: The local (Mexico City) calendar date of this day.
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    event = relationship("Event", back_populates="days")

    def __repr__(self):
        return f"<EventDay {self.event_id} {self.day}>"
