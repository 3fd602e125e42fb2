"""Signing a declaration in the browser (issue 15, Done when), on desktop and on a 360 px phone with touch.

An organizer opens signing; Ana signs from her link by drawing on the canvas (mouse moves), Beto by typing his
name, Carla declines with a reason; the organizer invites Carla again and she signs. The final sealed PDF is
downloaded from the public verification page and checked here: its text (pypdf), the certificate page, its hash
against the page's, the PAdES seal intact (pyHanko); a copy with one byte changed fails the seal and the public
upload check. The one-time codes arrive by e-mail: the test reads them from the outbox. axe-core finds no serious
or critical problem on the signing page.
"""

import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from foros.declarations import manage
from foros.declarations.models import Declaration, Signatory, SignatoryStatus, SigningMethod
from foros.declarations.seal import check_seal, make_seal_identity
from foros.extensions import db
from foros.mail.models import OutboxMessage
from tests.browser.live import log_in
from tests.browser.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser

PEOPLE = [("Ana Alcaldesa Ramírez", "ana@villaguerrero.gob.mx"), ("Beto Comisionado Núñez", "beto@infoem.org.mx"),
          ("Carla Testigo Sánchez", "carla@sociedad.org.mx")]
SEAL_PASSWORD = "sello-navegador"


def seal_and_declaration(live, tmp_path) -> int:
    """The institute's sealing identity in the live app's settings; a draft declaration with three people."""
    seal = make_seal_identity(tmp_path / "sello.p12", SEAL_PASSWORD, "Instituto de Transparencia (navegador)")
    live.app.config.update(DECLARATIONS_SEAL_PKCS12=str(seal), DECLARATIONS_SEAL_PASSWORD=SEAL_PASSWORD)
    with live.app.app_context():
        declaration = manage.create_declaration(manage.DeclarationInput(
            municipality_key="15113", place="Palacio Municipal de Villa Guerrero"))
        for name, email in PEOPLE:
            manage.add_signatory(declaration, manage.SignatoryInput(name=name, position="Cargo", email=email))
        db.session.commit()
        declaration_id = declaration.id
        db.session.remove()
    return declaration_id


def outbox(live, address: str, kind: str, pattern: str) -> str:
    """The newest message of ``kind`` to ``address``, matched by ``pattern`` (group 1)."""
    with live.app.app_context():
        body = db.session.scalars(select(OutboxMessage.body_text).where(
            OutboxMessage.to_address == address, OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())
        ).first()
        db.session.remove()
    assert body, f"no {kind} e-mail to {address}"
    return re.search(pattern, body).group(1)


def link_path(live, address: str) -> str:
    return outbox(live, address, "declaration.invitation", r"https?://[^/\s]+(/firmar/\S+)")


def code(live, address: str) -> str:
    return outbox(live, address, "declaration.code", r"\b(\d{6})\b")


def signatory_context(browser, live, viewport):
    phone = viewport["width"] < 600
    return browser.new_context(base_url=live.url, viewport=viewport, is_mobile=phone, has_touch=phone,
                               locale="es-MX", timezone_id="America/Mexico_City")


def open_and_ask_code(page, live, address: str) -> None:
    page.goto(link_path(live, address))
    page.get_by_role("button", name="Abrir el documento").click()
    expect(page.get_by_role("heading", name="El documento")).to_be_visible()
    page.get_by_role("button", name="Enviarme el código por correo").click()
    expect(page.get_by_text("Le enviamos un código de 6 dígitos")).to_be_visible()


def sign_by_typing(page, live, name: str, address: str) -> None:
    open_and_ask_code(page, live, address)
    page.get_by_label("Escribiendo mi nombre").check()
    page.get_by_label("Escriba su nombre completo").fill(name)
    page.get_by_label("Código de confirmación").fill(code(live, address))
    page.get_by_label(re.compile("Declaro que leí el documento")).check()
    page.get_by_role("button", name="Firmar la declaratoria").click()
    expect(page.get_by_role("heading", name="Gracias: su firma quedó registrada")).to_be_visible()


def validate_apart(live, pdf: bytes):
    """pyHanko's validation runs its own asyncio loop: not in this thread, where Playwright's loop runs."""

    def validate():
        with live.app.app_context():
            return check_seal(pdf)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate).result()


def one_byte_changed(pdf: bytes) -> bytes:
    """A copy with one byte of the first page's content stream changed (inside the sealed range)."""
    index = pdf.index(b"stream\n") + len(b"stream\n") + 20
    return pdf[:index] + bytes([pdf[index] ^ 0x01]) + pdf[index + 1:]


