"""Electronic and in-person signing (issue 15, points 4-5): links, codes, order, declining, audit, uploads."""

import base64
import hashlib
import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from reportlab.pdfgen import canvas
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from foros.audit.models import AuditEntry
from foros.core.errors import DomainError
from foros.core.time import to_local, utcnow
from foros.declarations import manage, signing, signing_codes, signing_common, signing_inperson
from foros.declarations.models import (
    AuditTrailEvent,
    DeclarationStatus,
    OneTimeCode,
    ScannedCopy,
    Signatory,
    SignatoryStatus,
    SigningLink,
    SigningMethod,
    TrailKind,
)
from foros.declarations.signing_image import decode_drawing
from foros.extensions import db
from foros.mail.models import OutboxMessage
from tests.conftest import csrf_token_from as page_token

LINK = re.compile(r"/firmar/([A-Za-z0-9_-]{20,})")
CODE = re.compile(r"\b(\d{6})\b")


class Clock:
    """utcnow of the signing modules, moved by the test."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    moment = Clock()
    for module in (signing, signing_codes, signing_common, signing_inperson):
        monkeypatch.setattr(module, "utcnow", moment)
    return moment


def open_declaration(organizer, people, *, orders=None):
    """A declaration of Villa Guerrero with ``people`` (name, e-mail) as signatories, signing opened."""
    data = manage.DeclarationInput(municipality_key="15113", place="Villa Guerrero")
    declaration = manage.create_declaration(data, actor=organizer)
    for index, (name, email) in enumerate(people):
        order = orders[index] if orders else None
        manage.add_signatory(declaration, manage.SignatoryInput(name=name, position="Cargo", email=email,
                                                                signing_order=order), actor=organizer)
    manage.change_status(declaration, "open", actor=organizer)
    db.session.commit()
    return declaration


def last_mail(address: str, kind: str) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address,
                                                          OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id.desc())).first()


def link_of(address: str) -> str:
    return LINK.search(last_mail(address, "declaration.invitation").body_text).group(1)


def code_of(address: str) -> str:
    return CODE.search(last_mail(address, "declaration.code").body_text).group(1)


def png_data_url(width=600, height=200, *, ink=True, fmt="PNG") -> str:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        for x in range(width // 10, width // 2):
            image.putpixel((x, height // 2 + (x % (height // 4 or 1))), (16, 36, 62, 255))
    out = io.BytesIO()
    image.convert("RGB").save(out, format=fmt) if fmt != "PNG" else image.save(out, format=fmt)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def pdf_bytes(text="Declaratoria firmada") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return out.getvalue()


def csrf_token_from(html: str) -> str:
    """The page's CSRF token when the app renders one (the ``app`` fixture runs without CSRF)."""
    return page_token(html) if 'name="csrf_token"' in html else ""


def open_page(client, token):
    page = client.get(f"/firmar/{token}")
    assert page.status_code == 200
    csrf = csrf_token_from(page.get_data(as_text=True))
    opened = client.post(f"/firmar/{token}/abrir", data={"csrf_token": csrf})
    assert opened.status_code == 302
    return client.get(f"/firmar/{token}").get_data(as_text=True)


def statuses(declaration):
    db.session.expire_all()
    return {s.name: s.status for s in db.session.get(type(declaration), declaration.id).signatories}


# --- links ----------------------------------------------------------------------------------------------------

def test_opening_signing_invites_with_a_hashed_personal_link(app, client, organizer):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    token = link_of("ana@example.org")
    link = db.session.scalars(select(SigningLink)).one()
    assert link.token_hash == signing.hash_token(token) and token not in link.token_hash
    assert statuses(declaration) == {"Ana Alcaldesa": SignatoryStatus.INVITED}
    page = client.get(f"/firmar/{token}")
    assert page.status_code == 200 and "Abrir el documento" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert statuses(declaration) == {"Ana Alcaldesa": SignatoryStatus.INVITED}  # GET writes nothing
    assert client.get("/firmar/" + "x" * 43).status_code == 404


def test_expired_link_gives_a_clear_page(app, client, organizer, clock):
    open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    token = link_of("ana@example.org")
    clock.advance(days=signing.LINK_DAYS, seconds=1)
    page = client.get(f"/firmar/{token}")
    assert page.status_code == 410
    assert "El enlace venció" in page.get_data(as_text=True)
    assert client.post(f"/firmar/{token}/abrir").status_code == 410


