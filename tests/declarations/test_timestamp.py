"""Trusted timestamps on sealed declarations (issue 15, point 6), end to end against a local RFC 3161 authority
(tests/support/tsa.py): the seal asks the configured TSA, the token is embedded and read back by pyHanko, its
authority is trusted only through DECLARATIONS_TSA_ROOTS, the public check and the organizer's pages show it, and
a TSA that is down or answers junk leaves the declaration signed but unsealed, ready to seal again."""

import asyncio
import io
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select

from foros.accounts import services as accounts
from foros.core.formatting import fmt_datetime
from foros.core.time import to_local, utcnow
from foros.declarations import manage, seal
from foros.declarations.models import AuditTrailEvent, DeclarationStatus, FinalDocument, TrailKind
from foros.declarations.seal import (
    TimestampUnavailable,
    check_seal,
    current_signer,
    make_seal_identity,
    seal_pdf,
)
from foros.declarations.versions import finalize, open_signing
from foros.extensions import db
from tests.conftest import csrf_token_from
from tests.declarations.test_document_seal import _one_byte_changed, _upload, make_declaration, sign_all
from tests.support.tsa import local_tsa, tsa_identity

SEAL_PASSWORD = "prueba-sello"


@pytest.fixture(scope="session")
def seal_p12(tmp_path_factory):
    return make_seal_identity(tmp_path_factory.mktemp("seal") / "seal.p12", SEAL_PASSWORD, "Instituto (pruebas)")


@pytest.fixture(scope="session")
def tsa_id(tmp_path_factory):
    """The test CA and its TSA certificate (made once: RSA keys take a moment)."""
    return tsa_identity(tmp_path_factory.mktemp("tsa"))


@pytest.fixture
def tsa(tsa_id):
    """The local timestamp authority, listening for this test."""
    with local_tsa(tsa_id) as server:
        yield server


@pytest.fixture
def app_config(seal_p12, tsa, tsa_id):
    return {"DECLARATIONS_SEAL_PKCS12": str(seal_p12), "DECLARATIONS_SEAL_PASSWORD": SEAL_PASSWORD,
            "DECLARATIONS_TSA_URL": tsa.url, "DECLARATIONS_TSA_ROOTS": str(tsa_id.ca_pem)}


def _signed(**kwargs):
    declaration = make_declaration(**kwargs)
    declaration.status = DeclarationStatus.SIGNING
    open_signing(declaration)
    sign_all(declaration)
    return declaration


