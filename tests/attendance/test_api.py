"""The attendance API: same rows as the page, organizer token only, in the OpenAPI document."""

import csv
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from foros.accounts import services as accounts
from foros.extensions import db
from tests.attendance.test_exports import _expected, event  # noqa: F401  (the fixture)


def _get(client, token, event, **query):  # noqa: F811
    return client.get(f"/api/v1/events/{event.slug}/attendance", query_string=query,
                      headers={"Authorization": f"Bearer {token}"})


def test_api_exports_each_format_with_filters(app, client, organizer, event):  # noqa: F811
    _row, token = accounts.create_token(organizer, "api asistencia")
    db.session.commit()
    response = _get(client, token, event, status="admitted", columns=["name", "sector"])
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["Nombre", "Sector"]
    assert [r[0].removeprefix("'") for r in rows[1:]] == _expected(event, status="admitted")
    sheet = load_workbook(io.BytesIO(_get(client, token, event, format="xlsx").data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == _expected(event)
    pdf = PdfReader(io.BytesIO(_get(client, token, event, format="pdf").data))
    assert "Firma" in pdf.pages[0].extract_text()


def test_api_refuses_staff_anonymous_and_bad_filters(app, client, organizer, staff, event):  # noqa: F811
    _row, staff_token = accounts.create_token(staff, "personal")
    _row, token = accounts.create_token(organizer, "api asistencia")
    db.session.commit()
    assert _get(client, staff_token, event).status_code == 403
    assert client.get(f"/api/v1/events/{event.slug}/attendance").status_code == 401
    bad = _get(client, token, event, format="docx")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation_error"
    bad = _get(client, token, event, day="2001-01-01")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_filter"


def test_api_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/events/{slug}/attendance"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"format", "day", "list", "status", "sector", "municipality", "modality", "columns"} <= names
