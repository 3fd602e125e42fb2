"""The document's pages (issue 15, points 3 and 6): a long declaration runs over several pages and every page —
the final PDF's certificate pages included — carries the verification code and a QR that decodes to the public
verification page; each electronic signature sits in its block (the drawing as an image, the typed name); the
certificate page prints the audit trail with each step's IP address, browser and document hash."""

import io

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ContentStream
from sqlalchemy import select

from foros.core.formatting import fmt_datetime
from foros.declarations import manage
from foros.declarations.document import QR_SIZE, display_code
from foros.declarations.models import Declaration
from foros.declarations.seal import make_seal_identity
from foros.extensions import db
from tests.declarations.test_signing import code_of, csrf_token_from, link_of, png_data_url

SEAL_PASSWORD = "paginas"
CLIENT_IP, BROWSER = "203.0.113.7", "NavegadorDePrueba/9.9 (360 px)"
PEOPLE = [("Ana Alcaldesa Ramírez", "ana@example.org", "drawn"), ("Beto Comisionado Núñez", "beto@example.org",
                                                                    "typed")]


@pytest.fixture(scope="module")
def seal_file(tmp_path_factory):
    return make_seal_identity(tmp_path_factory.mktemp("seal") / "seal.p12", SEAL_PASSWORD, "Instituto (páginas)")


@pytest.fixture
def app_config(seal_file):
    return {"DECLARATIONS_SEAL_PKCS12": str(seal_file), "DECLARATIONS_SEAL_PASSWORD": SEAL_PASSWORD}


def long_declaration(organizer) -> Declaration:
    """A declaration whose text runs over several pages, two signatories, signing open."""
    data = manage.DeclarationInput(municipality_key="15113", place="Palacio Municipal")
    declaration = manage.create_declaration(data, actor=organizer)
    body = "\n\n".join(f"Compromiso {n}: el Ayuntamiento publicará en formatos abiertos la información de su "
                       "gestión, rendirá cuentas ante el Secretariado Técnico Municipal y abrirá espacios de "
                       "participación ciudadana en cada etapa del Plan de Acción." for n in range(1, 41))
    manage.update_declaration(declaration, data, body, actor=organizer)
    for name, email, _how in PEOPLE:
        manage.add_signatory(declaration, manage.SignatoryInput(name=name, position="Cargo", email=email),
                             actor=organizer)
    manage.change_status(declaration, "open", actor=organizer)
    db.session.commit()
    return declaration


def footer_qr(reader: PdfReader, page) -> list[str]:
    """Decode the footer's QR of one page: its vector modules (rectangles inside the QR's white square) drawn
    again as an image and read by zxing."""
    rects = [tuple(float(v) for v in operands) for operands, op in
             ContentStream(page.get_contents(), reader).operations if op == b"re"]
    squares = [r for r in rects if abs(r[2] - QR_SIZE) < 0.01 and abs(r[3] - QR_SIZE) < 0.01]
    if not squares:
        return []
    x0, y0, _w, _h = squares[-1]
    scale, quiet = 8, 24
    image = Image.new("L", (int(QR_SIZE * scale) + 2 * quiet,) * 2, 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in rects:
        inside = x >= x0 and y >= y0 and x + w <= x0 + QR_SIZE + 0.01 and y + h <= y0 + QR_SIZE + 0.01
        if inside and (w, h) != (_w, _h):
            left, top = (x - x0) * scale + quiet, (y0 + QR_SIZE - y - h) * scale + quiet
            draw.rectangle([left, top, left + w * scale - 1, top + h * scale - 1], fill=0)
    return [found.text for found in zxingcpp.read_barcodes(image)]


def assert_every_page_has_the_footer(pdf: bytes, declaration, client) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() or "" for page in reader.pages]
    code = display_code(declaration.verification_code)
    for number, (page, text) in enumerate(zip(reader.pages, texts, strict=True), start=1):
        assert f"Código de verificación: {code}" in text, number
        assert f"Página {number} de {len(texts)}" in text, number
        (url,) = footer_qr(reader, page)
        assert url.endswith(f"/declaratorias/verificar/{declaration.verification_code}"), (number, url)
    landing = client.get(url[url.index("/declaratorias/"):])  # the QR leads to the public page
    assert landing.status_code == 200 and declaration.title in landing.get_data(as_text=True)
    return texts


def sign_from_the_link(client, email: str, how: str, name: str) -> None:
    """Open the link, ask for the code and sign (drawing or typed name) as a person would."""
    token = link_of(email)
    csrf = csrf_token_from(client.get(f"/firmar/{token}").get_data(as_text=True))
    assert client.post(f"/firmar/{token}/abrir", data={"csrf_token": csrf}).status_code == 302
    assert client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf}).status_code == 302
    form = {"csrf_token": csrf, "method": how, "consent": "y", "code": code_of(email)}
    form.update({"drawing": png_data_url()} if how == "drawn" else {"typed_name": name})
    assert client.post(f"/firmar/{token}", data=form).status_code == 200


def test_every_page_of_the_document_and_of_the_final_pdf_has_the_code_and_a_qr(app, client, organizer):
    declaration = long_declaration(organizer)
    document = declaration.current_version.document_pdf
    texts = assert_every_page_has_the_footer(document, declaration, client)
    assert len(texts) >= 3  # the text really runs over several pages

    client.environ_base.update(REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=BROWSER)
    for name, email, how in PEOPLE:
        sign_from_the_link(client, email, how, name)
    db.session.expire_all()
    declaration = db.session.scalar(select(Declaration))
    final = declaration.final_document
    assert final is not None
    texts = assert_every_page_has_the_footer(final.content, declaration, client)
    start = next(i for i, text in enumerate(texts) if "Certificado de firmas" in text)
    assert start >= 3 and len(texts) > start  # the body's pages, then the certificate

    # where the QR leads: each signatory's name and date of signing, and the final document's hash
    page = client.get(f"/declaratorias/verificar/{declaration.verification_code}").get_data(as_text=True)
    assert final.sha256 in page and "Firmada" in page
    for signatory in declaration.signatories:
        assert signatory.name in page and fmt_datetime(signatory.signed_at) in page


def test_signatures_sit_in_their_blocks_and_the_certificate_shows_ip_browser_and_hash(app, client, organizer):
    declaration = long_declaration(organizer)
    client.environ_base.update(REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=BROWSER)
    for name, email, how in PEOPLE:
        sign_from_the_link(client, email, how, name)
    db.session.expire_all()
    declaration = db.session.scalar(select(Declaration))
    reader = PdfReader(io.BytesIO(declaration.final_document.content))
    texts = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    start = next(i for i, text in enumerate(texts) if "Certificado de firmas" in text)

    blocks = " ".join(texts[:start])
    assert blocks.count("Firmado electrónicamente el") == 2
    assert "Beto Comisionado Núñez" in blocks  # the typed name (and the block's name line)
    images = [name for page in reader.pages[:start] for name in (page.images or [])]
    assert len(images) == 1  # Ana's drawing, placed in her block

    certificate = " ".join(texts[start:])
    for step in ("Creada", "Firma abierta", "Invitación enviada", "Documento visto", "Código enviado",
                 "Código verificado", "Firmado", "Firmas completas"):
        assert step in certificate, step
    compact = certificate.replace(" ", "")  # narrow cells wrap the address, the browser and the hash
    assert compact.count(CLIENT_IP) == 8  # viewed, code sent, code verified, signed: for each of the two
    assert compact.count(BROWSER.replace(" ", "")) == 8
    assert compact.count(declaration.current_version.content_sha256) >= 10