def _pyhanko_timestamp(pdf: bytes, tsa_roots: list):
    """pyHanko's own reading of the seal's timestamp (independent of foros.declarations.seal)."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1]
    seal_roots = [current_signer().signing_cert]
    # pyHanko's sync API runs asyncio.run: in a thread of its own, since after a browser test sync Playwright's
    # loop already runs on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        status = pool.submit(validate_pdf_signature, signature, ValidationContext(trust_roots=seal_roots),
                             ts_validation_context=ValidationContext(trust_roots=tsa_roots)).result()
    return status, status.timestamp_validity


def test_the_seal_carries_a_timestamp_from_the_configured_authority(app, client, tsa, tsa_id):
    declaration = _signed()
    final = finalize(declaration)
    db.session.commit()
    assert tsa.requests >= 1  # the seal really asked the authority
    assert final.timestamped
    code = declaration.verification_code
    download = client.get(f"/declaratorias/verificar/{code}/documento.pdf")
    assert download.status_code == 200 and download.data == final.content

    status, stamp = _pyhanko_timestamp(download.data, [tsa_id.ca_cert])
    assert status.intact and status.valid and stamp is not None
    assert stamp.intact and stamp.valid and stamp.trusted
    assert abs(stamp.timestamp - utcnow()) < timedelta(seconds=30)
    assert stamp.signing_cert.subject.native["common_name"] == "TSA de pruebas"
    _, untrusted = _pyhanko_timestamp(download.data, [])  # without the test CA nothing vouches for the TSA
    assert untrusted.intact and not untrusted.trusted

    check = check_seal(download.data)
    assert check.valid and check.timestamp is not None
    assert check.timestamp.verified and check.timestamp.checked and check.timestamp.intact
    assert check.timestamp.authority == "TSA de pruebas — Autoridad de pruebas"
    assert abs(check.timestamp.at - utcnow()) < timedelta(seconds=30)
    assert check.timestamp.at.utcoffset() == timedelta(0)  # stored and compared in UTC
    trail = [e for e in declaration.trail if e.kind == TrailKind.SEALED]
    assert trail and trail[-1].details["timestamped"] is True


def test_without_tsa_roots_the_time_is_shown_but_the_authority_not_verified(app, client):
    app.config["DECLARATIONS_TSA_ROOTS"] = ""
    declaration = _signed()
    final = finalize(declaration)
    db.session.commit()
    check = check_seal(final.content)
    stamp = check.timestamp
    assert check.valid and stamp is not None and stamp.intact
    assert not stamp.checked and not stamp.trusted and not stamp.verified  # never trust that was not checked
    body = _upload(client, declaration.verification_code, final.content).get_data(as_text=True)
    assert f"Sello de tiempo: {fmt_datetime(stamp.at, 'long')}" in body and "emitido por TSA de pruebas" in body
    assert "no se verificó a la autoridad" in body and "la hora está verificada" not in body
    app.config["DECLARATIONS_TSA_ROOTS"] = "/no/existe/raices.pem"  # unreadable roots verify nothing either
    assert not check_seal(final.content).timestamp.checked


def test_the_public_upload_shows_the_timestamp_and_a_changed_byte_still_fails(app, client):
    declaration = _signed()
    final = finalize(declaration)
    db.session.commit()
    code = declaration.verification_code
    stamp = check_seal(final.content).timestamp
    ok = _upload(client, code, final.content)
    body = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "byte por byte" in body and "íntegro y corresponde" in body
    local = to_local(stamp.at)
    assert f"Sello de tiempo: {fmt_datetime(stamp.at, 'long')} (hora del centro de México) emitido por TSA de " \
           "pruebas" in body
    assert local.strftime("%H:%M") in body and "la hora está verificada" in body

    tampered = _one_byte_changed(final.content)
    assert not check_seal(tampered).intact
    bad = _upload(client, code, tampered).get_data(as_text=True)
    assert "no es el documento final registrado" in bad and "no está íntegro" in bad
    assert "Sello de tiempo:" not in bad  # a broken seal's time vouches for nothing


def test_a_timestamp_from_an_authority_outside_the_roots_is_refused(app, tsa, tmp_path):
    other = tsa_identity(tmp_path / "otra", ca_name="Otra CA")
    app.config["DECLARATIONS_TSA_ROOTS"] = str(other.ca_pem)
    declaration = _signed()
    with pytest.raises(TimestampUnavailable) as refused:
        finalize(declaration)
    assert refused.value.code == "timestamp_invalid" and tsa.requests >= 1
    assert declaration.final_document is None


def _nothing_sealed(declaration) -> bool:
    db.session.flush()
    finals = db.session.scalar(select(func.count()).select_from(FinalDocument))
    sealed = db.session.scalar(select(func.count()).select_from(AuditTrailEvent).where(
        AuditTrailEvent.declaration_id == declaration.id, AuditTrailEvent.kind == TrailKind.SEALED))
    return finals == 0 and sealed == 0 and declaration.final_document is None


@pytest.mark.parametrize(("trouble", "code"), [("down", "timestamp_unavailable"),
                                               ("error", "timestamp_unavailable"),
                                               ("junk", "timestamp_unavailable"),
                                               ("wrong_imprint", "timestamp_invalid")])
def test_a_failing_authority_seals_nothing_and_sealing_can_be_retried(app, tsa, trouble, code):
    declaration = _signed()
    if trouble == "down":
        tsa.stop()  # the port now refuses connections
    else:
        tsa.answer = trouble
    with pytest.raises(TimestampUnavailable) as failed:
        finalize(declaration)
    assert failed.value.code == code and failed.value.status in (502, 503)
    assert "sello de tiempo" in failed.value.message and "no se selló" in failed.value.message
    assert trouble == "down" or tsa.requests >= 1
    assert _nothing_sealed(declaration)

    if trouble == "down":
        tsa.start()
    tsa.answer = "ok"
    final = finalize(declaration)
    assert final.timestamped and check_seal(final.content).timestamp.verified


def test_organizer_seals_again_once_the_authority_is_back(app, organizer, organizer_client, runner, tsa):
    declaration = manage.create_declaration(manage.DeclarationInput(municipality_key="15113", place="Villa "
                                                                    "Guerrero"), actor=organizer)
    manage.add_signatory(declaration, manage.SignatoryInput(name="Ana Alcaldesa", position="Presidenta"),
                         actor=organizer)
    manage.change_status(declaration, "open", actor=organizer)
    db.session.commit()
    ana = declaration.signatories[0]
    tsa.stop()

    page = organizer_client.get(f"/gestion/declaratorias/{declaration.id}/firmas").get_data(as_text=True)
    now = to_local(utcnow())
    form = {"csrf_token": csrf_token_from(page), f"s{ana.id}-day": now.date().isoformat(),
            f"s{ana.id}-at": now.strftime("%H:%M")}
    signed = organizer_client.post(f"/gestion/declaratorias/{declaration.id}/firmantes/{ana.id}/autografa",
                                   data=form, follow_redirects=True)
    body = signed.get_data(as_text=True)
    assert signed.status_code == 200 and "Firma autógrafa de Ana Alcaldesa registrada" in body
    assert "no se pudo sellar todavía" in body and "Sellar el documento final" in body
    db.session.expire_all()
    declaration = db.session.get(type(declaration), declaration.id)
    assert declaration.status == DeclarationStatus.SIGNED and _nothing_sealed(declaration)  # signatures stand

    seal_url = f"/gestion/declaratorias/{declaration.id}/sellar"
    failed = organizer_client.post(seal_url, data={"csrf_token": csrf_token_from(body)}, follow_redirects=True)
    text = failed.get_data(as_text=True)
    assert failed.status_code == 200 and "No se pudo obtener el sello de tiempo" in text
    assert "Sellar el documento final" in text
    db.session.expire_all()
    assert _nothing_sealed(db.session.get(type(declaration), declaration.id))
    cli = runner.invoke(args=["declarations", "finalize"])
    assert cli.exit_code == 1 and "sello de tiempo" in cli.output

    tsa.start()  # the authority is back on the same port
    done = organizer_client.post(seal_url, data={"csrf_token": csrf_token_from(text)}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "Documento final sellado con sello de tiempo" in text
    assert "Con sello de tiempo" in text and tsa.requests >= 1
    db.session.expire_all()
    final = db.session.get(type(declaration), declaration.id).final_document
    assert final is not None and final.timestamped and check_seal(final.content).timestamp.verified
    detail = organizer_client.get(f"/gestion/declaratorias/{declaration.id}").get_data(as_text=True)
    assert "con sello de tiempo" in detail
    again = organizer_client.post(seal_url, data={"csrf_token": csrf_token_from(text)}, follow_redirects=True)
    assert again.status_code == 200 and db.session.scalar(select(func.count()).select_from(FinalDocument)) == 1


def test_timestamping_works_inside_a_running_event_loop(app, tsa):
    """pyHanko's sync API runs asyncio.run: inside a loop (async worker, Playwright) seal.py uses a thread."""
    pdf = _signed().current_version.document_pdf

    async def inside_a_loop():
        sealed, timestamped = seal_pdf(pdf)
        return check_seal(sealed), timestamped

    try:
        asyncio.get_running_loop()  # after a browser test, sync Playwright's loop runs on this thread already
    except RuntimeError:
        check, timestamped = asyncio.run(inside_a_loop())
    else:
        sealed, timestamped = seal_pdf(pdf)
        check = check_seal(sealed)
    assert timestamped and check.valid and check.timestamp.verified and tsa.requests >= 1


