"""The door in a real browser: a phone camera (Chromium's fake camera showing a real ticket), a keyboard-wedge
scanner, manual search with admit and undo on a 360 px phone, access limits, and a refused camera.

The camera test measures, inside the page, the time from the first decode attempt on a frame that holds the
code to the answer on screen, and the compressed weight of the page before and after the QR decoder loads
(see bench/checkin-frontend.md).
"""

import gzip
import re
import statistics
import uuid
from datetime import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from foros.accounts.models import User
from foros.core.qr import qr_image
from foros.core.time import local_today
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.browser.live import CHROMIUM_ARGS, PHONE, chromium_path, log_in
from tests.conftest import make_event

pytestmark = pytest.mark.browser

FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
EMAIL = "lucia.hernandez@example.org"
PHONE_NUMBER = "5512345678"
NAME = "Lucía Hernández"


# --- helpers ---------------------------------------------------------------------------------------------

def write_y4m(path, text: str) -> None:
    """One 640×480 frame (Chromium loops it) showing the QR of ``text``: grey Y plane, flat U and V planes."""
    qr = qr_image(text, box_size=10, border=4).convert("L")  # whole pixels per module, quiet zone included
    frame = Image.new("L", (640, 480), 255)
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg\n")
        out.write(b"FRAME\n" + frame.tobytes() + bytes([128]) * (320 * 240 * 2))


def seed(live_server) -> dict:
    """Today's event with the staff account assigned, one confirmed person, and another event."""
    with live_server.app.app_context():
        event = make_event(capacity_in_person=50, days=[DayInput(local_today(), time(0, 0), time(23, 59))])
        other = make_event(title="Foro de otro municipio")
        staff = db.session.query(User).filter_by(email=live_server.staff_email).one()
        staff.events.append(event)
        person = register_attendee(event, RegistrationInput(
            name=NAME, email=EMAIL, phone=PHONE_NUMBER, sector="sociedad_civil", municipality_key="15031",
            organization="Colectivo Transparencia", privacy_consent=True)).registration
        db.session.commit()
        data = {"slug": event.slug, "other_slug": other.slug, "code": ticket_code(person),
                "door": f"/puerta/{event.slug}/{local_today().isoformat()}"}
        db.session.remove()
    return data


def new_phone_context(browser, live_server, **kwargs):
    return browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True,
                               locale="es-MX", timezone_id="America/Mexico_City", **kwargs)


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def expect_no_personal_data(text: str) -> None:
    assert EMAIL not in text and PHONE_NUMBER not in text


# --- (a) camera ------------------------------------------------------------------------------------------

def test_camera_reads_ticket_admits_then_says_already_admitted(browser, live_server, tmp_path):
    data = seed(live_server)
    video = tmp_path / "ticket.y4m"
    write_y4m(video, data["code"])
    camera_browser = browser.browser_type.launch(
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS + FAKE_CAMERA + [f"--use-file-for-fake-video-capture={video}"])
    context = new_phone_context(camera_browser, live_server)
    try:
        page = context.new_page()
        log_in(page, live_server.staff_email)

        sizes = {"page": 0, "decoder": 0}
        bodies = []
        page.on("response", lambda response: bodies.append(response))
        page.goto(data["door"])
        overlay = page.locator("#resultado")
        expect(overlay).to_contain_text("Acceso registrado", timeout=15_000)
        expect(overlay).to_contain_text(NAME)
        expect(overlay).to_contain_text("Colectivo Transparencia")
        expect(overlay).to_contain_text("Sociedad civil organizada")
        expect_no_personal_data(overlay.inner_text())
        timings = [page.evaluate("() => window.__forosTiming")]

        # What the browser loaded, weighed as a gzip-ing proxy would send it (fetched again: a worker's
        # responses are not always readable through the page).
        for url in dict.fromkeys(r.url for r in bodies if r.status in (200, 304) and r.request.method == "GET"):
            decoder = "/static/vendor/" in url or "decoder-worker" in url
            sizes["decoder" if decoder else "page"] += gzip_size(page.request.get(url).body())
        print(f"\ndoor page gzip: {sizes['page'] / 1024:.1f} KB before the decoder, "
              f"{sizes['decoder'] / 1024:.1f} KB of decoder ({timings[0]['decoder']})")
        assert sizes["page"] < 150 * 1024, sizes

        # The ticket stays in front of the camera: it is not sent again on this page.
        expect(overlay).to_be_hidden(timeout=5_000)
        page.wait_for_timeout(3_500)
        assert len(page.evaluate("() => window.__forosTiming.scans")) == 1

        # The same ticket again (a second page load): amber, with when and where it first entered.
        for _ in range(4):
            page.goto(data["door"])
            expect(overlay).to_contain_text("Ya había entrado", timeout=15_000)
            expect(overlay).to_contain_text(NAME)
            expect(overlay).to_contain_text("Primera entrada a las")
            expect(overlay).to_contain_text("cámara — Sergio Staff")
            timings.append(page.evaluate("() => window.__forosTiming"))
    finally:
        context.close()
        camera_browser.close()

    totals = [t["scans"][0]["total"] for t in timings]
    decodes = [t["scans"][0]["decode"] for t in timings]
    servers = [t["scans"][0]["server"] for t in timings]
    ready = [round(t["decoderReadyAt"]) for t in timings]
    print(f"camera frame → answer on screen (ms): {totals}, median {statistics.median(totals)}; "
          f"decode {decodes}; server round trip {servers}; decoder ready after page start {ready}")
    # The 300 ms target is a speed target: bench/checkin_frontend.py measures it (bench/README.md); a timed
    # assertion here would fail on a busy CI machine for reasons unrelated to the code.
    assert all(0 < t < 15_000 for t in totals), totals


