"""Attendance exports: every format parsed back and compared with the database, per filter and status."""

import csv
import io
import uuid

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from foros.attendance import services
from foros.attendance.models import AttendanceExportDefault
from foros.audit.models import AuditEntry
from foros.checkin.models import Checkin
from foros.checkin.services import ensure_default_lists
from foros.core.time import utcnow
from foros.extensions import db
from foros.registration.inputs import RegistrationInput
from foros.registration.models import RegistrationStatus
from foros.registration.signup import register_attendee
from tests.conftest import make_event

LONG = "Ñ" + "x" * 9_999
PEOPLE = [
    # name, sector, municipality, status, admitted
    ("Ñandú Pérez Álvarez", "ciudadania", "15031", "confirmed", True),
    ("=HYPERLINK(\"http://malo\")", "ciudadania", "15033", "confirmed", False),
    ("+52 Señora Suma", "academia", "15031", "confirmed", True),
    ("-Menos Núñez", "academia", "15033", "cancelled", False),
    ("@Arroba Peña", "ciudadania", "15031", "waitlisted", False),
]


@pytest.fixture
def event(app):
    event = make_event(capacity_in_person=100)
    lists = ensure_default_lists(event)
    for n, (name, sector, municipality, status, admitted) in enumerate(PEOPLE):
        person = RegistrationInput(name=name, email=f"p{n}@example.org", sector=sector,
                                   municipality_key=municipality, organization="Colectivo Ñuu",
                                   privacy_consent=True)
        registration = register_attendee(event, person, notify=False).registration
        registration.status = RegistrationStatus(status)
        if n == 0:  # longer than the form allows today: older rows and imports may hold such text
            registration.accessibility = LONG
        if admitted:
            db.session.add(Checkin(scan_id=str(uuid.uuid4()), list_id=lists[0].id, registration_id=registration.id,
                                   result="accepted", scanned_at=utcnow(), device="prueba"))
    db.session.commit()
    return event


def _expected(event, **filters) -> list[str]:
    """Names the export must list, computed straight from the fixture's table."""
    names = []
    for name, sector, municipality, status, admitted in PEOPLE:
        state = filters.get("status")
        if state == "registered" and status != "confirmed" or state == "cancelled" and status != "cancelled":
            continue
        if state == "waitlisted" and status != "waitlisted":
            continue
        if state == "admitted" and not (status == "confirmed" and admitted):
            continue
        if state == "no_show" and not (status == "confirmed" and not admitted):
            continue
        if filters.get("sector", sector) != sector or filters.get("municipality", municipality) != municipality:
            continue
        names.append(name)
    return sorted(names, key=str.lower)


def _post(client, event, **data):
    form = {"format": "csv", "columns": ["name", "sector", "municipality", "status", "accessibility"], **data}
    return client.post(f"/gestion/eventos/{event.slug}/lista-de-asistencia", data=form)


def _csv_rows(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


FILTERS = [{}, {"status": "registered"}, {"status": "admitted"}, {"status": "no_show"},
           {"status": "cancelled"}, {"status": "waitlisted"}, {"sector": "academia"},
           {"municipality": "15031"}, {"status": "admitted", "municipality": "15031"}]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(f.values()) or "all")
def test_csv_lists_exactly_the_filtered_people(organizer_client, event, filters):
    response = _post(organizer_client, event, **filters)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    rows = _csv_rows(response)
    assert rows[0] == ["Nombre", "Sector", "Municipio", "Estado", "Accesibilidad"]
    names = [r[0].removeprefix("'") for r in rows[1:]]
    assert names == _expected(event, **filters)


def test_csv_keeps_accents_long_fields_and_never_starts_a_formula(organizer_client, event):
    rows = _csv_rows(_post(organizer_client, event))
    cells = [cell for row in rows for cell in row]
    assert LONG in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'=HYPERLINK(\"http://malo\")" in cells and "'+52 Señora Suma" in cells
    assert "'-Menos Núñez" in cells and "'@Arroba Peña" in cells


