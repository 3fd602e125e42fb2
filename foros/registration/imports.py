"""Importing invited guests from a CSV or XLSX file: read, map the Spanish headers, check every row.

Everything here works on plain rows (lists of text) and is unit-testable without a request. The flow:
``read_table`` (bytes → rows of text, never evaluating anything) → ``parse_rows`` (headers → column names,
tolerant of accents, case and spacing) → ``build_preview`` (each row checked against the event with the same
validation as the registration form, plus what will happen: new, or already registered → skipped). The
import itself is ``services.import_registrations``, in one transaction.

The template we *write* goes through the app's one exporter (``foros.core.export``), which keeps every cell
text, never a formula.
"""

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select

from foros.core import export
from foros.core.errors import DomainError, FieldErrors
from foros.core.municipalities import municipality_key_from_text
from foros.core.text import fold, normalize_email
from foros.events.models import Event, Modality
from foros.extensions import db
from foros.registration.inputs import GENDER_OPTIONS, LIMITS, RegistrationInput, validate_input
from foros.registration.models import Registration, RegistrationStatus

#: Defaults; FOROS_IMPORT_MAX_BYTES / FOROS_IMPORT_MAX_ROWS override them (see ``limits``).
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
#: An XLSX is a zip: refuse one whose parts would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
#: Longest cell kept as read; longer ones are cut here (the row is then reported as too long anyway).
MAX_CELL = 5000


@dataclass(frozen=True)
class Column:
    """One column of the import file."""

    name: str
    #: The header written in the template.
    header: str
    #: How it is called in messages.
    label: str
    #: Whether the header must be in the file (an optional column may be missing or left empty).
    required: bool = False
    aliases: tuple[str, ...] = ()
    #: What to write, for the upload page; ``{sectors}``, ``{modes}``, ``{default_mode}`` and ``{max_name}``
    #: are filled from the event.
    help: str = ""


COLUMNS = (
    Column("name", "nombre", "Nombre", True, ("nombre completo", "nombres", "name"),
           "Nombre completo (máximo {max_name} caracteres)."),
    Column("email", "correo", "Correo", True, ("correo electronico", "email", "e-mail", "mail"),
           "Correo electrónico; si ya está registrado en el evento, la fila se omite."),
    Column("phone", "telefono", "Teléfono", False, ("tel", "celular", "movil", "phone"), "Teléfono."),
    Column("sector", "sector", "Sector", True, (), "Nombre o clave de un sector del evento: {sectors}."),
    Column("organization", "organizacion", "Organización", False,
           ("institucion", "institucion u organizacion", "dependencia", "organismo"),
           "Institución u organización."),
    Column("position", "cargo", "Cargo", False, ("puesto",), "Cargo."),
    Column("municipality", "municipio", "Municipio", True,
           ("municipio de residencia", "clave municipio", "clave inegi"),
           "Nombre o clave INEGI de un municipio del Estado de México, u «otra»."),
    Column("gender", "sexo", "Sexo", False, ("genero", "sexo o genero", "sexo/genero"),
           "mujer, hombre, no binario, otro o prefiero no decir (puede quedar vacío)."),
    Column("modality", "modalidad", "Modalidad", False, (), "{modes}; vacía: {default_mode}."),
    Column("days", "dias", "Días", False, ("dia", "fechas", "fecha"),
           "Fechas AAAA-MM-DD separadas por punto y coma; vacío: todos los días del evento."),
    Column("accessibility", "accesibilidad", "Accesibilidad", False,
           ("necesidades de accesibilidad",), "Necesidades de accesibilidad."),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
_BY_NAME = {c.name: c for c in COLUMNS}
#: RegistrationInput field → column (for the service's per-field messages).
_FIELD_COLUMN = {"municipality_key": "municipality"}

_GENDER_WORDS = {
    "m": "mujer", "f": "mujer", "femenino": "mujer", "h": "hombre", "masculino": "hombre",
    "no binario": "no_binario", "nobinario": "no_binario", "prefiero no decir": "prefiero_no_decir",
    "prefiero no responder": "prefiero_no_decir",
}
_MODALITY_WORDS = {"en linea": "virtual", "linea": "virtual", "en persona": "presencial", "online": "virtual"}


def limits(config) -> tuple[int, int]:
    """(largest file in bytes, most data rows) from the app's settings."""
    return int(config.get("IMPORT_MAX_BYTES") or MAX_BYTES), int(config.get("IMPORT_MAX_ROWS") or MAX_ROWS)


class FileRejected(Exception):
    """The file as a whole cannot be read (format, size, headers); the message is Spanish."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ParsedRow:
    """One data row: its line in the file (the header is line 1) and its text per column name."""

    line: int
    values: dict[str, str]


@dataclass
class RowReport:
    """What the preview says about one row."""

    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    #: "new", "skip" (e-mail already registered) or "error".
    action: str = "error"
    #: For new rows: "confirmed" or "waitlisted", as far as the seats left tell now.
    outcome: str = ""
    data: RegistrationInput | None = None


@dataclass
class ImportPreview:
    """The whole file, checked: importable only when there is no file error and no row error."""

    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.file_errors and not self.error_rows

    @property
    def error_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.errors]

    def count(self, action: str, outcome: str = "") -> int:
        return sum(1 for r in self.rows if r.action == action and (not outcome or r.outcome == outcome))


# --- Reading -------------------------------------------------------------------------------------------


def read_table(filename: str, data: bytes, *, max_rows: int = MAX_ROWS,
               max_unpacked: int = MAX_UNPACKED_BYTES) -> list[list[str]]:
    """The file's rows as text (header first), from a CSV or an XLSX; raise ``FileRejected`` otherwise."""
    name = (filename or "").lower()
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, max_rows=max_rows, max_unpacked=max_unpacked)
    if name.endswith((".xlsx", ".xlsm")):
        raise FileRejected("El archivo no es un libro de Excel (.xlsx) válido.")
    if name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected("Ese es un formato antiguo de Excel (.xls): guárdelo como .xlsx o como CSV.")
    if name and not name.endswith((".csv", ".txt")):
        raise FileRejected("Suba un archivo .csv o .xlsx.")
    return read_csv(data, max_rows=max_rows)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV (delimitado por comas)" in Windows-1252.
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> list[list[str]]:
    """Rows of a CSV (UTF-8 or Windows-1252; comma, semicolon or tab), every cell as text."""
    if b"\x00" in data:
        raise FileRejected("El archivo no es un CSV de texto. Guárdelo como CSV UTF-8 o como .xlsx.")
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if not any(cell.strip() for cell in row):
                rows.append([])
                continue
            rows.append([cell[:MAX_CELL] for cell in row])
            if _data_rows(rows) > max_rows:
                break
    except csv.Error as exc:
        raise FileRejected(f"No se pudo leer el CSV (línea {len(rows) + 1}): revise las comillas.") from exc
    return rows