# --- (b) keyboard-wedge scanner ------------------------------------------------------------------------

def test_wedge_scanner_types_code_and_enter(page, live_server):
    data = seed(live_server)
    log_in(page, live_server.staff_email)
    scans = []
    page.on("request", lambda request: scans.append(request) if request.url.endswith("/escanear") else None)
    page.goto(data["door"])
    field = page.get_by_label("Código del boleto")
    expect(field).to_be_focused()

    # A scanner that fires twice in a row sends the code once.
    page.keyboard.type(data["code"])
    page.keyboard.press("Enter")
    page.keyboard.type(data["code"])
    page.keyboard.press("Enter")
    overlay = page.locator("#resultado")
    expect(overlay).to_contain_text("Acceso registrado")
    expect(overlay).to_contain_text(NAME)
    expect(field).to_be_focused()
    expect(field).to_have_value("")
    assert len(scans) == 1
    # "Últimas entradas" follows the scan without a reload, with its undo button.
    recent = page.get_by_role("region", name="Últimas entradas")
    expect(recent).to_contain_text(NAME)
    expect(recent.get_by_role("button", name=f"Deshacer la entrada de {NAME}")).to_be_visible()

    # A tap dismisses the answer; focus goes back to the field for the next ticket.
    overlay.click()
    expect(overlay).to_be_hidden()
    expect(field).to_be_focused()

    # After the 3-second window the same ticket is sent again: already admitted.
    page.wait_for_timeout(3_100)
    page.keyboard.type(data["code"])
    page.keyboard.press("Enter")
    expect(overlay).to_contain_text("Ya había entrado")
    expect(overlay).to_contain_text("lector — Sergio Staff")
    assert len(scans) == 2

    # A forged code: red, in Spanish.
    page.wait_for_timeout(100)
    page.keyboard.type(data["code"][:-3] + "AAA")
    page.keyboard.press("Enter")
    expect(overlay).to_contain_text("Acceso no permitido")
    expect(overlay).to_contain_text("Código no válido o alterado.")
    # The answer goes away by itself.
    expect(overlay).to_be_hidden(timeout=5_000)


# --- (c) manual search, admit, undo on a phone ---------------------------------------------------------

