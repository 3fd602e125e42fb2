"""The tracking board across municipalities: each declaration's status, who is missing and for how many days,
reminders (one click, and every N days from the task queue), filters and the XLSX export."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from foros.core.errors import DomainError
from foros.core.export import Column
from foros.core.municipalities import get_municipality
from foros.core.time import as_utc, utcnow
from foros.declarations import signing
from foros.declarations.models import (
    Declaration,
    DeclarationStatus,
    Signatory,
    SignatoryStatus,
    TrailKind,
)
from foros.declarations.signing_common import is_turn, log, trail
from foros.extensions import db

#: Days between automatic reminders to a signatory who has not signed (``DECLARATIONS_REMINDER_DAYS``; 0 = off).
REMINDER_DAYS = 3
#: Statuses of a signatory who is still missing (invited or viewed, not signed or declined).
WAITING = (SignatoryStatus.INVITED, SignatoryStatus.VIEWED)
#: The least time between two reminders to one person: an organizer's click right after another click or after
#: the periodic task (which may run in several workers) is refused instead of sending a second e-mail.
MANUAL_REMINDER_GAP = timedelta(minutes=1)


def reminder_days() -> int:
    """The configured interval between automatic reminders, in days (0 turns them off)."""
    return max(0, int(current_app.config.get("DECLARATIONS_REMINDER_DAYS", REMINDER_DAYS)))


@dataclass
class BoardFilter:
    """What the organizer narrows the board to (empty: everything)."""

    status: str = ""
    municipality_key: str = ""
    role_id: int | None = None


@dataclass
class Missing:
    """A signatory who has not signed yet."""

    signatory: Signatory
    #: Whole days since they were asked (invited) or since signing opened; None if not asked yet.
    days: int | None
    reminder_due: bool


@dataclass
class BoardRow:
    """One declaration on the board."""

    declaration: Declaration
    municipality: str
    signed: int
    total: int
    missing: list[Missing]
    declined: list[Signatory]


def _waiting_since(signatory: Signatory) -> datetime | None:
    moment = signatory.invited_at or signatory.declaration.signing_opened_at
    return as_utc(moment) if moment else None


def _last_contact(signatory: Signatory) -> datetime | None:
    moments = [as_utc(m) for m in (signatory.invited_at, signatory.last_reminded_at) if m]
    return max(moments) if moments else None


def reminder_due(signatory: Signatory, now: datetime, days: int) -> bool:
    """Whether the periodic task reminds this signatory now: in firma, their turn, invited or viewed, with an
    e-mail, and ``days`` days since the invitation or the last reminder."""
    if days <= 0 or signatory.declaration.status != DeclarationStatus.SIGNING:
        return False
    if signatory.status not in WAITING or not signatory.email or not is_turn(signatory):
        return False
    last = _last_contact(signatory)
    return last is not None and now - last >= timedelta(days=days)


def board_rows(filters: BoardFilter | None = None, *, now: datetime | None = None) -> list[BoardRow]:
    """The board's rows, by municipality name then newest first, filtered."""
    filters = filters or BoardFilter()
    now = now or utcnow()
    days = reminder_days()
    stmt = (select(Declaration)
            .options(selectinload(Declaration.signatories).selectinload(Signatory.role),
                     selectinload(Declaration.versions))
            .order_by(Declaration.id.desc()))
    if filters.status:
        stmt = stmt.where(Declaration.status == DeclarationStatus(filters.status))
    if filters.municipality_key:
        stmt = stmt.where(Declaration.municipality_key == filters.municipality_key)
    if filters.role_id:
        stmt = stmt.where(Declaration.signatories.any(Signatory.role_id == filters.role_id))
    rows = []
    for declaration in db.session.scalars(stmt):
        municipality = get_municipality(declaration.municipality_key)
        signatories = declaration.signatories
        missing = []
        for s in signatories:
            if s.status in (SignatoryStatus.SIGNED, SignatoryStatus.DECLINED):
                continue
            if filters.role_id and s.role_id != filters.role_id:
                continue
            since = _waiting_since(s) if declaration.status == DeclarationStatus.SIGNING else None
            missing.append(Missing(s, (now - since).days if since else None, reminder_due(s, now, days)))
        rows.append(BoardRow(
            declaration=declaration,
            municipality=municipality.name if municipality else declaration.municipality_key,
            signed=sum(s.status == SignatoryStatus.SIGNED for s in signatories), total=len(signatories),
            missing=missing, declined=[s for s in signatories if s.status == SignatoryStatus.DECLINED]))
    rows.sort(key=lambda r: (r.municipality, -r.declaration.id))
    return rows


def status_counts(rows: list[BoardRow]) -> dict[DeclarationStatus, int]:
    """How many declarations of the rows are in each status (every status listed)."""
    counts = dict.fromkeys(DeclarationStatus, 0)
    for row in rows:
        counts[row.declaration.status] += 1
    return counts


# --- reminders ---------------------------------------------------------------------------------------------

