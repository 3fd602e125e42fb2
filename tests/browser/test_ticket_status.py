"""Issue 10 points 3, 4 and 6 on a 360 px phone: a waitlisted or cancelled ticket shows no QR and says what to
do; a full event says so before the form; the sex/gender choice fits and offers "Prefiero no decir" once."""

import pytest
from playwright.sync_api import expect

from foros.extensions import db
from foros.registration import lifecycle
from tests.browser.live import PHONE
from tests.browser.test_registration import open_form, published_event, register_directly

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])]


def cancel(live, token: str) -> None:
    with live.app.app_context():
        lifecycle.cancel_registration(lifecycle.get_by_token(token))
        db.session.commit()
        db.session.remove()


def test_waitlisted_ticket_shows_its_place_and_no_qr(page, live_server):
    event = published_event(live_server, capacity_in_person=1)
    register_directly(live_server, event["slug"], "Primera Persona", "primera@ejemplo.mx")
    token = register_directly(live_server, event["slug"], "Segunda Persona", "segunda@ejemplo.mx")

    page.goto(f"/boleto/{token}")
    expect(page.get_by_text("Lista de espera: lugar 1")).to_be_visible()
    expect(page.get_by_text("Todavía no tiene lugar confirmado.")).to_be_visible()
    expect(page.get_by_role("img", name="Código QR de su boleto")).to_have_count(0)
    expect(page.get_by_text("Presente este código")).to_have_count(0)
    expect(page.get_by_role("link", name="Descargar comprobante de lista de espera (PDF)")).to_be_visible()


def test_cancelled_ticket_shows_no_qr_and_its_files_are_refused(page, live_server):
    event = published_event(live_server)
    token = register_directly(live_server, event["slug"], "Persona Que Cancela", "cancela@ejemplo.mx")
    cancel(live_server, token)

    page.goto(f"/boleto/{token}")
    expect(page.get_by_text("Registro cancelado")).to_be_visible()
    expect(page.get_by_text("Este registro está cancelado y ya no da acceso al evento.")).to_be_visible()
    expect(page.get_by_role("img", name="Código QR de su boleto")).to_have_count(0)
    expect(page.get_by_text("Presente este código")).to_have_count(0)
    expect(page.get_by_role("link", name="Registrarme otra vez")).to_be_visible()
    # Someone who kept the PDF link: a page that says why, not a ticket that looks valid.
    response = page.goto(f"/boleto/{token}/boleto.pdf")
    assert response.status == 410
    expect(page.get_by_role("heading", name="Registro cancelado")).to_be_visible()
    page.get_by_role("link", name="Ver mi registro").click()
    expect(page.get_by_text("Registro cancelado")).to_be_visible()


def test_full_event_is_announced_before_the_form(page, live_server):
    event = published_event(live_server, capacity_in_person=1)
    register_directly(live_server, event["slug"], "Primera Persona", "primera@ejemplo.mx")

    page.goto("/")
    card = page.locator(".event-card", has_text=event["title"])
    expect(card.get_by_text("Cupo lleno: lista de espera")).to_be_visible()
    page.goto(f"/eventos/{event['slug']}")
    expect(page.get_by_text("Cupo lleno: lista de espera")).to_be_visible()
    expect(page.get_by_text("Quedan")).to_have_count(0)


def test_places_left_on_home_and_event_page(page, live_server):
    event = published_event(live_server, capacity_in_person=3)
    register_directly(live_server, event["slug"], "Primera Persona", "primera@ejemplo.mx")
    page.goto("/")
    expect(page.locator(".event-card", has_text=event["title"]).get_by_text("Quedan 2 lugares")).to_be_visible()
    page.goto(f"/eventos/{event['slug']}")
    expect(page.get_by_text("Quedan 2 lugares")).to_be_visible()


def test_gender_choice_offers_prefiero_no_decir_once_and_fits(page, live_server):
    event = published_event(live_server)
    open_form(page, event)
    select = page.get_by_label("Sexo o género (opcional)")
    labels = [label.strip() for label in select.locator("option").all_inner_texts()]
    assert [label for label in labels if "prefiero" in label.lower()] == ["Prefiero no decir"]
    assert not any("sin respuesta" in label.lower() for label in labels)
    # Every option, the default included, is readable inside the select on a phone.
    for value in [""] + [v for v in select.locator("option").evaluate_all("els => els.map(e => e.value)") if v]:
        select.select_option(value)
        fits = select.evaluate("el => el.scrollWidth <= el.clientWidth")
        width = select.evaluate(
            "el => { const c = document.createElement('canvas').getContext('2d');"
            " c.font = getComputedStyle(el).font; return c.measureText(el.selectedOptions[0].text).width; }")
        assert fits and width < select.evaluate("el => el.clientWidth") - 40, value
    select.select_option(label="Prefiero no decir")
    assert select.input_value() == "prefiero_no_decir"  # the stored value is unchanged