def _data_rows(rows: list[list[str]]) -> int:
    return sum(1 for row in rows[1:] if row)


def _cell_text(value) -> str:
    """Any XLSX cell value as text; numbers without '.0', dates as ISO. Formulas stay as their text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL]


def read_xlsx(data: bytes, *, max_rows: int = MAX_ROWS,
              max_unpacked: int = MAX_UNPACKED_BYTES) -> list[list[str]]:
    """Rows of the first sheet of an XLSX, every cell as text; formulas are never evaluated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileRejected("El archivo no es un libro de Excel (.xlsx) válido.") from exc
    # zipfile never unpacks more than a part's declared size, so the declared sizes bound the work.
    if len(parts) > 500 or sum(p.file_size for p in parts) > max_unpacked:
        raise FileRejected("El libro de Excel es demasiado grande una vez descomprimido.")
    from openpyxl import load_workbook

    rows: list[list[str]] = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter for reading text.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                sheet = workbook.worksheets[0]
                for values in sheet.iter_rows(values_only=True):
                    row = [_cell_text(v) for v in values]
                    while row and not row[-1].strip():
                        row.pop()
                    rows.append(row if any(c.strip() for c in row) else [])
                    if _data_rows(rows) > max_rows:
                        break
            finally:
                workbook.close()
    except FileRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise FileRejected("No se pudo leer el libro de Excel. Ábralo y guárdelo de nuevo como .xlsx, "
                           "o use CSV.") from exc
    return rows


# --- Headers and rows ----------------------------------------------------------------------------------

_HEADER_INDEX = {fold(alias): c.name for c in COLUMNS for alias in (c.header, c.label, *c.aliases)}