def test_reinvitation_replaces_the_old_link(app, client, organizer, organizer_client):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    old = link_of("ana@example.org")
    signatory = declaration.signatories[0]
    page = organizer_client.get(f"/gestion/declaratorias/{declaration.id}/firmas")
    assert page.status_code == 200 and "Volver a invitar a Ana Alcaldesa" in page.get_data(as_text=True)
    response = organizer_client.post(f"/gestion/declaratorias/{declaration.id}/firmantes/{signatory.id}/invitar",
                                     data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    new = link_of("ana@example.org")
    assert new != old
    replaced = client.get(f"/firmar/{old}")
    assert replaced.status_code == 410 and "enlace más reciente" in replaced.get_data(as_text=True)
    assert client.get(f"/firmar/{new}").status_code == 200


# --- the whole electronic flow, codes -------------------------------------------------------------------------

def test_sign_by_typing_then_the_link_is_used(app, client, organizer):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org"),
                                               ("Beto Comisionado", "beto@example.org")])
    token = link_of("ana@example.org")
    html = open_page(client, token)
    assert "El documento" in html and declaration.current_version.content_sha256 in html
    assert client.get(f"/firmar/{token}/documento.pdf").data.startswith(b"%PDF-")
    csrf = csrf_token_from(html)
    assert client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf}).status_code == 302
    response = client.post(f"/firmar/{token}", data={
        "csrf_token": csrf, "method": "typed", "typed_name": "Ana Alcaldesa", "code": code_of("ana@example.org"),
        "consent": "y"}, headers={"User-Agent": "Prueba/1.0"})
    assert response.status_code == 200 and "su firma quedó registrada" in response.get_data(as_text=True)
    signatory = db.session.scalars(select(Signatory).where(Signatory.email == "ana@example.org")).one()
    assert signatory.status == SignatoryStatus.SIGNED and signatory.method == SigningMethod.ELECTRONIC
    record = signatory.signatures[0]
    assert record.typed_name == "Ana Alcaldesa" and record.consent_text == signing.CONSENT_TEXT
    assert record.document_sha256 == declaration.current_version.content_sha256
    assert record.user_agent == "Prueba/1.0" and record.ip == "127.0.0.1"
    kinds = [e.kind for e in db.session.scalars(select(AuditTrailEvent).where(
        AuditTrailEvent.signatory_id == signatory.id).order_by(AuditTrailEvent.id))]
    assert kinds == [TrailKind.SENT, TrailKind.VIEWED, TrailKind.CODE_SENT, TrailKind.CODE_VERIFIED,
                     TrailKind.SIGNED]
    viewed = db.session.scalars(select(AuditTrailEvent).where(AuditTrailEvent.kind == TrailKind.VIEWED)).one()
    assert viewed.document_sha256 == record.document_sha256 and viewed.ip == "127.0.0.1"
    reused = client.get(f"/firmar/{token}")
    assert reused.status_code == 410 and "ya se usó" in reused.get_data(as_text=True)
    assert client.post(f"/firmar/{token}", data={"csrf_token": csrf}).status_code == 410
    assert statuses(declaration)["Beto Comisionado"] == SignatoryStatus.INVITED


def test_wrong_codes_count_and_run_out(app, client, organizer, clock):
    open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    token = link_of("ana@example.org")
    csrf = csrf_token_from(open_page(client, token))
    client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf})
    right = code_of("ana@example.org")
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    form = {"csrf_token": csrf, "method": "typed", "typed_name": "Ana Alcaldesa", "consent": "y"}
    for attempt in range(1, signing_codes.MAX_ATTEMPTS + 1):
        response = client.post(f"/firmar/{token}", data={**form, "code": wrong})
        assert response.status_code == 422
        assert db.session.scalars(select(OneTimeCode)).one().attempts == attempt  # kept despite the refusal
    assert "Se agotaron los intentos" in response.get_data(as_text=True)
    refused = client.post(f"/firmar/{token}", data={**form, "code": right})  # even the right one: dead
    assert refused.status_code == 422 and "Pida uno nuevo" in refused.get_data(as_text=True)
    # a new code at once is rate-limited (one a minute); after a minute it comes and works
    assert client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf}).status_code == 302
    assert db.session.scalar(select(OneTimeCode.id).order_by(OneTimeCode.id.desc())) == 1
    assert "menos de un minuto" in client.get(f"/firmar/{token}").get_data(as_text=True)
    clock.advance(seconds=signing_codes.RESEND_SECONDS + 1)
    client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf})
    assert client.post(f"/firmar/{token}", data={**form, "code": code_of("ana@example.org")}).status_code == 200
    failed = db.session.scalars(select(AuditTrailEvent).where(AuditTrailEvent.kind == TrailKind.CODE_FAILED))
    assert len(list(failed)) == signing_codes.MAX_ATTEMPTS