def test_manual_search_admit_and_undo_on_a_phone(browser, live_server):
    data = seed(live_server)
    context = new_phone_context(browser, live_server)
    try:
        page = context.new_page()
        log_in(page, live_server.staff_email)
        page.goto(data["door"])
        search = page.get_by_label("Buscar por nombre u organización")
        search.click()
        search.fill("lucía")
        expect(search).to_be_focused()  # the wedge field does not steal focus from someone typing
        search.press("Enter")

        expect(page).to_have_url(re.compile(r"/buscar\?q="))
        person = page.locator(".person", has_text=NAME)
        expect(person).to_contain_text("Colectivo Transparencia")
        expect(person).to_contain_text("Sociedad civil organizada")
        expect(person).to_contain_text("Confirmado")
        expect(person).to_contain_text("No ha entrado")
        expect_no_personal_data(page.content())

        person.get_by_role("button", name="Admitir").click()
        expect(page.get_by_role("status").filter(has_text="acceso registrado")).to_be_visible()
        expect(person).to_contain_text("Entró a las")
        expect(person).to_contain_text("manual — Sergio Staff")

        person.get_by_role("button", name="Deshacer").click()
        expect(page.get_by_role("status").filter(has_text="Se deshizo la entrada")).to_be_visible()
        expect(person).to_contain_text("No ha entrado")
        expect(page.locator(".recent-item", has_text=NAME)).to_contain_text("Deshecha a las")
        expect(page.locator(".recent-item", has_text=NAME)).to_contain_text("por Sergio Staff")

        fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, "the search page scrolls sideways on a 360 px phone"
        page.goto(data["door"])
        fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, "the door page scrolls sideways on a 360 px phone"
    finally:
        context.close()


# --- (d) access and personal data ----------------------------------------------------------------------

def test_staff_of_another_event_is_refused_and_staff_never_see_email_or_phone(page, live_server):
    data = seed(live_server)
    log_in(page, live_server.staff_email)

    response = page.goto(f"/puerta/{data['other_slug']}")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Acceso no permitido")).to_be_visible()
    response = page.goto(f"/puerta/{data['other_slug']}/{local_today().isoformat()}")
    assert response.status == 403

    page.goto(data["door"])
    expect_no_personal_data(page.content())
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = page.request.post(f"{data['door']}/escanear", headers={"X-CSRFToken": token}, data={
        "code": data["code"], "scan_id": str(uuid.uuid4()), "source": "lector"})
    assert answer.ok and answer.json()["result"] == "accepted"
    expect_no_personal_data(answer.text())
    refused = page.request.post(f"/puerta/{data['other_slug']}/{local_today().isoformat()}/escanear",
                                headers={"X-CSRFToken": token},
                                data={"code": data["code"], "scan_id": str(uuid.uuid4())})
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "not_assigned"
    page.goto(f"{data['door']}/buscar?q=Hern")
    expect(page.locator(".person", has_text=NAME)).to_be_visible()
    expect_no_personal_data(page.content())


# --- (e) camera refused ----------------------------------------------------------------------------------

def test_refused_camera_is_explained_and_the_wedge_still_works(browser, live_server):
    data = seed(live_server)
    # A camera exists, but nobody grants the permission (no fake-UI flag, no permissions in the context).
    no_permission = browser.browser_type.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream"])
    context = new_phone_context(no_permission, live_server, permissions=[])
    try:
        page = context.new_page()
        log_in(page, live_server.staff_email)
        page.goto(data["door"])
        expect(page.locator("#camara-estado")).to_contain_text("No se dio permiso para usar la cámara")
        expect(page.get_by_role("button", name="Activar cámara")).to_be_visible()

        field = page.get_by_label("Código del boleto")
        expect(field).to_be_focused()
        page.keyboard.type(data["code"])
        page.keyboard.press("Enter")
        expect(page.locator("#resultado")).to_contain_text("Acceso registrado")
    finally:
        context.close()
        no_permission.close()


# --- accessibility ---------------------------------------------------------------------------------------

def serious_axe_problems(page) -> list[str]:
    """axe-core's serious and critical findings (violations and undecided checks) on the current page.

    One undecided check is left out: text of the full-screen answer whose lines lie over different parts of
    the page beneath ("partially overlaps other elements" — axe compares what is under each line, even under
    an opaque overlay). The overlay's colours are checked directly instead (``overlay_contrast``).
    """
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    problems = []
    for kind in ("violations", "incomplete"):
        for rule in response[kind]:
            if rule.get("impact") not in ("serious", "critical"):
                continue
            nodes = [n for n in rule["nodes"] if not (
                kind == "incomplete" and rule["id"] == "color-contrast"
                and any(c.get("data", {}).get("messageKey") == "elmPartiallyObscuring" for c in n["any"])
                and page.locator("#resultado").locator(n["target"][0]).count())]
            if nodes:
                problems.append(f"{page.url} {rule['id']}: {rule['help']} at {[n['target'] for n in nodes[:3]]}")
    return problems


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two computed CSS colours (``rgb(r, g, b)``)."""
    def luminance(color):
        channels = [int(v) / 255 for v in re.findall(r"\d+", color)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def overlay_contrast(page) -> dict:
    """The contrast of the answer's text on each of its three backgrounds (green, amber, red)."""
    ratios = {}
    for kind in ("ok", "warn", "error"):
        color, background = page.evaluate("""kind => {
            const overlay = document.getElementById('resultado');
            overlay.className = 'door-result result-' + kind;
            const style = getComputedStyle(overlay.querySelector('.result-message'));
            return [style.color, getComputedStyle(overlay).backgroundColor];
        }""", kind)
        ratios[kind] = round(contrast(color, background), 2)
    return ratios


