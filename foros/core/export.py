"""The one exporter: rows in, a streamed CSV or an XLSX out, formula-safe, and the Flask helpers that send them.

A domain describes its columns once (``Column(key, "Encabezado")``) and yields rows — dicts keyed by the
columns' keys, or tuples in column order — from a query; nothing here holds all the rows at once.

- **CSV**: UTF-8 with a BOM (Excel then reads the accents), ``\\r\\n`` line ends, produced by a generator
  that yields a chunk every ~64 KB, so a 50,000-row export costs the memory of one chunk.
- **XLSX**: openpyxl's write-only mode (rows go to a temporary file as they come), bold header, first row
  frozen, auto-filter over the data, column widths; dates and datetimes as real Excel dates in Mexico City
  time (Excel has no time zones, so the values carry none).

**Formula injection.** A text cell that starts with ``= + - @ | %``, a tab, a carriage return or a line feed
could run as a formula (or a DDE command) when a spreadsheet opens the file. In CSV such a cell gets a leading
apostrophe, which spreadsheets show as "this is text". In XLSX the cell is written as a string (never a
formula) with Excel's own quote-prefix flag, so the text stays exactly as stored and stays text even if
someone edits the cell. Numbers (``int``, ``float``, ``Decimal``) are numbers, never neutralised.

``defusedcsv`` was considered: it does not cover tab and carriage return (which OWASP lists) and lets a text
such as ``-1`` through unchanged, which this house neutralises; the rule is three lines here instead.
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from urllib.parse import quote

from flask import Response, request, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from werkzeug.utils import secure_filename
from werkzeug.wsgi import wrap_file

from foros.core.time import to_local

#: A text cell starting with one of these could become a formula or a command in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r", "\n")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Excel's cell limit; longer text is cut (with an ellipsis) instead of producing a file Excel calls damaged.
XLSX_MAX_CELL = 32767
CSV_CHUNK = 64 * 1024
#: An XLSX up to this size is built in memory; a bigger one goes to a temporary file on disk.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One column of an export: the row key it reads and the Spanish header people see."""

    key: str
    header: str
    #: Width in characters in XLSX; default: fitted to the header, at least 10.
    width: int | None = None


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as text: one that would start a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _plain(value):
    """A value as it goes into a cell: text, number, or (XLSX) a naive local date/datetime/time."""
    if value is None or type(value) is str:  # most cells: nothing to do (checked first, it is the hot path)
        return value
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, int | float | Decimal | date | time):
        return value
    return str(value)


def _values(columns: Sequence[Column], row) -> list:
    if isinstance(row, Mapping):
        return [_plain(row.get(c.key)) for c in columns]
    values = list(row)
    if len(values) != len(columns):
        raise ValueError(f"row has {len(values)} values for {len(columns)} columns")
    return [_plain(v) for v in values]


# --- CSV -------------------------------------------------------------------------------------------------


def _csv_text(value) -> str:
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise(value)


def csv_chunks(columns: Sequence[Column], rows: Iterable, *, chunk_size: int = CSV_CHUNK) -> Iterator[bytes]:
    """The CSV as UTF-8 chunks (BOM and header first); rows are read only as the chunks are taken."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c.header) for c in columns])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow([_csv_text(v) for v in _values(columns, row)])
        if buffer.tell() >= chunk_size:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def csv_bytes(columns: Sequence[Column], rows: Iterable) -> bytes:
    """The whole CSV at once (small files, tests)."""
    return b"".join(csv_chunks(columns, rows))


# --- XLSX ------------------------------------------------------------------------------------------------


def _sheet_title(title: str) -> str:
    return _SHEET_TITLE_BAD.sub(" ", title).strip()[:31] or "Datos"


def _xlsx_cell(sheet, value):
    """What goes into the row for ``value``; text is always stored as text, never as a formula.

    Plain text and numbers go in as values (openpyxl makes the cell; a ``WriteOnlyCell`` with a style per
    cell cost most of a 10,000-row export's time); only text that could start a formula and dates, which need
    a flag or a number format, get a cell object of their own.
    """
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value) if ILLEGAL_CHARACTERS_RE.search(value) else value
        if len(text) > XLSX_MAX_CELL:
            text = text[: XLSX_MAX_CELL - 1] + "…"
        if not text.startswith(FORMULA_START):
            return text or None  # an empty cell is left out of the sheet's XML
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
        return cell
    if isinstance(value, datetime | date | time):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = (DATETIME_FORMAT if isinstance(value, datetime)
                              else TIME_FORMAT if isinstance(value, time) else DATE_FORMAT)
        return cell
    return value  # None or a number: openpyxl writes it as is


def write_xlsx(columns: Sequence[Column], rows: Iterable, target, *, sheet_title: str = "Datos") -> None:
    """Write the rows as an XLSX workbook to ``target`` (a path or a binary file object)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    # In write-only mode the sheet's layout must be set before the first row.
    for index, column in enumerate(columns, 1):
        width = column.width or min(max(len(column.header) + 4, 10), 60)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:  # the only styled cells
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", column.header))
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in _values(columns, row)])
        count += 1
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)


def xlsx_file(columns: Sequence[Column], rows: Iterable, *, sheet_title: str = "Datos"):
    """The XLSX in a temporary file (in memory while small), rewound, ready to send."""
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    write_xlsx(columns, rows, spool, sheet_title=sheet_title)
    spool.seek(0)
    return spool


def xlsx_bytes(columns: Sequence[Column], rows: Iterable, *, sheet_title: str = "Datos") -> bytes:
    """The whole XLSX at once (small files, tests)."""
    out = io.BytesIO()
    write_xlsx(columns, rows, out, sheet_title=sheet_title)
    return out.getvalue()


# --- Sending ---------------------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII-safe name (accents folded) and the exact UTF-8 name for modern browsers."""
    fallback = secure_filename(filename) or "descarga"
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def _download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def send_csv(columns: Sequence[Column], rows: Iterable, filename: str) -> Response:
    """Stream the rows as a CSV download; the rows are read while the response is sent."""
    if not filename.lower().endswith(".csv"):
        filename += ".csv"
    body = stream_with_context(csv_chunks(columns, rows))
    return _download(Response(body, mimetype=CSV_MIMETYPE), filename)  # Flask adds "; charset=utf-8"


def send_xlsx(columns: Sequence[Column], rows: Iterable, filename: str, *, sheet_title: str = "Datos") -> Response:
    """Send the rows as an XLSX download (built in a temporary file first: a ZIP ends with its index)."""
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    spool = xlsx_file(columns, rows, sheet_title=sheet_title)
    size = spool.seek(0, io.SEEK_END)
    spool.seek(0)
    if size <= XLSX_SPOOL_BYTES:  # it is in memory anyway: send the bytes and free the file now
        with spool:
            return _download(Response(spool.read(), mimetype=XLSX_MIMETYPE), filename)
    # On disk: the WSGI server reads it in blocks and closes it when the response is done.
    response = Response(wrap_file(request.environ, spool), mimetype=XLSX_MIMETYPE, direct_passthrough=True)
    response.content_length = size
    return _download(response, filename)
