"""An attendee downloads their certificate (constancia) from the ticket link, on desktop and on a 360 px phone,
and checks it on the public verification page by typing its code."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from foros.certificates import services
from foros.extensions import db
from tests.certificates.helpers import add_person, admit, day_lists, past_event, template_input

pytestmark = pytest.mark.browser


def issued_certificate(live) -> tuple[str, str]:
    """A finished event where Ana came and her certificate was issued; her ticket token and the code."""
    with live.app.app_context():
        event = past_event()
        ana = add_person(event, "Ana Ñandú Pérez", "ana@ejemplo.mx")
        admit(ana, day_lists(event)[0])
        services.save_template(event, template_input(), actor=None)
        services.issue_certificates(event, actor=None)
        db.session.commit()
        token, code = ana.access_token, services.display_code(services.live_certificate(ana).code)
        db.session.remove()
    return token, code


def test_attendee_downloads_the_certificate_and_verifies_it(page, live_server):
    token, code = issued_certificate(live_server)

    page.goto(f"/boleto/{token}")
    link = page.get_by_role("link", name="Descargar constancia")
    expect(link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(f"{code}.pdf")
    text = PdfReader(io.BytesIO(Path(download.path()).read_bytes())).pages[0].extract_text()
    assert "Ana Ñandú Pérez" in text and code in text

    page.goto("/constancias/verificar")
    page.get_by_label("Código de verificación").fill(code.lower())
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("heading", name="Constancia válida")).to_be_visible()
    expect(page.get_by_text("Ana Ñandú Pérez")).to_be_visible()
