"""Public registration form, ticket page, PDF, calendar file, correction and cancellation."""

import io
from datetime import time, timedelta

from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import func, select

from foros.core.time import local_today
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration.codes import read_code
from foros.registration.models import Registration, RegistrationStatus
from tests.conftest import make_event


def form_data(**overrides):
    data = {"name": "Lucía Hernández Ortiz", "email": "lucia@example.org", "phone": "55 1234 5678",
            "sector": "sociedad_civil", "organization": "Colectivo Transparencia", "position": "Coordinadora",
            "municipality": "chimalhuacan", "gender": "mujer", "accessibility": "", "privacy_consent": "y"}
    data.update(overrides)
    return data


def count(model=Registration):
    return db.session.scalar(select(func.count()).select_from(model))


def test_form_shows_event_sectors_and_privacy_notice(client):
    event = make_event()
    html = client.get(f"/eventos/{event.slug}/registro").get_data(as_text=True)
    assert "Sociedad civil organizada" in html and "Aviso de privacidad" in html
    assert '<datalist id="municipios">' in html and "Cuautitlán Izcalli" in html
    assert "<script" not in html


def test_register_then_see_ticket_with_qr(client):
    event = make_event()
    response = client.post(f"/eventos/{event.slug}/registro", data=form_data())
    assert response.status_code == 302
    reg = db.session.scalars(select(Registration)).one()
    assert reg.municipality_key == "15031" and reg.status == RegistrationStatus.CONFIRMED
    assert response.headers["Location"].endswith(f"/boleto/{reg.access_token}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Registro confirmado" in html and "Lucía Hernández Ortiz" in html
    qr = client.get(f"/boleto/{reg.access_token}/qr.png")
    assert qr.status_code == 200 and qr.mimetype == "image/png"
    import zxingcpp
    from PIL import Image

    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.data)))
    assert read_code(decoded[0].text) == reg.ticket_id


