"""Issue 10 point 25: the institute's configured name and logo on pages, the ticket PDF and e-mail."""

import io
import shutil

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from foros import ROOT as ROOT_DIR
from foros import create_app
from foros.core.identity import IdentityError, load_identity
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration import signup
from foros.registration.inputs import RegistrationInput
from tests.conftest import base_config, database_uri, make_event

NAME = "Instituto de Pruebas para la Transparencia"


@pytest.fixture
def logo(tmp_path):
    path = tmp_path / "logo-prueba.png"
    Image.new("RGB", (120, 60), "#0b5cad").save(path)
    return path


@pytest.fixture
def app_config(logo):
    return {"ORGANIZATION_NAME": NAME, "ORGANIZATION_LOGO": str(logo)}


def test_configured_name_and_logo_on_public_pages(client, logo):
    event = make_event()
    for path in ("/", f"/eventos/{event.slug}", f"/eventos/{event.slug}/registro"):
        html = client.get(path).get_data(as_text=True)
        assert NAME in html and 'src="/logo"' in html
    response = client.get("/logo")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data == logo.read_bytes()


def test_configured_name_and_logo_in_ticket_pdf_and_email(client, logo):
    event = make_event()
    result = signup.register_attendee(event, RegistrationInput(
        name="Ana Ríos", email="ana@example.org", sector="ciudadania", municipality_key="15031",
        privacy_consent=True))
    db.session.commit()
    pdf = PdfReader(io.BytesIO(client.get(f"/boleto/{result.registration.access_token}/boleto.pdf").data))
    assert NAME in " ".join(pdf.pages[0].extract_text().split())
    assert pdf.metadata.author == NAME
    assert (120, 60) in {img.image.size for img in pdf.pages[0].images}  # the configured logo, as given
    message = db.session.scalars(select(OutboxMessage)).one()
    assert NAME in message.body_text and NAME in message.body_html


def test_default_is_the_shipped_neutral_placeholder(tmp_path):
    app = create_app(base_config(database_uri(tmp_path)))
    with app.test_client() as client:
        response = client.get("/logo", buffered=True)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert b"<svg" in response.data
    identity = app.extensions["foros.identity"]
    assert identity.name == "Instituto de Transparencia del Estado de México"
    assert identity.pdf_logo is not None and identity.pdf_logo.name == "organizacion.png"  # SVG → PNG for the PDF
    with app.app_context():
        db.engine.dispose()


def test_svg_logo_uses_the_png_beside_it_for_the_pdf(tmp_path):
    svg = tmp_path / "marca.svg"
    shutil.copy(ROOT_DIR / "static" / "img" / "organizacion.svg", svg)
    config = {"ORGANIZATION_LOGO": str(svg)}
    assert load_identity(config, "/nowhere", str(tmp_path)).pdf_logo is None  # the PDF then shows the name only
    shutil.copy(ROOT_DIR / "static" / "img" / "organizacion.png", tmp_path / "marca.png")
    assert load_identity(config, "/nowhere", str(tmp_path)).pdf_logo == tmp_path / "marca.png"


@pytest.mark.parametrize("value, message", [
    ("no/existe.png", "no existe el archivo"),
    ("README.md", "debe ser una imagen"),
])
def test_a_wrong_logo_setting_stops_the_start(tmp_path, value, message):
    with pytest.raises(IdentityError, match=message):
        create_app(base_config(database_uri(tmp_path), ORGANIZATION_LOGO=value))
