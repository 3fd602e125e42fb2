"""Consolidation of a networking session's conclusions by organizers, their publication, attendees' support
marks, and the relatoría's data.

Every table original that is not yet consolidated gets its own consolidated conclusion ("incorporar"); then
organizers edit wording and themes, merge near-duplicates (the merged conclusion keeps every original as a
source), split sources back out, reorder, approve and publish. Each step is a ``ConclusionHistory`` row (who,
when, what) and an audit entry. Services flush, never commit.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from foros.agenda.models import Session, SessionStatus, SessionType
from foros.audit.services import record_action
from foros.core.errors import DomainError, NotFound
from foros.core.text import clean_text
from foros.core.time import utcnow
from foros.extensions import db
from foros.networking.models import (
    CONCLUSION_TEXT_MAX,
    ConclusionHistory,
    ConclusionStatus,
    ConclusionSupport,
    ConsolidatedConclusion,
    HistoryAction,
    NetworkingTable,
    TableConclusion,
    TableSeat,
    Theme,
)
from foros.networking.relatoria import NumberedConclusion, Relatoria, TableSummary
from foros.networking.similarity import likely_duplicates
from foros.registration.models import Registration, RegistrationStatus

#: Attendees may mark their support until this long after the session ends.
SUPPORT_GRACE = timedelta(hours=2)


# --- Loading ----------------------------------------------------------------------------------------------

def networking_sessions(event) -> list[Session]:
    """The event's networking sessions (agenda sessions whose type has the key ``networking``), by start."""
    return list(db.session.scalars(
        select(Session).join(SessionType, Session.type_id == SessionType.id)
        .where(Session.event_id == event.id, SessionType.key == "networking",
               Session.status == SessionStatus.ACTIVE)
        .order_by(Session.starts_at, Session.id)))


def get_networking_session(event, session_id) -> Session:
    """One of the event's networking sessions, or NotFound."""
    session = db.session.get(Session, session_id) if isinstance(session_id, int) else None
    if (session is None or session.event_id != event.id or session.session_type is None
            or session.session_type.key != "networking"):
        raise NotFound("session_not_found", "No existe esa sesión de networking en este evento.")
    return session


def get_conclusion(session, conclusion_id) -> ConsolidatedConclusion:
    """A consolidated conclusion of this session, or NotFound."""
    conclusion = db.session.get(ConsolidatedConclusion, conclusion_id) if isinstance(conclusion_id, int) else None
    if conclusion is None or conclusion.session_id != session.id:
        raise NotFound("conclusion_not_found", "No existe esa conclusión en esta sesión.")
    return conclusion


def session_tables(session) -> list[NetworkingTable]:
    """The session's tables by number, with their conclusions and seats."""
    return list(db.session.scalars(
        select(NetworkingTable).where(NetworkingTable.session_id == session.id)
        .options(selectinload(NetworkingTable.conclusions).selectinload(TableConclusion.consolidated),
                 selectinload(NetworkingTable.seats).selectinload(TableSeat.registration))
        .order_by(NetworkingTable.number)))


def current_originals(table) -> list[TableConclusion]:
    """A table's conclusions the rapporteur has not deleted, in their order."""
    return [c for c in table.conclusions if c.deleted_at is None]


def consolidated_conclusions(session) -> list[ConsolidatedConclusion]:
    """The session's consolidated conclusions in list order."""
    return list(db.session.scalars(
        select(ConsolidatedConclusion).where(ConsolidatedConclusion.session_id == session.id)
        .options(selectinload(ConsolidatedConclusion.sources).selectinload(TableConclusion.table),
                 selectinload(ConsolidatedConclusion.themes),
                 selectinload(ConsolidatedConclusion.history).selectinload(ConclusionHistory.user))
        .order_by(ConsolidatedConclusion.position, ConsolidatedConclusion.id)))


def published_conclusions(session) -> list[ConsolidatedConclusion]:
    """What the public sees: approved and published conclusions, in list order."""
    return [c for c in consolidated_conclusions(session)
            if c.status == ConclusionStatus.APPROVED and c.published_at is not None]


def source_tables(conclusion) -> list[int]:
    """The numbers of the tables a consolidated conclusion comes from (provenance), ascending."""
    return sorted({source.table.number for source in conclusion.sources})


def support_counts(session) -> dict[int, int]:
    """Support marks per consolidated conclusion id."""
    rows = db.session.execute(
        select(ConclusionSupport.conclusion_id, func.count())
        .join(ConsolidatedConclusion, ConsolidatedConclusion.id == ConclusionSupport.conclusion_id)
        .where(ConsolidatedConclusion.session_id == session.id).group_by(ConclusionSupport.conclusion_id))
    return dict(rows.all())


