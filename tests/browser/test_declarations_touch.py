"""Signing a declaration with a finger on a 360 px phone (issue 15, Done when: "the signing page works on a 360 px
viewport with touch"). The other signing test draws with mouse moves; here every button is tapped and the
signature is drawn with real touch events (Chromium's DevTools protocol), which must draw on the canvas instead of
scrolling the page, and the drawing arrives as the signature."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from foros.declarations import manage
from foros.declarations.models import Signatory, SignatoryStatus
from foros.extensions import db
from tests.browser.live import PHONE
from tests.browser.test_declarations_signing import code, link_path

pytestmark = pytest.mark.browser

ANA, BETO = ("Ana Alcaldesa Ramírez", "ana@villaguerrero.gob.mx"), ("Beto Comisionado Núñez", "beto@infoem.org.mx")


def touch_stroke(cdp, box, points) -> None:
    """One stroke of a finger through ``points`` (fractions of the box), as touch events."""
    def at(fx, fy):
        return [{"x": box["x"] + box["width"] * fx, "y": box["y"] + box["height"] * fy}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": at(*points[0])})
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        for step in range(1, 9):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": at(
                x0 + (x1 - x0) * step / 8, y0 + (y1 - y0) * step / 8)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_signatory_taps_and_draws_with_a_finger_on_a_phone(browser, live_server):
    live = live_server
    with live.app.app_context():
        declaration = manage.create_declaration(manage.DeclarationInput(municipality_key="15113"))
        for name, email in (ANA, BETO):
            manage.add_signatory(declaration, manage.SignatoryInput(name=name, position="Cargo", email=email))
        manage.change_status(declaration, "open")
        db.session.commit()
        db.session.remove()

    context = browser.new_context(base_url=live.url, viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="es-MX", timezone_id="America/Mexico_City")
    try:
        page = context.new_page()
        page.goto(link_path(live, ANA[1]))
        page.get_by_role("button", name="Abrir el documento").tap()
        expect(page.get_by_role("heading", name="El documento")).to_be_visible()
        page.get_by_role("button", name="Enviarme el código por correo").tap()
        expect(page.get_by_text("Le enviamos un código de 6 dígitos")).to_be_visible()
        page.get_by_label("Trazando mi firma").tap()
        canvas = page.get_by_role("img", name="Recuadro para trazar su firma")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the whole pad is on screen

        scrolled = page.evaluate("window.scrollY")
        touch_stroke(context.new_cdp_session(page), box, [(0.1, 0.7), (0.4, 0.2), (0.7, 0.8), (0.9, 0.3)])
        expect(page.get_by_text("Firma trazada")).to_be_visible()
        assert page.evaluate("window.scrollY") == scrolled  # the finger drew; it did not scroll the page
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # A person takes a moment to type the code; a tap within ~300 ms of lifting the finger is taken by
        # Chromium's emulation as the second half of a double tap and never clicks.
        page.wait_for_timeout(500)
        page.get_by_label("Código de confirmación").fill(code(live, ANA[1]))
        consent = page.get_by_label(re.compile("Declaro que leí el documento"))
        consent.tap()
        expect(consent).to_be_checked()
        page.get_by_role("button", name="Firmar la declaratoria").tap()
        expect(page.get_by_role("heading", name="Gracias: su firma quedó registrada")).to_be_visible()
    finally:
        context.close()

    with live.app.app_context():
        ana = db.session.scalar(select(Signatory).where(Signatory.email == ANA[1]))
        assert ana.status == SignatoryStatus.SIGNED
        assert ana.signatures[-1].drawn_png.startswith(b"\x89PNG") and ana.signatures[-1].typed_name == ""
        db.session.remove()