def parse_rows(table: list[list[str]], *, max_rows: int = MAX_ROWS) -> tuple[list[ParsedRow], list[str]]:
    """Map the header row to column names; return the data rows and the headers that were ignored."""
    start = next((i for i, row in enumerate(table) if row), None)
    if start is None:
        raise FileRejected("El archivo está vacío.")
    header, body = table[start], table[start + 1:]
    positions: dict[str, int] = {}
    ignored = []
    for index, title in enumerate(header):
        name = _HEADER_INDEX.get(fold(title))
        if name is None:
            if title.strip():
                ignored.append(title.strip()[:60])
            continue
        if name in positions:
            raise FileRejected(f"La columna «{_BY_NAME[name].header}» aparece dos veces en los encabezados.")
        positions[name] = index
    missing = [c.header for c in COLUMNS if c.required and c.name not in positions]
    if missing:
        raise FileRejected("Faltan columnas obligatorias en la primera fila: " + ", ".join(missing)
                           + ". Descargue la plantilla para ver los encabezados.")
    rows = []
    for offset, cells in enumerate(body, start=start + 2):  # the row number a spreadsheet shows
        if not cells:
            continue
        values = {name: (cells[i] if i < len(cells) else "").strip() for name, i in positions.items()}
        if any(values.values()):
            rows.append(ParsedRow(offset, {name: values.get(name, "") for name in COLUMN_NAMES}))
    if not rows:
        raise FileRejected("El archivo no tiene filas con datos debajo de los encabezados.")
    if len(rows) > max_rows:
        raise FileRejected(f"El archivo tiene más de {max_rows:,} filas. Divídalo en archivos más pequeños.")
    return rows, ignored


# --- Checking ------------------------------------------------------------------------------------------


def _sector_key(event: Event, text: str) -> str | None:
    folded = fold(text)
    for sector in event.sector_options or []:
        if folded in (fold(sector["key"]), fold(sector["label"])):
            return sector["key"]
    return None


def _gender_key(text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return ""
    for key, label in GENDER_OPTIONS:
        if folded in (fold(key), fold(label)):
            return key
    return _GENDER_WORDS.get(folded)


def _modality(text: str) -> str:
    folded = fold(text)
    return _MODALITY_WORDS.get(folded, folded)


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return "«" + (text if len(text) <= limit else text[:limit] + "…") + "»"


def check_row(event: Event, row: ParsedRow) -> tuple[RegistrationInput | None, list[str]]:
    """Turn one row into the service's input, or say (in Spanish) everything that is wrong with it."""
    values = row.values
    errors = FieldErrors()
    add = errors.add

    for name, text in values.items():
        if text.startswith("="):
            add(name, "contiene una fórmula; escriba el valor como texto.")
    sector = _sector_key(event, values["sector"])
    if values["sector"] and sector is None:
        add("sector", f"{_quote(values['sector'])} no es un sector de este evento.")
    municipality = municipality_key_from_text(values["municipality"])
    if values["municipality"] and municipality is None:
        add("municipality", f"{_quote(values['municipality'])} no es un municipio del Estado de México "
                            "(escriba su nombre, su clave INEGI u «otra»).")
    gender = _gender_key(values["gender"])
    if gender is None:
        add("gender", f"{_quote(values['gender'])} no es una opción (mujer, hombre, no binario, otro, "
                      "prefiero no decir).")
    days: list[date] = []
    for part in values["days"].replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            days.append(date.fromisoformat(part))
        except ValueError:
            add("days", f"{_quote(part)} no es una fecha; use AAAA-MM-DD separadas por punto y coma.")
    event_days = {d.day for d in event.days}
    outside = [d for d in days if d not in event_days]
    if outside:
        add("days", ", ".join(d.isoformat() for d in outside) + " no es un día del evento.")
    if not values["days"]:
        days = sorted(event_days)  # empty: every day of the event
    data = RegistrationInput(
        name=values["name"], email=values["email"], phone=values["phone"], sector=sector or values["sector"],
        organization=values["organization"], position=values["position"],
        municipality_key=municipality or values["municipality"][:5], gender=gender or "",
        modality=_modality(values["modality"]) or default_modality(event).value, days=days,
        accessibility=values["accessibility"],
    )
    try:
        validate_input(event, data, require_consent=False)
    except DomainError as exc:
        for field_name, messages in exc.fields.items():
            column = _FIELD_COLUMN.get(field_name, field_name)
            if column not in errors:  # our own message about that column is clearer
                for message in messages:
                    add(column, message)
    report = []
    for column in COLUMNS:
        for message in errors.get(column.name, []):
            report.append(f"{column.label}: {message}")
    return (None if report else data), report


def build_preview(event: Event, rows: list[ParsedRow], *, registered_emails: set[str],
                  seats_left: dict[str, int | None]) -> ImportPreview:
    """Check every row and say what the import will do with it (the file is importable only if all pass).

    ``registered_emails``: lower-cased e-mails already registered (live) to the event; those rows are
    skipped. ``seats_left``: per modality, None for no limit; new people beyond it will be waitlisted.
    """
    preview = ImportPreview()
    first_line: dict[str, int] = {}
    left = dict(seats_left)
    for row in rows:
        data, errors = check_row(event, row)
        report = RowReport(row.line, row.values, errors=errors, data=data)
        email = normalize_email(row.values["email"])
        if email and email in first_line:
            report.errors.append(f"Correo: repetido, ya aparece en la fila {first_line[email]}.")
            report.data = None
        elif email:
            first_line[email] = row.line
        if report.errors:
            report.action = "error"
        elif email in registered_emails:
            report.action = "skip"
        else:
            report.action = "new"
            modality = data.modality or _only_modality(event)
            remaining = left.get(modality)
            if remaining is None:
                report.outcome = "confirmed"
            elif remaining > 0:
                report.outcome = "confirmed"
                left[modality] = remaining - 1
            else:
                report.outcome = "waitlisted"
        preview.rows.append(report)
    return preview


def registered_emails(event: Event) -> set[str]:
    """Lower-cased e-mails with a live (not cancelled) registration to the event: the preview's one query."""
    return set(db.session.scalars(select(Registration.email_normalized).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED,
        Registration.email_normalized.is_not(None))))


