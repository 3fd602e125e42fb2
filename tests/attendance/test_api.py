"""The attendance API: same rows as the page, organizer token only, in the OpenAPI document."""

import csv
import io

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from foros.accounts import services as accounts
from foros.accounts.models import ApiToken
from foros.attendance import services
from foros.audit.models import AuditEntry
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


def test_api_export_is_audit_logged_though_a_get_writes_nothing_else(app, client, organizer, staff, event):  # noqa: F811
    """Who (the token's account), when, format, filters, columns, rows — committed apart from the request."""
    _row, token = accounts.create_token(organizer, "api asistencia")
    _row, staff_token = accounts.create_token(staff, "personal")
    db.session.commit()
    token_row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == organizer.id))
    last_used = token_row.last_used_at
    response = _get(client, token, event, format="xlsx", status="admitted", sector="ciudadania",
                    columns=["name", "sector"])
    assert response.status_code == 200
    # Refused requests leave no entry: bad filter, staff, no token.
    assert _get(client, token, event, day="2001-01-01").status_code == 422
    assert _get(client, staff_token, event).status_code == 403
    assert client.get(f"/api/v1/events/{event.slug}/attendance").status_code == 401
    db.session.rollback()  # read what was committed, from a fresh transaction
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attendance.exported")).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_id == organizer.id and entry.object_id == str(event.id)
    assert entry.details == {"format": "xlsx", "rows": 1, "via": "api", "columns": ["name", "sector"],
                             "status_filter": "admitted", "sector": "ciudadania"}
    assert db.session.get(ApiToken, token_row.id).last_used_at == last_used  # the GET itself wrote nothing


def test_an_api_export_that_cannot_be_audited_is_not_answered(app, client, organizer, event, monkeypatch):  # noqa: F811
    _row, token = accounts.create_token(organizer, "api asistencia")
    db.session.commit()

    def broken(*_args, **_kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "record_action_apart", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = _get(client, token, event, format="csv")
    assert response.status_code == 500 and "Ñandú" not in response.get_data(as_text=True)


def test_a_modality_the_event_does_not_offer_matches_nobody(app, client, organizer, event):  # noqa: F811
    """A filter valid by the OpenAPI document is answered (with no rows), never refused as invalid."""
    _row, token = accounts.create_token(organizer, "api asistencia")
    db.session.commit()
    everyone = _get(client, token, event, format="csv")
    nobody = _get(client, token, event, format="csv", modality="virtual")
    assert everyone.status_code == 200 and nobody.status_code == 200
    assert len(everyone.get_data(as_text=True).splitlines()) > 1
    assert len(nobody.get_data(as_text=True).splitlines()) == 1  # the header alone
