"""Open data: an event's anonymised figures, published when organizers decide, with small cells suppressed.

**Suppression rule** (``THRESHOLD`` = 5), applied before any figure leaves — page, CSV and JSON alike:

1. *Primary*: a count of 1 to 4 people is withheld (``null`` with ``suprimido: true``; the page shows "*").
2. *Within a row*: when the registered count is withheld, so is the admitted one; when both are shown and
   their difference (the no-shows) is 1 to 4, the admitted count is withheld.
3. *Secondary*: in a table whose total is shown, withheld cells are never alone and together hold at least 5
   people — otherwise the total minus the other cells would reveal them. The smallest shown cell is withheld
   too until that holds (or, failing that, the total).
4. Rules 2 and 3 repeat until nothing changes. Zero is shown (it identifies nobody) unless a rule withholds it.

Figures across events are computed *from the events' published tables*: a category's figure is the sum of the
events' figures, withheld when any event withholds it — so they reveal nothing the event pages do not.
"""

from dataclasses import dataclass

from sqlalchemy import select

from foros.audit.services import record_action
from foros.core.errors import DomainError, NotFound
from foros.core.export import Column
from foros.core.formatting import fmt_date, fmt_day_span
from foros.core.time import utcnow
from foros.events.models import Event, EventStatus
from foros.events.services import get_public_event
from foros.extensions import db
from foros.stats.services import DIMENSIONS, event_statistics

THRESHOLD = 5
MEASURES = ("registered", "admitted")
#: Spanish names of the measures in the CSV and JSON files.
MEASURE_NAMES = {"registered": "registradas", "admitted": "asistentes"}
TABLES = {**DIMENSIONS, "day": "Día"}
DIMENSION_NAMES = {"total": "total", "sector": "sector", "sex": "sexo", "municipality": "municipio",
                   "modality": "modalidad", "day": "dia"}


@dataclass
class Cell:
    """One published figure: its value, unless withheld."""

    value: int
    hidden: bool = False

    @property
    def shown(self) -> int | None:
        return None if self.hidden else self.value

    def as_json(self) -> dict:
        return {"valor": self.shown, "suprimido": self.hidden}


# --- the rule ---------------------------------------------------------------------------------------------

def _row_rule(row: dict[str, Cell]) -> bool:
    registered, admitted = row["registered"], row["admitted"]
    if admitted.hidden:
        return False
    if registered.hidden or 0 < registered.value - admitted.value < THRESHOLD:
        admitted.hidden = True
        return True
    return False


def _table_rule(rows: list[dict[str, Cell]], total: dict[str, Cell], measure: str) -> bool:
    if total[measure].hidden:
        return False
    hidden = [r[measure] for r in rows if r[measure].hidden]
    if not hidden or (len(hidden) >= 2 and sum(c.value for c in hidden) >= THRESHOLD):
        return False
    shown = [r[measure] for r in rows if not r[measure].hidden]
    if shown:
        min(shown, key=lambda c: (c.value == 0, c.value)).hidden = True  # a zero hides nothing: last resort
    else:
        total[measure].hidden = True
    return True


def suppress(tables: dict[str, list[dict[str, int]]], total: dict[str, int], *,
             additive: set[str]) -> tuple[dict[str, list[dict[str, Cell]]], dict[str, Cell]]:
    """Apply the rule to breakdown tables sharing one total; ``additive`` names the tables that sum to it."""
    total_cells = {m: Cell(total[m], 0 < total[m] < THRESHOLD) for m in MEASURES}
    out = {name: [{m: Cell(row[m], 0 < row[m] < THRESHOLD) for m in MEASURES} for row in rows]
           for name, rows in tables.items()}
    changed = True
    while changed:
        changed = _row_rule(total_cells)
        for name, rows in out.items():
            for row in rows:
                changed |= _row_rule(row)
            if name in additive:
                for measure in MEASURES:
                    changed |= _table_rule(rows, total_cells, measure)
    return out, total_cells


# --- datasets ---------------------------------------------------------------------------------------------

