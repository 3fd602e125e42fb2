"""The ticket's venue address (one composition everywhere) and what a waitlisted or cancelled ticket offers."""

import io

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from foros.events.models import compose_address
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration import lifecycle, signup
from foros.registration.inputs import RegistrationInput
from foros.registration.models import RegistrationStatus
from tests.conftest import make_event

TEXCOCO = "15099"


def register(event, email="ana@example.org", name="Ana Ríos"):
    result = signup.register_attendee(event, RegistrationInput(
        name=name, email=email, sector="ciudadania", municipality_key="15031", privacy_consent=True))
    db.session.commit()
    return result.registration


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.mark.parametrize("venue, address, expected", [
    # The demo's Texcoco forum: the address already names the municipality and the state.
    ("Auditorio Municipal de Texcoco", "Centro, Texcoco, Estado de México",
     "Auditorio Municipal de Texcoco, Centro, Texcoco, Estado de México"),
    ("Casa de Cultura", "Av. Juárez 10", "Casa de Cultura, Av. Juárez 10, Texcoco, Estado de México"),
    ("Casa de Cultura", "Av. Juárez 10, C.P. 56100 texcoco, Edo. Méx.",
     "Casa de Cultura, Av. Juárez 10, C.P. 56100 texcoco, Edo. Méx."),
    ("", "", "Texcoco, Estado de México"),
])
def test_compose_address_names_each_part_once(venue, address, expected):
    assert compose_address(venue, address, "Texcoco") == expected


def test_venue_address_is_the_same_on_page_pdf_calendar_and_email(client):
    event = make_event(municipality_key=TEXCOCO, venue="Auditorio Municipal de Texcoco",
                       address="Centro, Texcoco, Estado de México")
    reg = register(event)
    expected = "Auditorio Municipal de Texcoco, Centro, Texcoco, Estado de México"
    assert event.full_address == expected

    page = client.get(f"/boleto/{reg.access_token}").get_data(as_text=True)
    assert f"<dt>Sede</dt><dd>{expected}</dd>" in page
    pdf = client.get(f"/boleto/{reg.access_token}/boleto.pdf").data
    assert expected in pdf_text(pdf) and pdf_text(pdf).count("Texcoco, Estado de México") == 1
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 2  # logo and QR
    ics = Calendar.from_ical(client.get(f"/boleto/{reg.access_token}/evento.ics").data)
    assert [str(v["location"]) for v in ics.walk("VEVENT")] == [expected]
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "registration.confirmed")).one()
    assert f"Sede: {expected}\n" in message.body_text and f"Sede: {expected}</p>" in message.body_html


def test_confirmation_from_the_api_snapshot_composes_the_same_address(client):
    event = make_event(municipality_key=TEXCOCO, venue="Casa de Cultura", address="Av. Juárez 10")
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json={
        "name": "Bea Soto", "email": "bea@example.org", "sector": "ciudadania", "municipality": "15031",
        "privacy_consent": True})
    assert response.status_code == 201, response.get_json()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert "Sede: Casa de Cultura, Av. Juárez 10, Texcoco, Estado de México\n" in message.body_text


def test_waitlisted_ticket_has_no_qr_and_says_what_to_do(client):
    event = make_event(capacity_in_person=1)
    register(event, "primera@example.org", "Primera Persona")
    reg = register(event)
    assert reg.status == RegistrationStatus.WAITLISTED
    page = client.get(f"/boleto/{reg.access_token}").get_data(as_text=True)
    assert "Lista de espera: lugar 1" in page and "Todavía no tiene lugar confirmado" in page
    assert "qr.png" not in page and "Presente este código" not in page
    assert client.get(f"/boleto/{reg.access_token}/qr.png").status_code == 410
    pdf = client.get(f"/boleto/{reg.access_token}/boleto.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "LISTA DE ESPERA · LUGAR 1" in text and "no da acceso" in text
    assert "Presente este código" not in text and "Código:" not in text
    assert len(PdfReader(io.BytesIO(pdf.data)).pages[0].images) == 1  # the institute's logo, no QR
    vevent = Calendar.from_ical(client.get(f"/boleto/{reg.access_token}/evento.ics").data).walk("VEVENT")[0]
    assert str(vevent["status"]) == "TENTATIVE" and "(lista de espera)" in str(vevent["summary"])


def test_cancelled_ticket_offers_no_qr_pdf_or_calendar(client):
    event = make_event()
    reg = register(event)
    lifecycle.cancel_registration(reg)
    db.session.commit()
    page = client.get(f"/boleto/{reg.access_token}").get_data(as_text=True)
    assert "Registro cancelado" in page and "ya no da acceso al evento" in page
    assert "Registrarme otra vez" in page
    assert "qr.png" not in page and "Presente este código" not in page and "boleto.pdf" not in page
    for tail in ("qr.png", "boleto.pdf", "evento.ics"):
        response = client.get(f"/boleto/{reg.access_token}/{tail}")
        assert response.status_code == 410 and response.mimetype == "text/html"
        assert "Content-Disposition" not in response.headers
        html = response.get_data(as_text=True)
        assert "está cancelado" in html and f"/boleto/{reg.access_token}" in html