def test_xlsx_has_text_cells_dates_and_the_sheet_layout(organizer_client, event):
    response = _post(organizer_client, event, format="xlsx", columns=["name", "accessibility", "admitted_at"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Nombre", "Ingreso", "Accesibilidad")  # the catalogue's order
    assert [r[0] for r in rows[1:]] == _expected(event)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:C{len(rows)}"
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s"  # a name starting with "=" stays text
    assert LONG in [r[2] for r in rows]
    admitted = [r[1] for r in rows[1:] if r[1] is not None]
    assert len(admitted) == 2 and all(hasattr(v, "year") for v in admitted)  # real dates


def test_pdf_is_a_numbered_signature_list_with_the_header_on_every_page(organizer_client, event, app):
    for n in range(40):
        register_attendee(event, RegistrationInput(name=f"Persona {n:02d}", email=f"x{n}@example.org",
                                                   sector="academia", municipality_key="15031",
                                                   privacy_consent=True), notify=False)
    db.session.commit()
    response = _post(organizer_client, event, format="pdf", columns=["name", "accessibility"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 2
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = "\n".join(page.extract_text() for page in reader.pages)
    for number, page in enumerate(reader.pages, 1):
        page_text = page.extract_text()
        assert app.config["ORGANIZATION_NAME"] in page_text
        assert f"Lista de asistencia — {event.title}" in page_text
        assert f"Página {number} de {len(reader.pages)}" in page_text
        assert "Firma" in page_text
    for name in _expected(event):
        assert name in text
    assert "45" in text and "Persona 39" in text  # numbered rows, all of them
    assert "Ñandú Pérez Álvarez" in text and event.venue in text


def test_each_export_is_audit_logged_with_its_filters(organizer_client, event):
    _post(organizer_client, event, status="admitted", sector="ciudadania", format="xlsx")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.exported"))
    assert entry.actor_name == "Olga Organizadora"
    assert entry.details["format"] == "xlsx" and entry.details["status_filter"] == "admitted"
    assert entry.details["sector"] == "ciudadania" and entry.details["rows"] == 1
    page = organizer_client.get("/gestion/bitacora").get_data(as_text=True)
    assert "Exportó lista de asistencia" in page and "ingresaron" in page


def test_saved_default_columns(organizer_client, event):
    response = _post(organizer_client, event, columns=["name", "email"], save_columns="1")
    assert response.status_code == 302
    assert db.session.get(AttendanceExportDefault, event.id).columns == ["name", "email"]
    page = organizer_client.get(f"/gestion/eventos/{event.slug}/lista-de-asistencia").get_data(as_text=True)
    assert 'value="email" checked' in page.replace('checked value="email"', 'value="email" checked') or \
        'checked id="columns-1" name="columns" type="checkbox" value="email"' in page


@pytest.mark.parametrize("data", [{"status": "todos"}, {"day": "2001-01-01"}, {"columns": ["password"]},
                                  {"format": "docx"}, {"list_slug": "x" * 5000}, {"municipality": "\x00"}])
def test_bad_input_is_a_spanish_form_not_a_500(organizer_client, event, data):
    response = _post(organizer_client, event, **data)
    if data.get("municipality") == "\x00":
        assert response.status_code == 400  # the house answer to NUL (core.security)
    else:
        assert response.status_code in (200, 422)
        assert "Revise" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.exported")) is None


def test_staff_and_anonymous_cannot_export(app, event, staff_client, client):
    assert _post(staff_client, event).status_code == 403
    response = _post(client, event)
    assert response.status_code == 302 and "/entrar" in response.headers["Location"]


def test_services_resolve_lists_and_days(app, event):
    day = event.days[0].day.isoformat()
    scope = services.resolve(event, services.AttendanceFilter(day=day, status="admitted"))
    assert services.count_rows(scope) == 2
    scope = services.resolve(event, services.AttendanceFilter(list_slug=day, status="no_show"))
    assert services.count_rows(scope) == 1
