"""Attendance lists: who registered and who came, filtered, with the columns an organizer chose.

One query feeds every format (CSV, XLSX, PDF, the API, the background job): registrations of the event, each
with its first admission in the scope (a day's lists, one list, or all), filtered by status, sector,
municipality and modality, ordered by name. Rows are yielded as dicts keyed by ``COLUMNS``' keys.
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from foros.attendance.models import AttendanceExportDefault
from foros.audit.services import record_action, record_action_apart
from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.core.errors import DomainError
from foros.core.export import Column
from foros.core.municipalities import get_municipality, municipality_name
from foros.events.models import EventDay, sector_labels
from foros.extensions import db
from foros.registration.inputs import GENDER_OPTIONS, OTHER_STATE
from foros.registration.models import Registration, RegistrationStatus, registration_days

#: Every column an organizer may choose, in the order offered.
COLUMNS: dict[str, Column] = {c.key: c for c in (
    Column("name", "Nombre", width=32),
    Column("email", "Correo electrónico", width=30),
    Column("phone", "Teléfono", width=16),
    Column("organization", "Organización", width=28),
    Column("position", "Cargo", width=22),
    Column("sector", "Sector", width=22),
    Column("municipality", "Municipio", width=22),
    Column("gender", "Sexo", width=14),
    Column("modality", "Modalidad", width=12),
    Column("status", "Estado", width=18),
    Column("admitted_at", "Ingreso", width=18),
    Column("admissions", "Ingresos registrados", width=12),
    Column("days", "Días inscritos", width=24),
    Column("registered_at", "Fecha de registro", width=18),
    Column("source", "Origen", width=14),
    Column("ticket_id", "Boleto", width=18),
    Column("accessibility", "Accesibilidad", width=30),
)}
DEFAULT_COLUMNS = ["name", "organization", "sector", "municipality", "modality", "status", "admitted_at"]

#: The status filter: registration statuses plus what the door says (admitted / did not come).
STATUS_FILTERS = {
    "registered": "Confirmados",
    "admitted": "Ingresaron",
    "no_show": "No se presentaron",
    "cancelled": "Cancelados",
    "waitlisted": "En lista de espera",
}
FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "pdf": "PDF (lista de asistencia)"}
_GENDERS = dict(GENDER_OPTIONS)


@dataclass(frozen=True)
class AttendanceFilter:
    """What to list: one day (its ISO date) or one check-in list (its slug), and the other filters ('' = all)."""

    day: str = ""
    list_slug: str = ""
    status: str = ""
    sector: str = ""
    municipality: str = ""
    modality: str = ""

    def as_dict(self) -> dict:
        """The filters that were set (for the audit log and the job's parameters)."""
        return {key: value for key, value in asdict(self).items() if value}


@dataclass(frozen=True)
class Scope:
    """The filter resolved against the event: the day and the list it names."""

    event: object
    day: EventDay | None
    checkin_list: CheckinList | None
    filters: AttendanceFilter


def resolve(event, filters: AttendanceFilter) -> Scope:
    """Check the filters against the event (unknown day, list, status… → ``invalid_filter`` with fields)."""
    errors = {}
    day = next((d for d in event.days if d.day.isoformat() == filters.day), None)
    if filters.day and day is None:
        errors["day"] = ["Ese día no pertenece al evento."]
    checkin_list = None
    if filters.list_slug:
        checkin_list = db.session.scalar(select(CheckinList).where(CheckinList.event_id == event.id,
                                                                   CheckinList.slug == filters.list_slug))
        if checkin_list is None:
            errors["list_slug"] = ["Esa lista de registro no pertenece al evento."]
    if filters.status and filters.status not in STATUS_FILTERS:
        errors["status"] = ["Estado desconocido."]
    if filters.sector and filters.sector not in {s["key"] for s in event.sector_options or []}:
        errors["sector"] = ["Sector desconocido."]
    known_place = filters.municipality == OTHER_STATE or get_municipality(filters.municipality) is not None
    if filters.municipality and not known_place:
        errors["municipality"] = ["Municipio desconocido."]
    # A modality the event does not offer is a well-formed filter (the API documents both) that matches nobody.
    if errors:
        raise DomainError("invalid_filter", "Revise los filtros marcados.", fields=errors)
    return Scope(event, day, checkin_list, filters)


def choose_columns(keys) -> list[Column]:
    """The chosen columns in the catalogue's order; unknown keys → ``invalid_columns``; none → the default."""
    keys = [k for k in keys if k]
    unknown = [k for k in keys if k not in COLUMNS]
    if unknown:
        names = ", ".join(unknown)[:200]
        raise DomainError("invalid_columns", "Hay columnas desconocidas.",
                          fields={"columns": [f"Columnas desconocidas: {names}"]})
    chosen = set(keys) or set(DEFAULT_COLUMNS)
    return [c for key, c in COLUMNS.items() if key in chosen]


def default_columns(event) -> list[str]:
    """The event's saved default columns, or the house default."""
    saved = db.session.get(AttendanceExportDefault, event.id)
    return [k for k in saved.columns if k in COLUMNS] if saved and saved.columns else list(DEFAULT_COLUMNS)


def save_default_columns(event, keys, *, actor) -> list[str]:
    """Remember these columns as the event's default for attendance exports (audit-logged)."""
    columns = [c.key for c in choose_columns(keys)]
    row = db.session.get(AttendanceExportDefault, event.id) or AttendanceExportDefault(event_id=event.id)
    row.columns, row.updated_by_id = columns, getattr(actor, "id", None)
    db.session.add(row)
    record_action(actor, "attendance.columns_saved", event, details={"columns": columns})
    db.session.flush()
    return columns


def _admissions(scope: Scope):
    """Per registration: first live admission and how many lists admitted them, within the scope."""
    query = (select(Checkin.registration_id, func.min(Checkin.scanned_at).label("admitted_at"),
                    func.count(func.distinct(Checkin.list_id)).label("admissions"))
             .join(CheckinList, CheckinList.id == Checkin.list_id)
             .where(CheckinList.event_id == scope.event.id, Checkin.result == ScanResult.ACCEPTED.value,
                    Checkin.undone_at.is_(None))
             .group_by(Checkin.registration_id))
    if scope.checkin_list is not None:
        query = query.where(Checkin.list_id == scope.checkin_list.id)
    elif scope.day is not None:
        query = query.where(CheckinList.event_day_id == scope.day.id)
    return query.subquery("admissions")


#: Export key → the registration column it reads ("status" also reads the admission, "days" the id's days).
_READS = {
    "name": Registration.name, "email": Registration.email, "phone": Registration.phone,
    "organization": Registration.organization, "position": Registration.position, "sector": Registration.sector,
    "municipality": Registration.municipality_key, "gender": Registration.gender,
    "modality": Registration.modality, "status": Registration.status, "registered_at": Registration.created_at,
    "source": Registration.source, "ticket_id": Registration.ticket_id,
    "accessibility": Registration.accessibility, "days": Registration.id,
}


def attendance_query(scope: Scope, keys=()):
    """One Core SELECT for the scope, ordered by name: the columns ``keys`` read (no ORM objects), then the
    first admission and the number of lists that admitted the person (aggregated in SQL)."""
    adm = _admissions(scope)
    f = scope.filters
    reads = [_READS[key].label(key) for key in keys if key in _READS] or [Registration.id]
    query = (select(*reads, adm.c.admitted_at, adm.c.admissions)
             .outerjoin_from(Registration, adm, adm.c.registration_id == Registration.id)
             .where(Registration.event_id == scope.event.id))
    day_id = scope.day.id if scope.day is not None else getattr(scope.checkin_list, "event_day_id", None)
    if day_id is not None:
        query = query.where(Registration.id.in_(select(registration_days.c.registration_id)
                                                .where(registration_days.c.event_day_id == day_id)))
    if scope.checkin_list is not None and scope.checkin_list.modalities:
        query = query.where(Registration.modality.in_(scope.checkin_list.modalities))
    status = {"registered": RegistrationStatus.CONFIRMED, "admitted": RegistrationStatus.CONFIRMED,
              "no_show": RegistrationStatus.CONFIRMED, "cancelled": RegistrationStatus.CANCELLED,
              "waitlisted": RegistrationStatus.WAITLISTED}.get(f.status)
    if status is not None:
        query = query.where(Registration.status == status)
    if f.status == "admitted":
        query = query.where(adm.c.admitted_at.is_not(None))
    elif f.status == "no_show":
        query = query.where(adm.c.admitted_at.is_(None))
    if f.sector:
        query = query.where(Registration.sector == f.sector)
    if f.municipality:
        query = query.where(Registration.municipality_key == f.municipality)
    if f.modality:
        query = query.where(Registration.modality == f.modality)
    return query.order_by(func.lower(Registration.name), Registration.id)


def count_rows(scope: Scope) -> int:
    """How many rows the export will have."""
    return db.session.scalar(select(func.count()).select_from(attendance_query(scope).order_by(None).subquery()))


def _days_by_registration(event) -> dict[int, str]:
    rows = db.session.connection().execute(select(registration_days.c.registration_id, EventDay.day)
                                           .join(EventDay, EventDay.id == registration_days.c.event_day_id)
                                           .where(EventDay.event_id == event.id).order_by(EventDay.day))
    days: dict[int, list[str]] = {}
    shown: dict = {}  # each date formatted once, not once per person
    for registration_id, day in rows:
        text = shown.get(day) or shown.setdefault(day, day.strftime("%d/%m/%Y"))
        days.setdefault(registration_id, []).append(text)
    return {key: ", ".join(value) for key, value in days.items()}


def attendance_rows(scope: Scope, columns: list[Column]) -> Iterator[dict]:
    """The rows of the export, read with one Core SELECT in batches (memory stays flat).

    Everything taken from the event is read now, not when the rows are: a streamed CSV reads them after the
    view returned and its transaction ended (the event is then detached).
    """
    keys = [c.key for c in columns]
    days = _days_by_registration(scope.event) if "days" in keys else {}
    sectors = sector_labels(scope.event.sector_options)
    statement = attendance_query(scope, keys).execution_options(yield_per=500)
    return _rows(statement, keys, _labels(keys, days, sectors))


def _labels(keys, days: dict, sectors: dict) -> dict:
    """Per key, how a stored value is shown; values that repeat (sectors, places…) are worked out once each."""
    once = {
        "sector": lambda v: sectors.get(v, v),
        "municipality": municipality_name,
        "gender": lambda v: _GENDERS.get(v, ""),
        "modality": lambda v: (v or "").capitalize(),
        "source": lambda v: v.label,
    }
    labels = {key: _memo(once[key]) for key in keys if key in once}
    labels.update({"email": lambda v: v or "", "days": lambda v: days.get(v, "")})
    return labels


def _memo(function):
    seen: dict = {}

    def shown(value):
        try:
            return seen[value]
        except KeyError:
            return seen.setdefault(value, function(value))

    return shown


def _status(status, admitted_at) -> str:
    if status == RegistrationStatus.CONFIRMED:
        return "Ingresó" if admitted_at else "Confirmado, sin ingreso"
    return status.label


def _rows(statement, keys: list[str], labels: dict) -> Iterator[dict]:
    read = [key for key in keys if key in _READS]  # the SELECT's columns, in its order (see attendance_query)
    plain = [(n, key) for n, key in enumerate(read) if key not in labels and key != "status"]
    shown = [(n, key, labels[key]) for n, key in enumerate(read) if key in labels]
    status_at = read.index("status") if "status" in read else None
    wants = {"admitted_at", "admissions"} & set(keys)
    for row in db.session.connection().execute(statement):  # Core: plain rows, no ORM loading
        admitted_at, admissions = row[-2], row[-1]
        out = {key: row[n] for n, key in plain}
        for n, key, label in shown:
            out[key] = label(row[n])
        if status_at is not None:
            out["status"] = _status(row[status_at], admitted_at)
        if wants:
            out["admitted_at"], out["admissions"] = admitted_at, admissions or 0
        yield out


def record_export(event, scope: Scope, columns: list[Column], fmt: str, rows: int, *, actor, via: str,
                  apart: bool = False) -> None:
    """Audit: who exported this event's attendance, when (the entry's time), in what format, with which filters.

    ``apart``: committed at once in a transaction of its own — for the API's export, a GET, whose own
    transaction is never committed (see ``foros.audit.services.record_action_apart``).
    """
    names = {"day": "day", "list_slug": "checkin_list", "status": "status_filter", "sector": "sector",
             "municipality": "municipality", "modality": "modality"}
    filters = {names[key]: value for key, value in scope.filters.as_dict().items()}
    record = record_action_apart if apart else record_action
    record(actor, "attendance.exported", event, details={
        "format": fmt, "rows": rows, "via": via, "columns": [c.key for c in columns], **filters,
    })
