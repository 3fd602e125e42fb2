"""App factory, settings, database pragmas, health check, security headers, formatting."""

import sqlite3
import threading
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from foros import ConfigurationError, create_app
from foros.core import formatting
from foros.core.db import normalize_database_uri
from foros.core.municipalities import all_municipalities, get_municipality
from foros.core.time import local_to_utc, to_local
from foros.extensions import db
from tests.conftest import base_config


def test_settings_come_from_prefixed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FOROS_LOGIN_FAILURE_LIMIT", "3 per minute")
    monkeypatch.setenv("FOROS_RATELIMIT_ENABLED", "false")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["LOGIN_FAILURE_LIMIT"] == "3 per minute"
    assert app.config["RATELIMIT_ENABLED"] is False


def test_default_database_is_sqlite_file_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("FOROS_SQLALCHEMY_DATABASE_URI", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + app.instance_path + "/foros.sqlite3"


def test_production_refuses_placeholder_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("FOROS_ENV", "production")
    monkeypatch.delenv("FOROS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="FOROS_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    monkeypatch.setenv("FOROS_SECRET_KEY", "x" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["SECRET_KEY"] == "x" * 40


def test_postgres_uris_use_psycopg3():
    assert normalize_database_uri("postgresql://u:p@h/d") == "postgresql+psycopg://u:p@h/d"
    assert normalize_database_uri("postgres://u:p@h/d") == "postgresql+psycopg://u:p@h/d"
    assert normalize_database_uri("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_connections_have_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'p.db'}", SQLITE_BUSY_TIMEOUT_MS=4321))
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 4321
        db.engine.dispose()
    assert sqlite3.connect(tmp_path / "p.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_down(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'missing-dir' / 'nope' / 'x.db'}"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"


def test_security_headers_and_strict_csp(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_scripts_or_third_party_assets(client, organizer_client):
    import re

    for path in ["/", "/entrar", "/gestion/eventos", "/gestion/eventos/nuevo", "/gestion/cuentas",
                 "/gestion/tokens", "/gestion/bitacora", "/api/v1/docs"]:
        html = organizer_client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " on" + "click=" not in html and "style=" not in html, path
        for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
            assert url.startswith("http://localhost"), (path, url)


def test_session_cookie_is_httponly_and_samesite(client, organizer):
    response = client.post("/entrar", data={"email": organizer.email, "password": "contrasena-segura-1"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_municipality_catalog_has_125_with_inegi_keys():
    municipalities = all_municipalities()
    assert len(municipalities) == 125
    assert all(m.key.startswith("15") and len(m.key) == 5 for m in municipalities)
    assert get_municipality("15031").name == "Chimalhuacán"
    assert get_municipality("15113").name == "Villa Guerrero"
    assert get_municipality("99999") is None


def test_times_stored_utc_shown_in_mexico_city():
    moment = local_to_utc(date(2023, 6, 6), datetime(2023, 6, 6, 9, 30).time())
    assert moment == datetime(2023, 6, 6, 15, 30, tzinfo=UTC)
    assert to_local(moment).hour == 9
    assert formatting.fmt_time(moment) == "09:30"


def test_dates_formatted_for_es_mx_with_babel():
    assert formatting.fmt_date(date(2023, 6, 6)) == "martes, 6 de junio de 2023"
    assert formatting.fmt_number(1234567) == "1,234,567"

    class D:
        def __init__(self, d):
            self.day = d

    assert formatting.fmt_day_span([D(date(2023, 6, 6)), D(date(2023, 6, 8))]) == "6 y 8 de junio de 2023"
    assert formatting.fmt_day_span([D(date(2023, 2, 23))]) == "23 de febrero de 2023"


def test_background_checkpointer_copies_the_wal_so_commits_do_not(tmp_path):
    db_path = tmp_path / "c.db"
    app = create_app(base_config(f"sqlite:///{db_path}", SQLITE_CHECKPOINT_INTERVAL=0.05))
    with app.app_context():
        with db.engine.connect() as conn:
            # Commits no longer checkpoint at 1,000 pages: the thread does, in the background.
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 10_000
            conn.execute(text("CREATE TABLE blobs (b BLOB)"))
            conn.execute(text("INSERT INTO blobs VALUES (randomblob(3000000))"))
            conn.commit()
        size_before = db_path.stat().st_size
        assert size_before < 1_000_000  # the 3 MB are only in the WAL so far
        deadline = time.monotonic() + 10
        while db_path.stat().st_size < 3_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert db_path.stat().st_size >= 3_000_000, "the background checkpoint did not copy the WAL"
        assert any(t.name == "foros-wal-checkpoint" for t in threading.enumerate())
        db.engine.dispose()
    # Disposing of the engine stops the thread.
    deadline = time.monotonic() + 5
    while any(t.name == "foros-wal-checkpoint" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "foros-wal-checkpoint" for t in threading.enumerate())


def test_without_the_checkpointer_commits_checkpoint_as_sqlite_does(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'd.db'}"))
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
        db.engine.dispose()