def _event_info(event: Event) -> dict:
    municipality = event.municipality
    return {"slug": event.slug, "title": event.title, "kind": event.kind.label,
            "municipality": municipality.name if municipality else "",
            "dates": fmt_day_span(event.days),
            "start": event.starts_at.date().isoformat() if event.starts_at else None,
            "published_at": event.open_data_published_at}


def event_dataset(event: Event) -> dict:
    """An event's open figures: the total and each table, every figure a ``Cell`` after suppression."""
    stats = event_statistics(event)
    tables = {name: stats["breakdowns"][name] for name in DIMENSIONS}
    tables["day"] = stats["days"]
    cells, total = suppress({n: [{m: r[m] for m in MEASURES} for r in rows] for n, rows in tables.items()},
                            {m: stats["totals"][m] for m in MEASURES}, additive=set(DIMENSIONS))
    return {
        "event": _event_info(event),
        "total": total,
        "tables": [{"name": name, "title": TABLES[name],
                    "rows": [{"key": r["key"], "label": r["label"], **c}
                             for r, c in zip(tables[name], cells[name], strict=True)]}
                   for name in TABLES],
    }


def _sum_cells(cells: list[Cell]) -> Cell:
    return Cell(sum(c.value for c in cells), any(c.hidden for c in cells))


def cross_dataset(datasets: list[dict]) -> dict:
    """Figures over several published events, computed from their suppressed tables only."""
    total = {m: _sum_cells([d["total"][m] for d in datasets]) for m in MEASURES}
    tables = [{"name": "event", "title": "Evento",
               "rows": [{"key": d["event"]["slug"], "label": d["event"]["title"], **d["total"]}
                        for d in datasets]}]
    for name in DIMENSIONS:
        labels: dict[str, str] = {}
        contributions: dict[str, dict[str, list[Cell]]] = {}
        for dataset in datasets:
            table = next(t for t in dataset["tables"] if t["name"] == name)
            present = set()
            for row in table["rows"]:
                labels.setdefault(row["key"], row["label"])
                present.add(row["key"])
                for m in MEASURES:
                    contributions.setdefault(row["key"], {k: [] for k in MEASURES})[m].append(row[m])
        rows = [{"key": key, "label": labels[key], **{m: _sum_cells(contributions[key][m]) for m in MEASURES}}
                for key in contributions]
        rows.sort(key=lambda r: (-(r["registered"].value if not r["registered"].hidden else 0),
                                 r["label"].casefold()))
        tables.append({"name": name, "title": TABLES[name], "rows": rows})
    return {"events": [d["event"] for d in datasets], "total": total, "tables": tables}


def map_figures(dataset: dict, measure: str = "registered") -> tuple[dict[str, int], set[str]]:
    """(shown counts by INEGI key, keys withheld) of a dataset's municipality table, for the map."""
    table = next(t for t in dataset["tables"] if t["name"] == "municipality")
    counts = {r["key"]: r[measure].value for r in table["rows"] if not r[measure].hidden}
    reserved = {r["key"] for r in table["rows"] if r[measure].hidden}
    return counts, reserved


# --- files ------------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    Column("evento", "evento"), Column("titulo", "titulo"), Column("dimension", "dimension"),
    Column("clave", "clave"), Column("categoria", "categoria"), Column("medida", "medida"),
    Column("valor", "valor"), Column("suprimido", "suprimido"),
]


def csv_rows(dataset: dict, *, event_key: str = "", event_title: str = ""):
    """Long-format rows (one figure each) of a dataset: what ``diccionario.csv`` describes."""
    base = {"evento": event_key, "titulo": event_title}
    for measure in MEASURES:
        cell = dataset["total"][measure]
        yield {**base, "dimension": "total", "clave": "", "categoria": "Total", "medida": MEASURE_NAMES[measure],
               "valor": cell.shown, "suprimido": int(cell.hidden)}
    for table in dataset["tables"]:
        for row in table["rows"]:
            for measure in MEASURES:
                cell = row[measure]
                yield {**base, "dimension": DIMENSION_NAMES.get(table["name"], "evento"), "clave": row["key"],
                       "categoria": row["label"], "medida": MEASURE_NAMES[measure], "valor": cell.shown,
                       "suprimido": int(cell.hidden)}


