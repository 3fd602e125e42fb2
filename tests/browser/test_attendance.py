"""Attendance exports from the UI (desktop and 360 px): the organizer opens the export page from the event's
management page, picks filters and columns, and downloads the CSV, the XLSX and the signed PDF list; each file
is parsed back and compared with the database."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from foros.attendance import services
from foros.extensions import db
from tests.browser.live import log_in
from tests.certificates.helpers import add_person, admit, day_lists, past_event

pytestmark = pytest.mark.browser

#: name, sector, admitted on which day's list (None: did not come)
PEOPLE = [
    ("Ana Ñandú Pérez", "ciudadania", 0),
    ("=SUMA(1;2) Núñez", "academia", 0),
    ("Beto Peña Ávila", "academia", None),
    ("Carla Íñiguez Muñoz", "academia", 1),
]


def _event(live) -> tuple[str, str, list[str]]:
    """A finished two-day event with the people above; its slug, the academia label and the names that the
    filters 'Ingresaron' + academia must give, read from the database by the export's own query."""
    with live.app.app_context():
        event = past_event(title="Foro de Participación Ñuu Savi")
        lists = day_lists(event)
        for n, (name, sector, day) in enumerate(PEOPLE):
            person = add_person(event, name, f"persona{n}@ejemplo.mx", sector=sector)
            if day is not None:
                admit(person, lists[day])
        db.session.commit()
        scope = services.resolve(event, services.AttendanceFilter(status="admitted", sector="academia"))
        expected = [row["name"] for row in services.attendance_rows(scope, services.choose_columns(["name"]))]
        label = event.sector_label("academia")
        slug = event.slug
        db.session.remove()
    return slug, label, expected


def _download(page, fmt_label: str) -> bytes:
    page.get_by_role("combobox", name="Formato").select_option(label=fmt_label)
    with page.expect_download() as info:
        page.get_by_role("button", name="Descargar").click()
    return Path(info.value.path()).read_bytes()


def test_organizer_downloads_each_format_with_filters(page, live_server):
    slug, academia, expected = _event(live_server)
    assert expected == ["=SUMA(1;2) Núñez", "Carla Íñiguez Muñoz"]

    log_in(page, live_server.organizer_email)
    page.goto(f"/gestion/eventos/{slug}")
    page.get_by_role("link", name="Lista de asistencia y exportaciones").click()
    expect(page.get_by_role("heading", name="Lista de asistencia")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    page.get_by_role("combobox", name="Estado").select_option(label="Ingresaron")
    page.get_by_role("combobox", name="Sector").select_option(label=academia)
    page.get_by_role("checkbox", name="Correo electrónico").check()

    rows = list(csv.reader(io.StringIO(_download(page, "CSV").decode("utf-8-sig"))))
    assert rows[0][:2] == ["Nombre", "Correo electrónico"]
    assert [r[0] for r in rows[1:]] == ["'=SUMA(1;2) Núñez", "Carla Íñiguez Muñoz"]  # formula-safe
    assert [r[1] for r in rows[1:]] == ["persona1@ejemplo.mx", "persona3@ejemplo.mx"]

    sheet = load_workbook(io.BytesIO(_download(page, "Excel (XLSX)"))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("Nombre", "Correo electrónico")
    assert [v[0] for v in values[1:]] == expected
    assert sheet["A2"].data_type == "s"  # the "=" name is text, not a formula
    admitted_at = values[0].index("Ingreso")
    assert all(hasattr(v[admitted_at], "year") for v in values[1:])  # real dates

    reader = PdfReader(io.BytesIO(_download(page, "PDF (lista de asistencia)")))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Lista de asistencia — Foro de Participación Ñuu Savi" in text and "Firma" in text
    assert "Página 1 de 1" in text
    assert all(name in text for name in expected)
    assert "Ana Ñandú Pérez" not in text and "Beto Peña Ávila" not in text