def test_codes_expire_and_sending_is_limited_per_hour(app, client, organizer, clock):
    open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    token = link_of("ana@example.org")
    csrf = csrf_token_from(open_page(client, token))
    client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf})
    code = code_of("ana@example.org")
    clock.advance(minutes=signing_codes.CODE_MINUTES, seconds=1)
    response = client.post(f"/firmar/{token}", data={"csrf_token": csrf, "method": "typed", "typed_name": "Ana A",
                                                     "consent": "y", "code": code})
    assert response.status_code == 422 and "El código venció" in response.get_data(as_text=True)
    for _ in range(signing_codes.MAX_PER_HOUR - 1):
        clock.advance(seconds=signing_codes.RESEND_SECONDS + 1)
        client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf})
    clock.advance(seconds=signing_codes.RESEND_SECONDS + 1)
    visit = signing.open_link(token)
    with pytest.raises(DomainError) as refused:
        signing_codes.send_code(visit, ip="", user_agent="")
    assert refused.value.code == "code_rate_limited" and refused.value.status == 429
    assert db.session.query(OneTimeCode).count() == signing_codes.MAX_PER_HOUR


def test_consent_and_a_way_of_signing_are_required(app, client, organizer):
    open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    token = link_of("ana@example.org")
    csrf = csrf_token_from(open_page(client, token))
    client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf})
    code = code_of("ana@example.org")
    no_consent = client.post(f"/firmar/{token}", data={"csrf_token": csrf, "method": "typed",
                                                       "typed_name": "Ana Alcaldesa", "code": code})
    assert no_consent.status_code == 422 and "casilla de consentimiento" in no_consent.get_data(as_text=True)
    blank = client.post(f"/firmar/{token}", data={"csrf_token": csrf, "method": "drawn", "consent": "y",
                                                  "drawing": png_data_url(ink=False), "code": code})
    assert blank.status_code == 422 and "en blanco" in blank.get_data(as_text=True)
    assert db.session.scalars(select(OneTimeCode)).one().attempts == 0  # nothing else counted or written
    drawn = client.post(f"/firmar/{token}", data={"csrf_token": csrf, "method": "drawn", "consent": "y",
                                                  "drawing": png_data_url(), "code": code})
    assert drawn.status_code == 200
    record = db.session.scalars(select(Signatory)).one().signatures[0]
    assert record.drawn_png.startswith(b"\x89PNG") and record.typed_name == ""


@pytest.mark.parametrize("data_url, message", [
    ("", "Trace su firma"),
    ("data:image/jpeg;base64,AAAA", "no es una imagen válida"),
    ("data:image/png;base64,@@@", "no es una imagen válida"),
    ("data:image/png;base64," + base64.b64encode(b"GIF89a" + b"\0" * 100).decode(), "PNG válida"),
    (png_data_url(fmt="JPEG"), "PNG válida"),
    (png_data_url(width=3000), "tamaño"),
    (png_data_url(width=20, height=10), "tamaño"),
    ("data:image/png;base64," + "A" * 400_000, "demasiado grande"),
    ("data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 50).decode(), "PNG válida"),
])
def test_drawings_that_are_not_real_bounded_pngs_are_refused(app, data_url, message):
    with pytest.raises(DomainError) as refused:
        decode_drawing(data_url)
    assert refused.value.code == "invalid_drawing" and message in refused.value.message
    assert decode_drawing(png_data_url()).startswith(b"\x89PNG")


# --- order, declining -----------------------------------------------------------------------------------------

def test_signing_order_invites_the_next_when_the_previous_signs(app, client, organizer):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org"),
                                               ("Beto Comisionado", "beto@example.org"),
                                               ("Carla Testigo", "carla@example.org")], orders=[1, 2, None])
    assert statuses(declaration) == {"Ana Alcaldesa": SignatoryStatus.INVITED,
                                     "Beto Comisionado": SignatoryStatus.PENDING,
                                     "Carla Testigo": SignatoryStatus.INVITED}
    beto = db.session.scalars(select(Signatory).where(Signatory.email == "beto@example.org")).one()
    with pytest.raises(DomainError) as early:
        signing.reinvite_signatory(beto, organizer)
    assert early.value.code == "not_your_turn"
    # a link that reaches Beto before his turn (say, an organizer's resend) says to wait
    signing.issue_link(beto, organizer)
    db.session.commit()
    token_b = link_of("beto@example.org")
    page = client.get(f"/firmar/{token_b}")
    assert page.status_code == 200 and "Aún no es su turno" in page.get_data(as_text=True)
    assert "Abrir el documento" not in page.get_data(as_text=True)
    token_a = link_of("ana@example.org")
    csrf = csrf_token_from(open_page(client, token_a))
    client.post(f"/firmar/{token_a}/codigo", data={"csrf_token": csrf})
    client.post(f"/firmar/{token_a}", data={"csrf_token": csrf, "method": "typed", "typed_name": "Ana Alcaldesa",
                                            "consent": "y", "code": code_of("ana@example.org")})
    page = client.get(f"/firmar/{link_of('beto@example.org')}")
    assert "Abrir el documento" in page.get_data(as_text=True)


