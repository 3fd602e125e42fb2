"""An attendance export in one format: answered at once when small, built by a background job when large."""

from flask import Response, current_app

from foros.attendance import services
from foros.attendance.pdf import attendance_pdf
from foros.attendance.services import AttendanceFilter, Scope
from foros.core.export import (
    CSV_MIMETYPE,
    XLSX_MIMETYPE,
    content_disposition,
    csv_bytes,
    send_csv,
    send_xlsx,
    xlsx_bytes,
)
from foros.core.municipalities import municipality_name
from foros.events.models import Event
from foros.extensions import db
from foros.jobs.registry import JobResult

#: Kind of the background job that builds a large export (registered in create_app).
JOB_KIND = "attendance_export"
PDF_MIMETYPE = "application/pdf"


def subtitle(scope: Scope) -> str:
    """What the list shows, in words (PDF header, job title)."""
    parts = []
    if scope.checkin_list is not None:
        parts.append(f"Lista: {scope.checkin_list.name}")
    elif scope.day is not None:
        parts.append(f"Día: {scope.day.day.strftime('%d/%m/%Y')}")
    f = scope.filters
    if f.status:
        parts.append(services.STATUS_FILTERS[f.status])
    if f.sector:
        parts.append(f"Sector: {scope.event.sector_label(f.sector)}")
    if f.municipality:
        parts.append(f"Municipio: {municipality_name(f.municipality)}")
    if f.modality:
        parts.append(f"Modalidad: {f.modality.capitalize()}")
    return " · ".join(parts) or "Todas las personas registradas"


def filename(event, scope: Scope, fmt: str) -> str:
    """``asistencia-<slug>[-<día o lista>].<fmt>``."""
    suffix = scope.checkin_list.slug if scope.checkin_list is not None else (
        scope.day.day.isoformat() if scope.day is not None else "")
    return f"asistencia-{event.slug}{'-' + suffix if suffix else ''}.{fmt}"


def too_large_for_a_request(count: int) -> bool:
    """Whether ``count`` rows go to the background worker (setting ``ATTENDANCE_EXPORT_BACKGROUND_ROWS``)."""
    return count > current_app.config["ATTENDANCE_EXPORT_BACKGROUND_ROWS"]


def send_export(scope: Scope, columns, fmt: str) -> Response:
    """The file as a response: CSV streamed, XLSX and PDF built first."""
    name = filename(scope.event, scope, fmt)
    rows = services.attendance_rows(scope, columns)
    if fmt == "csv":
        return send_csv(columns, rows, name)
    if fmt == "xlsx":
        return send_xlsx(columns, rows, name, sheet_title="Asistencia")
    response = Response(attendance_pdf(scope.event, subtitle=subtitle(scope), columns=columns, rows=rows),
                        mimetype=PDF_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def build_bytes(scope: Scope, columns, fmt: str, progress=None) -> tuple[bytes, str]:
    """The whole file as bytes and its MIME type (background jobs, the bench)."""
    rows = services.attendance_rows(scope, columns)
    if progress is not None and fmt != "pdf":
        rows = _counted(rows, progress)
    if fmt == "csv":
        return csv_bytes(columns, rows), CSV_MIMETYPE + "; charset=utf-8"
    if fmt == "xlsx":
        return xlsx_bytes(columns, rows, sheet_title="Asistencia"), XLSX_MIMETYPE
    return attendance_pdf(scope.event, subtitle=subtitle(scope), columns=columns, rows=rows,
                          progress=progress), PDF_MIMETYPE


def _counted(rows, progress):
    for number, row in enumerate(rows, 1):
        yield row
        progress(number)


def job_params(scope: Scope, columns, fmt: str) -> dict:
    """What the background job needs to build the same export again."""
    return {"filters": scope.filters.as_dict(), "columns": [c.key for c in columns], "format": fmt}


def run_export_job(job, progress) -> JobResult:
    """The background job: rebuild the scope from the parameters, build the file, report each row."""
    event = db.session.get(Event, job.event_id)
    params = job.params
    scope = services.resolve(event, AttendanceFilter(**params["filters"]))
    columns = services.choose_columns(params["columns"])
    total = services.count_rows(scope)
    progress(0, total)
    data, mimetype = build_bytes(scope, columns, params["format"], lambda done: progress(done, total))
    return JobResult(filename(event, scope, params["format"]), mimetype, data)
