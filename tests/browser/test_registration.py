"""A person registers from the public page, gets a ticket whose QR, PDF and calendar file are right; the
hybrid choice, form errors on a phone, the waitlist and cancelling, all through the real pages."""

import io
import re
from datetime import time, timedelta

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from foros.core.time import local_today
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration import signup
from foros.registration.codes import read_code, ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.models import Registration
from tests.browser.live import PHONE
from tests.conftest import make_event

pytestmark = pytest.mark.browser

# Written out here rather than taken from the app, so the test checks the Spanish the page shows.
MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre"]
WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]

PERSON = {
    "name": "Ana Lucía Hernández Ríos",
    "email": "ana.hernandez@ejemplo.mx",
    "phone": "55 1234 5678",
    "sector": "Sociedad civil organizada",
    "organization": "Colectivo Vecinal Nicolás Romero",
    "position": "Coordinadora",
    "municipality": "Nicolás Romero",
    "gender": "Mujer",
    "accessibility": "Intérprete de lengua de señas mexicana",
}

phone_only = pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])


def spanish_date(day) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day.day} de {MONTHS[day.month - 1]} de {day.year}"


def published_event(live, **overrides) -> dict:
    """A published, upcoming event (registration open); what the test needs to know about it."""
    with live.app.app_context():
        event = make_event(**overrides)
        facts = {"slug": event.slug, "title": event.title, "venue": event.venue,
                 "days": [d.day for d in event.days]}
        db.session.remove()
    return facts


def register_directly(live, slug: str, name: str, email: str) -> str:
    """Someone who registered before the test's person (through the service); returns their ticket token."""
    with live.app.app_context():
        from foros.events.services import get_public_event

        result = signup.register_attendee(get_public_event(slug), RegistrationInput(
            name=name, email=email, sector="ciudadania", municipality_key="15060", privacy_consent=True))
        db.session.commit()
        token = result.registration.access_token
        db.session.remove()
    return token


def stored(live, email: str) -> dict:
    """The stored registration for ``email``, with the code its QR must carry."""
    with live.app.app_context():
        reg = db.session.scalar(select(Registration).where(Registration.email_normalized == email))
        assert reg is not None, f"no registration stored for {email}"
        facts = {"ticket_id": reg.ticket_id, "code": ticket_code(reg), "token": reg.access_token,
                 "status": reg.status.value, "modality": reg.modality, "days": [d.day for d in reg.days],
                 "municipality_key": reg.municipality_key, "name": reg.name, "gender": reg.gender,
                 "accessibility": reg.accessibility, "consent": reg.privacy_consent_at is not None}
        db.session.remove()
    return facts


def open_form(page, event: dict) -> None:
    """From the event's public page, as a visitor would."""
    page.goto(f"/eventos/{event['slug']}")
    page.get_by_role("link", name="Registrarme").click()
    expect(page.get_by_role("heading", name="Registro", level=1)).to_be_visible()


def fill_form(page, person: dict) -> None:
    """Fill the form by its labels."""
    page.get_by_label("Nombre completo").fill(person["name"])
    page.get_by_label("Correo electrónico").fill(person["email"])
    page.get_by_label("Teléfono (opcional)").fill(person["phone"])
    page.get_by_label("Sector").select_option(label=person["sector"])
    page.get_by_label("Institución u organización").fill(person["organization"])
    page.get_by_label("Cargo").fill(person["position"])
    municipality = page.get_by_label("Municipio de residencia")
    # The field suggests from a list of the 125 municipalities (a datalist) and accepts what is typed.
    list_id = municipality.get_attribute("list")
    expect(page.locator(f"datalist#{list_id} > option[value='{person['municipality']}']")).to_have_count(1)
    municipality.press_sequentially(person["municipality"])
    page.get_by_label("Sexo o género (opcional)").select_option(label=person["gender"])
    page.get_by_label("Necesidades de accesibilidad (opcional)").fill(person["accessibility"])


def consent(page):
    return page.get_by_role("checkbox", name="He leído y acepto el aviso de privacidad")


def submit(page) -> None:
    page.get_by_role("button", name="Registrarme").click()


