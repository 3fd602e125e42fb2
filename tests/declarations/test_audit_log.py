"""Every signatory status change in the audit log (issue 15, Done when) — including the ones a new version makes:
an edit after signing opened sends every signatory back to pendiente, and the log says who was where."""

from datetime import date

from sqlalchemy import select

from foros.audit.models import AuditEntry
from foros.declarations import manage, signing
from foros.declarations.models import AuditTrailEvent, Signatory, SignatoryStatus, TrailKind
from foros.extensions import db
from tests.declarations.test_signing import csrf_token_from, link_of, open_declaration, open_page


def test_a_new_version_logs_each_signatory_sent_back_to_pending(app, client, organizer):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org"),
                                               ("Beto Comisionado", "beto@example.org"),
                                               ("Carla Testigo", "carla@example.org")])
    open_page(client, link_of("ana@example.org"))  # Ana has seen it
    carla = link_of("carla@example.org")
    client.post(f"/firmar/{carla}/rechazar", data={"csrf_token": csrf_token_from(open_page(client, carla)),
                                                   "reason": "No estoy de acuerdo"})
    db.session.expire_all()
    declaration = db.session.get(type(declaration), declaration.id)
    manage.change_status(declaration, "postpone", reason="Proceso electoral", expected_date=date(2030, 1, 8),
                         actor=organizer)
    manage.change_status(declaration, "resume", actor=organizer)  # borrador: the edit makes a version 2
    data = manage.DeclarationInput(municipality_key="15113", title=declaration.title, place=declaration.place)
    manage.update_declaration(declaration, data, "Texto corregido tras la elección.", actor=organizer)
    db.session.commit()
    assert {s.status for s in declaration.signatories} == {SignatoryStatus.PENDING}

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "declaration.new_version"))
    assert entry.details["version"] == 2
    assert entry.details["signatories"] == [
        {"signatory": "Ana Alcaldesa", "previous_status": "viewed", "status": "pending"},
        {"signatory": "Beto Comisionado", "previous_status": "invited", "status": "pending"},
        {"signatory": "Carla Testigo", "previous_status": "declined", "status": "pending"},
    ]


def test_a_link_opened_before_its_turn_records_no_view(app, client, organizer):
    """With a signing order, a link that reaches someone early (an organizer's resend) shows "Aún no es su turno";
    a POST to its open button must not mark the document as seen nor write the trail and the log."""
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "ana@example.org"),
                                               ("Beto Comisionado", "beto@example.org")], orders=[1, 2])
    beto = declaration.signatories[1]
    signing.issue_link(beto, organizer)
    db.session.commit()
    token = link_of("beto@example.org")
    html = client.get(f"/firmar/{token}").get_data(as_text=True)
    assert "Aún no es su turno" in html
    assert client.post(f"/firmar/{token}/abrir", data={"csrf_token": csrf_token_from(html)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Signatory, beto.id).status == SignatoryStatus.INVITED
    assert not db.session.scalars(select(AuditTrailEvent).where(AuditTrailEvent.kind == TrailKind.VIEWED)).all()
    assert not db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "declaration.signatory_viewed")).all()
