"""Certificate services: template rules, eligibility, idempotent issuing with one e-mail, revoke and re-issue
(audit log), the ZIP built by the background job."""

import io
import re
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from foros.audit.models import AuditEntry
from foros.certificates import pdf, services
from foros.certificates.jobs import ZIP_JOB
from foros.checkin.models import Checkin
from foros.core.errors import DomainError
from foros.core.time import utcnow
from foros.extensions import db
from foros.jobs.models import BackgroundJob, JobStatus
from foros.jobs.runner import run_job
from foros.jobs.services import create_job
from foros.mail.models import OutboxMessage
from foros.registration.lifecycle import cancel_registration
from tests.certificates.helpers import add_person, admit, day_lists, past_event, template_input
from tests.conftest import make_event


def _text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def finished(app, organizer):
    """A finished two-day event: Ana came both days, Beto the first, Carla never, Dora came then cancelled."""
    event = past_event(days=2)
    first, second = day_lists(event)
    people = {name: add_person(event, f"{name} Ñandú", f"{name.lower()}@example.org")
              for name in ("Ana", "Beto", "Carla", "Dora")}
    admit(people["Ana"], first)
    admit(people["Ana"], second)
    admit(people["Beto"], first)
    admit(people["Dora"], first)
    cancel_registration(people["Dora"], by_attendee=True)
    db.session.commit()
    return event, people


# --- template ---------------------------------------------------------------------------------------------


def test_unknown_placeholder_is_refused_in_spanish(app, organizer):
    event = make_event()
    with pytest.raises(DomainError) as caught:
        services.save_template(event, template_input(body="Hola {nombre}, {apellido}."), actor=organizer)
    assert caught.value.code == "unknown_placeholder"
    assert "{apellido}" in caught.value.message and "Puede usar" in caught.value.message
    assert caught.value.fields["body"]


@pytest.mark.parametrize(("body", "code"), [
    ("Hola {nombre", "unbalanced_braces"),
    ("Hola }", "unbalanced_braces"),
    ("Hola {0}", "bad_placeholder"),
    ("Hola {nombre!r}", "bad_placeholder"),
    ("Hola {nombre:>30}", "bad_placeholder"),
    ("Hola {nombre.__class__}", "bad_placeholder"),
    ("x" * 20_000, "invalid_template"),
])
def test_bad_bodies_are_refused(app, organizer, body, code):
    event = make_event()
    with pytest.raises(DomainError) as caught:
        services.save_template(event, template_input(body=body), actor=organizer)
    assert caught.value.code == code
    assert services.get_template(event) is None


@pytest.mark.parametrize("signers", [[], [services.Signer(f"Persona {i}", "Cargo") for i in range(4)],
                                     [services.Signer("Sin cargo", "")]])
def test_one_to_three_signers_with_name_and_position(app, organizer, signers):
    event = make_event()
    with pytest.raises(DomainError) as caught:
        services.save_template(event, template_input(signers=signers), actor=organizer)
    assert caught.value.code == "invalid_template"
    assert "signers" in caught.value.fields


def test_html_in_the_template_is_printed_as_text(app, organizer):
    event = past_event(title="Foro <i>Abierto</i> & más")
    template = services.save_template(event, template_input(body="<b>Gracias</b> {nombre} por venir a {evento}."),
                                      actor=organizer)
    text = _text(pdf.preview_pdf(event, template))
    assert "<b>Gracias</b> Nombre de Ejemplo Apellido por venir a Foro <i>Abierto</i> & más." in text
    assert "VISTA PREVIA" in text


def test_template_is_audited(app, organizer):
    event = make_event()
    services.save_template(event, template_input(), actor=organizer)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.template"))
    assert entry.details["signers"] == ["Mtra. Ana Pérez Ñúñez"]


# --- eligibility and issuing ------------------------------------------------------------------------------


def test_eligible_are_confirmed_people_admitted_at_least_once(finished, organizer):
    event, people = finished
    template = services.save_template(event, template_input(), actor=organizer)
    names = [r.name for r in services.eligible_registrations(event, template)]
    assert names == ["Ana Ñandú", "Beto Ñandú"]  # not Carla (never came), not Dora (cancelled)


def test_minimum_days_and_lists(finished, organizer):
    event, _people = finished
    two_days = services.save_template(event, template_input(min_days=2), actor=organizer)
    assert [r.name for r in services.eligible_registrations(event, two_days)] == ["Ana Ñandú"]
    two_lists = services.save_template(event, template_input(min_days=0, min_lists=2), actor=organizer)
    assert [r.name for r in services.eligible_registrations(event, two_lists)] == ["Ana Ñandú"]
    three_lists = services.save_template(event, template_input(min_lists=3), actor=organizer)
    assert services.eligible_registrations(event, three_lists) == []


def test_undone_admissions_do_not_count(finished, organizer):
    event, people = finished
    for row in db.session.scalars(select(Checkin).where(Checkin.registration_id == people["Beto"].id)):
        row.undone_at = utcnow()
    template = services.save_template(event, template_input(), actor=organizer)
    assert [r.name for r in services.eligible_registrations(event, template)] == ["Ana Ñandú"]


def test_issue_is_idempotent_and_emails_each_person_once(finished, organizer):
    event, people = finished
    services.save_template(event, template_input(), actor=organizer)
    assert services.issue_certificates(event, actor=organizer) == 2
    db.session.commit()
    assert services.issue_certificates(event, actor=organizer) == 0
    db.session.commit()
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "certificate.ready")
                               .order_by(OutboxMessage.to_address)).all()
    assert [m.to_address for m in mails] == ["ana@example.org", "beto@example.org"]
    certificate = services.live_certificate(people["Ana"])
    assert services.display_code(certificate.code) in mails[0].body_text
    assert f"/boleto/{people['Ana'].access_token}" in mails[0].body_text
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "certificate.issue")) == 1