def test_the_timestamp_codes_are_in_the_openapi_document(client):
    codes = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["ErrorCode"]["enum"]
    assert {"timestamp_unavailable", "timestamp_invalid"} <= set(codes)


# --- one round trip to the authority, a bounded wait ------------------------------------------------------

def test_one_seal_asks_the_authority_once(app, tsa):
    """pyHanko used to ask the TSA twice per seal: a token only to size the signature, then the real one."""
    final = finalize(_signed())
    assert final.timestamped and check_seal(final.content).timestamp.verified
    assert tsa.requests == 1


def test_a_hanging_authority_holds_the_seal_for_the_timeout_at_most(app, tsa, monkeypatch):
    assert seal.TSA_TIMEOUT <= 5  # what the last signer's request may wait, in all
    monkeypatch.setattr(seal, "TSA_TIMEOUT", 1)
    declaration = _signed()
    tsa.hold()  # the authority takes the query and never answers
    started = time.monotonic()
    with pytest.raises(TimestampUnavailable) as failed:
        finalize(declaration)
    waited = time.monotonic() - started
    assert failed.value.code == "timestamp_unavailable" and tsa.requests == 1
    assert 1 <= waited < 2.5
    assert _nothing_sealed(declaration)

    tsa.release()
    final = finalize(declaration)
    assert final.timestamped and tsa.requests == 2  # the retry: one more query, one seal