def _only_modality(event: Event) -> str:
    modes = event.modality.attendance_modes
    return modes[0].value if len(modes) == 1 else ""


# --- Between preview and confirmation ------------------------------------------------------------------


def rows_payload(rows: list[ParsedRow] | list[RowReport]) -> list:
    """The rows as compact JSON (line, then the values in column order), to sign into the confirm form."""
    return [[row.line, [row.values[name] for name in COLUMN_NAMES]] for row in rows]


def rows_from_payload(payload) -> list[ParsedRow]:
    """Undo ``rows_payload`` (the payload was signed by us; its shape is still checked)."""
    rows = []
    for item in payload:
        line, cells = item
        if not isinstance(line, int) or not isinstance(cells, list) or len(cells) != len(COLUMN_NAMES):
            raise ValueError("bad import payload")
        rows.append(ParsedRow(line, {name: str(cell) for name, cell in zip(COLUMN_NAMES, cells, strict=True)}))
    return rows


# --- Writing -------------------------------------------------------------------------------------------


#: The template's columns: the import's own headers, so a filled-in template reads back as it was written.
TEMPLATE_COLUMNS = tuple(export.Column(c.name, c.header, width=max(len(c.header) + 4, 16)) for c in COLUMNS)


def template_rows(event: Event) -> list[dict]:
    """Two example rows for the template, using this event's sectors and days."""
    sectors = event.sector_options or [{"key": "", "label": ""}]
    days = ";".join(d.day.isoformat() for d in event.days)
    modes = [m.value for m in event.modality.attendance_modes]
    return [
        {"name": "María López Hernández", "email": "maria.lopez@example.org", "phone": "722 123 4567",
         "sector": sectors[0]["label"], "organization": "Ayuntamiento de Toluca", "position": "Directora",
         "municipality": "Toluca", "gender": "mujer", "modality": modes[0], "days": days,
         "accessibility": ""},
        {"name": "Juan Pérez García", "email": "juan.perez@example.org", "phone": "",
         "sector": sectors[-1]["key"], "organization": "", "position": "", "municipality": "15031",
         "gender": "", "modality": modes[-1], "days": days, "accessibility": "Intérprete de lengua de señas"},
    ]


def column_help(event: Event) -> list[tuple[str, bool, str]]:
    """(header, required, what to write) for the instructions on the upload page, from ``COLUMNS``."""
    modes = event.modality.attendance_modes
    context = {"sectors": ", ".join(s["label"] for s in event.sector_options or []),
               "modes": " o ".join(m.value for m in modes), "default_mode": default_modality(event).value,
               "max_name": LIMITS["name"]}
    return [(c.header, c.required, c.help.format(**context)) for c in COLUMNS]


def default_modality(event: Event) -> Modality:
    """The modality of a row that leaves it empty: in person when the event offers it (invited guests)."""
    modes = event.modality.attendance_modes
    return Modality.PRESENCIAL if Modality.PRESENCIAL in modes else modes[0]

