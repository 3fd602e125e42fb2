"""The municipal process: per municipality the path forum → convocatoria → firma de la declaratoria →
Secretariado Técnico Municipal → Plan de Acción Municipal, each milestone with planned and actual dates, status
and notes; and where each of the 125 municipalities stands."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foros.audit.services import diff_fields, record_action
from foros.core.errors import DomainError, NotFound
from foros.core.municipalities import all_municipalities, get_municipality
from foros.declarations.models import Milestone, MilestoneKind, MilestoneStatus, MunicipalProcess
from foros.extensions import db

NOTES_MAX = 2000
#: The path in order.
PATH = list(MilestoneKind)


def get_process(municipality_key: str, *, create: bool = False) -> MunicipalProcess | None:
    """The municipality's process (with its five milestones when ``create``); 404 for an unknown key."""
    if get_municipality(municipality_key) is None:
        raise NotFound("municipality_not_found", "No existe ese municipio.")
    process = db.session.scalar(select(MunicipalProcess)
                                .where(MunicipalProcess.municipality_key == municipality_key)
                                .options(selectinload(MunicipalProcess.milestones)))
    if process is None and create:
        process = MunicipalProcess(municipality_key=municipality_key)
        db.session.add(process)
    if process is not None:
        present = {m.kind for m in process.milestones}
        for kind in PATH:
            if kind not in present and create:
                process.milestones.append(Milestone(kind=kind, status=MilestoneStatus.PENDING))
        if create:
            db.session.flush()
    return process


def milestones_in_order(process: MunicipalProcess | None) -> list[Milestone | None]:
    """The process's milestones in the path's order (None where one is missing)."""
    by_kind = {m.kind: m for m in (process.milestones if process else [])}
    return [by_kind.get(kind) for kind in PATH]


@dataclass
class MilestoneInput:
    """A milestone as typed."""

    status: MilestoneStatus
    planned_date: date | None = None
    actual_date: date | None = None
    notes: str = ""


def update_milestone(municipality_key: str, kind: MilestoneKind, data: MilestoneInput, *, actor=None) -> Milestone:
    """Set a milestone's status, dates and notes (the process is created on first use)."""
    errors = {}
    for name in ("planned_date", "actual_date"):
        value = getattr(data, name)
        if value is not None and not 2000 <= value.year <= 2100:
            errors[name] = ["Escriba una fecha entre los años 2000 y 2100."]
    if data.status == MilestoneStatus.DONE and data.actual_date is None:
        errors["actual_date"] = ["Escriba la fecha en que se realizó."]
    if len(data.notes) > NOTES_MAX:
        errors["notes"] = [f"Máximo {NOTES_MAX} caracteres."]
    if errors:
        raise DomainError("invalid_milestone", "Revise los datos marcados.", fields=errors)
    process = get_process(municipality_key, create=True)
    milestone = next(m for m in process.milestones if m.kind == kind)
    values = {"status": data.status, "planned_date": data.planned_date, "actual_date": data.actual_date,
              "notes": data.notes.strip()}
    changes = diff_fields(milestone, values)
    for key, value in values.items():
        setattr(milestone, key, value)
    db.session.flush()
    if changes:
        municipality = get_municipality(municipality_key)
        record_action(actor, "declaration.milestone_update", process, object_type="municipal_process",
                      label=f"{municipality.name}: {kind.label}", details={"milestone": kind.value, **changes})
    return milestone


@dataclass
class StateRow:
    """Where one municipality stands."""

    key: str
    name: str
    region: str
    #: Milestones done along the path (0–5).
    reached: int
    #: The first milestone not done ("Foro", …) or None when the whole path is done.
    next_step: Milestone | MilestoneKind | None
    milestones: list
    postponed: bool
    #: Whether the municipality has a process row at all (``none`` filters on it).
    has_process: bool


def state_rows() -> list[StateRow]:
    """All 125 municipalities with how far their process got."""
    processes = {p.municipality_key: p for p in db.session.scalars(
        select(MunicipalProcess).options(selectinload(MunicipalProcess.milestones)))}
    rows = []
    for municipality in all_municipalities():
        process = processes.get(municipality.key)
        ordered = milestones_in_order(process)
        reached = 0
        for m in ordered:
            if m is None or m.status != MilestoneStatus.DONE:
                break
            reached += 1
        next_step = None if reached == len(PATH) else (ordered[reached] or PATH[reached])
        rows.append(StateRow(key=municipality.key, name=municipality.name,
                             region=getattr(municipality, "region", ""), reached=reached, next_step=next_step,
                             milestones=ordered, has_process=process is not None,
                             postponed=any(m is not None and m.status == MilestoneStatus.POSTPONED
                                           for m in ordered)))
    return rows


def at_stage(rows: list[StateRow], stage: str) -> list[StateRow]:
    """The rows whose next step is ``stage`` (``done``: the complete ones, ``none``: those without a process,
    empty: all)."""
    if not stage:
        return rows
    if stage == "none":
        return [row for row in rows if not row.has_process]
    if stage == "done":
        return [row for row in rows if row.next_step is None]
    kept = []
    for row in rows:
        kind = row.next_step.kind if isinstance(row.next_step, Milestone) else row.next_step
        if row.has_process and kind is not None and kind.value == stage:
            kept.append(row)
    return kept


def map_counts(rows: list[StateRow]) -> dict[str, int]:
    """Milestones reached per municipality (only those with at least one), for ``stats.maps``."""
    return {row.key: row.reached for row in rows if row.reached}
