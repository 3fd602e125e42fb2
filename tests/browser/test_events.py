"""An organizer creates and publishes an event; staff cannot manage events; bad input is explained."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from foros.core.time import local_today
from tests.browser.live import log_in

pytestmark = pytest.mark.browser

# Written out here rather than taken from the app, so the test checks the Spanish the page shows.
MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre"]
WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def spanish_date(day, weekday=False) -> str:
    text = f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"
    return f"{WEEKDAYS[day.weekday()]}, {text}" if weekday else text


def fill_first_day(page, day, starts, ends):
    page.get_by_label("Fecha (día 1)").fill(day.isoformat())
    page.get_by_label("Inicio (día 1)").fill(starts)
    page.get_by_label("Término (día 1)").fill(ends)


def test_organizer_creates_publishes_and_public_sees_event(page, live_server):
    title = "Foro Regional de Transparencia Proactiva"
    day = local_today() + timedelta(days=30)

    log_in(page, live_server.organizer_email)
    expect(page.get_by_role("heading", name="Eventos", exact=True)).to_be_visible()
    page.get_by_role("link", name="Nuevo evento").click()
    expect(page).to_have_url(re.compile(r"/gestion/eventos/nuevo$"))

    page.get_by_label("Título", exact=True).fill(title)
    page.get_by_label("Tipo de evento").select_option(label="Foro regional")
    page.get_by_label("Municipio sede").select_option(label="Chimalhuacán")
    page.get_by_label("Sede", exact=True).fill("Auditorio Municipal")
    fill_first_day(page, day, "10:00", "13:30")
    page.get_by_label("Modalidad").select_option(label="Presencial")
    page.get_by_label("Cupo presencial").fill("150")
    page.get_by_role("button", name="Crear evento").click()

    expect(page.get_by_role("status")).to_contain_text("Evento creado como borrador")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Estado: Borrador")).to_be_visible()

    page.get_by_role("button", name="Publicar", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Evento publicado")
    expect(page.get_by_role("heading", name="Estado: Publicado")).to_be_visible()

    # A visitor's view: log out first so the public pages are seen as everyone sees them.
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("link", name="Entrar")).to_be_visible()

    page.goto("/")
    upcoming = page.get_by_role("region", name="Próximos eventos")
    card = upcoming.get_by_role("article").filter(has=page.get_by_role("link", name=title))
    expect(card).to_contain_text("Chimalhuacán")
    expect(card).to_contain_text(spanish_date(day))
    expect(card).to_contain_text("Foro regional · Presencial")

    card.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Chimalhuacán, Estado de México")).to_be_visible()
    expect(page.get_by_text(f"{spanish_date(day, weekday=True)}, de 10:00 a 13:30")).to_be_visible()
    expect(page.get_by_text("150 lugares", exact=True)).to_be_visible()  # the capacity
    expect(page.get_by_text("Quedan 150 lugares")).to_be_visible()  # what is left
    expect(page.get_by_text("Registro abierto")).to_be_visible()


def test_staff_cannot_open_event_management(page, live_server):
    log_in(page, live_server.staff_email)
    expect(page.get_by_role("heading", name="Mis eventos")).to_be_visible()
    expect(page.get_by_role("link", name="Gestión")).to_have_count(0)

    response = page.goto("/gestion/eventos")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Acceso no permitido")).to_be_visible()
    expect(page.get_by_text("No tiene permiso para ver esta página.")).to_be_visible()


def test_invalid_event_shows_spanish_errors_and_keeps_input(page, live_server):
    day = local_today() + timedelta(days=40)
    log_in(page, live_server.organizer_email)
    page.goto("/gestion/eventos/nuevo")

    title = page.get_by_label("Título", exact=True)
    title.fill("Foro " * 2_000)  # 10,000 characters pasted by mistake
    # The field's maxlength stops the browser at 200 characters.
    expect(title).to_have_value(re.compile(r"^(Foro ){40}$"))
    page.get_by_label("Tipo de evento").select_option(label="Jornada")
    # No municipality chosen, and the day ends before it starts.
    page.get_by_label("Sede", exact=True).fill("Casa de Cultura")
    fill_first_day(page, day, "14:00", "09:00")
    page.get_by_label("Modalidad").select_option(label="Híbrida")
    page.get_by_label("Cupo presencial").fill("120")
    page.get_by_label("Descripción").fill("Mesas de trabajo con la sociedad civil.")
    page.get_by_role("button", name="Crear evento").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Revise el formulario.")
    expect(alert).to_contain_text("la hora de término debe ser posterior a la de inicio")
    municipality = page.get_by_label("Municipio sede")
    expect(municipality).to_have_attribute("aria-invalid", "true")
    expect(municipality).to_have_accessible_description("Elija un municipio del Estado de México.")

    # What was typed is still there.
    expect(page).to_have_url(re.compile(r"/gestion/eventos/nuevo$"))
    expect(title).to_have_value(re.compile(r"^Foro( Foro){39}$"))  # surrounding spaces trimmed
    expect(page.get_by_label("Tipo de evento")).to_have_value("jornada")
    expect(page.get_by_label("Sede", exact=True)).to_have_value("Casa de Cultura")
    expect(page.get_by_label("Fecha (día 1)")).to_have_value(day.isoformat())
    expect(page.get_by_label("Inicio (día 1)")).to_have_value("14:00")
    expect(page.get_by_label("Término (día 1)")).to_have_value("09:00")
    expect(page.get_by_label("Modalidad")).to_have_value("hibrida")
    expect(page.get_by_label("Cupo presencial")).to_have_value("120")
    expect(page.get_by_label("Descripción")).to_have_value("Mesas de trabajo con la sociedad civil.")


def test_decimal_capacity_gets_spanish_message(page, live_server):
    log_in(page, live_server.organizer_email)
    page.goto("/gestion/eventos/nuevo")
    page.get_by_label("Título", exact=True).fill("Foro con cupo decimal")
    page.get_by_label("Municipio sede").select_option(label="Texcoco")
    fill_first_day(page, local_today() + timedelta(days=20), "09:00", "12:00")
    capacity = page.get_by_label("Cupo presencial")
    capacity.fill("2.5")  # a number input accepts decimals; the form has novalidate
    page.get_by_role("button", name="Crear evento").click()

    expect(capacity).to_have_attribute("aria-invalid", "true")
    # WTForms' own message, in Spanish (not "Not a valid integer value.").
    expect(capacity).to_have_accessible_description(re.compile(r"Escriba un número entero"))
    expect(capacity).to_have_value("2.5")
    expect(page.get_by_label("Título", exact=True)).to_have_value("Foro con cupo decimal")
