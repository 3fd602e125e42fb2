"""The document, its versions and hash, the sealed final PDF and public verification (issue 15, engineer V)."""

import hashlib
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from foros.core.time import utcnow
from foros.declarations import manage
from foros.declarations.models import (
    DeclarationStatus,
    SignatoryRole,
    SignatoryStatus,
    SignatureRecord,
    SigningMethod,
)
from foros.declarations.seal import check_seal, make_seal_identity
from foros.declarations.verification import find_by_code, normalize_code
from foros.declarations.versions import finalize, new_version, open_signing
from foros.extensions import db
from foros.mail.models import OutboxMessage

SEAL_PASSWORD = "prueba-sello"


@pytest.fixture(scope="session")
def seal_file(tmp_path_factory):
    return make_seal_identity(tmp_path_factory.mktemp("seal") / "seal.p12", SEAL_PASSWORD,
                              "Instituto de Transparencia (pruebas)")


@pytest.fixture
def app_config(seal_file):
    return {"DECLARATIONS_SEAL_PKCS12": str(seal_file), "DECLARATIONS_SEAL_PASSWORD": SEAL_PASSWORD}


def _role(key):
    return db.session.scalar(select(SignatoryRole).where(SignatoryRole.key == key))


def make_declaration(signatories=3):
    declaration = manage.create_declaration(manage.DeclarationInput(municipality_key="15113", place="Palacio "
                                                                    "Municipal de Villa Guerrero"))
    people = [("Mtra. Ana Pérez Núñez", "Presidenta Municipal", "Ayuntamiento de Villa Guerrero",
               "presidencia_municipal", "ana@example.org"),
              ("Dr. José Martínez", "Comisionado", "Instituto de Transparencia", "organo_garante",
               "jose@example.org"),
              ("Lic. María Ibáñez", "Integrante", "Colectivo Ciudadano", "sociedad_civil", "")]
    for name, position, institution, role, email in people[:signatories]:
        manage.add_signatory(declaration, manage.SignatoryInput(name=name, position=position,
                                                                institution=institution,
                                                                role_id=_role(role).id, email=email))
    db.session.flush()
    return declaration


def sign_all(declaration):
    """Sign every signatory directly (the signing flows are tested with the signing pages)."""
    version = declaration.current_version
    for i, signatory in enumerate(declaration.signatories):
        method = SigningMethod.ELECTRONIC if signatory.email else SigningMethod.AUTOGRAPH
        db.session.add(SignatureRecord(signatory=signatory, version_id=version.id, method=method,
                                       typed_name=signatory.name if method == SigningMethod.ELECTRONIC else "",
                                       signed_at=utcnow(), ip=f"10.0.0.{i + 1}", user_agent="Pruebas/1.0",
                                       document_sha256=version.content_sha256))
        signatory.status, signatory.method, signatory.signed_at = SignatoryStatus.SIGNED, method, utcnow()
    declaration.status = DeclarationStatus.SIGNED
    declaration.signed_at = utcnow()
    db.session.flush()


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_opening_signing_fixes_the_exact_bytes_and_their_hash(app):
    declaration = make_declaration()
    version = open_signing(declaration)
    assert version.document_pdf.startswith(b"%PDF-")
    assert version.content_sha256 == hashlib.sha256(version.document_pdf).hexdigest()
    pages = _text(version.document_pdf)
    code = declaration.verification_code
    for number, text in enumerate(pages, start=1):  # the footer is on every page
        assert f"{code[:4]}-{code[4:8]}" in text
        assert f"Página {number} de {len(pages)}" in text
    assert "Villa Guerrero" in pages[0]
    assert "Mtra. Ana Pérez Núñez" in "".join(pages)
    assert "Presidencia municipal" in "".join(pages)  # the role in the signature block
    before = version.content_sha256
    open_signing(declaration)  # opening again (after a postponement) keeps the fixed bytes
    assert version.content_sha256 == before


def test_an_edit_after_opening_makes_a_new_version_and_voids_signatures(app):
    declaration = make_declaration()
    declaration.status = DeclarationStatus.SIGNING
    old = open_signing(declaration)
    first = declaration.signatories[0]
    record = SignatureRecord(signatory=first, version_id=old.id, method=SigningMethod.ELECTRONIC,
                             typed_name=first.name, signed_at=utcnow(), document_sha256=old.content_sha256)
    db.session.add(record)
    first.status, first.method, first.signed_at = SignatoryStatus.SIGNED, SigningMethod.ELECTRONIC, utcnow()
    db.session.flush()

    version = new_version(declaration, old.body + "\n\nSe agrega un compromiso de datos abiertos.")
    assert version.number == 2 and old.voided_at is not None
    assert record.voided_at is not None
    assert first.status != SignatoryStatus.SIGNED and first.signed_at is None and first.method is None
    assert version.content_sha256 == hashlib.sha256(version.document_pdf).hexdigest() != old.content_sha256
    assert first.current_signature is None
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "declaration.new_version")).all()
    assert first.email in {m.to_address for m in told}
    assert any("anulada" in m.body_text for m in told if m.to_address == first.email)
    kinds = [e.kind.value for e in declaration.trail]
    assert "version_created" in kinds and "voided" in kinds