def active_themes() -> list[Theme]:
    """The themes offered for tagging."""
    return list(db.session.scalars(select(Theme).where(Theme.is_active).order_by(Theme.position, Theme.name)))


@dataclass(frozen=True)
class Board:
    """The organizer's consolidation screen: tables' originals side by side, the consolidated list, and pairs
    of consolidated conclusions that probably say the same thing."""

    tables: list[NetworkingTable]
    conclusions: list[ConsolidatedConclusion]
    pending: int
    candidates: list
    supports: dict[int, int]


def consolidation_board(session) -> Board:
    """Everything the consolidation page shows."""
    tables = session_tables(session)
    conclusions = consolidated_conclusions(session)
    pending = sum(1 for t in tables for c in current_originals(t) if not c.consolidated)
    return Board(tables=tables, conclusions=conclusions, pending=pending,
                 candidates=likely_duplicates(conclusions)[:20], supports=support_counts(session))


# --- Changes ------------------------------------------------------------------------------------------------

def _history(conclusion, action: HistoryAction, actor, **details) -> None:
    conclusion.history.append(ConclusionHistory(action=action, user_id=getattr(actor, "id", None), at=utcnow(),
                                                details=details))


def _audit(actor, action: str, conclusion, **details) -> None:
    record_action(actor, action, conclusion, object_type="consolidated_conclusion",
                  label=conclusion.text[:120], details=details)


def _clean_conclusion_text(text: str) -> str:
    text = clean_text(text or "").strip()
    if not text:
        raise DomainError("conclusion_empty", "Escriba el texto de la conclusión.",
                          fields={"text": "Obligatorio."})
    if len(text) > CONCLUSION_TEXT_MAX:
        raise DomainError("conclusion_too_long",
                          f"La conclusión no puede pasar de {CONCLUSION_TEXT_MAX} caracteres.",
                          fields={"text": f"Máximo {CONCLUSION_TEXT_MAX} caracteres."})
    return text


def _next_position(session) -> int:
    last = db.session.scalar(select(func.max(ConsolidatedConclusion.position))
                             .where(ConsolidatedConclusion.session_id == session.id))
    return (last or 0) + 10


def _unpublish_if_changed(conclusion, actor) -> None:
    """A change to an approved conclusion sends it back to draft (and off the public page) until re-approved."""
    if conclusion.status == ConclusionStatus.APPROVED:
        conclusion.status = ConclusionStatus.DRAFT
        conclusion.approved_at = None
        conclusion.published_at = None
        _history(conclusion, HistoryAction.REOPENED, actor)


def import_originals(session, *, actor) -> int:
    """Give every table original not yet consolidated its own consolidated conclusion; returns how many."""
    position = _next_position(session)
    made = 0
    for table in session_tables(session):
        for original in current_originals(table):
            if original.consolidated:
                continue
            conclusion = ConsolidatedConclusion(session_id=session.id, text=original.text, position=position,
                                                status=ConclusionStatus.DRAFT)
            db.session.add(conclusion)
            conclusion.sources.append(original)
            conclusion.themes.extend(original.themes)
            _history(conclusion, HistoryAction.CREATED, actor, sources=[original.id], table=table.number,
                     text=original.text)
            position += 10
            made += 1
    db.session.flush()
    if made:
        record_action(actor, "networking.conclusions_imported", session, object_type="agenda_session",
                      label=session.title, details={"count": made})
    return made


def edit_conclusion(conclusion, *, text: str, theme_ids: list[int], actor) -> ConsolidatedConclusion:
    """Change wording and themes; history records before and after."""
    text = _clean_conclusion_text(text)
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids or [-1]))
                                     .order_by(Theme.position)))
    changed = False
    if text != conclusion.text:
        _history(conclusion, HistoryAction.EDITED, actor, before=conclusion.text, after=text)
        _audit(actor, "networking.conclusion_edited", conclusion, before=conclusion.text, after=text)
        conclusion.text = text
        changed = True
    before = [t.name for t in conclusion.themes]
    if {t.id for t in themes} != {t.id for t in conclusion.themes}:
        _history(conclusion, HistoryAction.THEMES, actor, before=before, after=[t.name for t in themes])
        conclusion.themes = themes
        changed = True
    if changed:
        _unpublish_if_changed(conclusion, actor)
    db.session.flush()
    return conclusion