def as_json(dataset: dict) -> dict:
    """The dataset as JSON with Spanish keys (see the data dictionary)."""
    def tables():
        return {DIMENSION_NAMES.get(t["name"], "evento"): [
            {"clave": r["key"], "categoria": r["label"],
             **{MEASURE_NAMES[m]: r[m].as_json() for m in MEASURES}} for r in t["rows"]]
            for t in dataset["tables"]}
    out = {"umbral_supresion": THRESHOLD,
           "total": {MEASURE_NAMES[m]: dataset["total"][m].as_json() for m in MEASURES},
           "tablas": tables()}
    if "event" in dataset:
        info = dataset["event"]
        out = {"evento": {"clave": info["slug"], "titulo": info["title"], "tipo": info["kind"],
                          "municipio_sede": info["municipality"], "fecha_inicio": info["start"],
                          "fechas": info["dates"]}, **out}
    else:
        out = {"eventos": [{"clave": e["slug"], "titulo": e["title"], "fecha_inicio": e["start"]}
                           for e in dataset["events"]], **out}
    return out


#: The data dictionary: every field of the CSV and JSON files.
DICTIONARY = [
    {"campo": "evento", "tipo": "texto", "descripcion": "Clave del evento (la de su dirección web)."},
    {"campo": "titulo", "tipo": "texto", "descripcion": "Título del evento."},
    {"campo": "dimension", "tipo": "texto",
     "descripcion": "Desagregación: total, sector, sexo, municipio (de residencia), modalidad, dia, o evento "
                    "(en el archivo de todos los eventos)."},
    {"campo": "clave", "tipo": "texto",
     "descripcion": "Clave de la categoría: clave INEGI del municipio (otra = otra entidad), clave del sector, "
                    "fecha ISO del día, clave del evento."},
    {"campo": "categoria", "tipo": "texto", "descripcion": "Nombre de la categoría en español."},
    {"campo": "medida", "tipo": "texto",
     "descripcion": "registradas: registros confirmados; asistentes: personas registradas que ingresaron al "
                    "menos una vez (en un día: ese día)."},
    {"campo": "valor", "tipo": "entero o vacío",
     "descripcion": "Número de personas; vacío (null en JSON) cuando el dato está suprimido."},
    {"campo": "suprimido", "tipo": "0/1 (booleano en JSON)",
     "descripcion": f"1 si el dato se reserva: menos de {THRESHOLD} personas, o una cifra que permitiría "
                    f"deducir otra menor de {THRESHOLD} (supresión secundaria)."},
]


# --- publication ------------------------------------------------------------------------------------------

def publish_open_data(event: Event, *, actor=None, now=None) -> Event:
    """Release the event's anonymised figures (only once it is over and public)."""
    now = now or utcnow()
    if not event.is_public or not event.is_past(now):
        raise DomainError("open_data_not_ready",
                          "Solo se publican datos abiertos de eventos públicos que ya terminaron.", status=409)
    if event.open_data_published_at is None:
        event.open_data_published_at = now
        db.session.flush()
        record_action(actor, "event.open_data_publish", event)
    return event


def withdraw_open_data(event: Event, *, actor=None) -> Event:
    """Take the event's figures off the open-data pages."""
    if event.open_data_published_at is not None:
        event.open_data_published_at = None
        db.session.flush()
        record_action(actor, "event.open_data_withdraw", event)
    return event


def published_events() -> list[Event]:
    """Events whose figures are published, oldest first."""
    events = db.session.scalars(select(Event).where(
        Event.open_data_published_at.is_not(None),
        Event.status.in_([EventStatus.PUBLISHED, EventStatus.CLOSED]))).all()
    return sorted(events, key=lambda e: (e.starts_at is None, e.starts_at.isoformat() if e.starts_at else ""))


def get_published_event(slug: str) -> Event:
    """A published event's figures, or 404."""
    event = get_public_event(slug)
    if event.open_data_published_at is None:
        raise NotFound("open_data_not_found", "No hay datos abiertos publicados de ese evento.")
    return event


def published_label(event: Event) -> str:
    return fmt_date(event.open_data_published_at, "medium") if event.open_data_published_at else ""
