"""The audit log and the outbox read in Spanish, from one catalogue; attendees' own changes and the door's
admissions by hand are recorded."""

import re
import uuid
from datetime import time

from sqlalchemy import select

from foros.accounts.models import Role
from foros.accounts.services import update_user
from foros.audit.catalogue import describe_details, message_kind_label
from foros.audit.models import AuditEntry
from foros.audit.services import ACTION_LABELS, record_action
from foros.core.time import local_today
from foros.events.services import DayInput
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration.inputs import RegistrationInput
from foros.registration.models import Registration
from foros.registration.signup import register_attendee
from tests.conftest import login, make_event
from tests.registration.test_views import form_data


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_details_in_spanish():
    rows = dict(describe_details({
        "tickets_sent": True, "created": 1200, "events": ["foro-a", "foro-b"], "source": "walkin",
        "status": ["draft", "published"], "capacity_in_person": [100, 120], "active": [True, False],
        "registration_closes_at": [None, "2026-12-24T05:59:00+00:00"], "days": ["2026-12-24 09:00-14:00"],
        "fields": ["email", "days"], "by": "attendee", "kind": "registration.confirmed", "unknown_key": "x",
    }))
    assert rows["Boletos enviados"] == "Sí"
    assert rows["Registros creados"] == "1,200"
    assert rows["Eventos"] == "foro-a, foro-b"
    assert rows["Origen"] == "en la puerta (sin registro previo)"
    assert rows["Estado"] == "borrador → publicado"
    assert rows["Cupo presencial"] == "100 → 120"
    assert rows["Activa"] == "Sí → No"
    assert rows["Cierre del registro"] == "— → 23 dic 2026, 23:59"
    assert rows["Días"] == "2026-12-24 09:00-14:00"
    assert rows["Datos corregidos"] == "correo, días"
    assert rows["Quién"] == "la persona registrada, desde su enlace"
    assert rows["Tipo de correo"] == "Confirmación de registro (boleto)"
    assert rows["Unknown key"] == "x"


def test_every_kind_of_message_has_a_spanish_label(app):
    kinds = ["registration.confirmed", "registration.waitlisted", "registration.promoted",
             "registration.cancelled", "registration.link_resent", "registration.ticket_resent",
             "user.password_reset"]
    for kind in kinds:
        assert message_kind_label(kind) != kind and "." not in message_kind_label(kind)


def test_audit_page_shows_no_raw_keys_or_python_values(organizer_client, organizer):
    event = make_event(actor=organizer)
    record_action(organizer, "registration.import", event, details={
        "file": "invitados.csv", "created": 3, "skipped": 0, "waitlisted": 0, "tickets_sent": True})
    record_action(organizer, "user.create", None, object_type="user", label="x@example.org",
                  details={"role": "staff", "events": [event.slug, "otro"]})
    record_action(organizer, "registration.create", None, object_type="registration", label="Ana",
                  details={"status": "confirmed", "source": "walkin"})
    db.session.commit()
    page = text(organizer_client.get("/gestion/bitacora").get_data(as_text=True))
    assert "Boletos enviados : Sí" in page and "tickets_sent" not in page and "True" not in page
    assert "Eventos : " + f"{event.slug}, otro" in page and "['" not in page
    assert "Origen : en la puerta (sin registro previo)" in page and "walkin" not in page
    assert "Rol : personal de registro" in page


def test_attendee_corrections_and_cancellation_are_recorded(client, organizer_client):
    event = make_event(capacity_in_person=5)
    client.post(f"/eventos/{event.slug}/registro", data=form_data())
    reg = db.session.scalars(select(Registration)).one()
    assert client.post(f"/boleto/{reg.access_token}/editar",
                       data=form_data(name="Lucía Hernández", phone="5599998888")).status_code == 302
    client.post(f"/boleto/{reg.access_token}/cancelar")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("registration.%"))
                                 .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["registration.update", "registration.cancel"]
    assert entries[0].details == {"by": "attendee", "fields": ["name", "phone"]}
    assert entries[0].actor_name == "Lucía Hernández (persona registrada)" and entries[0].actor_id is None
    assert "5599998888" not in str(entries[0].details)  # names of fields, never the personal data
    page = text(organizer_client.get("/gestion/bitacora?accion=registration.update").get_data(as_text=True))
    assert "Corrigió registro" in page and "Datos corregidos : nombre, teléfono" in page
    page = text(organizer_client.get("/gestion/bitacora?accion=registration.cancel").get_data(as_text=True))
    assert "Canceló registro" in page and "Quién : la persona registrada, desde su enlace" in page


def test_manual_admission_at_the_door_is_recorded(app, organizer, staff):
    event = make_event(days=[DayInput(local_today(), time(0, 0), time(23, 59))])
    reg = register_attendee(event, RegistrationInput(
        name="Ana Puerta", email="ana@example.org", sector="academia", municipality_key="15031",
        privacy_consent=True)).registration
    update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event], actor=organizer)
    db.session.commit()
    client = app.test_client()
    login(client, staff.email)
    door = f"/puerta/{event.slug}/{local_today().isoformat()}"
    client.get(door)
    client.post(f"{door}/admitir", data={"registro": reg.ticket_id})
    client.post(f"{door}/admitir", data={"registro": reg.ticket_id})  # already in: nothing more to record
    client.post(f"{door}/escanear", json={"code": "x", "scan_id": str(uuid.uuid4())})  # scans are not audited
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "checkin.admit")).all()
    assert len(entries) == 1
    assert entries[0].actor_name == staff.name and entries[0].object_label.startswith("Ana Puerta — ")
    assert "checkin.admit" in ACTION_LABELS


def test_outbox_shows_kinds_in_spanish(organizer_client):
    event = make_event()
    organizer_client.post(f"/eventos/{event.slug}/registro", data=form_data())
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.kind == "registration.confirmed"
    listing = organizer_client.get("/gestion/correos").get_data(as_text=True)
    detail = organizer_client.get(f"/gestion/correos/{message.id}").get_data(as_text=True)
    for html in (listing, detail):
        assert "Confirmación de registro (boleto)" in html and "registration.confirmed" not in html
