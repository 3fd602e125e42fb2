"""Command line: users, tokens, demo."""

from sqlalchemy import func, select

from foros.accounts import services
from foros.accounts.models import Role, User
from foros.audit.models import AuditEntry
from foros.events.models import Event, EventStatus
from foros.extensions import db


def test_users_create_with_password_and_events(runner):
    runner.invoke(args=["demo", "load"])
    result = runner.invoke(args=["users", "create", "--email", "Puerta@Example.org", "--name", "Puerta",
                                 "--role", "staff", "--event", "foro-regional-texcoco", "--password",
                                 "contrasena-de-puerta"])
    assert result.exit_code == 0, result.output
    user = services.get_user_by_email("puerta@example.org")
    assert user.role == Role.STAFF and [e.slug for e in user.events] == ["foro-regional-texcoco"]


def test_users_create_prompts_for_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "o@example.org", "--name", "O",
                                 "--role", "organizer"], input="una-clave-larga\nuna-clave-larga\n")
    assert result.exit_code == 0, result.output
    assert services.authenticate("o@example.org", "una-clave-larga") is not None


def test_users_create_fails_clearly(runner):
    result = runner.invoke(args=["users", "create", "--email", "o@example.org", "--name", "O",
                                 "--role", "organizer", "--password", "corta"])
    assert result.exit_code == 1 and "al menos" in result.output
    result = runner.invoke(args=["users", "create", "--email", "o@example.org", "--name", "O",
                                 "--role", "staff", "--event", "no-existe", "--password", "suficientemente-larga"])
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_tokens_create_prints_token_as_last_word(runner, organizer, client):
    result = runner.invoke(args=["tokens", "create", "--email", organizer.email, "--label", "Integración"])
    assert result.exit_code == 0
    token = result.output.split()[-1]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json["role"] == "organizer"
    assert runner.invoke(args=["tokens", "create", "--email", "nadie@example.org"]).exit_code == 1


def test_demo_load_is_idempotent_and_has_the_programme(runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = (db.session.scalar(select(func.count()).select_from(Event)),
              db.session.scalar(select(func.count()).select_from(User)),
              db.session.scalar(select(func.count()).select_from(AuditEntry)))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "0 eventos nuevos" in second.output
    assert counts == (db.session.scalar(select(func.count()).select_from(Event)),
                      db.session.scalar(select(func.count()).select_from(User)),
                      db.session.scalar(select(func.count()).select_from(AuditEntry)))
    events = {e.slug: e for e in db.session.scalars(select(Event))}
    for slug, key in [("foro-regional-chimalhuacan-2023", "15031"), ("foro-regional-cuautitlan-izcalli-2023",
                      "15121"), ("foro-regional-nicolas-romero-2023", "15060"),
                      ("foro-regional-villa-guerrero-2023", "15113")]:
        assert events[slug].municipality_key == key and events[slug].is_past()
    jornadas = events["jornadas-gobierno-abierto-2023"]
    assert [d.day.isoformat() for d in jornadas.days] == ["2023-06-06", "2023-06-08"]
    upcoming = [e for e in events.values() if not e.is_past()]
    assert upcoming and all(e.status == EventStatus.PUBLISHED and e.registration_open() for e in upcoming)
    from foros.checkin.models import Checkin, CheckinList
    from foros.registration.models import Registration, RegistrationStatus

    past_confirmed = db.session.scalar(select(func.count()).select_from(Registration).join(Event).where(
        Registration.status == RegistrationStatus.CONFIRMED, Event.slug.like("%-2023")))
    admitted = db.session.scalar(select(func.count()).select_from(Checkin).where(Checkin.result == "accepted"))
    assert 0.5 * past_confirmed < admitted < past_confirmed  # realistic: most came, some no-shows
    upcoming_lists = db.session.scalars(select(CheckinList.slug).join(Event).where(
        Event.slug == "jornadas-gobierno-abierto")).all()
    assert "networking" in upcoming_lists and len(upcoming_lists) == 3
    assert services.authenticate("organizador@foros.demo", "foros-demo-2026").is_organizer
    assert not services.authenticate("registro@foros.demo", "foros-demo-2026").is_organizer
