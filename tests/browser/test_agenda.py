"""The agenda in a browser: an organizer builds a small programme with two people, releases it, moves a session
and releases again (desktop and 360 px); a visitor on a 360 px phone sees the programme with the change marked;
axe-core finds no serious or critical problem on the public programme."""

from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from foros.core.time import local_today
from foros.events.services import DayInput
from foros.extensions import db
from tests.browser.live import PHONE, log_in
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_event

pytestmark = pytest.mark.browser

PANEL = "¿Gobierno abierto o Estado abierto?"


def small_event(live) -> tuple[str, str]:
    day = local_today() + timedelta(days=12)
    with live.app.app_context():
        event = make_event(title="Foro Regional de Gobierno Abierto — Texcoco",
                           days=[DayInput(day, time(9, 0), time(15, 0))])
        slug = event.slug
        db.session.remove()
    return slug, day.isoformat()


def add_person(page, slug, name, cargo, institution):
    page.goto(f"/gestion/eventos/{slug}/programa/personas")
    page.get_by_label("Nombre", exact=True).fill(name)
    page.get_by_label("Cargo", exact=True).fill(cargo)
    page.get_by_label("Institución", exact=True).fill(institution)
    page.get_by_role("button", name="Registrar persona").click()
    expect(page.get_by_text(name).first).to_be_visible()


def add_session(page, slug, day, title, kind, starts, ends):
    page.goto(f"/gestion/eventos/{slug}/programa/sesiones/nueva")
    page.get_by_label("Título").fill(title)
    page.get_by_label("Tipo de sesión").select_option(label=kind)
    page.get_by_label("Fecha").fill(day)
    page.get_by_label("Inicio").fill(starts)
    page.get_by_label("Término").fill(ends)
    page.get_by_role("button", name="Guardar sesión").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def put_on_session(page, name, role):
    page.get_by_label("Buscar entre las personas ya registradas").fill(name.split()[-1])
    page.get_by_role("button", name="Buscar", exact=True).click()
    form = page.locator("form").filter(has=page.get_by_role("button", name=f"Agregar a {name}"))
    form.get_by_label("Papel").select_option(label=role)
    form.get_by_role("button", name=f"Agregar a {name}").click()
    expect(page.locator("#personas").get_by_text(name).first).to_be_visible()


def release(page, slug, note, number):
    page.goto(f"/gestion/eventos/{slug}/programa")
    page.get_by_role("link", name="Publicar programa").click()
    page.get_by_label("Nota pública (opcional)").fill(note)
    page.get_by_role("button", name=f"Publicar programa (versión {number})").click()
    expect(page.get_by_text(f"Programa publicado: versión {number}.")).to_be_visible()


def test_organizer_releases_moves_and_releases_again_and_a_phone_sees_the_change(page, live_server, browser):
    slug, day = small_event(live_server)
    log_in(page, live_server.organizer_email)
    add_person(page, slug, "Mtra. Elena Ruiz Castañeda", "Comisionada", "Sistema Nacional de Transparencia")
    add_person(page, slug, "Dr. Andrés Salgado Ríos", "Integrante", "Comité de Participación Ciudadana")
    add_session(page, slug, day, "Inauguración", "Inauguración", "09:00", "09:30")
    add_session(page, slug, day, PANEL, "Panel", "10:00", "11:30")
    put_on_session(page, "Mtra. Elena Ruiz Castañeda", "Moderador(a)")
    put_on_session(page, "Dr. Andrés Salgado Ríos", "Panelista")
    release(page, slug, "Programa preliminar", 1)

    page.goto(f"/gestion/eventos/{slug}/programa")
    page.get_by_role("link", name=PANEL).click()
    page.get_by_label("Inicio").fill("12:00")
    page.get_by_label("Término").fill("13:30")
    page.get_by_role("button", name="Guardar sesión").click()
    expect(page.get_by_role("heading", name=PANEL, level=1)).to_be_visible()
    release(page, slug, "El panel se movió a las 12:00", 2)

    visitor = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="es-MX")
    try:
        phone = visitor.new_page()
        phone.goto(f"/eventos/{slug}/programa")
        expect(phone.get_by_role("heading", name="Programa", level=1)).to_be_visible()
        item = phone.locator("li.agenda-item").filter(has=phone.get_by_role("link", name=PANEL))
        expect(item).to_contain_text("cambió de sala/horario")
        expect(item).to_contain_text("12:00")
        expect(item).to_contain_text("Mtra. Elena Ruiz Castañeda")
        expect(phone.get_by_text("El panel se movió a las 12:00").first).to_be_visible()
        expect(phone.locator(".agenda-history")).to_contain_text("antes:")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        problems = blocking_violations(phone)
        item.get_by_role("link", name=PANEL).click()
        expect(phone.get_by_role("heading", name=PANEL, level=1)).to_be_visible()
        expect(phone.get_by_text("Dr. Andrés Salgado Ríos")).to_be_visible()
        problems += blocking_violations(phone)
        phone.get_by_role("link", name="Dr. Andrés Salgado Ríos").click()
        expect(phone.get_by_role("heading", name="Dr. Andrés Salgado Ríos", level=1)).to_be_visible()
        problems += blocking_violations(phone)
        assert not problems, "axe found serious or critical problems:\n\n" + "\n\n".join(problems)
    finally:
        visitor.close()
    problems = blocking_violations(page) if page.goto(f"/eventos/{slug}/programa").ok else ["no page"]
    assert not problems, "\n\n".join(problems)
