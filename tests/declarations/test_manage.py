"""Organizer side of declarations (issue 15, engineer X): transitions recorded, reminders with frozen time, the
board's filters and XLSX, the municipal process, the API, role checks."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from foros.accounts import services as accounts
from foros.audit.models import AuditEntry
from foros.audit.services import ACTION_LABELS
from foros.core.errors import DomainError
from foros.core.time import as_utc
from foros.declarations import board, manage, process
from foros.declarations.models import (
    DeclarationStatus,
    MilestoneKind,
    MilestoneStatus,
    SignatoryRole,
    SignatoryStatus,
)
from foros.extensions import db
from foros.mail.models import OutboxMessage
from tests.conftest import csrf_token_from


def _role(key):
    return db.session.scalar(select(SignatoryRole).where(SignatoryRole.key == key))


def _declaration(actor=None, municipality="15113", **kw):
    declaration = manage.create_declaration(manage.DeclarationInput(municipality_key=municipality,
                                                                    place="Palacio Municipal", **kw), actor=actor)
    manage.add_signatory(declaration, manage.SignatoryInput(
        name="Mtra. Laura Gómez", position="Presidenta Municipal", institution="Ayuntamiento",
        role_id=_role("presidencia_municipal").id, email="laura@example.org"), actor=actor)
    manage.add_signatory(declaration, manage.SignatoryInput(
        name="Dr. Raúl Díaz", position="Comisionado", institution="Órgano garante",
        role_id=_role("organo_garante").id, email="raul@example.org"), actor=actor)
    db.session.commit()
    return declaration


def _actions(declaration):
    return [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_id == str(declaration.id), AuditEntry.action.like("declaration.%"))
        .order_by(AuditEntry.id))]


def _outbox():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_template_placeholders_are_filled(app, organizer):
    declaration = _declaration(organizer, signing_date=date(2023, 6, 14))
    body = declaration.current_version.body
    assert "Villa Guerrero" in body and "Palacio Municipal" in body and "{municipio}" not in body
    assert declaration.title == "Declaratoria Conjunta de Gobierno Abierto de Villa Guerrero"
    # {firmantes} is filled again when signing opens, with the signatories added since
    manage.change_status(declaration, "open", actor=organizer)
    assert "Mtra. Laura Gómez, Presidenta Municipal" in declaration.current_version.body


def test_every_status_change_is_recorded_with_its_reason(app, organizer):
    declaration = _declaration(organizer)
    with pytest.raises(DomainError) as exc:
        manage.change_status(declaration, "postpone", actor=organizer)
    assert exc.value.code == "reason_required"
    manage.change_status(declaration, "postpone", reason="Pospuesta por proceso electoral 2023",
                         expected_date=date(2023, 8, 1), actor=organizer)
    assert declaration.status == DeclarationStatus.POSTPONED and declaration.expected_date == date(2023, 8, 1)
    manage.change_status(declaration, "open", actor=organizer)
    assert declaration.status == DeclarationStatus.SIGNING
    assert declaration.current_version.content_sha256 and declaration.status_reason == ""
    with pytest.raises(DomainError) as exc:
        manage.change_status(declaration, "restore", actor=organizer)
    assert exc.value.code == "invalid_transition"
    manage.change_status(declaration, "cancel", reason="El ayuntamiento desistió", actor=organizer)
    manage.change_status(declaration, "restore", actor=organizer)
    db.session.commit()
    actions = _actions(declaration)
    for action in ("declaration.create", "declaration.signatory_add", "declaration.postpone",
                   "declaration.open_signing", "declaration.cancel", "declaration.restore"):
        assert action in actions
    assert set(actions) <= set(ACTION_LABELS), set(actions) - set(ACTION_LABELS)
    postponed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "declaration.postpone"))
    assert postponed.details["reason"] == "Pospuesta por proceso electoral 2023"
    assert postponed.details["status"] == ["draft", "postponed"]


def test_open_needs_signatories(app, organizer):
    declaration = manage.create_declaration(manage.DeclarationInput(municipality_key="15121"), actor=organizer)
    with pytest.raises(DomainError) as exc:
        manage.change_status(declaration, "open", actor=organizer)
    assert exc.value.code == "no_signatories"


def test_reminders_every_n_days_with_frozen_time(app, organizer):
    app.config["DECLARATIONS_REMINDER_DAYS"] = 3
    declaration = _declaration(organizer)
    manage.change_status(declaration, "open", actor=organizer)
    db.session.commit()
    invited = as_utc(declaration.signatories[0].invited_at)
    before = _outbox()
    assert before == 2  # the two invitations
    assert board.send_due_reminders(now=invited + timedelta(days=2, hours=23)) == 0
    assert board.send_due_reminders(now=invited + timedelta(days=3, minutes=1)) == 2
    db.session.commit()
    assert _outbox() == before + 2
    assert board.send_due_reminders(now=invited + timedelta(days=3, hours=2)) == 0  # once per N days
    assert board.send_due_reminders(now=invited + timedelta(days=5)) == 0
    # one signs... (declines here): no more reminders for them; the other is reminded again after 3 more days
    declaration.signatories[1].status = SignatoryStatus.DECLINED
    db.session.commit()
    assert board.send_due_reminders(now=invited + timedelta(days=6, minutes=2)) == 1
    db.session.commit()
    assert _outbox() == before + 3
    laura = declaration.signatories[0]
    assert laura.status == SignatoryStatus.INVITED and as_utc(laura.invited_at) == invited
    assert as_utc(laura.last_reminded_at) == invited + timedelta(days=6, minutes=2)
    app.config["DECLARATIONS_REMINDER_DAYS"] = 0
    assert board.send_due_reminders(now=invited + timedelta(days=30)) == 0


def test_board_filters_and_xlsx(app, organizer_client, organizer):
    signing = _declaration(organizer)
    manage.change_status(signing, "open", actor=organizer)
    postponed = _declaration(organizer, municipality="15121")
    manage.change_status(postponed, "postpone", reason="Proceso electoral", actor=organizer)
    db.session.commit()
    page = organizer_client.get("/gestion/declaratorias/tablero").get_data(as_text=True)
    assert "Villa Guerrero" in page and "Cuautitlán Izcalli" in page and "días sin firmar" in page
    page = organizer_client.get("/gestion/declaratorias/tablero?status=postponed&municipality=&role=0")
    text = page.get_data(as_text=True).split("<tbody>")[1]  # the rows, not the filters' options
    assert page.status_code == 200 and "Cuautitlán Izcalli" in text and "Villa Guerrero" not in text
    bad = organizer_client.get("/gestion/declaratorias/tablero?status=nada")
    assert bad.status_code == 422
    response = organizer_client.get("/gestion/declaratorias/tablero.xlsx?status=signing&municipality=15113&role="
                                    f"{_role('organo_garante').id}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Municipio", "Declaratoria", "Estado")
    assert {r[0] for r in rows[1:]} == {"Villa Guerrero"}
    assert {r[6] for r in rows[1:]} == {"Mtra. Laura Gómez", "Dr. Raúl Díaz"}
    assert {r[10] for r in rows[1:]} == {"Invitado"}


def test_one_click_reminder_from_the_board(app, organizer_client, organizer):
    declaration = _declaration(organizer)
    manage.change_status(declaration, "open", actor=organizer)
    db.session.commit()
    signatory = declaration.signatories[0]
    token = csrf_token_from(organizer_client.get("/gestion/declaratorias/tablero").get_data(as_text=True))
    before = _outbox()
    response = organizer_client.post(
        f"/gestion/declaratorias/{declaration.id}/firmantes/{signatory.id}/recordar",
        data={"csrf_token": token, "next": "board"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/gestion/declaratorias/tablero")
    assert _outbox() == before + 1
    assert "declaration.reminder" in _actions(declaration)


def test_organizer_pages_create_edit_and_transition(app, organizer_client, organizer):
    page = organizer_client.get("/gestion/declaratorias/nueva").get_data(as_text=True)
    token = csrf_token_from(page)
    response = organizer_client.post("/gestion/declaratorias/nueva", data={
        "csrf_token": token, "municipality_key": "15060", "event_id": "0", "template_id": "0", "title": "",
        "place": "Explanada municipal", "signing_date": "2023-09-20"})
    assert response.status_code == 302
    declaration = manage.list_declarations()[0]
    assert declaration.municipality_key == "15060" and "Nicolás Romero" in declaration.title
    bad = organizer_client.post("/gestion/declaratorias/nueva", data={
        "csrf_token": token, "municipality_key": "99999", "event_id": "0", "template_id": "0",
        "place": "Conservado"})
    assert bad.status_code == 422 and "Conservado" in bad.get_data(as_text=True)
    url = f"/gestion/declaratorias/{declaration.id}"
    bad = organizer_client.post(url + "/firmantes", data={"csrf_token": token, "name": "Ana", "email": "no-es",
                                                          "role_id": "0"})
    assert bad.status_code == 422
    assert organizer_client.post(url + "/firmantes", data={
        "csrf_token": token, "name": "Lic. Ana Ruiz", "email": "ana@example.org", "role_id": "0",
        "signing_order": "1"}).status_code == 302
    refused = organizer_client.post(url + "/estado", data={"csrf_token": token, "transition": "cancel"})
    assert refused.status_code == 422 and "Escriba el motivo" in refused.get_data(as_text=True)
    assert organizer_client.post(url + "/estado", data={"csrf_token": token, "transition": "nada"}).status_code \
        == 422
    assert organizer_client.post(url + "/estado", data={"csrf_token": token, "transition": "open"}).status_code \
        == 302
    db.session.expire_all()
    assert manage.get_declaration(declaration.id).status == DeclarationStatus.SIGNING
    # the text edited after signing opened makes version 2
    form = {"csrf_token": token, "municipality_key": "15060", "event_id": "0", "title": declaration.title,
            "place": "Explanada municipal", "signing_date": "2023-09-20", "body": "Texto corregido."}
    assert organizer_client.post(url, data=form).status_code == 302
    db.session.expire_all()
    assert manage.get_declaration(declaration.id).current_version.number == 2


def test_municipal_process_and_state_view(app, organizer_client, organizer):
    with pytest.raises(DomainError) as exc:
        process.update_milestone("15031", MilestoneKind.FORUM, process.MilestoneInput(status=MilestoneStatus.DONE),
                                 actor=organizer)
    assert exc.value.code == "invalid_milestone"  # done needs its actual date
    process.update_milestone("15031", MilestoneKind.FORUM, process.MilestoneInput(
        status=MilestoneStatus.DONE, actual_date=date(2023, 3, 10)), actor=organizer)
    process.update_milestone("15031", MilestoneKind.CALL, process.MilestoneInput(
        status=MilestoneStatus.POSTPONED, planned_date=date(2023, 5, 1), notes="Pospuesta por proceso electoral"),
        actor=organizer)
    db.session.commit()
    rows = process.state_rows()
    assert len(rows) == 125
    chimalhuacan = next(r for r in rows if r.key == "15031")
    assert chimalhuacan.reached == 1 and chimalhuacan.postponed
    assert process.map_counts(rows) == {"15031": 1}
    assert [r.key for r in process.at_stage(rows, "call")] == ["15031"]
    assert process.at_stage(rows, "forum") == [] and process.at_stage(rows, "done") == []
    assert len(process.at_stage(rows, "none")) == 124 and process.at_stage(rows, "") == rows
    page = organizer_client.get("/gestion/proceso-municipal").get_data(as_text=True)
    assert "Pospuesta por proceso electoral" in page and "<svg" in page
    filtered = organizer_client.get("/gestion/proceso-municipal?etapa=call").get_data(as_text=True)
    assert "Chimalhuacán" in filtered and "Villa Guerrero" not in filtered
    page = organizer_client.get("/gestion/proceso-municipal/15031").get_data(as_text=True)
    token = csrf_token_from(page)
    response = organizer_client.post("/gestion/proceso-municipal/15031", data={
        "csrf_token": token, "kind": "signing", "signing-csrf_token": token, "signing-status": "scheduled",
        "signing-planned_date": "2023-10-02", "signing-notes": "Tras la elección"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert organizer_client.get("/gestion/proceso-municipal/99999").status_code == 404
    assert "declaration.milestone_update" in ACTION_LABELS


def test_role_checks(app, client, staff_client, organizer):
    declaration = _declaration(organizer)
    for url in ("/gestion/declaratorias", "/gestion/declaratorias/tablero", "/gestion/declaratorias/tablero.xlsx",
                f"/gestion/declaratorias/{declaration.id}", "/gestion/proceso-municipal",
                "/gestion/proceso-municipal/15031"):
        assert staff_client.get(url).status_code == 403
        response = client.get(url)
        assert response.status_code == 302 and "/entrar" in response.headers["Location"]


def test_api_lists_declarations_for_organizer_tokens(app, client, organizer, staff):
    declaration = _declaration(organizer)
    manage.change_status(declaration, "open", actor=organizer)
    _row, token = accounts.create_token(organizer, "declaratorias")
    _row, staff_token = accounts.create_token(staff, "personal")
    db.session.commit()
    response = client.get("/api/v1/declarations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    (item,) = response.get_json()["declarations"]
    assert item["municipality"] == "Villa Guerrero" and item["status"] == "signing" and item["version"] == 1
    assert item["content_sha256"] == declaration.current_version.content_sha256
    assert {(s["role"], s["status"]) for s in item["signatories"]} == {
        ("Presidencia municipal", "invited"), ("Órgano garante", "invited")}
    staff_answer = client.get("/api/v1/declarations", headers={"Authorization": f"Bearer {staff_token}"})
    assert staff_answer.status_code == 403
    assert client.get("/api/v1/declarations").status_code == 401
    bad = client.get("/api/v1/declarations?status=nada", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/declarations" in spec["paths"]