def test_an_organizer_opens_signing_and_three_people_sign_from_their_links(page, browser, live_server, viewport,
                                                                           tmp_path):
    live = live_server
    declaration_id = seal_and_declaration(live, tmp_path)

    # the organizer opens signing: the three are invited by e-mail
    log_in(page, live.organizer_email, live.password)
    page.goto(f"/gestion/declaratorias/{declaration_id}")
    page.get_by_role("button", name="Abrir a firma").click()
    expect(page.get_by_text("Firma abierta")).to_be_visible()

    signer = signatory_context(browser, live, viewport)
    try:
        ana = signer.new_page()
        # Ana draws her signature with mouse moves on the canvas
        open_and_ask_code(ana, live, PEOPLE[0][1])
        assert ana.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        problems = blocking_violations(ana)
        assert not problems, "\n".join(problems)
        ana.get_by_label("Trazando mi firma").check()
        canvas = ana.get_by_role("img", name="Recuadro para trazar su firma")
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        ana.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.6)
        ana.mouse.down()
        ana.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.3, steps=10)
        ana.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.7, steps=10)
        ana.mouse.up()
        expect(ana.get_by_text("Firma trazada")).to_be_visible()
        ana.get_by_label("Código de confirmación").fill(code(live, PEOPLE[0][1]))
        ana.get_by_label(re.compile("Declaro que leí el documento")).check()
        ana.get_by_role("button", name="Firmar la declaratoria").click()
        expect(ana.get_by_role("heading", name="Gracias: su firma quedó registrada")).to_be_visible()

        # Beto types his name
        sign_by_typing(signer.new_page(), live, PEOPLE[1][0], PEOPLE[1][1])

        # Carla declines, with a reason
        carla = signer.new_page()
        carla.goto(link_path(live, PEOPLE[2][1]))
        carla.get_by_role("button", name="Abrir el documento").click()
        carla.get_by_label("Motivo").fill("Falta la aprobación del cabildo")
        carla.get_by_role("button", name="Rechazar firmar").click()
        expect(carla.get_by_role("heading", name="Su respuesta quedó registrada")).to_be_visible()

        # the organizer sees why and invites her again; she signs by typing
        page.goto(f"/gestion/declaratorias/{declaration_id}/firmas")
        expect(page.get_by_text("Motivo: Falta la aprobación del cabildo")).to_be_visible()
        page.get_by_role("button", name=f"Volver a invitar a {PEOPLE[2][0]}").click()
        expect(page.get_by_text(f"Enviamos a {PEOPLE[2][0]} un enlace nuevo")).to_be_visible()
        sign_by_typing(carla, live, PEOPLE[2][0], PEOPLE[2][1])
        expect(carla.get_by_text("se completaron todas")).to_be_visible()
    finally:
        signer.close()

    with live.app.app_context():
        declaration = db.session.get(Declaration, declaration_id)
        code_text = declaration.verification_code
        people = {s.name: s for s in db.session.scalars(select(Signatory))}
        assert declaration.status.value == "signed"
        assert all(s.status == SignatoryStatus.SIGNED and s.method == SigningMethod.ELECTRONIC
                   for s in people.values())
        assert people[PEOPLE[0][0]].signatures[-1].drawn_png.startswith(b"\x89PNG")
        assert people[PEOPLE[1][0]].signatures[-1].typed_name == PEOPLE[1][0]
        db.session.remove()

    # the final sealed PDF, downloaded from the public verification page
    page.goto(f"/declaratorias/verificar/{code_text}")
    shown_hash = page.get_by_test_id("final-hash").inner_text().strip()
    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar el documento final sellado (PDF)").click()
    final = Path(info.value.path()).read_bytes()
    assert hashlib.sha256(final).hexdigest() == shown_hash
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(final)).pages]
    assert any("Villa Guerrero" in text for text in pages)
    start = next(i for i, text in enumerate(pages) if "Certificado de firmas" in text)
    certificate = " ".join(" ".join(pages[start:]).split())  # the audit trail may run over several pages
    for event in ("Invitación enviada", "Documento visto", "Código verificado", "Firmado", "Rechazado"):
        assert event in certificate, event
    for name, _email in PEOPLE:
        assert name.split()[0] in " ".join(pages)
    tampered = one_byte_changed(final)
    seal, broken = validate_apart(live, final), validate_apart(live, tampered)
    assert seal.sealed and seal.intact and seal.trusted and seal.whole_file
    assert broken.sealed and not broken.intact and not broken.valid

    # the public upload check: the final file passes, the one-byte copy fails both checks
    upload = page.get_by_label("Archivo PDF de la declaratoria")
    upload.set_input_files(files=[{"name": "declaratoria.pdf", "mimeType": "application/pdf", "buffer": final}])
    page.get_by_role("button", name="Comprobar archivo").click()
    result = page.get_by_test_id("upload-result")
    expect(result).to_contain_text("byte por byte, el documento final registrado")
    expect(result).to_contain_text("sello electrónico está íntegro")
    page.get_by_label("Archivo PDF de la declaratoria").set_input_files(
        files=[{"name": "declaratoria.pdf", "mimeType": "application/pdf", "buffer": tampered}])
    page.get_by_role("button", name="Comprobar archivo").click()
    result = page.get_by_test_id("upload-result")
    expect(result).to_contain_text("no es el documento final registrado")
    expect(result).to_contain_text("no está íntegro")
