"""The public verification page in the browser (issue 15, Done when), on desktop and on a 360 px phone.

A visitor types the demo's sealed declaration's code (lower case, without dashes, as people do), reads its
status, signatories and hash, downloads the sealed PDF, uploads it (byte for byte the registered document, seal
intact) and then a copy with one byte changed (not the registered document, seal broken). axe-core finds no
serious or critical problem on the code form (empty and "not found"), the result page and the upload results.
The demo's seal is the self-signed one it makes in the (test's own) instance folder, found by the app.
"""

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from foros.declarations.models import Declaration
from foros.declarations.seal import check_seal
from foros.demo.data import load_demo_data
from foros.extensions import db
from tests.browser.live import PHONE
from tests.browser.test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def sealed(live_server, tmp_path):
    """The demo loaded with its own seal in this test's instance folder; Villa Guerrero's code and hash. (It
    seals on this thread, where sync Playwright runs an event loop: seal.py copes with that.)"""
    live_server.app.instance_path = str(tmp_path / "instance")
    with live_server.app.app_context():
        load_demo_data()
        db.session.commit()
        declaration = db.session.scalar(select(Declaration).where(Declaration.municipality_key == "15113"))
        found = declaration.verification_code, declaration.final_document.sha256, declaration.title
        db.session.remove()
    return found


def one_byte_changed(pdf: bytes) -> bytes:
    """A copy with one byte of the first page's content stream changed (inside the sealed range)."""
    index = pdf.index(b"stream\n") + len(b"stream\n") + 20
    return pdf[:index] + bytes([pdf[index] ^ 0x01]) + pdf[index + 1:]


def upload(page, name: str, data: bytes) -> None:
    page.get_by_label("Archivo PDF de la declaratoria").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": data}])
    page.get_by_role("button", name="Comprobar archivo").click()


def test_a_visitor_checks_a_code_and_uploads_the_sealed_pdf_and_a_changed_copy(page, live_server, sealed,
                                                                                 viewport):
    code, sha256, title = sealed
    problems = []

    page.goto("/declaratorias/verificar")
    expect(page.get_by_role("heading", name="Verificar una declaratoria")).to_be_visible()
    problems += blocking_violations(page)

    # A mistyped code: the form says so and keeps what was typed.
    page.get_by_label("Código de verificación").fill("ZZZZ-ZZZZ")
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("alert")).to_contain_text("No encontramos una declaratoria con ese código")
    expect(page.get_by_label("Código de verificación")).to_have_value("ZZZZ-ZZZZ")
    problems += blocking_violations(page)

    page.get_by_label("Código de verificación").fill(code.lower())
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".facts")).to_contain_text("Firmada")
    expect(page.get_by_test_id("final-hash")).to_have_text(sha256)
    signatories = page.get_by_role("region", name="Personas firmantes")
    expect(signatories).to_contain_text("C. Rosalba Trujillo Mendoza")
    expect(signatories).to_contain_text("Presidencia municipal")
    expect(signatories).to_contain_text("autógrafa en el evento")
    problems += blocking_violations(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar el documento final sellado (PDF)").click()
    pdf = Path(info.value.path()).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == sha256
    # The same library the page uses says the download's seal holds and a changed copy's does not.
    with live_server.app.app_context():
        assert check_seal(pdf).valid and not check_seal(one_byte_changed(pdf)).intact

    upload(page, "declaratoria.pdf", pdf)
    result = page.get_by_test_id("upload-result")
    expect(result).to_contain_text("El archivo es, byte por byte, el documento final registrado.")
    expect(result).to_contain_text("Su sello electrónico está íntegro")
    expect(result).to_contain_text(sha256)
    problems += blocking_violations(page)

    tampered = one_byte_changed(pdf)
    upload(page, "declaratoria-copia.pdf", tampered)
    result = page.get_by_test_id("upload-result")
    expect(result).to_contain_text("El archivo no es el documento final registrado")
    expect(result).to_contain_text("Su sello electrónico no está íntegro")
    expect(result).to_contain_text(hashlib.sha256(tampered).hexdigest())
    problems += blocking_violations(page)

    if viewport == PHONE:  # the long hashes wrap: nothing scrolls sideways on a 360 px phone
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert not problems, "axe found serious or critical problems:\n\n" + "\n\n".join(problems)
