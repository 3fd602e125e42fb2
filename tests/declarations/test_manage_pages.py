"""Organizer pages of the editable lists of declarations (issue 15): templates with placeholders and
signatory roles (a retired role stays with whoever had it, and is offered to nobody new)."""

import re

import pytest
from sqlalchemy import select

from foros.core.errors import DomainError
from foros.declarations import manage
from foros.declarations.models import DeclarationTemplate, SignatoryRole
from foros.extensions import db
from tests.conftest import csrf_token_from


def _token(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _template(name):
    return db.session.scalar(select(DeclarationTemplate).where(DeclarationTemplate.name == name))


def _role(name):
    return db.session.scalar(select(SignatoryRole).where(SignatoryRole.name == name))


def test_organizer_creates_and_edits_a_template_offered_for_new_declarations(organizer_client):
    index = organizer_client.get("/gestion/declaratorias").get_data(as_text=True)
    assert "/gestion/declaratorias/plantillas" in index and "/gestion/declaratorias/roles" in index
    page = organizer_client.get("/gestion/declaratorias/plantillas/nueva").get_data(as_text=True)
    assert "{firmantes}" in page and "{municipio}" in page
    token = _token(organizer_client, "/gestion/declaratorias/plantillas/nueva")
    answer = organizer_client.post("/gestion/declaratorias/plantillas/nueva", data={
        "csrf_token": token, "name": "Declaratoria breve", "title": "Compromiso de {municipio}",
        "body": "En {lugar}, el {fecha}, {municipio} se compromete.\n\n{firmantes}", "is_active": "y"})
    assert answer.status_code == 302
    template = _template("Declaratoria breve")
    assert template.is_active and template.title == "Compromiso de {municipio}"
    assert organizer_client.get("/gestion/declaratorias/plantillas").get_data(as_text=True).count(
        "Declaratoria breve") == 1

    url = f"/gestion/declaratorias/plantillas/{template.id}"
    assert "Compromiso de {municipio}" in organizer_client.get(url).get_data(as_text=True)
    answer = organizer_client.post(url, data={
        "csrf_token": _token(organizer_client, url), "name": "Declaratoria corta",
        "title": "Compromiso de {municipio}", "body": "Texto nuevo de {municipio}.", "is_active": "y"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert template.name == "Declaratoria corta" and template.body == "Texto nuevo de {municipio}."

    new = organizer_client.get("/gestion/declaratorias/nueva").get_data(as_text=True)
    assert f'<option value="{template.id}">Declaratoria corta</option>' in new
    answer = organizer_client.post("/gestion/declaratorias/nueva", data={
        "csrf_token": csrf_token_from(new), "municipality_key": "15113", "event_id": "0",
        "template_id": str(template.id), "title": "", "place": "", "signing_date": ""})
    assert answer.status_code == 302
    detail = organizer_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Compromiso de Villa Guerrero" in detail and "Texto nuevo de Villa Guerrero." in detail

    # retired: no longer offered
    organizer_client.post(url, data={"csrf_token": _token(organizer_client, url), "name": "Declaratoria corta",
                                      "title": "", "body": "Texto nuevo de {municipio}."})
    db.session.expire_all()
    assert not template.is_active
    assert "Declaratoria corta" not in organizer_client.get("/gestion/declaratorias/nueva").get_data(as_text=True)


def test_a_template_without_body_keeps_what_was_typed(organizer_client):
    answer = organizer_client.post("/gestion/declaratorias/plantillas/nueva", data={
        "csrf_token": _token(organizer_client, "/gestion/declaratorias/plantillas/nueva"),
        "name": "Sin texto", "title": "Título de {municipio}", "body": "   ", "is_active": "y"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Escriba el texto de la plantilla." in html
    assert 'value="Sin texto"' in html and 'value="Título de {municipio}"' in html
    assert _template("Sin texto") is None
    assert organizer_client.get("/gestion/declaratorias/plantillas/999999").status_code == 404


def test_roles_are_added_renamed_reordered_and_retired(organizer_client):
    url = "/gestion/declaratorias/roles"
    answer = organizer_client.post(url, data={"nuevo-csrf_token": _token(organizer_client, url),
                                              "nuevo-name": "Sindicatura", "nuevo-position": "5",
                                              "nuevo-is_active": "y"})
    assert answer.status_code == 302
    role = _role("Sindicatura")
    assert role.position == 5 and role.is_active
    assert "Sindicatura" in organizer_client.get(url).get_data(as_text=True)

    prefix = f"rol-{role.id}"
    answer = organizer_client.post(f"{url}/{role.id}", data={
        f"{prefix}-csrf_token": _token(organizer_client, url), f"{prefix}-name": "Sindicatura municipal",
        f"{prefix}-position": "7"})  # the checkbox left unticked: retired
    assert answer.status_code == 302
    db.session.expire_all()
    assert (role.name, role.position, role.is_active) == ("Sindicatura municipal", 7, False)
    new = organizer_client.get("/gestion/declaratorias/nueva")
    assert new.status_code == 200

    # a duplicate name is refused, what was typed kept; an empty one too
    other = db.session.scalar(select(SignatoryRole).where(SignatoryRole.id != role.id))
    answer = organizer_client.post(f"{url}/{role.id}", data={
        f"{prefix}-csrf_token": _token(organizer_client, url), f"{prefix}-name": other.name,
        f"{prefix}-position": "8", f"{prefix}-is_active": "y"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Ya existe un rol con ese nombre." in html and f'id="{prefix}-position"' in html
    assert re.search(rf'name="{prefix}-position"[^>]*value="8"|value="8"[^>]*name="{prefix}-position"', html)
    answer = organizer_client.post(url, data={"nuevo-csrf_token": _token(organizer_client, url),
                                              "nuevo-name": " ", "nuevo-position": "1"})
    assert answer.status_code == 422 and "Escriba el nombre del rol" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert (role.name, role.position, role.is_active) == ("Sindicatura municipal", 7, False)
    assert organizer_client.post(f"{url}/999999", data={}).status_code in (400, 404)


def test_staff_is_refused_and_anonymous_goes_to_login(app, staff_client, client):
    urls = ["/gestion/declaratorias/plantillas", "/gestion/declaratorias/plantillas/nueva",
            "/gestion/declaratorias/plantillas/1", "/gestion/declaratorias/roles"]
    for url in urls:
        assert staff_client.get(url).status_code == 403
        answer = app.test_client().get(url)
        assert answer.status_code == 302 and "/entrar" in answer.headers["Location"]
    assert staff_client.post("/gestion/declaratorias/roles/1", data={}).status_code in (400, 403)


def _options(html, select_name):
    """The (value, label, selected) options of one select of a page."""
    select = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [(value, label.strip(), "selected" in attrs)
            for attrs, value, label in re.findall(r'<option([^>]*value="([^"]*)"[^>]*)>([^<]*)</option>', select)]


def test_a_retired_role_stays_with_its_signatory_but_is_never_given_again(organizer_client, organizer):
    declaration = manage.create_declaration(manage.DeclarationInput(municipality_key="15113"), actor=organizer)
    witness_role = db.session.scalar(select(SignatoryRole).where(SignatoryRole.key == "testigo_honor"))
    civil_role = db.session.scalar(select(SignatoryRole).where(SignatoryRole.key == "sociedad_civil"))
    witness = manage.add_signatory(declaration, manage.SignatoryInput(
        name="Lic. Marta Ruiz", position="Testigo", role_id=witness_role.id, email="marta@example.org"))
    other = manage.add_signatory(declaration, manage.SignatoryInput(
        name="Pedro Sol", position="Vocero", role_id=civil_role.id, email="pedro@example.org"))
    manage.save_role(witness_role, witness_role.name, witness_role.position, False, actor=organizer)  # retired
    db.session.commit()
    detail_url = f"/gestion/declaratorias/{declaration.id}"

    # a new signatory: only active roles offered; the retired one sent anyway is refused, what was typed kept
    page = organizer_client.get(detail_url).get_data(as_text=True)
    offered = _options(page.split("Agregar persona firmante")[1], "role_id")
    assert str(witness_role.id) not in [value for value, _, _ in offered]
    assert (str(civil_role.id), "Sociedad civil", False) in offered
    answer = organizer_client.post(f"{detail_url}/firmantes", data={
        "csrf_token": csrf_token_from(page), "name": "Ing. Nadia Flores", "position": "Testigo de honor",
        "institution": "Colegio de Ingenieros", "role_id": str(witness_role.id), "email": "nadia@example.org"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Elija una opción de la lista." in html
    assert 'value="Ing. Nadia Flores"' in html and 'value="Colegio de Ingenieros"' in html
    assert 'value="nadia@example.org"' in html
    db.session.expire_all()
    assert [s.name for s in declaration.signatories] == ["Lic. Marta Ruiz", "Pedro Sol"]
    # the service refuses it too (the API, the demo, whoever calls it)
    with pytest.raises(DomainError) as exc:
        manage.add_signatory(declaration, manage.SignatoryInput(name="Ing. Nadia Flores", role_id=witness_role.id))
    assert exc.value.code == "invalid_signatory" and exc.value.fields["role_id"] == [
        "Ese rol ya no se usa: elija uno de la lista."]

    # whoever had it keeps it: shown as retired and selected, and saving their other changes works
    url = f"{detail_url}/firmantes/{witness.id}"
    page = organizer_client.get(url).get_data(as_text=True)
    assert (str(witness_role.id), "Testigo de honor (retirado)", True) in _options(page, "role_id")
    answer = organizer_client.post(url, data={
        "csrf_token": csrf_token_from(page), "name": "Lic. Marta Ruiz", "position": "Testigo",
        "institution": "Academia", "role_id": str(witness_role.id), "email": "marta.ruiz@example.org"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert (witness.role_id, witness.email, witness.institution) == (
        witness_role.id, "marta.ruiz@example.org", "Academia")

    # another signatory cannot be switched to it
    url = f"{detail_url}/firmantes/{other.id}"
    page = organizer_client.get(url).get_data(as_text=True)
    assert str(witness_role.id) not in [value for value, _, _ in _options(page, "role_id")]
    answer = organizer_client.post(url, data={
        "csrf_token": csrf_token_from(page), "name": "Pedro Sol", "position": "Vocero",
        "role_id": str(witness_role.id), "email": "pedro@example.org"})
    assert answer.status_code == 422 and "Elija una opción de la lista." in answer.get_data(as_text=True)
    with pytest.raises(DomainError) as exc:
        manage.update_signatory(other, manage.SignatoryInput(name="Pedro Sol", role_id=witness_role.id))
    assert exc.value.fields["role_id"] == ["Ese rol ya no se usa: elija uno de la lista."]
    db.session.rollback()
    assert other.role_id == civil_role.id

    # reactivated, it is offered to everyone again
    manage.save_role(witness_role, witness_role.name, witness_role.position, True, actor=organizer)
    db.session.commit()
    page = organizer_client.get(detail_url).get_data(as_text=True)
    offered = _options(page.split("Agregar persona firmante")[1], "role_id")
    assert (str(witness_role.id), "Testigo de honor", False) in offered
