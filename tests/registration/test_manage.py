"""Organizer registration pages: list, search, filters, counts, by hand, detail, cancel, resend, settings,
anonymisation — and that staff never see them."""

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from foros.audit.models import AuditEntry
from foros.core.errors import DomainError
from foros.core.time import local_today
from foros.events.models import DEFAULT_SECTORS, Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration import lifecycle, manage, signup
from foros.registration.inputs import RegistrationInput
from foros.registration.models import Registration, RegistrationSource, RegistrationStatus
from tests.conftest import make_event


def person(n=1, **overrides) -> RegistrationInput:
    values = dict(name=f"Persona Número {n}", email=f"persona{n}@example.org", sector="ciudadania",
                  municipality_key="15031", privacy_consent=True)
    values.update(overrides)
    return RegistrationInput(**values)


def register(event, n=1, **overrides) -> Registration:
    registration = signup.register_attendee(event, person(n, **overrides),
                                              source=RegistrationSource.MANUAL).registration
    db.session.commit()
    return registration


def kinds() -> list[str]:
    return [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def count(model=Registration) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return [a.action for a in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def base(event) -> str:
    return f"/gestion/eventos/{event.slug}"


def past_event(**overrides):
    past = local_today() - timedelta(days=3)
    return make_event(days=[DayInput(past, time(9), time(10))], **overrides)


def form_data(**overrides) -> dict:
    data = {"name": "Regidora Invitada Pérez", "email": "regidora@example.org", "phone": "",
            "sector": "servidor_publico", "organization": "Ayuntamiento de Toluca", "position": "Regidora",
            "municipality": "Toluca", "gender": "mujer", "accessibility": "", "send_ticket": "y"}
    data.update(overrides)
    return data


# --- List, search, filters, counts ---------------------------------------------------------------------


@pytest.fixture
def hybrid_event(app):
    first = local_today() + timedelta(days=10)
    event = make_event(modality=Modality.HIBRIDA, capacity_in_person=1, capacity_virtual=None,
                       days=[DayInput(first, time(9), time(14)),
                             DayInput(first + timedelta(days=1), time(9), time(14))])
    register(event, 1, name="Ana Academia", sector="academia", gender="mujer", modality="presencial",
             organization="UAEMéx", days=[first])
    register(event, 2, name="Beto Espera", modality="presencial", gender="hombre", days=[first])
    register(event, 3, name="Carla Virtual", modality="virtual", municipality_key="otra",
             days=[first + timedelta(days=1)])
    cancelled = register(event, 4, name="Dora Cancelada", modality="virtual", days=[first])
    lifecycle.cancel_registration(cancelled)
    db.session.commit()
    return event


def names_in(html: str) -> set[str]:
    return {n for n in ("Ana Academia", "Beto Espera", "Carla Virtual", "Dora Cancelada") if n in html}


def test_list_shows_counts_seats_and_waitlist_position(organizer_client, hybrid_event):
    response = organizer_client.get(f"{base(hybrid_event)}/registros")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert names_in(html) == {"Ana Academia", "Beto Espera", "Carla Virtual", "Dora Cancelada"}
    assert "Lugar 1 en la lista" in html
    assert "1 de 1 lugares ocupados; quedan <strong>0</strong>" in html
    assert "sin límite de cupo" in html
    # by status × modality: confirmed 1 presencial + 1 virtual, waitlisted 1 presencial, cancelled 1 virtual
    assert re.search(r"<th scope=\"row\">Confirmado</th><td>1</td><td>1</td><td>2</td>", html)
    assert re.search(r"<th scope=\"row\">En lista de espera</th><td>1</td><td>0</td><td>1</td>", html)
    assert re.search(r"<th scope=\"row\">Cancelado</th><td>0</td><td>1</td><td>1</td>", html)
    assert "<td>Academia</td><td>1</td>" in html and "<td>Mujer</td><td>1</td>" in html
    assert "<td>Otra entidad</td><td>1</td>" in html and "<td>Chimalhuacán</td><td>2</td>" in html
    assert "<script" not in html and "style=" not in html


FILTER_CASES = [
    ("q=ciudadania", set()),  # sector is not searched, only name / e-mail / organization
    ("q=uaem", {"Ana Academia"}),
    ("q=PERSONA2%40", {"Beto Espera"}),
    ("q=%25", set()),
    ("estado=waitlisted", {"Beto Espera"}),
    ("estado=cancelled", {"Dora Cancelada"}),
    ("sector=academia", {"Ana Academia"}),
    ("modalidad=virtual", {"Carla Virtual", "Dora Cancelada"}),
    ("municipio=otra", {"Carla Virtual"}),
    ("estado=confirmed&modalidad=presencial", {"Ana Academia"}),
    ("estado=no-existe&sector=%3Cb%3E", {"Ana Academia", "Beto Espera", "Carla Virtual", "Dora Cancelada"}),
]


def test_search_and_filters(organizer_client, hybrid_event):
    for query, expected in FILTER_CASES:
        response = organizer_client.get(f"{base(hybrid_event)}/registros?{query}")
        assert response.status_code == 200
        table = response.get_data(as_text=True).split("Personas registradas", 1)[1]
        assert names_in(table) == expected, query


def test_day_filter(organizer_client, hybrid_event):
    second = hybrid_event.days[1].day.isoformat()
    html = organizer_client.get(f"{base(hybrid_event)}/registros?dia={second}").get_data(as_text=True)
    assert names_in(html.split("Personas registradas", 1)[1]) == {"Carla Virtual"}


def test_pages_and_odd_query_strings(organizer_client, app):
    event = make_event(capacity_in_person=None)
    for i in range(55):
        signup.register_attendee(event, person(i, name=f"Persona {i:02d}"), notify=False)
    db.session.commit()
    first = organizer_client.get(f"{base(event)}/registros?sector=ciudadania").get_data(as_text=True)
    assert "Persona 54" in first and "Persona 00" not in first and "Página 1 de 2" in first
    assert "pagina=2" in first and "sector=ciudadania" in first
    second = organizer_client.get(f"{base(event)}/registros?pagina=2").get_data(as_text=True)
    assert "Persona 00" in second and "Persona 54" not in second
    for query in ("pagina=99999999999999", "pagina=-3", "_scheme=https&slug=otro&pagina=2", "q=" + "x" * 500):
        assert organizer_client.get(f"{base(event)}/registros?{query}").status_code == 200


# --- Registration by hand ------------------------------------------------------------------------------


def test_manual_registration_sends_ticket_and_needs_no_consent(organizer_client, organizer):
    event = make_event()
    page = organizer_client.get(f"{base(event)}/registros/nuevo").get_data(as_text=True)
    assert "Enviar el boleto por correo" in page and "privacy_consent" not in page
    response = organizer_client.post(f"{base(event)}/registros/nuevo", data=form_data())
    reg = db.session.scalars(select(Registration)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/registros/{reg.ticket_id}")
    assert reg.source == RegistrationSource.MANUAL and reg.privacy_consent_at is None
    assert reg.municipality_key == "15106" and reg.status == RegistrationStatus.CONFIRMED
    assert kinds() == ["registration.confirmed"]
    assert "registration.create" in actions()
    html = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "quedó registrado(a) y confirmado(a)" in html and "Regidora Invitada Pérez" in html


def test_manual_registration_without_email_ticket_and_duplicates(organizer_client):
    event = make_event()
    response = organizer_client.post(f"{base(event)}/registros/nuevo", data=form_data(send_ticket=""))
    assert response.status_code == 302 and count() == 1 and kinds() == []
    again = organizer_client.post(f"{base(event)}/registros/nuevo",
                                  data=form_data(email="REGIDORA@example.org", name="Otra Persona"))
    assert again.status_code == 302 and count() == 1 and kinds() == []
    assert "Ya hay un registro con ese correo" in organizer_client.get(again.headers["Location"]).get_data(
        as_text=True)


def test_manual_registration_errors_in_spanish(organizer_client):
    event = make_event()
    response = organizer_client.post(f"{base(event)}/registros/nuevo",
                                     data=form_data(email="no-es-correo", name="<b>X</b>", sector="nada"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Escriba un correo electrónico válido" in html and "Elija un sector de la lista" in html
    assert "&lt;b&gt;X&lt;/b&gt;" in html and count() == 0


def test_manual_registration_respects_capacity(organizer_client):
    event = make_event(capacity_in_person=1)
    register(event, 1)
    organizer_client.post(f"{base(event)}/registros/nuevo", data=form_data())
    reg = db.session.scalar(select(Registration).where(Registration.email_normalized == "regidora@example.org"))
    assert reg.status == RegistrationStatus.WAITLISTED
    assert kinds()[-1] == "registration.waitlisted"


# --- Detail, cancel, resend ----------------------------------------------------------------------------


def test_detail_page_and_404s(organizer_client):
    event = make_event()
    other = make_event(title="Otro foro")
    reg = register(event, 1, accessibility="Silla de ruedas", gender="no_binario")
    html = organizer_client.get(f"{base(event)}/registros/{reg.ticket_id}").get_data(as_text=True)
    assert "Persona Número 1" in html and "Silla de ruedas" in html and "No binario" in html
    assert "Reenviar boleto por correo" in html and "Cancelar este registro" in html
    assert organizer_client.get(f"{base(other)}/registros/{reg.ticket_id}").status_code == 404
    missing = organizer_client.get(f"{base(event)}/registros/0000000000000000")
    assert missing.status_code == 404 and "No existe ese registro" in missing.get_data(as_text=True)
    assert organizer_client.get(f"{base(event)}/registros/{'a' * 300}").status_code == 404


def test_cancel_promotes_the_next_person_waiting(organizer_client):
    event = make_event(capacity_in_person=1)
    first = register(event, 1, name="Primera Persona")
    second = register(event, 2, name="Segunda Persona")
    assert second.status == RegistrationStatus.WAITLISTED
    response = organizer_client.post(f"{base(event)}/registros/{first.ticket_id}/cancelar")
    assert response.status_code == 302
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status == RegistrationStatus.CANCELLED and second.status == RegistrationStatus.CONFIRMED
    assert kinds()[-2:] == ["registration.promoted", "registration.cancelled"]
    assert "registration.cancel" in actions()
    html = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pasó de la lista de espera a confirmado: Segunda Persona" in html
    again = organizer_client.post(f"{base(event)}/registros/{first.ticket_id}/cancelar", follow_redirects=True)
    assert "ya estaba cancelado" in again.get_data(as_text=True)


def test_resend_ticket_queues_a_new_message_and_audits(organizer_client):
    event = make_event()
    reg = register(event, 1)
    before = len(kinds())
    response = organizer_client.post(f"{base(event)}/registros/{reg.ticket_id}/reenviar", follow_redirects=True)
    assert "está en la cola de correo para persona1@example.org" in response.get_data(as_text=True)
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert len(kinds()) == before + 1 and message.kind == "registration.ticket_resent"
    assert message.to_address == "persona1@example.org" and reg.access_token in message.body_text
    assert message.registration_id == reg.id
    assert actions()[-1] == "registration.resend"


def test_resend_refused_for_cancelled_and_anonymised(app, organizer):
    event = make_event()
    reg = register(event, 1)
    lifecycle.cancel_registration(reg)
    with pytest.raises(DomainError) as err:
        manage.resend_ticket(reg, organizer)
    assert err.value.code == "registration_cancelled"
    live = register(event, 2)
    live.anonymized_at = live.created_at
    with pytest.raises(DomainError) as err:
        manage.resend_ticket(live, organizer)
    assert err.value.code == "registration_anonymized"


def test_resend_of_cancelled_registration_via_page(organizer_client):
    event = make_event()
    reg = register(event, 1)
    lifecycle.cancel_registration(reg)
    db.session.commit()
    before = len(kinds())
    html = organizer_client.post(f"{base(event)}/registros/{reg.ticket_id}/reenviar",
                                 follow_redirects=True).get_data(as_text=True)
    assert "no hay boleto que reenviar" in html and len(kinds()) == before
    assert "Reenviar boleto" not in html


# --- Settings ------------------------------------------------------------------------------------------


def settings_form(sectors, privacy="Aviso nuevo.\n\nSegundo párrafo.", removed=()):
    data = {"privacy_notice": privacy}
    for i, (key, label) in enumerate(sectors):
        data[f"sectors-{i}-key"] = key
        data[f"sectors-{i}-label"] = label
        if key in removed:
            data[f"sectors-{i}-remove"] = "y"
    return data


def test_settings_rename_add_remove_keep_keys(organizer_client, organizer):
    event = make_event()
    reg = register(event, 1, sector="academia")
    page = organizer_client.get(f"{base(event)}/registro/ajustes").get_data(as_text=True)
    assert "Sociedad civil organizada" in page and "Nuevo sector" in page
    assert event.privacy_notice[:40] in page
    sectors = [(s["key"], s["label"]) for s in DEFAULT_SECTORS]
    sectors[1] = ("academia", "Academia e investigación")
    sectors += [("", "Pueblos originarios"), ("", "  "), ("", "Estudiante ")]
    response = organizer_client.post(f"{base(event)}/registro/ajustes",
                                     data=settings_form(sectors, removed={"medios", "estudiante"}))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(event)
    keys = [s["key"] for s in event.sector_options]
    assert "medios" not in keys and "academia" in keys
    assert event.sector_label("academia") == "Academia e investigación"
    assert {"key": "pueblos_originarios", "label": "Pueblos originarios"} in event.sector_options
    # "Estudiante" was removed and added back in the same save: a new key, not a clash
    assert {"key": "estudiante_2", "label": "Estudiante"} in event.sector_options
    assert event.privacy_notice == "Aviso nuevo.\n\nSegundo párrafo."
    db.session.refresh(reg)
    assert reg.sector == "academia"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.settings")).one()
    assert set(entry.details) == {"sectors", "privacy_notice"}
    public = organizer_client.get(f"/eventos/{event.slug}/registro").get_data(as_text=True)
    assert "Pueblos originarios" in public and "Segundo párrafo" in public


def test_settings_refuse_removing_a_used_sector_and_empty_notice(organizer_client):
    event = make_event()
    register(event, 1, sector="academia")
    before = list(event.sector_options)
    sectors = [(s["key"], s["label"]) for s in DEFAULT_SECTORS]
    response = organizer_client.post(f"{base(event)}/registro/ajustes",
                                     data=settings_form(sectors, privacy=" ", removed={"academia"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No se puede quitar «Academia»: 1 registro(s) lo usan" in html
    assert "Escriba el aviso de privacidad" in html
    db.session.refresh(event)
    assert event.sector_options == before


@pytest.mark.parametrize(("sectors", "message"), [
    ([("inventada", "Inventada")], "recargue la página"),
    ([("", "Uno"), ("", "uno")], "está repetido"),
    ([], "al menos un sector"),
    ([("", "x" * 81)], "máximo 80 caracteres"),
    ([("", f"Sector {i}") for i in range(31)], "Como máximo 30"),
])
def test_settings_service_validates(app, organizer, sectors, message):
    event = make_event()
    with pytest.raises(DomainError) as err:
        manage.update_registration_settings(event, [{"key": k, "label": v} for k, v in sectors], "Aviso",
                                              organizer)
    assert err.value.code == "invalid_settings"
    assert message in " ".join(err.value.fields["sectors"])


def test_settings_without_changes_record_nothing(app, organizer):
    event = make_event()
    manage.update_registration_settings(event, [dict(s) for s in event.sector_options], event.privacy_notice,
                                          organizer)
    assert "registration.settings" not in actions()


# --- Anonymisation -------------------------------------------------------------------------------------


def test_anonymise_only_after_the_event(organizer_client):
    event = make_event()
    reg = register(event, 1)
    page = organizer_client.get(f"{base(event)}/registros/anonimizar").get_data(as_text=True)
    assert "aún no termina" in page and "se mantienen" in page and 'type="submit" class="danger"' not in page
    html = organizer_client.post(f"{base(event)}/registros/anonimizar", follow_redirects=True).get_data(
        as_text=True)
    assert "Solo se puede anonimizar cuando el evento ya terminó" in html
    db.session.refresh(reg)
    assert reg.anonymized_at is None and reg.email == "persona1@example.org"


def test_anonymise_past_event_keeps_counts(organizer_client):
    event = past_event()
    for i in range(3):
        manage.register_by_organizer(event, person(i, sector="academia", gender="mujer"), send_ticket=False)
    db.session.commit()
    before = lifecycle.registration_counts(event)
    page = organizer_client.get(f"{base(event)}/registros/anonimizar").get_data(as_text=True)
    assert "<strong>3 registros</strong>" in page and "por sector, sexo y municipio se mantienen" in page
    response = organizer_client.post(f"{base(event)}/registros/anonimizar", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Se anonimizaron 3 registros" in html and "Persona anonimizada" in html
    assert "persona1@example.org" not in html
    assert lifecycle.registration_counts(event) == before
    rows = db.session.scalars(select(Registration)).all()
    assert all(r.anonymized_at and r.email is None and r.phone == "" for r in rows)
    assert "event.anonymize" in actions()
    again = organizer_client.get(f"{base(event)}/registros/anonimizar").get_data(as_text=True)
    assert "No quedan registros con datos personales" in again
    detail = organizer_client.get(f"{base(event)}/registros/{rows[0].ticket_id}").get_data(as_text=True)
    assert "anonimizados" in detail and "Reenviar boleto" not in detail


# --- Access --------------------------------------------------------------------------------------------


def manage_routes(event, reg):
    b = base(event)
    return [
        ("GET", f"{b}/registros"), ("GET", f"{b}/registros/nuevo"), ("POST", f"{b}/registros/nuevo"),
        ("GET", f"{b}/registros/{reg.ticket_id}"), ("POST", f"{b}/registros/{reg.ticket_id}/cancelar"),
        ("POST", f"{b}/registros/{reg.ticket_id}/reenviar"), ("GET", f"{b}/registro/ajustes"),
        ("POST", f"{b}/registro/ajustes"), ("GET", f"{b}/registros/anonimizar"),
        ("POST", f"{b}/registros/anonimizar"), ("GET", f"{b}/registros/importar"),
        ("POST", f"{b}/registros/importar"), ("POST", f"{b}/registros/importar/confirmar"),
        ("GET", f"{b}/registros/importar/plantilla.csv"), ("GET", f"{b}/registros/importar/plantilla.xlsx"),
    ]


def test_staff_never_see_registration_pages(staff_client):
    event = past_event()
    reg = register(event, 1)
    for method, url in manage_routes(event, reg):
        response = staff_client.open(url, method=method)
        assert response.status_code == 403, (method, url)
        assert "persona1@example.org" not in response.get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.status == RegistrationStatus.CONFIRMED and reg.anonymized_at is None
    assert kinds() == ["registration.confirmed"]  # only the attendee's own confirmation


def test_anonymous_people_are_sent_to_login(client):
    event = make_event()
    reg = register(event, 1)
    for method, url in manage_routes(event, reg):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/entrar" in response.headers["Location"], (method, url)


def test_event_page_links_to_registrations(organizer_client):
    event = make_event()
    html = organizer_client.get(base(event)).get_data(as_text=True)
    assert f'href="/gestion/eventos/{event.slug}/registros"' in html
