"""Certificate pages: public verification (only status, name, event, date), the attendee's download from the
ticket link, and the organizer pages (template input, issue, revoke, re-issue, ZIP), with role checks."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from foros.audit.models import AuditEntry
from foros.certificates import services
from foros.certificates.models import Certificate
from foros.extensions import db
from foros.jobs.models import BackgroundJob
from tests.certificates.helpers import add_person, admit, day_lists, past_event, template_input
from tests.conftest import make_event


@pytest.fixture
def issued(app, organizer):
    """A finished event; Ana (with organization and phone) came and has her certificate."""
    event = past_event()
    ana = add_person(event, "Ana Ñandú", "ana@example.org", organization="Colectivo Secreto", phone="5512345678")
    admit(ana, day_lists(event)[0])
    services.save_template(event, template_input(), actor=organizer)
    services.issue_certificates(event, actor=organizer)
    db.session.commit()
    return event, ana, services.live_certificate(ana)


# --- public verification ----------------------------------------------------------------------------------


def test_valid_code_shows_status_name_event_and_date_only(client, issued):
    event, ana, certificate = issued
    response = client.get(f"/constancias/verificar/{services.display_code(certificate.code)}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Constancia válida" in html and "Ana Ñandú" in html and event.title in html
    assert services.fmt_day_span(event.days) in html
    for secret in ("ana@example.org", "Colectivo Secreto", "5512345678", ana.ticket_id, ana.access_token,
                   "Ciudadanía", "Comisionada"):
        assert secret not in html


def test_revoked_code_says_so(client, issued, organizer):
    _event, _ana, certificate = issued
    services.revoke_certificate(certificate, "Datos falsos", actor=organizer)
    db.session.commit()
    html = client.get(f"/constancias/verificar/{certificate.code}").get_data(as_text=True)
    assert "Constancia revocada" in html and "Constancia válida" not in html
    assert "Datos falsos" not in html  # the reason is for the organizers


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD", "0000000000000000", "<script>alert(1)</script>",
                                  "x" * 3000, "%C3%91", "%00"])
def test_forged_or_malformed_codes_are_not_found(client, issued, code):
    response = client.get(f"/constancias/verificar/{code}")
    assert response.status_code == (400 if code == "%00" else 404)  # a NUL is refused before any view
    if "/" not in code and code != "%00":  # a slash leaves the route: the generic 404 page
        assert "No encontramos una constancia con ese código" in response.get_data(as_text=True)


def test_the_form_takes_a_typed_code(client, issued):
    _event, _ana, certificate = issued
    typed = services.display_code(certificate.code).lower().replace("-", " ")
    response = client.get("/constancias/verificar", query_string={"codigo": typed})
    assert response.status_code == 302
    shown = services.display_code(certificate.code)
    assert response.headers["Location"].endswith(f"/constancias/verificar/{shown}")
    assert client.get("/constancias/verificar").status_code == 200
    assert client.get("/constancias/verificar", query_string={"codigo": "../../x"}).status_code == 302


# --- the attendee's download ------------------------------------------------------------------------------


def test_attendee_downloads_from_the_ticket_link_once_issued(client, issued):
    _event, ana, certificate = issued
    page = client.get(f"/boleto/{ana.access_token}").get_data(as_text=True)
    assert "Descargar constancia" in page
    response = client.get(f"/boleto/{ana.access_token}/constancia.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Ana Ñandú" in text and services.display_code(certificate.code) in text


def test_no_download_before_issue(client, app, organizer):
    event = past_event()
    beto = add_person(event, "Beto", "beto@example.org")
    db.session.commit()
    assert "Descargar constancia" not in client.get(f"/boleto/{beto.access_token}").get_data(as_text=True)
    response = client.get(f"/boleto/{beto.access_token}/constancia.pdf")
    assert response.status_code == 404 and "todavía no está disponible" in response.get_data(as_text=True)


def test_no_download_before_the_event_is_over(client, app, organizer):
    event = make_event()
    carla = add_person(event, "Carla", "carla@example.org")
    services.save_template(event, template_input(), actor=organizer)
    db.session.add(Certificate(event_id=event.id, registration_id=carla.id, code=services.new_code(),
                               holder_name="Carla"))
    db.session.commit()
    assert "Descargar constancia" not in client.get(f"/boleto/{carla.access_token}").get_data(as_text=True)
    assert client.get(f"/boleto/{carla.access_token}/constancia.pdf").status_code == 404


def test_revoked_certificate_is_no_longer_offered(client, issued, organizer):
    _event, ana, certificate = issued
    services.revoke_certificate(certificate, "Error", actor=organizer)
    db.session.commit()
    assert client.get(f"/boleto/{ana.access_token}/constancia.pdf").status_code == 404


def test_unknown_ticket_token(client, app):
    assert client.get("/boleto/no-existe/constancia.pdf").status_code == 404


# --- organizer pages --------------------------------------------------------------------------------------


def _template_form(**overrides):
    data = {"title": "Constancia de participación", "body": "Gracias, {nombre}, por venir a {evento}.",
            "signer1_name": "Mtra. Ana Pérez", "signer1_position": "Comisionada", "min_days": "0",
            "min_lists": "1"}
    data.update(overrides)
    return data


def test_template_form_saves_and_keeps_what_was_typed_on_errors(organizer_client, app):
    event = past_event()
    url = f"/gestion/eventos/{event.slug}/constancias/plantilla"
    assert organizer_client.get(url).status_code == 200
    response = organizer_client.post(url, data=_template_form(body="Hola {apellido} y {nombre}"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Marcador desconocido" in html and "Hola {apellido} y {nombre}" in html
    response = organizer_client.post(url, data=_template_form(body="y" * 20_000))
    assert response.status_code == 422 and "Máximo 2000 caracteres" in response.get_data(as_text=True)
    response = organizer_client.post(url, data=_template_form(signer1_name="", signer1_position=""))
    assert response.status_code == 422 and "entre 1 y 3 personas" in response.get_data(as_text=True)
    response = organizer_client.post(url, data=_template_form(min_days="muchos"))
    assert response.status_code == 422
    assert services.get_template(event) is None
    response = organizer_client.post(url, data=_template_form(body="<script>alert(1)</script> {nombre}"))
    assert response.status_code == 302
    assert services.get_template(event).body == "<script>alert(1)</script> {nombre}"
    preview = organizer_client.get(f"/gestion/eventos/{event.slug}/constancias/vista-previa.pdf")
    assert preview.status_code == 200
    assert "<script>alert(1)</script>" in PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()


def test_issue_revoke_reissue_and_zip_from_the_pages(organizer_client, app, organizer):
    event = past_event()
    ana = add_person(event, "Ana Ñandú", "ana@example.org")
    admit(ana, day_lists(event)[0])
    services.save_template(event, template_input(), actor=organizer)
    db.session.commit()
    base = f"/gestion/eventos/{event.slug}/constancias"
    assert organizer_client.post(f"{base}/emitir").status_code == 302
    assert "Constancias emitidas: 1." in organizer_client.get(base).get_data(as_text=True)
    organizer_client.post(f"{base}/emitir")
    assert "No había constancias nuevas" in organizer_client.get(base).get_data(as_text=True)
    code = services.display_code(services.live_certificate(ana).code)

    assert organizer_client.get(f"{base}/{code}/constancia.pdf").status_code == 200
    organizer_client.post(f"{base}/{code}/revocar", data={"reason": ""})
    assert "Escriba el motivo" in organizer_client.get(base).get_data(as_text=True)
    assert services.live_certificate(ana) is not None
    organizer_client.post(f"{base}/{code}/revocar", data={"reason": "Nombre mal escrito"})
    assert services.live_certificate(ana) is None
    organizer_client.post(f"{base}/{code}/reemitir")
    new = services.live_certificate(ana)
    assert new is not None and services.display_code(new.code) != code
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["certificate.issue", "certificate.revoke", "certificate.reissue"]

    response = organizer_client.post(f"{base}/zip")
    job = db.session.scalar(select(BackgroundJob))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/trabajos/{job.token}")
    assert job.kind == "certificates_zip" and job.progress_total == 1
    assert organizer_client.post(f"{base}/NOEXISTE/revocar", data={"reason": "x"}).status_code == 404


def test_issue_before_the_end_is_refused_with_a_message(organizer_client, app, organizer):
    event = make_event()
    services.save_template(event, template_input(), actor=organizer)
    db.session.commit()
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/constancias/emitir", follow_redirects=True)
    assert "cuando el evento ha terminado" in response.get_data(as_text=True)
    assert db.session.scalar(select(Certificate)) is None


@pytest.mark.parametrize("path", ["", "/plantilla", "/vista-previa.pdf"])
def test_staff_and_visitors_are_refused(staff_client, client, app, path):
    event = past_event()
    url = f"/gestion/eventos/{event.slug}/constancias{path}"
    assert staff_client.get(url).status_code == 403
    assert client.get(url).status_code == 302
    assert staff_client.post(f"/gestion/eventos/{event.slug}/constancias/emitir").status_code == 403