def test_an_edit_through_the_organizer_service_goes_through_a_new_version(app):
    declaration = make_declaration()
    manage.change_status(declaration, "open")
    data = manage.DeclarationInput(municipality_key="15113", title=declaration.title, place=declaration.place)
    manage.update_declaration(declaration, data, "Texto nuevo.")
    assert [v.number for v in declaration.versions] == [1, 2]
    assert declaration.versions[0].voided_at is not None and declaration.current_version.is_fixed


def _final(declaration):
    declaration.status = DeclarationStatus.SIGNING
    open_signing(declaration)
    sign_all(declaration)
    return finalize(declaration)


def test_final_pdf_has_the_certificate_page_and_an_intact_seal(app):
    declaration = make_declaration()
    final = _final(declaration)
    assert final.sha256 == hashlib.sha256(final.content).hexdigest()
    pages = _text(final.content)
    certificate = pages[-1]
    assert "Certificado de firmas" in certificate and "Registro de auditoría" in certificate
    assert declaration.current_version.content_sha256[:16] in certificate.replace("\n", "")
    assert "10.0.0.1" not in certificate or "Pruebas/1.0" in certificate
    seal = check_seal(final.content)
    assert seal.sealed and seal.intact and seal.trusted and seal.whole_file and seal.valid
    assert finalize(declaration) is final  # idempotent


def _one_byte_changed(pdf: bytes) -> bytes:
    """A copy with one byte of the first page's content stream changed (inside the sealed range)."""
    index = pdf.index(b"stream\n") + len(b"stream\n") + 20
    return pdf[:index] + bytes([pdf[index] ^ 0x01]) + pdf[index + 1:]


def test_a_copy_with_one_byte_changed_fails_the_seal(app):
    final = _final(make_declaration())
    tampered = _one_byte_changed(final.content)
    seal = check_seal(tampered)
    assert seal.sealed and not seal.intact and not seal.valid


def _upload(client, code, data, name="declaratoria.pdf"):
    assert client.get(f"/declaratorias/verificar/{code}").status_code == 200
    return client.post(f"/declaratorias/verificar/{code}", data={"archivo": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_verification_page_upload_and_api(app, client):
    declaration = make_declaration()
    final = _final(declaration)
    db.session.commit()
    code = declaration.verification_code

    page = client.get(f"/declaratorias/verificar?codigo={code.lower()}", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and final.sha256 in html
    assert "Mtra. Ana Pérez Núñez" in html and "Presidencia municipal" in html
    assert "ana@example.org" not in html

    ok = _upload(client, code, final.content)
    body = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "byte por byte" in body and "íntegro y corresponde" in body

    bad = _upload(client, code, _one_byte_changed(final.content))
    body = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "no es el documento final registrado" in body
    assert "no está íntegro" in body

    download = client.get(f"/declaratorias/verificar/{code}/documento.pdf")
    assert download.status_code == 200 and download.data == final.content

    api = client.get(f"/api/v1/declarations/verify/{code}")
    assert api.status_code == 200
    assert api.json["final_sha256"] == final.sha256 and api.json["status"] == "signed"
    assert {s["role"] for s in api.json["signatories"]} >= {"Presidencia municipal"}
    assert "email" not in api.json["signatories"][0]
    assert client.get("/api/v1/declarations/verify/ZZZZ").json["error"]["code"] == "declaration_not_found"
    assert client.get("/declaratorias/verificar/ZZZZ").status_code == 404


def test_upload_refuses_a_non_pdf_named_pdf_and_an_oversized_file(app, client):
    declaration = make_declaration()
    db.session.commit()
    code = declaration.verification_code
    fake = _upload(client, code, b"<html>no soy un PDF</html>")
    assert fake.status_code == 422 and "no es un PDF" in fake.get_data(as_text=True)
    app.config["DECLARATIONS_VERIFY_MAX_BYTES"] = 1024
    big = _upload(client, code, b"%PDF-1.7\n" + b"0" * 2048)
    assert big.status_code == 413 and "pasa de" in big.get_data(as_text=True)
    empty = _upload(client, code, b"")
    assert empty.status_code == 422


def test_make_seal_cli(app, runner, tmp_path):
    out = tmp_path / "sello.p12"
    result = runner.invoke(args=["declarations", "make-seal", "--out", str(out), "--password", "x"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() and "FOROS_DECLARATIONS_SEAL_PKCS12" in result.output
    again = runner.invoke(args=["declarations", "make-seal", "--out", str(out)])
    assert again.exit_code == 1


def test_verification_code_is_random_and_normalized(app):
    declaration = make_declaration(signatories=1)
    code = declaration.verification_code
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{16}", code)
    assert normalize_code(f" {code[:4].lower()}-{code[4:]} ") == code
    assert find_by_code("-".join(code[i:i + 4] for i in range(0, 16, 4))) is declaration