def test_door_and_dashboard_pages_have_no_serious_accessibility_problems(page, live_server):
    data = seed(live_server)
    problems = []
    log_in(page, live_server.staff_email)
    for path in (f"/puerta/{data['slug']}", data["door"], f"{data['door']}/buscar?q=luc"):
        page.goto(path)
        problems += serious_axe_problems(page)
    page.goto(f"{data['door']}/registro")
    page.get_by_role("button", name="Registrar y dar acceso").click()
    expect(page.get_by_role("alert")).to_contain_text("Revise el formulario.")
    problems += serious_axe_problems(page)
    # The answer on screen as the page renders it when door.js does not run (no timer hides it: it stays
    # until "Continuar"). A context with JavaScript disabled would also stop axe, so block the script instead.
    no_js = page.context.browser.new_context(base_url=live_server.url, viewport=page.viewport_size, locale="es-MX")
    no_js.route("**/js/checkin/door.js", lambda route: route.abort())
    try:
        plain = no_js.new_page()
        log_in(plain, live_server.staff_email)
        plain.goto(data["door"])
        plain.get_by_label("Código del boleto").fill(data["code"])
        plain.keyboard.press("Enter")
        expect(plain.locator("#resultado")).to_contain_text("Acceso registrado")
        expect(plain.locator("#resultado")).to_contain_text(NAME)
        problems += serious_axe_problems(plain)
        ratios = overlay_contrast(plain)
        assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
        plain.get_by_role("link", name="Continuar").click()
        expect(plain.locator("#resultado")).to_be_hidden()
    finally:
        no_js.close()

    page.get_by_role("button", name="Salir").click()
    log_in(page, live_server.organizer_email)
    page.goto(f"/gestion/eventos/{data['slug']}/asistencia")
    expect(page.get_by_role("heading", name="Asistencia en vivo")).to_be_visible()
    problems += serious_axe_problems(page)
    assert not problems, "\n".join(problems)


# --- the organizer's live dashboard --------------------------------------------------------------------------

def test_dashboard_updates_itself_and_adds_a_list(page, live_server):
    data = seed(live_server)
    log_in(page, live_server.organizer_email)
    page.goto(f"/gestion/eventos/{data['slug']}/asistencia")
    today = page.locator("[data-list]").first
    expect(today.locator('[data-field="admitted"]')).to_have_text("0")
    expect(page.locator("#asistencia-estado")).to_contain_text("Se actualiza sola")

    from foros.checkin import scan as scanning
    from foros.checkin import services
    from foros.events.services import get_event

    with live_server.app.app_context():  # someone enters through another door
        door, _list = services.open_door(db.session.query(User).filter_by(email=live_server.staff_email).one(),
                                         get_event(data["slug"]))
        scanning.check_in(door, data["code"], device="Puerta norte")
        db.session.commit()
        db.session.remove()
    expect(today.locator('[data-field="admitted"]')).to_have_text("1", timeout=8_000)
    expect(today.locator('[data-field="percent"]')).to_have_text("100")
    expect(today.locator('[data-table="by_sector"]')).to_contain_text("Sociedad civil organizada")
    expect(today.locator("[data-arrivals] li")).to_have_count(1)

    page.get_by_label("Nombre", exact=True).fill("Mesa 2: Datos abiertos")
    page.get_by_label("Nombre corto").fill("mesa-2")
    page.get_by_role("button", name="Agregar lista").click()
    expect(page.get_by_role("status").filter(has_text="Lista «Mesa 2: Datos abiertos» creada")).to_be_visible()
    expect(page.get_by_role("heading", name="Mesa 2: Datos abiertos")).to_be_visible()
