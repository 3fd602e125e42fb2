"""The "agenda estatal": organizers collect published conclusions of several forums and Jornadas into one
document grouped by theme; each item keeps its conclusion, which traces back to its event, session and tables.
Services flush, never commit."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foros.agenda.models import Session
from foros.audit.services import record_action
from foros.core.errors import DomainError, NotFound
from foros.core.text import clean_text
from foros.core.time import utcnow
from foros.events.models import Event
from foros.extensions import db
from foros.networking.agenda_document import AgendaDocument, AgendaItem, Origin
from foros.networking.consolidation import published_conclusions, source_tables
from foros.networking.models import (
    ConclusionStatus,
    ConsolidatedConclusion,
    StateAgenda,
    StateAgendaItem,
    StateAgendaStatus,
    Theme,
)

OTHER_THEMES = "Otros temas"
TITLE_MAX = 250


def list_agendas() -> list[StateAgenda]:
    """Every state agenda, newest first."""
    return list(db.session.scalars(select(StateAgenda)
                                   .order_by(StateAgenda.created_at.desc(), StateAgenda.id.desc())))


def get_agenda(agenda_id) -> StateAgenda:
    """A state agenda by id (organizers), or NotFound."""
    agenda = db.session.get(StateAgenda, agenda_id) if isinstance(agenda_id, int) else None
    if agenda is None:
        raise NotFound("agenda_not_found", "No existe esa agenda estatal.")
    return agenda


def current_public_agenda() -> StateAgenda | None:
    """The most recently published state agenda, or None."""
    return db.session.scalar(select(StateAgenda).where(StateAgenda.status == StateAgendaStatus.PUBLISHED)
                             .order_by(StateAgenda.published_at.desc(), StateAgenda.id.desc()).limit(1))


def get_public_agenda(key: str) -> StateAgenda:
    """A published state agenda by its public key, or NotFound."""
    agenda = None
    if key and len(key) <= 32:
        agenda = db.session.scalar(select(StateAgenda).where(StateAgenda.public_key == key,
                                                             StateAgenda.status == StateAgendaStatus.PUBLISHED))
    if agenda is None:
        raise NotFound("agenda_not_found", "No existe esa agenda estatal.")
    return agenda


def _title(value: str) -> str:
    value = clean_text(value or "").strip()
    if not value:
        raise DomainError("title_required", "Escriba el título de la agenda.", fields={"title": "Obligatorio."})
    if len(value) > TITLE_MAX:
        raise DomainError("title_too_long", f"El título no puede pasar de {TITLE_MAX} caracteres.",
                          fields={"title": f"Máximo {TITLE_MAX} caracteres."})
    return value


def create_agenda(title: str, description: str = "", *, actor) -> StateAgenda:
    """A new draft state agenda."""
    agenda = StateAgenda(title=_title(title), description=clean_text(description or "").strip()[:5000],
                         created_by_id=getattr(actor, "id", None))
    db.session.add(agenda)
    db.session.flush()
    record_action(actor, "networking.state_agenda_created", agenda, object_type="state_agenda", label=agenda.title)
    return agenda


def candidate_conclusions() -> list[tuple[Event, Session, list[ConsolidatedConclusion]]]:
    """Every published conclusion of every event, by event and networking session (what can be collected)."""
    sessions = db.session.scalars(
        select(Session).join(ConsolidatedConclusion, ConsolidatedConclusion.session_id == Session.id)
        .where(ConsolidatedConclusion.published_at.is_not(None),
               ConsolidatedConclusion.status == ConclusionStatus.APPROVED)
        .distinct().order_by(Session.starts_at.desc()))
    return [(s.event, s, published_conclusions(s)) for s in sessions]


def add_conclusions(agenda: StateAgenda, conclusion_ids: list[int], *, actor) -> int:
    """Add published conclusions to the agenda, each under its first theme; returns how many were new."""
    conclusions = list(db.session.scalars(select(ConsolidatedConclusion)
                                          .where(ConsolidatedConclusion.id.in_(conclusion_ids or [-1]))))
    if not conclusions or any(c.published_at is None or c.status != ConclusionStatus.APPROVED
                              for c in conclusions):
        raise DomainError("conclusion_not_published", "Solo se agregan conclusiones publicadas.")
    present = {item.conclusion_id for item in agenda.items}
    added = 0
    position = max((item.position for item in agenda.items), default=0)
    for conclusion in conclusions:
        if conclusion.id in present:
            continue
        position += 10
        agenda.items.append(StateAgendaItem(conclusion_id=conclusion.id, position=position,
                                            theme_id=conclusion.themes[0].id if conclusion.themes else None))
        added += 1
    db.session.flush()
    record_action(actor, "networking.state_agenda_items_added", agenda, object_type="state_agenda",
                  label=agenda.title, details={"count": added})
    return added


def set_item_theme(agenda: StateAgenda, item_id: int, theme_id: int | None, *, actor) -> None:
    """Group an item under another theme (None: "Otros temas")."""
    item = next((i for i in agenda.items if i.id == item_id), None)
    if item is None:
        raise NotFound("item_not_found", "Ese elemento no está en la agenda.")
    if theme_id is not None and db.session.get(Theme, theme_id) is None:
        raise DomainError("theme_not_found", "Ese tema no existe.")
    item.theme_id = theme_id
    db.session.flush()


def remove_item(agenda: StateAgenda, item_id: int, *, actor) -> None:
    """Take an item out of the agenda."""
    item = next((i for i in agenda.items if i.id == item_id), None)
    if item is None:
        raise NotFound("item_not_found", "Ese elemento no está en la agenda.")
    agenda.items.remove(item)
    record_action(actor, "networking.state_agenda_item_removed", agenda, object_type="state_agenda",
                  label=agenda.title, details={"conclusion": item.conclusion_id})
    db.session.flush()


def publish_agenda(agenda: StateAgenda, *, actor) -> None:
    """Publish the agenda (its public page, PDF and XLSX)."""
    if not agenda.items:
        raise DomainError("agenda_empty", "Agregue al menos una conclusión antes de publicar.")
    agenda.status = StateAgendaStatus.PUBLISHED
    agenda.published_at = utcnow()
    record_action(actor, "networking.state_agenda_published", agenda, object_type="state_agenda",
                  label=agenda.title, details={"items": len(agenda.items)})
    db.session.flush()


def withdraw_agenda(agenda: StateAgenda, *, actor) -> None:
    """Back to draft (off the public pages)."""
    agenda.status = StateAgendaStatus.DRAFT
    record_action(actor, "networking.state_agenda_withdrawn", agenda, object_type="state_agenda",
                  label=agenda.title)
    db.session.flush()


def agenda_document(agenda: StateAgenda) -> AgendaDocument:
    """The agenda grouped by theme (theme order, "Otros temas" last), numbered across the document, each item
    traced to its event, session, number in that session's published list, and tables."""
    items = list(db.session.scalars(
        select(StateAgendaItem).where(StateAgendaItem.agenda_id == agenda.id)
        .options(selectinload(StateAgendaItem.theme), selectinload(StateAgendaItem.conclusion)
                 .selectinload(ConsolidatedConclusion.session))))
    numbers: dict[int, dict[int, int]] = {}
    groups: dict[tuple, list] = {}
    for item in items:
        conclusion = item.conclusion
        if conclusion.published_at is None or conclusion.status != ConclusionStatus.APPROVED:
            continue  # withdrawn since it was collected: not shown
        session = conclusion.session
        if session.id not in numbers:
            numbers[session.id] = {c.id: i for i, c in enumerate(published_conclusions(session), start=1)}
        origin = Origin(event_title=session.event.title, event_slug=session.event.slug,
                        session_title=session.title,
                        number=numbers[session.id].get(conclusion.id, 0), tables=source_tables(conclusion))
        key = (item.theme.position, item.theme.name) if item.theme else (10**6, OTHER_THEMES)
        groups.setdefault(key, []).append((item.position, item.id, item.text or conclusion.text, origin))
    result, number = [], 0
    for key in sorted(groups):
        rows = []
        for _position, _id, text, origin in sorted(groups[key], key=lambda r: (r[0], r[1])):
            number += 1
            rows.append(AgendaItem(number=number, text=text, theme=key[1], origins=[origin]))
        result.append((key[1], rows))
    return AgendaDocument(title=agenda.title, introduction=agenda.description, published_at=agenda.published_at,
                          groups=result)
