"""Every signatory status change in the audit log (issue 15, Done when) — including the ones a new version makes:
an edit after signing opened sends every signatory back to pendiente, and the log says who was where."""

from datetime import date

from sqlalchemy import select

from foros.audit.models import AuditEntry
from foros.declarations import manage
from foros.declarations.models import SignatoryStatus
from foros.declarations.versions import new_version
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
    manage.update_declaration(declaration, data, "Texto corregido tras la elección.", actor=organizer,
                              new_version=new_version)
    db.session.commit()
    assert {s.status for s in declaration.signatories} == {SignatoryStatus.PENDING}

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "declaration.new_version"))
    assert entry.details["version"] == 2
    assert entry.details["signatories"] == [
        {"signatory": "Ana Alcaldesa", "previous_status": "viewed", "status": "pending"},
        {"signatory": "Beto Comisionado", "previous_status": "invited", "status": "pending"},
        {"signatory": "Carla Testigo", "previous_status": "declined", "status": "pending"},
    ]
