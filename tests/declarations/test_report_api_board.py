"""What the audit of issue 15 found untested: the event report's declarations section (point 10), the public
verification API in the OpenAPI document (point 11), and the board's "for how many days" (point 8)."""

import io
from datetime import timedelta

from pypdf import PdfReader

from foros.core.time import as_utc
from foros.declarations import board, manage
from foros.extensions import db
from foros.reports.document import event_report_pdf
from tests.conftest import make_event
from tests.declarations.test_signing import csrf_token_from, link_of, open_page


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _declaration_of(event, organizer, people):
    data = manage.DeclarationInput(municipality_key=event.municipality_key, event_id=event.id)
    declaration = manage.create_declaration(data, actor=organizer)
    for name, email in people:
        manage.add_signatory(declaration, manage.SignatoryInput(name=name, position="Cargo", email=email),
                             actor=organizer)
    manage.change_status(declaration, "open", actor=organizer)
    db.session.commit()
    return declaration


def test_the_event_report_has_the_forums_declaration_and_its_signatories_status(app, client, organizer):
    event = make_event(title="Foro Regional de Gobierno Abierto — Chimalhuacán")
    other = make_event(title="Foro Regional de Gobierno Abierto — Texcoco", municipality_key="15099")
    assert "Declaratoria conjunta" not in _text(event_report_pdf(event))  # no declaration: no section

    declaration = _declaration_of(event, organizer, [("Lic. Verónica Alcántara", "vero@example.org"),
                                                     ("Dr. José Martínez", "jose@example.org")])
    token = link_of("jose@example.org")
    html = open_page(client, token)
    client.post(f"/firmar/{token}/rechazar", data={"csrf_token": csrf_token_from(html),
                                                   "reason": "Falta la aprobación del cabildo"})
    text = _text(event_report_pdf(event))
    assert text.count("Declaratoria conjunta") == 2  # in the contents and as the section's heading
    assert declaration.title in text and "Estado: En firma · versión 1" in text
    assert declaration.current_version.content_sha256 in text.replace(" ", "")
    assert "Lic. Verónica Alcántara" in text and "Invitado" in text
    assert "Dr. José Martínez" in text and "Rechazado" in text
    assert "Declaratoria conjunta" not in _text(event_report_pdf(other))  # only the forum's own


def test_both_declaration_apis_are_in_the_openapi_document(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    listing = spec["paths"]["/api/v1/declarations"]["get"]
    verify = spec["paths"]["/api/v1/declarations/verify/{code}"]["get"]
    assert listing["security"] == [{"bearerAuth": []}]
    assert "security" not in verify or verify["security"] in ([], [{}])  # public
    assert {"200", "404"} <= set(verify["responses"])


def test_the_board_says_who_is_missing_and_for_how_many_days(app, organizer, organizer_client, monkeypatch):
    event = make_event()
    declaration = _declaration_of(event, organizer, [("Ana Alcaldesa", "ana@example.org"),
                                                     ("Beto Comisionado", "beto@example.org")])
    invited = as_utc(declaration.signatories[0].invited_at)
    (row,) = board.board_rows(now=invited + timedelta(days=5, hours=2))
    assert row.signed == 0 and row.total == 2
    assert [(m.signatory.name, m.days) for m in row.missing] == [("Ana Alcaldesa", 5), ("Beto Comisionado", 5)]

    monkeypatch.setattr(board, "utcnow", lambda: invited + timedelta(days=1, hours=1))
    page = organizer_client.get("/gestion/declaratorias/tablero").get_data(as_text=True)
    assert "Ana Alcaldesa: Invitado, 1 día sin firmar" in page
