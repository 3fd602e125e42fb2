"""Bad input on the declarations' organizer forms (issue 15): a Spanish message next to the field, what was typed
kept, never a 500 — the hand-made probe of the audit, kept as a test."""

import io

import pytest

from foros.core.time import utcnow
from foros.declarations import manage, signing_inperson
from foros.declarations.models import DeclarationStatus, SignatoryStatus
from foros.extensions import db
from tests.declarations.test_signing import csrf_token_from, open_declaration, pdf_bytes


@pytest.mark.parametrize("day, at, message", [
    ("9999-12-31", "23:59", "entre los años 2000 y 2100"),  # the local→UTC conversion overflowed: a 500
    ("0001-01-01", "00:00", "entre los años 2000 y 2100"),
    ("mañana", "25:99", "Fecha no válida"),
    ("", "", "Indique la fecha."),
])
def test_an_autograph_signature_with_an_impossible_date_is_refused_in_spanish(
        app, organizer, organizer_client, day, at, message):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "")])
    ana = declaration.signatories[0]
    url = f"/gestion/declaratorias/{declaration.id}"
    page = organizer_client.get(f"{url}/firmas").get_data(as_text=True)
    answer = organizer_client.post(f"{url}/firmantes/{ana.id}/autografa", data={
        "csrf_token": csrf_token_from(page), f"s{ana.id}-day": day, f"s{ana.id}-at": at})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and message in html
    if day:
        assert f'value="{day}"' in html  # what was typed is kept
    assert ana.status == SignatoryStatus.PENDING


def test_a_refused_status_change_says_why_even_when_no_change_is_possible(app, organizer, organizer_client):
    """A forged "cancel" on a signed declaration (its page offers no status change): 409 and the reason shown;
    before, the page came back without any message because the form and its errors were hidden."""
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "")])
    signing_inperson.record_autograph(declaration.signatories[0], signed_at=utcnow(), actor=organizer)
    db.session.commit()
    assert declaration.status == DeclarationStatus.SIGNED
    url = f"/gestion/declaratorias/{declaration.id}"
    page = organizer_client.get(url).get_data(as_text=True)
    assert "No hay cambios de estado posibles." in page
    answer = organizer_client.post(f"{url}/estado", data={
        "csrf_token": csrf_token_from(page), "transition": "cancel", "reason": "Por probar"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "No se puede pasar de «Firmada» a «Cancelada»." in html and 'role="alert"' in html
    assert declaration.status == DeclarationStatus.SIGNED


def test_a_scan_uploaded_before_signing_opens_says_why(app, organizer, organizer_client):
    """The scan form shows only while signing is open or done; a forged upload on a draft gets the reason."""
    declaration = manage.create_declaration(manage.DeclarationInput(municipality_key="15113", place="Casa"),
                                            actor=organizer)
    db.session.commit()
    url = f"/gestion/declaratorias/{declaration.id}"
    page = organizer_client.get(f"{url}/firmas").get_data(as_text=True)
    answer = organizer_client.post(f"{url}/copia-escaneada", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(page), "scan": (io.BytesIO(pdf_bytes()), "firmada.pdf")})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "La copia firmada se carga cuando la declaratoria está en firma o firmada." in html
    assert not declaration.scanned_copies


def test_the_signatory_form_shows_every_mistake_at_once(app, organizer, organizer_client):
    """An order out of range (the form's check), an empty name and a bad e-mail (the service's): all three on the
    first answer, the typed values kept; before, the name and e-mail messages only came after fixing the order."""
    declaration = manage.create_declaration(manage.DeclarationInput(municipality_key="15113", place="Casa"),
                                            actor=organizer)
    db.session.commit()
    url = f"/gestion/declaratorias/{declaration.id}"
    page = organizer_client.get(url).get_data(as_text=True)
    answer = organizer_client.post(f"{url}/firmantes", data={
        "csrf_token": csrf_token_from(page), "name": "", "position": "Síndica", "institution": "Ayuntamiento",
        "role_id": "0", "email": "correo-malo", "signing_order": "150"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for message in ("El número debe estar entre 1 y 99.", "Escriba el nombre de la persona firmante.",
                    "Escriba un correo válido"):
        assert message in html, message
    assert 'value="Síndica"' in html and 'value="correo-malo"' in html
    assert not declaration.signatories