def _claim_reminder(signatory: Signatory, now: datetime, *, since: datetime, automatic: bool) -> bool:
    """Record ``now`` as the signatory's last reminder if they are still waiting and nobody reminded them after
    ``since`` (automatic: nor invited them after it either). One conditional UPDATE decides, so of two workers
    (or a worker and an organizer's click) racing for one signatory exactly one wins, whatever the processes:
    on PostgreSQL the loser's UPDATE waits for the winner's row lock and then matches no row."""
    conditions = [Signatory.id == signatory.id, Signatory.status.in_(WAITING),
                  or_(Signatory.last_reminded_at.is_(None), Signatory.last_reminded_at <= since)]
    if automatic:
        conditions.append(or_(Signatory.invited_at.is_(None), Signatory.invited_at <= since))
    result = db.session.execute(update(Signatory).where(*conditions).values(last_reminded_at=now)
                                .execution_options(synchronize_session=False))
    db.session.refresh(signatory, ["last_reminded_at"])
    return result.rowcount == 1


def send_reminder(signatory: Signatory, *, actor=None, now: datetime | None = None) -> bool:
    """Remind one signatory now: a fresh personal link by e-mail through the outbox (the old one stops opening;
    what the person already did stays), one trail event and one audit entry with their status as it is.

    By an organizer (the board's button): refused (``reminded_recently``) within ``MANUAL_REMINDER_GAP`` of the
    last reminder, whoever sent it. By the periodic task (``actor`` None): sent only if the last contact is
    ``N`` days old still when the database is asked; False if another worker or a click got there first."""
    declaration = signatory.declaration
    if declaration.status != DeclarationStatus.SIGNING:
        raise DomainError("declaration_not_signing", "La declaratoria no está en firma.", status=409)
    if signatory.status not in WAITING:
        raise DomainError("not_waiting", "Solo se recuerda a quien fue invitado y aún no firma ni rechaza.",
                          status=409)
    if not is_turn(signatory):
        raise DomainError("not_your_turn", "Aún no es el turno de esta persona en el orden de firma.", status=409)
    now = now or utcnow()
    automatic = actor is None
    since = now - (timedelta(days=reminder_days()) if automatic else MANUAL_REMINDER_GAP)
    if not _claim_reminder(signatory, now, since=since, automatic=automatic):
        if automatic:
            return False
        raise DomainError("reminded_recently", "Esta persona recibió un recordatorio hace menos de un minuto; "
                          "espere antes de enviar otro.", status=409)
    signing.mail_new_link(signatory, now)
    trail(declaration, TrailKind.REMINDED, signatory=signatory, automatic=automatic,
          by="" if automatic else actor.name)
    log(actor, "declaration.reminder", signatory, status=signatory.status, automatic=automatic)
    db.session.flush()
    return True


def send_due_reminders(*, now: datetime | None = None) -> int:
    """The periodic task's work: remind every waiting signatory whose last contact is ``N`` days old. Returns
    how many were reminded; running it again at once — or in another worker at the same time — reminds nobody."""
    now = now or utcnow()
    days = reminder_days()
    if days <= 0:
        return 0
    stmt = (select(Signatory).join(Signatory.declaration)
            .where(Declaration.status == DeclarationStatus.SIGNING, Signatory.status.in_(WAITING),
                   Signatory.email != "")
            .options(selectinload(Signatory.declaration).selectinload(Declaration.signatories))
            .order_by(Signatory.id))
    sent = 0
    for signatory in db.session.scalars(stmt).unique().all():
        # What was read is only a first sift: send_reminder's claim decides, in the database, who sends.
        if reminder_due(signatory, now, days) and send_reminder(signatory, now=now):
            sent += 1
    return sent


# --- export ------------------------------------------------------------------------------------------------

BOARD_COLUMNS = [
    Column("municipality", "Municipio", 24),
    Column("title", "Declaratoria", 40),
    Column("status", "Estado", 12),
    Column("status_reason", "Motivo", 30),
    Column("expected_date", "Fecha prevista", 14),
    Column("version", "Versión", 8),
    Column("signatory", "Firmante", 30),
    Column("position", "Cargo", 28),
    Column("institution", "Institución", 28),
    Column("role", "Rol", 24),
    Column("signatory_status", "Estado de la firma", 16),
    Column("method", "Forma de firma", 18),
    Column("invited_at", "Invitación", 18),
    Column("signed_at", "Firmó", 18),
    Column("days_waiting", "Días sin firmar", 10),
    Column("last_reminded_at", "Último recordatorio", 18),
]


def export_rows(rows: list[BoardRow]):
    """One row per signatory (a declaration without signatories gets one row), for ``core.export``."""
    for row in rows:
        d = row.declaration
        version = d.current_version
        base = {"municipality": row.municipality, "title": d.title, "status": d.status.label,
                "status_reason": d.status_reason, "expected_date": d.expected_date,
                "version": version.number if version else None}
        waiting = {m.signatory.id: m.days for m in row.missing}
        if not d.signatories:
            yield base
        for s in d.signatories:
            yield {**base, "signatory": s.name, "position": s.position, "institution": s.institution,
                   "role": s.role.name if s.role else "", "signatory_status": s.status.label,
                   "method": s.method.label if s.method else "", "invited_at": s.invited_at,
                   "signed_at": s.signed_at, "days_waiting": waiting.get(s.id),
                   "last_reminded_at": s.last_reminded_at}
