"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL from FOROS_TEST_DATABASE_URI)."""

import contextvars
import os
import re
from datetime import date, time, timedelta

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import select, text

from foros import create_app
from foros.accounts import services as accounts
from foros.accounts.models import Role
from foros.agenda import people as agenda_people
from foros.agenda import sessions as agenda_sessions
from foros.agenda.models import SessionType, seed_session_types
from foros.core.db import normalize_database_uri
from foros.core.time import local_today, utcnow
from foros.declarations.models import seed_signatory_roles
from foros.events import services as events
from foros.events.models import EventKind, Modality
from foros.events.services import DayInput, EventInput
from foros.extensions import db
from foros.mail.models import MessageStatus, OutboxMessage
from foros.networking.models import seed_themes


def _per_worker_uri(base: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (``<name>_gw0``…), made on demand."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not base or not worker:
        return base
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(normalize_database_uri(base))
    name = f"{url.database}_{worker}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


PG_URI = _per_worker_uri(os.environ.get("FOROS_TEST_DATABASE_URI", ""))
PASSWORD = "contrasena-segura-1"


def database_uri(tmp_path) -> str:
    """The database for one test: a fresh SQLite file, or the PostgreSQL test database."""
    return PG_URI or f"sqlite:///{tmp_path / 'test.sqlite3'}"


def base_config(uri: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-for-foros-tests-only-0123456789",
        "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "WORKER_ENQUEUE": False,
        # Hundreds of logins: a one-round hash keeps the suite fast (production uses scrypt).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    }
    config.update(extra)
    return config


_pg_schema_fresh = False


def reset_database(app):
    """Create the schema (SQLite file) or empty every table (PostgreSQL: schema rebuilt once per run)."""
    global _pg_schema_fresh
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            if not _pg_schema_fresh:
                # The test database may hold an older schema from a previous run: rebuild it once.
                db.session.execute(text("DROP SCHEMA public CASCADE"))
                db.session.execute(text("CREATE SCHEMA public"))
                db.session.commit()
                _pg_schema_fresh = True
            db.create_all()
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            seed_session_types(db.session.connection())  # rows that belong to the schema, as after create_all
            seed_themes(db.session.connection())
            seed_signatory_roles(db.session.connection())
            db.session.commit()
        else:
            db.create_all()


@pytest.fixture
def app_config():
    """Extra settings for the ``app`` fixture; override in a module to change them."""
    return {}


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    The ``app`` fixture keeps an app context open for the test body; without this, requests would reuse
    it and share ``g`` (the logged-in user) and the database session with the test and with each other.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            # End the test's own transaction first: what the test set up is committed, and what the
            # request writes is visible to the test afterwards (objects reload on next access).
            db.session.commit()
        # Buffered: a streamed body (stream_with_context) is read here, inside the request's own context;
        # read later, outside it, Flask could not pop the request context it pushed.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(tmp_path, app_config):
    app = create_app(base_config(database_uri(tmp_path), **app_config))
    # The test's own instance folder: what the app writes there (the demo's seal) never leaks between tests.
    app.instance_path = str(tmp_path / "instance")
    app.test_client_class = IsolatedClient
    reset_database(app)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def organizer(app):
    user = accounts.create_user(email="org@example.org", name="Olga Organizadora", role=Role.ORGANIZER,
                                password=PASSWORD)
    db.session.commit()
    return user


@pytest.fixture
def staff(app):
    user = accounts.create_user(email="staff@example.org", name="Sergio Staff", role=Role.STAFF,
                                password=PASSWORD)
    db.session.commit()
    return user


def login(client, email, password=PASSWORD):
    return client.post("/entrar", data={"email": email, "password": password})


@pytest.fixture
def organizer_client(client, organizer):
    assert login(client, organizer.email).status_code == 302
    return client


@pytest.fixture
def staff_client(app, staff):
    client = app.test_client()
    assert login(client, staff.email).status_code == 302
    return client


def make_event_input(**overrides) -> EventInput:
    start = local_today() + timedelta(days=10)
    values = dict(
        title="Foro Regional de Gobierno Abierto — Chimalhuacán",
        kind=EventKind.FORO_REGIONAL,
        municipality_key="15031",
        modality=Modality.PRESENCIAL,
        days=[DayInput(start, time(9, 0), time(14, 0))],
        venue="Auditorio Municipal",
        capacity_in_person=100,
    )
    values.update(overrides)
    return EventInput(**values)


def make_event(publish=True, actor=None, **overrides):
    event = events.create_event(make_event_input(**overrides), actor=actor)
    if publish:
        events.change_status(event, "publish", actor=actor)
    db.session.commit()
    return event


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def make_person(name="Mtra. Ana Pérez", **overrides):
    """A person of the programme (agenda), flushed."""
    return agenda_people.save_person(agenda_people.PersonInput(name=name, **overrides))


def make_session(event, title="Panel de apertura", *, starts=time(10, 0), ends=time(11, 0), day=None,
                 room=None, people=(), type_key="panel", **overrides):
    """A session of ``event``'s draft programme (local times on its first day unless ``day``), with ``people``
    as (person, role) pairs; flushed."""
    type_id = db.session.scalar(select(SessionType.id).where(SessionType.key == type_key))
    data = agenda_sessions.SessionInput(title=title, type_id=type_id, day=day or event.days[0].day, starts=starts,
                                        ends=ends, room_id=room.id if room is not None else None, **overrides)
    session, _warnings = agenda_sessions.save_session(event, data)
    for person, role in people:
        agenda_people.assign_person(session, person, role)
    return session


__all__ = ["date", "make_event", "make_event_input", "login", "csrf_token_from", "PASSWORD"]


def make_message(**overrides) -> OutboxMessage:
    """An outbox message written directly (no template), committed."""
    now = utcnow()
    values = dict(kind="test.message", to_address="ana@example.org", subject="Prueba de correo",
                  body_text="Hola, Ana.\n", body_html="<p>Hola, Ana.</p>", status=MessageStatus.PENDING,
                  attempts=0, next_attempt_at=now, last_error="", created_at=now)
    values.update(overrides)
    message = OutboxMessage(**values)
    db.session.add(message)
    db.session.commit()
    return message