def test_invalid_submission_keeps_input_and_saves_nothing(client):
    event = make_event()
    response = client.post(f"/eventos/{event.slug}/registro", data=form_data(
        email="no-es-correo", name="<script>alert(1)</script>", privacy_consent=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Escriba un correo electrónico válido" in html and "aviso de privacidad" in html
    assert "Colectivo Transparencia" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert count() == 0 and count(OutboxMessage) == 0


def test_unknown_municipality_text_is_an_error(client):
    event = make_event()
    response = client.post(f"/eventos/{event.slug}/registro", data=form_data(municipality="Guadalajara"))
    assert response.status_code == 422 and "Otra entidad" in response.get_data(as_text=True)
    response = client.post(f"/eventos/{event.slug}/registro", data=form_data(
        municipality="Otra entidad (fuera del Estado de México)"))
    assert response.status_code == 302


def test_second_registration_with_same_email_shows_no_link(client):
    event = make_event()
    client.post(f"/eventos/{event.slug}/registro", data=form_data())
    response = client.post(f"/eventos/{event.slug}/registro", data=form_data(email="LUCIA@example.org"))
    html = response.get_data(as_text=True)
    reg = db.session.scalars(select(Registration)).one()
    assert response.status_code == 200 and "Ya estaba registrado" in html
    assert reg.access_token not in html and count() == 1
    assert [m.kind for m in db.session.scalars(select(OutboxMessage))][-1] == "registration.link_resent"


def test_forty_duplicate_posts_queue_one_link(client):
    """Issue 10 point 15: 40 duplicate sign-ups (form and API alike) queue one message, each answered as ever."""
    event = make_event()
    client.post(f"/eventos/{event.slug}/registro", data=form_data())
    api_body = {"name": "Lucía", "email": "lucia@example.org", "sector": "academia", "municipality": "15113",
                "privacy_consent": True}
    for n in range(40):
        if n % 2:
            response = client.post(f"/api/v1/events/{event.slug}/registrations", json=api_body)
            assert response.status_code == 409 and response.json["error"]["code"] == "duplicate"
        else:
            response = client.post(f"/eventos/{event.slug}/registro", data=form_data())
            assert response.status_code == 200 and "Ya estaba registrado" in response.get_data(as_text=True)
    sent = [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert sent == ["registration.confirmed", "registration.link_resent"]


def test_full_event_puts_people_on_waitlist_with_position(client):
    event = make_event(capacity_in_person=1)
    client.post(f"/eventos/{event.slug}/registro", data=form_data())
    response = client.post(f"/eventos/{event.slug}/registro", data=form_data(email="otra@example.org"))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lista de espera: lugar 1" in html


def test_hybrid_multi_day_event_asks_modality_and_days(client):
    first = local_today() + timedelta(days=8)
    event = make_event(modality=Modality.HIBRIDA, capacity_virtual=50, days=[
        DayInput(first, time(9), time(14)), DayInput(first + timedelta(days=2), time(9), time(14))])
    html = client.get(f"/eventos/{event.slug}/registro").get_data(as_text=True)
    assert 'type="radio" name="modality"' in html and 'type="checkbox" name="days"' in html
    response = client.post(f"/eventos/{event.slug}/registro", data=form_data(modality="virtual",
                                                                           days=[first.isoformat()]))
    assert response.status_code == 302
    reg = db.session.scalars(select(Registration)).one()
    assert reg.modality == "virtual" and [d.day for d in reg.days] == [first]
    response = client.post(f"/eventos/{event.slug}/registro", data=form_data(email="b@example.org",
                                                                           days=["2999-01-01"]))
    assert response.status_code == 422


def test_closed_and_unknown_events(client):
    event = make_event(publish=False)
    assert client.get(f"/eventos/{event.slug}/registro").status_code == 404
    assert client.get("/eventos/no-existe/registro").status_code == 404
    past = make_event(title="Pasado", days=[DayInput(local_today() - timedelta(days=3), time(9), time(10))])
    response = client.post(f"/eventos/{past.slug}/registro", data=form_data())
    assert response.status_code == 409 and "Registro cerrado" in response.get_data(as_text=True)


def test_pdf_and_ics_downloads(client):
    event = make_event(venue="Auditorio Municipal", address="Av. Principal 1")
    client.post(f"/eventos/{event.slug}/registro", data=form_data())
    reg = db.session.scalars(select(Registration)).one()
    pdf = client.get(f"/boleto/{reg.access_token}/boleto.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = reader.pages[0].extract_text()
    flat = " ".join(text.split())
    assert "Lucía Hernández Ortiz" in flat and event.title in flat and "Auditorio Municipal" in flat
    assert len(reader.pages) == 1 and round(float(reader.pages[0].mediabox.width)) == 595  # A4
    ics = client.get(f"/boleto/{reg.access_token}/evento.ics")
    assert ics.mimetype == "text/calendar"
    cal = Calendar.from_ical(ics.data)
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == 1 and str(vevents[0]["summary"]) == event.title
    assert vevents[0]["dtstart"].dt.tzinfo.key == "America/Mexico_City"
    assert vevents[0]["dtstart"].dt.hour == 9
    assert "TZID=America/Mexico_City" in ics.get_data(as_text=True)
    assert client.get(f"/boleto/{reg.access_token}/evento.ics").data == ics.data  # stable UID


def test_attendee_edits_and_cancels_from_link(client):
    event = make_event(capacity_in_person=1)
    client.post(f"/eventos/{event.slug}/registro", data=form_data())
    client.post(f"/eventos/{event.slug}/registro", data=form_data(email="espera@example.org", name="En Espera"))
    reg, waiting = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    token = reg.access_token
    html = client.get(f"/boleto/{token}/editar").get_data(as_text=True)
    assert 'value="Lucía Hernández Ortiz"' in html and 'value="Chimalhuacán"' in html
    response = client.post(f"/boleto/{token}/editar", data=form_data(name="Lucía Hernández", email="x"))
    assert response.status_code == 422 and 'value="Lucía Hernández"' in response.get_data(as_text=True)
    response = client.post(f"/boleto/{token}/editar", data=form_data(name="Lucía Hernández"))
    assert response.status_code == 302
    assert db.session.get(Registration, reg.id).name == "Lucía Hernández"
    assert "Sí, cancelar" in client.get(f"/boleto/{token}/cancelar").get_data(as_text=True)
    client.post(f"/boleto/{token}/cancelar")
    assert db.session.get(Registration, reg.id).status == RegistrationStatus.CANCELLED
    assert db.session.get(Registration, waiting.id).status == RegistrationStatus.CONFIRMED
    assert "Registro cancelado" in client.get(f"/boleto/{token}").get_data(as_text=True)


def test_unknown_ticket_is_404_in_spanish(client):
    response = client.get("/boleto/no-existe")
    assert response.status_code == 404 and "No encontramos ese boleto" in response.get_data(as_text=True)
    assert client.get("/boleto/" + "x" * 10_000).status_code == 404


def test_emailed_links_use_public_url_not_the_host_header(client, app):
    """A forged Host on a duplicate sign-up must not e-mail the attendee a link to the forger's server."""
    app.config["PUBLIC_URL"] = "https://foros.example.org"
    event = make_event()
    client.post(f"/eventos/{event.slug}/registro", data=form_data())
    api_body = {"name": "Lucía", "email": "lucia@example.org", "sector": "academia", "municipality": "15113",
                "privacy_consent": True}
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=api_body,
                           headers={"Host": "evil.example.com"})
    assert response.status_code == 409
    messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [m.kind for m in messages] == ["registration.confirmed", "registration.link_resent"]
    for message in messages:
        assert "evil.example.com" not in message.body_text + message.body_html
        assert "https://foros.example.org/boleto/" in message.body_text