def test_decline_asks_for_a_reason_and_is_recorded(app, client, organizer, organizer_client):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    token = link_of("ana@example.org")
    csrf = csrf_token_from(open_page(client, token))
    empty = client.post(f"/firmar/{token}/rechazar", data={"csrf_token": csrf, "reason": "  "})
    assert empty.status_code == 422 and "motivo" in empty.get_data(as_text=True)
    assert statuses(declaration)["Ana Alcaldesa"] == SignatoryStatus.VIEWED
    done = client.post(f"/firmar/{token}/rechazar", data={"csrf_token": csrf,
                                                          "reason": "Falta revisar el cabildo"})
    assert done.status_code == 200 and "respuesta quedó registrada" in done.get_data(as_text=True)
    signatory = db.session.scalars(select(Signatory)).one()
    assert signatory.status == SignatoryStatus.DECLINED and signatory.reason == "Falta revisar el cabildo"
    assert client.get(f"/firmar/{token}").status_code == 410
    board = organizer_client.get(f"/gestion/declaratorias/{declaration.id}/firmas").get_data(as_text=True)
    assert "Falta revisar el cabildo" in board and "Volver a invitar a Ana Alcaldesa" in board


def test_every_status_change_is_in_the_audit_log(app, client, organizer, organizer_client):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org"),
                                               ("Beto Comisionado", "beto@example.org")])
    token = link_of("ana@example.org")
    csrf = csrf_token_from(open_page(client, token))
    client.post(f"/firmar/{token}/rechazar", data={"csrf_token": csrf, "reason": "No estoy de acuerdo"})
    signing.reinvite_signatory(db.session.scalars(select(Signatory).where(Signatory.name == "Ana Alcaldesa"))
                               .one(), organizer)
    db.session.commit()
    token = link_of("ana@example.org")
    csrf = csrf_token_from(open_page(client, token))
    client.post(f"/firmar/{token}/codigo", data={"csrf_token": csrf})
    client.post(f"/firmar/{token}", data={"csrf_token": csrf, "method": "typed", "typed_name": "Ana Alcaldesa",
                                          "consent": "y", "code": code_of("ana@example.org")})
    beto = db.session.scalars(select(Signatory).where(Signatory.name == "Beto Comisionado")).one()
    page = organizer_client.get(f"/gestion/declaratorias/{declaration.id}/firmas").get_data(as_text=True)
    local = to_local(utcnow())
    organizer_client.post(f"/gestion/declaratorias/{declaration.id}/firmantes/{beto.id}/autografa", data={
        "csrf_token": csrf_token_from(page), f"s{beto.id}-day": local.date().isoformat(),
        f"s{beto.id}-at": local.strftime("%H:%M")})
    actions = [(e.action, (e.details or {}).get("signatory")) for e in
               db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("declaration.%"))
                                  .order_by(AuditEntry.id))]
    ana, beto = "Ana Alcaldesa", "Beto Comisionado"
    wanted = [("declaration.signatory_invited", ana), ("declaration.signatory_invited", beto),
              ("declaration.signatory_viewed", ana), ("declaration.signatory_declined", ana),
              ("declaration.signatory_reinvited", ana), ("declaration.signatory_viewed", ana),
              ("declaration.signatory_signed", ana),
              ("declaration.signatory_autograph", beto), ("declaration.signed", None)]
    assert [a for a in actions if a[0] in {w[0] for w in wanted}] == wanted
    log = organizer_client.get("/gestion/bitacora").get_data(as_text=True)
    assert "Firmante rechazó firmar la declaratoria" in log and "Registró firma autógrafa en el evento" in log
    db.session.expire_all()
    done = db.session.get(type(declaration), declaration.id)
    assert done.status == DeclarationStatus.SIGNED and done.signed_at is not None
    assert any(e.kind == TrailKind.COMPLETED for e in done.trail)


