"""Organizer screens and the door counter in a real browser (desktop and a 360 px phone): filters without
false errors, one date style, no sideways scrolling, and the door's admitted / expected counter."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from foros.accounts.models import User
from foros.core.forms import INVALID_CHOICE
from foros.core.time import local_today
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.browser.live import FITS, PHONE, TABLES_OVERFLOWING, log_in
from tests.conftest import make_event

pytestmark = pytest.mark.browser

#: Seconds ("4:33:00"), a 12-hour clock ("p.m."), a UTC offset ("-0600"): none of them in the one style.
FORBIDDEN_TIME = re.compile(r"\d:\d\d:\d\d|[ap]\.\s?m\.|[+-]\d{4}\b")


def seed(live_server, n_people=3) -> dict:
    """Today's hybrid event, with long names and e-mails, and the staff account assigned to it."""
    with live_server.app.app_context():
        event = make_event(title="Foro Regional de Gobierno Abierto — Cuautitlán Izcalli",
                           modality=Modality.HIBRIDA, capacity_in_person=50, capacity_virtual=50,
                           days=[DayInput(local_today(), time(0, 0), time(23, 59))])
        people = [register_attendee(event, RegistrationInput(
            name=f"María Guadalupe Hernández Rodríguez {n}",
            email=f"maria.guadalupe.hernandez.rodriguez.{n}@ayuntamiento-cuautitlan-izcalli.gob.mx",
            sector="servidor_publico", municipality_key="15024", modality="presencial",
            organization="Secretaría de Transparencia y Rendición de Cuentas del Ayuntamiento",
            privacy_consent=True)).registration for n in range(n_people)]
        staff = db.session.query(User).filter_by(email=live_server.staff_email).one()
        staff.events.append(event)
        db.session.commit()
        data = {"slug": event.slug, "codes": [ticket_code(p) for p in people],
                "door": f"/puerta/{event.slug}/{local_today().isoformat()}"}
        db.session.remove()
    return data


def test_registration_filters_open_without_errors(page, live_server):
    data = seed(live_server)
    log_in(page, live_server.organizer_email)
    page.goto(f"/gestion/eventos/{data['slug']}/registros")
    expect(page.get_by_role("combobox", name="Estado")).to_be_visible()
    expect(page.get_by_text(INVALID_CHOICE)).to_have_count(0)
    page.get_by_role("searchbox", name="Buscar").fill("María")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("status").filter(has_text="3 registros con esos filtros")).to_be_visible()
    expect(page.get_by_text(INVALID_CHOICE)).to_have_count(0)
    page.goto(f"/gestion/eventos/{data['slug']}/registros?estado=confirmed")  # a link naming one filter
    expect(page.get_by_role("combobox", name="Estado")).to_have_value("confirmed")
    expect(page.get_by_text(INVALID_CHOICE)).to_have_count(0)
    page.goto("/gestion/bitacora?accion=event.publish")
    expect(page.get_by_text(INVALID_CHOICE)).to_have_count(0)


def test_organizer_pages_use_one_time_style_and_never_scroll_sideways(page, live_server, viewport):
    data = seed(live_server)
    log_in(page, live_server.organizer_email)
    phone = viewport["width"] < 600
    if not phone:
        page.set_viewport_size({"width": 1366, "height": 800})
    for path in (f"/gestion/eventos/{data['slug']}/registros", f"/gestion/eventos/{data['slug']}/asistencia",
                 "/gestion/bitacora", "/gestion/correos", "/gestion/eventos", f"/eventos/{data['slug']}"):
        page.goto(path)
        body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
        assert not FORBIDDEN_TIME.search(body), (path, FORBIDDEN_TIME.search(body).group(0))
        assert page.evaluate(FITS), f"{path} scrolls sideways at {viewport['width']} px"
        assert page.evaluate(TABLES_OVERFLOWING, phone) == [], f"{path}: a table overflows its box"
    page.goto("/gestion/bitacora")
    moment = re.compile(r"^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}$")  # 7 jun 2023, 16:33
    expect(page.locator("td").filter(has_text=moment).first).to_be_visible()


def test_staff_door_counter_follows_each_scan(browser, live_server):
    data = seed(live_server)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="es-MX", timezone_id="America/Mexico_City")
    try:
        page = context.new_page()
        log_in(page, live_server.staff_email)
        page.goto(data["door"])
        counter = page.locator(".door-counter")
        expect(counter).to_contain_text("0 de 3")
        expect(page.get_by_label("Código del boleto")).to_be_focused()
        page.keyboard.type(data["codes"][0])  # as a keyboard-wedge scanner does
        page.keyboard.press("Enter")
        expect(page.locator("#resultado")).to_contain_text("Acceso registrado")
        expect(counter).to_contain_text("1 de 3")  # the refreshed block, no reload
        assert page.evaluate(FITS), "the door scrolls sideways on a 360 px phone"
        assert page.request.get(f"{data['door']}/recientes").status == 200
    finally:
        context.close()