def downloaded(page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    with open(info.value.path(), "rb") as handle:
        return handle.read()


def flat(text: str) -> str:
    """Text with every run of whitespace (line breaks in a PDF) as one space."""
    return " ".join(text.split())


def test_register_from_event_page_and_use_ticket_qr_pdf_and_calendar(page, live_server):
    event = published_event(live_server, title="Foro de Participación Ciudadana en Nicolás Romero",
                            venue="Casa de Cultura «Sor Juana»")
    day = event["days"][0]

    open_form(page, event)
    fill_form(page, PERSON)
    consent(page).check()
    submit(page)

    expect(page.get_by_text("Registro confirmado")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(PERSON["name"])
    reg = stored(live_server, PERSON["email"])
    expect(page).to_have_url(re.compile(rf"/boleto/{re.escape(reg['token'])}$"))
    assert reg["status"] == "confirmed" and reg["consent"]
    assert reg["municipality_key"] == "15060"  # Nicolás Romero, typed with its accent
    assert (reg["gender"], reg["accessibility"]) == ("mujer", PERSON["accessibility"])

    # The QR as the page shows it, and as the server sends it: both carry the signed code of this ticket.
    qr = page.get_by_role("img", name="Código QR de su boleto")
    expect(qr).to_be_visible()
    shown = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert [(b.format, b.text) for b in shown] == [(zxingcpp.BarcodeFormat.QRCode, reg["code"])]
    response = page.request.get(qr.get_attribute("src"))
    assert response.ok and response.headers["content-type"] == "image/png"
    served = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.body())))
    assert [b.text for b in served] == [reg["code"]]
    with live_server.app.app_context():  # the signing key is the app's
        assert read_code(reg["code"]) == reg["ticket_id"]
    expect(page.get_by_text(reg["code"], exact=True)).to_be_visible()

    # The PDF ticket.
    pdf = PdfReader(io.BytesIO(downloaded(page, "Descargar boleto (PDF)")))
    text = flat(" ".join(p.extract_text() for p in pdf.pages))
    for expected in (PERSON["name"], event["title"], event["venue"], reg["code"]):
        assert expected in text, f"{expected!r} not in the PDF: {text[:500]}"

    # The calendar file: one event, its title, local Mexico City time.
    calendar = Calendar.from_ical(downloaded(page, "Agregar al calendario"))
    vevents = list(calendar.walk("VEVENT"))
    assert len(vevents) == 1
    vevent = vevents[0]
    assert str(vevent["SUMMARY"]) == event["title"]
    assert vevent["DTSTART"].params["TZID"] == "America/Mexico_City"
    starts = vevent.decoded("DTSTART")
    assert (starts.date(), starts.time()) == (day, time(9, 0))  # make_event's 09:00, local
    assert starts.utcoffset() == timedelta(hours=-6)  # Mexico City, no daylight saving since 2022


@phone_only
def test_hybrid_two_day_event_choose_modality_and_one_day(page, live_server):
    first = local_today() + timedelta(days=21)
    second = first + timedelta(days=1)
    event = published_event(live_server, title="Jornadas de Gobierno Abierto", modality=Modality.HIBRIDA,
                            capacity_in_person=80, capacity_virtual=500, online_url="https://example.org/vivo",
                            days=[DayInput(first, time(9, 0), time(14, 0)), DayInput(second, time(10, 0),
                                                                                       time(13, 0))])
    open_form(page, event)
    fill_form(page, PERSON)
    page.get_by_role("group", name="Modalidad").get_by_role("radio", name="Virtual").check()
    days = page.get_by_role("group", name="Días a los que asistirá")
    expect(days.get_by_role("checkbox")).to_have_count(2)
    days.get_by_role("checkbox", name=f"{spanish_date(second)}, 10:00–13:00").check()
    consent(page).check()
    submit(page)

    expect(page.get_by_text("Registro confirmado")).to_be_visible()
    expect(page.get_by_text(f"{spanish_date(second)}, 10:00–13:00")).to_be_visible()
    expect(page.get_by_text(spanish_date(first))).to_have_count(0)
    expect(page.get_by_text("Virtual", exact=True)).to_be_visible()
    reg = stored(live_server, PERSON["email"])
    assert (reg["modality"], reg["days"]) == ("virtual", [second])