def test_issue_needs_the_event_over_and_a_template(app, organizer):
    upcoming = make_event()
    with pytest.raises(DomainError) as caught:
        services.issue_certificates(upcoming, actor=organizer)
    assert caught.value.code == "event_not_over"
    with pytest.raises(DomainError) as caught:
        services.issue_certificates(past_event(slug="otro-evento-pasado"), actor=organizer)
    assert caught.value.code == "no_template"


def test_codes_are_random_opaque_and_typed_back_forgivingly(finished, organizer):
    event, people = finished
    services.save_template(event, template_input(), actor=organizer)
    services.issue_certificates(event, actor=organizer)
    codes = {c.code for c in services.event_certificates(event)}
    assert len(codes) == 2 and all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{16}", c) for c in codes)
    code = services.live_certificate(people["Ana"]).code
    typed = services.display_code(code).lower().replace("0", "o")
    assert services.find_by_code(typed).code == code
    assert services.find_by_code(code[:-1] + ("A" if code[-1] != "A" else "B")) is None
    assert services.find_by_code("") is None and services.find_by_code("x" * 5000) is None


# --- revoke and re-issue ----------------------------------------------------------------------------------


def test_revoke_needs_a_reason_and_is_audited(finished, organizer):
    event, people = finished
    services.save_template(event, template_input(), actor=organizer)
    services.issue_certificates(event, actor=organizer)
    certificate = services.live_certificate(people["Beto"])
    with pytest.raises(DomainError) as caught:
        services.revoke_certificate(certificate, "   ", actor=organizer)
    assert caught.value.code == "reason_required"
    services.revoke_certificate(certificate, "Se registró con otro nombre", actor=organizer)
    assert certificate.is_revoked and services.live_certificate(people["Beto"]) is None
    with pytest.raises(DomainError) as caught:
        services.revoke_certificate(certificate, "otra vez", actor=organizer)
    assert caught.value.code == "already_revoked"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.revoke"))
    assert entry.details == {"reason": "Se registró con otro nombre"}
    assert entry.actor_id == organizer.id
    db.session.commit()
    assert services.issue_certificates(event, actor=organizer) == 1  # a revoked one can be issued again


def test_reissue_gives_a_new_code_and_revokes_the_old_one(finished, organizer):
    event, people = finished
    services.save_template(event, template_input(), actor=organizer)
    services.issue_certificates(event, actor=organizer)
    old = services.live_certificate(people["Ana"])
    people["Ana"].name = "Ana María Ñandú"
    replacement = services.reissue_certificate(old, actor=organizer)
    db.session.commit()
    assert replacement.code != old.code and replacement.holder_name == "Ana María Ñandú"
    assert old.is_revoked and old.replaced_by_id == replacement.id
    assert services.find_by_code(old.code).is_revoked
    assert services.live_certificate(people["Ana"]).id == replacement.id
    with pytest.raises(DomainError) as caught:
        services.reissue_certificate(old, actor=organizer)
    assert caught.value.code == "already_replaced"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.reissue"))
    assert entry.details == {"previous_code": services.display_code(old.code),
                             "code": services.display_code(replacement.code)}


# --- PDF and ZIP ------------------------------------------------------------------------------------------


def test_certificate_pdf_is_a4_landscape_with_name_text_signers_and_code(finished, organizer):
    event, people = finished
    template = services.save_template(event, template_input(), actor=organizer)
    services.issue_certificates(event, actor=organizer)
    certificate = services.live_certificate(people["Ana"])
    data = pdf.certificate_pdf(certificate, template)
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
    text = _text(data)
    for expected in ("CONSTANCIA DE PARTICIPACIÓN", "Ana Ñandú", "Mtra. Ana Pérez Ñúñez", "Comisionada Presidenta",
                     services.display_code(certificate.code), "/constancias/verificar/", event.title):
        assert expected in text, expected
    assert "ana@example.org" not in text


def test_zip_job_holds_one_pdf_per_live_certificate(finished, organizer):
    event, people = finished
    services.save_template(event, template_input(), actor=organizer)
    services.issue_certificates(event, actor=organizer)
    services.revoke_certificate(services.live_certificate(people["Beto"]), "Error de captura", actor=organizer)
    job = create_job(ZIP_JOB, requested_by=organizer, title="Constancias", event=event, total=1)
    db.session.commit()

    assert run_job(job.id, progress_interval=0) == JobStatus.DONE

    job = db.session.get(BackgroundJob, job.id)
    assert job.progress_done == job.progress_total == 1
    assert job.result_filename == f"constancias-{event.slug}.zip"
    with zipfile.ZipFile(io.BytesIO(job.result_data)) as archive:
        names = archive.namelist()
        ana = services.live_certificate(people["Ana"])
        assert names == [pdf.certificate_filename(ana)]
        text = _text(archive.read(names[0]))
    assert "Ana Ñandú" in text and services.display_code(ana.code) in text


def test_zip_job_without_certificates_fails_with_a_spanish_message(app, organizer):
    event = past_event()
    services.save_template(event, template_input(), actor=organizer)
    job = create_job(ZIP_JOB, requested_by=organizer, title="Constancias", event=event)
    db.session.commit()
    assert run_job(job.id) == JobStatus.FAILED
    assert db.session.get(BackgroundJob, job.id).error == "No hay constancias vigentes que descargar."