def merge_conclusions(conclusions: list[ConsolidatedConclusion], *, actor, text: str | None = None):
    """Merge several consolidated conclusions of one session into the first: it keeps every source (provenance),
    the union of themes and of support marks; the others are removed. Returns the merged conclusion."""
    conclusions = list(dict.fromkeys(conclusions))
    if len(conclusions) < 2:
        raise DomainError("merge_needs_two", "Elija al menos dos conclusiones para fusionar.")
    if len({c.session_id for c in conclusions}) != 1:
        raise DomainError("merge_other_session", "Solo se fusionan conclusiones de la misma sesión.")
    target, others = conclusions[0], conclusions[1:]
    new_text = _clean_conclusion_text(text) if text is not None and text.strip() else target.text
    merged_texts = [c.text for c in others]
    supporters = {s.registration_id for s in target.supports}
    for other in others:
        for source in list(other.sources):
            if source not in target.sources:
                target.sources.append(source)
        for theme in other.themes:
            if theme not in target.themes:
                target.themes.append(theme)
        for support in list(other.supports):
            if support.registration_id not in supporters:
                supporters.add(support.registration_id)
                target.supports.append(ConclusionSupport(registration_id=support.registration_id,
                                                         created_at=support.created_at))
    before = target.text
    target.text = new_text
    _history(target, HistoryAction.MERGED, actor, merged_from=[c.id for c in others], merged_texts=merged_texts,
             before=before, after=new_text, sources=sorted(s.id for s in target.sources))
    _audit(actor, "networking.conclusions_merged", target, merged_from=[c.id for c in others],
           sources=sorted(s.id for s in target.sources))
    _unpublish_if_changed(target, actor)
    for other in others:
        db.session.delete(other)
    db.session.flush()
    return target


def split_conclusion(conclusion, source_ids: list[int], *, actor) -> ConsolidatedConclusion:
    """Move the chosen sources out into a new consolidated conclusion (text: the first one's original words);
    the conclusion keeps the rest. Returns the new conclusion."""
    moving = [s for s in conclusion.sources if s.id in set(source_ids or [])]
    if not moving:
        raise DomainError("split_needs_source", "Elija qué textos originales separar.")
    if len(moving) == len(conclusion.sources):
        raise DomainError("split_keeps_one", "Debe quedar al menos un texto original en la conclusión.")
    new = ConsolidatedConclusion(session_id=conclusion.session_id, text=moving[0].text,
                                 position=conclusion.position + 1, status=ConclusionStatus.DRAFT)
    db.session.add(new)
    for source in moving:
        conclusion.sources.remove(source)
        new.sources.append(source)
        for theme in source.themes:
            if theme not in new.themes:
                new.themes.append(theme)
    db.session.flush()
    _history(conclusion, HistoryAction.SPLIT, actor, moved_sources=[s.id for s in moving], into=new.id)
    _history(new, HistoryAction.SPLIT, actor, split_from=conclusion.id, sources=[s.id for s in moving],
             text=new.text)
    _audit(actor, "networking.conclusion_split", conclusion, moved_sources=[s.id for s in moving], into=new.id)
    _unpublish_if_changed(conclusion, actor)
    _renumber(conclusion.session)
    db.session.flush()
    return new


def _renumber(session) -> list[ConsolidatedConclusion]:
    ordered = consolidated_conclusions(session)
    for i, c in enumerate(ordered, start=1):
        c.position = i * 10
    return ordered


def move_conclusion(conclusion, direction: str, *, actor) -> None:
    """Move a conclusion one place up or down the list."""
    if direction not in ("up", "down"):
        raise DomainError("bad_direction", "Indique si sube o baja.")
    ordered = _renumber(conclusion.session)
    i = ordered.index(conclusion)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(ordered):
        return
    ordered[i].position, ordered[j].position = ordered[j].position, ordered[i].position
    _history(conclusion, HistoryAction.REORDERED, actor, before=i + 1, after=j + 1)
    db.session.flush()


def approve_conclusion(conclusion, *, actor) -> None:
    """Approve a draft conclusion (it will appear on the next publication)."""
    if conclusion.status == ConclusionStatus.APPROVED:
        return
    conclusion.status = ConclusionStatus.APPROVED
    conclusion.approved_at = utcnow()
    conclusion.approved_by_id = getattr(actor, "id", None)
    _history(conclusion, HistoryAction.APPROVED, actor)
    _audit(actor, "networking.conclusion_approved", conclusion)
    db.session.flush()


def reopen_conclusion(conclusion, *, actor) -> None:
    """Send an approved conclusion back to draft (it leaves the public page)."""
    _unpublish_if_changed(conclusion, actor)
    db.session.flush()


