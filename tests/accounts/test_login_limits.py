"""Failed logins limited per account (in the database, so across processes) as well as per address, and the
start-up warning about per-process limiter storage (issue 10, point 16)."""

import logging
from datetime import timedelta

import pytest

from foros import create_app
from foros.accounts import services
from foros.core.time import utcnow
from foros.extensions import db
from tests.conftest import PASSWORD, base_config, database_uri

LOCKED = "Demasiados intentos fallidos con esta cuenta"


@pytest.fixture
def app_config():
    # A generous per-address limit, so that only the per-account one can stop these attempts.
    return {"RATELIMIT_ENABLED": True, "LOGIN_FAILURE_LIMIT": "100 per minute", "LOGIN_ACCOUNT_FAILURE_LIMIT": 3}


def login_from(app, address, email, password):
    client = app.test_client()
    return client.post("/entrar", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_from_several_addresses_lock_the_account(app, organizer):
    for n in range(3):
        assert login_from(app, f"10.0.0.{n}", organizer.email, "mala-contrasena").status_code == 422
    response = login_from(app, "10.0.0.99", organizer.email, PASSWORD)  # even the right password, elsewhere
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert LOCKED in html and "15 minutos" in html and "¿Olvidó su contraseña?" in html
    assert organizer.email in html  # the form keeps what was typed


def test_unknown_address_locks_the_same_way(app, organizer):
    """The lock must not tell which e-mails have accounts."""
    for n in range(3):
        assert login_from(app, f"10.0.1.{n}", "nadie@example.org", "x-y-z-w-v").status_code == 422
    assert LOCKED in login_from(app, "10.0.1.9", "nadie@example.org", "x-y-z-w-v").get_data(as_text=True)


def test_successful_logins_do_not_reset_the_count(app, organizer):
    """An attacker cannot get fresh guesses by waiting for the owner to log in between them."""
    assert login_from(app, "10.0.2.1", organizer.email, "mala-1").status_code == 422
    assert login_from(app, "10.0.2.1", organizer.email, "mala-2").status_code == 422
    assert login_from(app, "10.0.2.2", organizer.email, PASSWORD).status_code == 302  # the owner
    assert login_from(app, "10.0.2.1", organizer.email, "mala-3").status_code == 422
    assert login_from(app, "10.0.2.2", organizer.email, PASSWORD).status_code == 429


def test_owner_logging_in_within_the_limit_is_not_counted(app, organizer):
    for _ in range(5):
        assert login_from(app, "10.0.3.1", organizer.email, PASSWORD).status_code == 302


def test_the_count_is_shared_by_every_process(app, organizer, tmp_path):
    """A second app on the same database (another gunicorn worker) sees the first one's failures."""
    for n in range(3):
        login_from(app, f"10.0.4.{n}", organizer.email, "mala-contrasena")
    db.session.commit()
    other = create_app(base_config(database_uri(tmp_path), RATELIMIT_ENABLED=True,
                                   LOGIN_FAILURE_LIMIT="100 per minute", LOGIN_ACCOUNT_FAILURE_LIMIT=3))
    try:
        response = other.test_client().post("/entrar", data={"email": organizer.email, "password": PASSWORD})
        assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    finally:
        with other.app_context():
            db.engine.dispose()


def test_the_lock_ends_with_its_window(app, organizer):
    start = utcnow()
    for _ in range(3):
        assert services.claim_login_attempt(organizer.email, now=start)
    assert not services.claim_login_attempt(organizer.email, now=start + timedelta(minutes=14))
    assert services.claim_login_attempt(organizer.email, now=start + timedelta(minutes=15, seconds=1))
    db.session.commit()


def test_production_with_in_memory_limits_warns_at_start(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("FOROS_ENV", "production")
    monkeypatch.setenv("FOROS_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("FOROS_RATELIMIT_STORAGE_URI", raising=False)
    uri = f"sqlite:///{tmp_path / 'w.db'}"
    with caplog.at_level(logging.WARNING, logger="foros"):
        create_app({"SQLALCHEMY_DATABASE_URI": uri})
    assert any("memory://" in r.getMessage() and "FOROS_RATELIMIT_STORAGE_URI" in r.getMessage()
               for r in caplog.records if r.levelno == logging.WARNING)
    caplog.clear()
    monkeypatch.setenv("FOROS_ENV", "development")
    with caplog.at_level(logging.WARNING, logger="foros"):
        create_app({"SQLALCHEMY_DATABASE_URI": uri})
    assert not [r for r in caplog.records if "memory://" in r.getMessage()]