# --- in person ------------------------------------------------------------------------------------------------

def test_autograph_signature_with_its_time(app, organizer, organizer_client):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", ""), ("Beto Comisionado", "beto@example.org")])
    ana = declaration.signatories[0]
    assert ana.status == SignatoryStatus.PENDING  # no e-mail: not invited
    page = organizer_client.get(f"/gestion/declaratorias/{declaration.id}/firmas").get_data(as_text=True)
    future = to_local(utcnow() + timedelta(days=1))
    refused = organizer_client.post(f"/gestion/declaratorias/{declaration.id}/firmantes/{ana.id}/autografa", data={
        "csrf_token": csrf_token_from(page), f"s{ana.id}-day": future.date().isoformat(),
        f"s{ana.id}-at": "10:30"})
    assert refused.status_code == 422 and "posterior a ahora" in refused.get_data(as_text=True)
    now = to_local(utcnow())
    organizer_client.post(f"/gestion/declaratorias/{declaration.id}/firmantes/{ana.id}/autografa", data={
        "csrf_token": csrf_token_from(page), f"s{ana.id}-day": now.date().isoformat(),
        f"s{ana.id}-at": now.strftime("%H:%M")})
    db.session.expire_all()
    ana = db.session.get(Signatory, ana.id)
    assert ana.status == SignatoryStatus.SIGNED and ana.method == SigningMethod.AUTOGRAPH
    assert to_local(ana.signed_at).strftime("%H:%M") == now.strftime("%H:%M")
    assert ana.signatures[0].recorded_by_id == organizer.id


def test_scanned_copy_is_checked_as_a_pdf_and_stored_with_its_hash(app, organizer, organizer_client):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    url = f"/gestion/declaratorias/{declaration.id}/copia-escaneada"
    csrf = csrf_token_from(organizer_client.get(f"/gestion/declaratorias/{declaration.id}/firmas")
                           .get_data(as_text=True))

    def upload(data: bytes, name="copia.pdf"):
        # Encoded in memory: the test client would spool bodies over 500 KB to a temporary file it never closes.
        scan = FileStorage(io.BytesIO(data), filename=name)
        boundary, body = encode_multipart({"csrf_token": csrf, "scan": scan})
        return organizer_client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")

    fake = upload(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    assert fake.status_code == 422 and "no es un PDF" in fake.get_data(as_text=True)
    broken = upload(b"%PDF-1.7\n" + b"basura" * 100)
    assert broken.status_code == 422 and "no se lee como PDF" in broken.get_data(as_text=True)
    big = upload(b"%PDF-1.7\n" + b"0" * signing_inperson.SCAN_MAX_BYTES)
    assert big.status_code == 413 and "pasa de 6 MB" in big.get_data(as_text=True)
    assert db.session.query(ScannedCopy).count() == 0
    good = pdf_bytes()
    assert upload(good, "Declaratoria firmada.pdf").status_code == 302
    scan = db.session.scalars(select(ScannedCopy)).one()
    assert scan.sha256 == hashlib.sha256(good).hexdigest() and scan.size == len(good)
    page = organizer_client.get(f"/gestion/declaratorias/{declaration.id}/firmas").get_data(as_text=True)
    assert scan.sha256 in page
    download = organizer_client.get(f"/gestion/declaratorias/{declaration.id}/copias/{scan.id}.pdf")
    assert download.status_code == 200 and download.data == good
    other = f"/gestion/declaratorias/{declaration.id + 1}/copias/{scan.id}.pdf"
    assert organizer_client.get(other).status_code == 404
    assert any(e.kind == TrailKind.SCAN_UPLOADED for e in declaration.trail)


def test_signing_pages_are_for_organizers_only(app, client, staff_client, organizer):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org")])
    url = f"/gestion/declaratorias/{declaration.id}/firmas"
    assert client.get(url).status_code == 302
    assert staff_client.get(url).status_code == 403