@phone_only
def test_form_errors_on_phone_are_spanish_next_to_fields_and_keep_input(page, live_server):
    event = published_event(live_server)
    open_form(page, event)
    fill_form(page, {**PERSON, "email": "ana.hernandez@@ejemplo"})
    submit(page)  # no consent either

    expect(page.get_by_role("alert")).to_contain_text("Revise el formulario.")
    expect(page.get_by_role("alert")).to_be_in_viewport()  # the phone lands where the problem is said
    email = page.get_by_label("Correo electrónico")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile(r"Escriba un correo electrónico válido"))
    box = consent(page)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description("Para registrarse debe aceptar el aviso de privacidad.")
    expect(box).not_to_be_checked()
    expect(page.get_by_label("Nombre completo")).not_to_have_attribute("aria-invalid", "true")

    # Everything typed is still there.
    expect(email).to_have_value("ana.hernandez@@ejemplo")
    for label, value in (("Nombre completo", PERSON["name"]), ("Teléfono (opcional)", PERSON["phone"]),
                         ("Institución u organización", PERSON["organization"]), ("Cargo", PERSON["position"]),
                         ("Municipio de residencia", PERSON["municipality"]),
                         ("Necesidades de accesibilidad (opcional)", PERSON["accessibility"])):
        expect(page.get_by_label(label)).to_have_value(value)
    expect(page.get_by_label("Sector").locator("option:checked")).to_have_text(PERSON["sector"])
    expect(page.get_by_label("Sexo o género (opcional)").locator("option:checked")).to_have_text(PERSON["gender"])

    # Each message sits by its field: focusing the field brings both into view on the narrow screen.
    email.focus()
    expect(email).to_be_focused()
    expect(email).to_be_in_viewport()
    expect(page.get_by_text("Escriba un correo electrónico válido", exact=False)).to_be_in_viewport()
    box.focus()
    expect(box).to_be_in_viewport()
    expect(page.get_by_text("Para registrarse debe aceptar el aviso de privacidad.")).to_be_in_viewport()

    email.fill(PERSON["email"])
    box.check()
    submit(page)
    expect(page.get_by_text("Registro confirmado")).to_be_visible()
    assert stored(live_server, PERSON["email"])["name"] == PERSON["name"]


@phone_only
def test_full_event_puts_the_person_on_the_waitlist(page, live_server):
    event = published_event(live_server, capacity_in_person=1)
    register_directly(live_server, event["slug"], "Primera Persona", "primera@ejemplo.mx")

    open_form(page, event)
    fill_form(page, PERSON)
    consent(page).check()
    submit(page)

    expect(page.get_by_text("Lista de espera: lugar 1")).to_be_visible()
    expect(page.get_by_text("Registro confirmado")).to_have_count(0)
    assert stored(live_server, PERSON["email"])["status"] == "waitlisted"


@phone_only
def test_cancel_from_ticket_page_frees_the_seat(page, live_server):
    event = published_event(live_server, capacity_in_person=1)
    token = register_directly(live_server, event["slug"], "Persona Que Cancela", "cancela@ejemplo.mx")
    waiting = register_directly(live_server, event["slug"], "Persona En Espera", "espera@ejemplo.mx")

    page.goto(f"/boleto/{token}")
    expect(page.get_by_text("Registro confirmado")).to_be_visible()
    page.get_by_role("link", name="Cancelar registro").click()
    expect(page.get_by_role("heading", name="Cancelar registro")).to_be_visible()
    page.get_by_role("button", name="Sí, cancelar mi registro").click()

    expect(page).to_have_url(re.compile(rf"/boleto/{re.escape(token)}$"))
    expect(page.get_by_role("status")).to_contain_text("Su registro quedó cancelado")
    expect(page.get_by_text("Registro cancelado")).to_be_visible()
    expect(page.get_by_role("img", name="Código QR de su boleto")).to_have_count(0)
    expect(page.get_by_role("link", name="Descargar boleto (PDF)")).to_have_count(0)
    assert stored(live_server, "cancela@ejemplo.mx")["status"] == "cancelled"

    # The freed seat went to the person waiting.
    page.goto(f"/boleto/{waiting}")
    expect(page.get_by_text("Registro confirmado")).to_be_visible()