def publish_conclusions(session, *, actor) -> int:
    """Publish every approved conclusion of the session not yet public; returns how many were published."""
    approved = [c for c in consolidated_conclusions(session) if c.status == ConclusionStatus.APPROVED]
    if not approved:
        raise DomainError("nothing_approved", "Apruebe al menos una conclusión antes de publicar.")
    now = utcnow()
    fresh = [c for c in approved if c.published_at is None]
    for conclusion in fresh:
        conclusion.published_at = now
        _history(conclusion, HistoryAction.PUBLISHED, actor)
    record_action(actor, "networking.conclusions_published", session, object_type="agenda_session",
                  label=session.title, details={"count": len(fresh)})
    db.session.flush()
    return len(fresh)


def withdraw_publication(session, *, actor) -> int:
    """Take the session's conclusions off the public page (they stay approved)."""
    public = [c for c in consolidated_conclusions(session) if c.published_at is not None]
    for conclusion in public:
        conclusion.published_at = None
        _history(conclusion, HistoryAction.WITHDRAWN, actor)
    record_action(actor, "networking.conclusions_withdrawn", session, object_type="agenda_session",
                  label=session.title, details={"count": len(public)})
    db.session.flush()
    return len(public)


# --- Support from attendees ------------------------------------------------------------------------------

def support_open(session, now=None) -> bool:
    """Attendees may mark support from the session's start until a while after it ends."""
    now = now or utcnow()
    return session.starts_at <= now <= session.ends_at + SUPPORT_GRACE


def supportable(registration) -> list[tuple[Session, list[ConsolidatedConclusion]]]:
    """The registration's event's networking sessions open for support, with their published conclusions."""
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    return [(s, published) for s in networking_sessions(registration.event)
            if support_open(s) and (published := published_conclusions(s))]


def supported_ids(registration) -> set[int]:
    """The consolidated conclusions this registration supports."""
    return set(db.session.scalars(select(ConclusionSupport.conclusion_id)
                                  .where(ConclusionSupport.registration_id == registration.id)))


def set_supports(registration: Registration, session, conclusion_ids: list[int]) -> set[int]:
    """Make the registration's support marks on this session's published conclusions exactly ``conclusion_ids``
    (one mark per person and conclusion, kept by a unique constraint). Returns the supported ids."""
    if registration.status == RegistrationStatus.CANCELLED or session.event_id != registration.event_id:
        raise DomainError("support_not_allowed", "Este boleto no puede marcar apoyos en esta sesión.", status=403)
    if not support_open(session):
        raise DomainError("support_closed", "El registro de apoyos de esta sesión ya cerró.")
    published = {c.id: c for c in published_conclusions(session)}
    wanted = {i for i in conclusion_ids if i in published}
    if len(wanted) != len(set(conclusion_ids)):
        raise DomainError("conclusion_not_found", "Alguna de las conclusiones elegidas no está publicada.")
    existing = {s.conclusion_id: s for s in db.session.scalars(
        select(ConclusionSupport).where(ConclusionSupport.registration_id == registration.id,
                                        ConclusionSupport.conclusion_id.in_(list(published) or [-1])))}
    for conclusion_id in wanted - set(existing):
        db.session.add(ConclusionSupport(conclusion_id=conclusion_id, registration_id=registration.id))
    for conclusion_id in set(existing) - wanted:
        db.session.delete(existing[conclusion_id])
    db.session.flush()
    return wanted


# --- The relatoría ---------------------------------------------------------------------------------------

def relatoria_of(session) -> Relatoria:
    """The relatoría's data: tables, sectors seated, published numbered conclusions with supports, originals."""
    event = session.event
    tables = session_tables(session)
    sectors: dict[str, int] = {}
    for table in tables:
        for seat in table.seats:
            label = event.sector_label(seat.registration.sector)
            sectors[label] = sectors.get(label, 0) + 1
    supports = support_counts(session)
    published = published_conclusions(session)
    return Relatoria(
        event_title=event.title, event_slug=event.slug, session_title=session.title,
        starts_at=session.starts_at, ends_at=session.ends_at,
        published_at=max((c.published_at for c in published), default=None),
        tables=[TableSummary(number=t.number, topic=t.topic, facilitator=t.facilitator, rapporteur=t.rapporteur,
                             seats=len(t.seats), originals=[c.text for c in current_originals(t)])
                for t in tables],
        sectors=sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0])),
        conclusions=[NumberedConclusion(number=i, text=c.text, themes=[t.name for t in c.themes],
                                        tables=source_tables(c), supports=supports.get(c.id, 0))
                     for i, c in enumerate(published, start=1)],
    )