def test_a_token_bigger_than_the_room_kept_for_it_seals_nothing(app, tsa, monkeypatch):
    monkeypatch.setattr(seal, "_bytes_reserved", lambda signer: 6000)  # the seal alone fits, not with the token
    declaration = _signed()
    with pytest.raises(TimestampUnavailable) as failed:
        finalize(declaration)
    assert failed.value.code == "timestamp_unavailable" and tsa.requests == 1
    assert _nothing_sealed(declaration)
    app.config["DECLARATIONS_TSA_URL"] = ""  # without an authority the room is enough
    assert not finalize(declaration).timestamped


# --- quiet logs -----------------------------------------------------------------------------------------------

def _noise(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]


def test_without_tsa_roots_sealing_and_an_upload_check_log_no_traceback(app, client, caplog):
    app.config["DECLARATIONS_TSA_ROOTS"] = ""
    declaration = _signed()
    caplog.set_level(logging.INFO)
    final = finalize(declaration)
    db.session.commit()
    body = _upload(client, declaration.verification_code, final.content).get_data(as_text=True)
    assert "íntegro y corresponde" in body and "no se verificó a la autoridad" in body
    assert _noise(caplog) == []  # pyHanko's path search for an authority nobody asked to trust is not run
    stamp = check_seal(final.content).timestamp
    assert stamp.intact and not stamp.checked and not stamp.trusted  # still read, still not called trusted
    assert not check_seal(_one_byte_changed(final.content)).intact


# --- the public and the organizers are told -------------------------------------------------------------------

def test_the_verification_page_and_both_apis_say_sealed_when_and_timestamped(app, client, organizer, tsa):
    declaration = _signed()
    _row, token = accounts.create_token(organizer, "declaratorias")
    db.session.commit()
    code = declaration.verification_code
    auth = {"Authorization": f"Bearer {token}"}

    def listed():
        (item,) = client.get("/api/v1/declarations", headers=auth).get_json()["declarations"]
        return item

    unsealed = {"sealed": False, "final_sha256": None, "sealed_at": None, "timestamped": False}
    public = client.get(f"/api/v1/declarations/verify/{code}").get_json()
    assert {k: public[k] for k in unsealed} == unsealed and public["status"] == "signed"
    assert {k: listed()[k] for k in unsealed} == unsealed
    page = client.get(f"/declaratorias/verificar/{code}").get_data(as_text=True)
    assert "Aún no sellado: ya firmaron todas las personas" in page and "Sello de tiempo" not in page

    final = finalize(declaration)
    db.session.commit()
    sealed_at = final.sealed_at
    expected = {"sealed": True, "final_sha256": final.sha256, "timestamped": True,
                "sealed_at": sealed_at.astimezone(UTC).isoformat()}
    for answer in (client.get(f"/api/v1/declarations/verify/{code}").get_json(), listed()):
        assert {k: answer[k] for k in expected} == expected
        assert answer["sealed_at"].endswith("+00:00")  # UTC in the API
    page = client.get(f"/declaratorias/verificar/{code}").get_data(as_text=True)
    assert f"Sellado el {fmt_datetime(sealed_at, 'long')} (hora del centro de México)" in page
    assert to_local(sealed_at).strftime("%H:%M") in page  # Mexico City's clock, not UTC's
    assert "Sí: una autoridad de sellado de tiempo (RFC 3161) da fe de la hora del sello." in page

    app.config["DECLARATIONS_TSA_URL"] = ""  # a seal without an authority says so
    other = _signed(signatories=1)
    finalize(other)
    db.session.commit()
    assert client.get(f"/api/v1/declarations/verify/{other.verification_code}").get_json()["timestamped"] is False
    page = client.get(f"/declaratorias/verificar/{other.verification_code}").get_data(as_text=True)
    assert "No: la hora del sello es la del servidor que lo hizo." in page


def test_the_seal_fields_are_documented_in_the_openapi_document(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("Verification", "Declaration"):
        properties = schemas[name]["properties"]
        assert {"sealed", "sealed_at", "timestamped", "final_sha256"} <= set(properties), name
        assert properties["sealed"]["type"] == "boolean" and properties["timestamped"]["type"] == "boolean"
        assert properties["sealed_at"]["format"] == "date-time" and "UTC" in properties["sealed_at"]["description"]
        assert "sello de tiempo" in properties["timestamped"]["description"]
