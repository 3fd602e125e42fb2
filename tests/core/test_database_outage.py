"""Database outages: every route answers 503 ``database_unavailable`` (page or JSON, with Retry-After), /healthz
notices a database it cannot write, and a running server recovers by itself when the database is back."""

import json
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from foros import create_app
from foros.accounts import services as accounts
from foros.accounts.models import Role
from foros.core.db import DatabaseUnavailable, is_database_unavailable
from foros.extensions import db
from tests.conftest import PASSWORD, base_config, csrf_token_from, make_event
from tests.support.outage import own_postgres, unwritable
from tests.support.server import prepare_database, start_gunicorn

#: Nothing listens on port 1: connecting is refused at once, as when the server is down.
UNREACHABLE_POSTGRES = "postgresql://foros:foros@127.0.0.1:1/foros"
TIMEOUT = 15
SIGNUP = {"name": "Persona de Prueba", "email": "", "sector": "ciudadania", "municipality": "15031",
          "privacy_consent": True}


def _driver_error(uri: str, sql: str) -> Exception:
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    except DBAPIError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("no error")


def test_outages_are_told_from_mistakes(tmp_path):
    assert is_database_unavailable(_driver_error(f"sqlite:///{tmp_path / 'missing' / 'x.db'}", "SELECT 1"))
    assert is_database_unavailable(_driver_error(UNREACHABLE_POSTGRES, "SELECT 1"))
    assert is_database_unavailable(DatabaseUnavailable("lock file"))
    read_only = sqlite3.connect(f"file:{tmp_path / 'ro.db'}?mode=rwc", uri=True)
    read_only.execute("CREATE TABLE t (x)")
    read_only.close()
    assert is_database_unavailable(
        _driver_error(f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true", "INSERT INTO t VALUES (1)"))
    assert is_database_unavailable(psycopg.errors.ReadOnlySqlTransaction("standby"))
    assert is_database_unavailable(psycopg.errors.AdminShutdown("terminating connection"))
    # A wrong statement is a bug (500 internal_error), not an outage.
    assert not is_database_unavailable(_driver_error(f"sqlite:///{tmp_path / 'y.db'}", "SELECT * FROM nope"))
    assert not is_database_unavailable(psycopg.errors.UndefinedTable("nope"))
    assert not is_database_unavailable(psycopg.errors.UniqueViolation("duplicate"))


@pytest.mark.parametrize("uri", [UNREACHABLE_POSTGRES, "sqlite:///{tmp}/missing-folder/foros.sqlite3"],
                         ids=["postgresql-down", "sqlite-missing"])
def test_every_kind_of_route_answers_503_when_the_database_is_down(tmp_path, uri):
    app = create_app(base_config(uri.format(tmp=tmp_path)))
    client = app.test_client()
    # A session cookie: loading its account (Flask-Login) is the first thing that fails.
    with client.session_transaction() as session:
        session["_user_id"] = "1:session-token"
        session["_fresh"] = True
    for path in ["/", "/gestion/eventos", "/entrar"]:
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        html = response.get_data(as_text=True)
        assert "Servicio no disponible por el momento" in html and "base de datos" in html, path
        assert 'href="/static/' in html, "the full page (base.html), not the bare fallback"
    for method, path, body in [("GET", "/api/v1/events", None), ("GET", "/api/v1/me", None),
                               ("POST", "/api/v1/events/foro/registrations", {**SIGNUP, "email": "a@b.mx"})]:
        response = client.open(path, method=method, json=body, headers={"Authorization": "Bearer foros_x"})
        assert response.status_code == 503, path
        assert response.json["error"]["code"] == "database_unavailable", path
        assert response.headers["Retry-After"] == "30"
    assert client.get("/healthz").json["error"]["code"] == "database_unavailable"


def test_healthz_notices_sqlite_files_it_cannot_write(tmp_path):
    path = tmp_path / "h.sqlite3"
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    lock = Path(f"{path}.lock")
    lock.touch()
    for target in (path, lock):
        with unwritable(target):
            response = client.get("/healthz")
            assert response.status_code == 503, target
            assert response.json["error"] == {"code": "database_unavailable",
                                              "message": "No se puede escribir en el archivo de la base de datos."}
            assert response.headers["Retry-After"] == "30"
        assert client.get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()


# --- against a running server (gunicorn, two workers) ------------------------------------------------------


def _seed() -> dict:
    user = accounts.create_user(email="org@example.org", name="Olga Organizadora", role=Role.ORGANIZER,
                                password=PASSWORD)
    _row, token = accounts.create_token(user, "prueba")
    return {"slug": make_event(capacity_in_person=500).slug, "token": token}


def _fetch(opener, url: str, *, data: dict | None = None, form: dict | None = None,
           headers: dict | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) of one request; redirects are not followed."""
    body = None
    request = urllib.request.Request(url, headers=headers or {})
    if data is not None:
        body = json.dumps(data).encode()
        request.add_header("Content-Type", "application/json")
    elif form is not None:
        body = urllib.parse.urlencode(form).encode()
    request.data = body
    try:
        response = opener.open(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, dict(response.headers), response.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser (cookies, no redirects) and an API client against one server."""

    def __init__(self, url: str, seeded: dict):
        self.url, self.seeded, self.signups = url, seeded, 0
        self.browser = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect,
                                                   urllib.request.HTTPCookieProcessor(CookieJar()))

    def log_in(self) -> None:
        _status, _headers, html = _fetch(self.browser, f"{self.url}/entrar")
        status, _headers, _body = _fetch(self.browser, f"{self.url}/entrar", form={
            "csrf_token": csrf_token_from(html), "email": "org@example.org", "password": PASSWORD})
        assert status == 302

    def answers(self) -> dict[str, tuple[int, dict, str]]:
        """One request of each kind: public page, logged-in page, public API, token API, a sign-up, /healthz."""
        self.signups += 1
        signup = {**SIGNUP, "email": f"persona{self.signups}@example.org"}
        bearer = {"Authorization": f"Bearer {self.seeded['token']}"}
        return {
            "page": _fetch(self.browser, f"{self.url}/eventos/{self.seeded['slug']}"),
            "organizer page": _fetch(self.browser, f"{self.url}/gestion/eventos"),
            "api": _fetch(self.browser, f"{self.url}/api/v1/events"),
            "token api": _fetch(self.browser, f"{self.url}/api/v1/me", headers=bearer),
            "sign-up": _fetch(self.browser, f"{self.url}/api/v1/events/{self.seeded['slug']}/registrations",
                              data=signup),
            "healthz": _fetch(self.browser, f"{self.url}/healthz"),
        }


def _assert_unavailable(answers: dict, kinds) -> None:
    for kind in kinds:
        status, headers, body = answers[kind]
        assert status == 503, (kind, status, body[:300])
        assert headers.get("Retry-After") == "30", kind
        if kind.endswith("page"):
            assert "Servicio no disponible por el momento" in body, kind
        else:
            assert json.loads(body)["error"]["code"] == "database_unavailable", kind


def _assert_recovers(visitor: Visitor, expected: dict, within: float = 20.0) -> None:
    """Every kind of request answers as expected again, without restarting the server (several rounds, so
    that both workers and their pooled connections are exercised)."""
    deadline = time.monotonic() + within
    while True:
        statuses = {kind: answer[0] for kind, answer in visitor.answers().items()}
        if statuses == expected:
            break
        assert time.monotonic() < deadline, f"no recovery within {within:.0f} s: {statuses}"
        time.sleep(0.2)
    for _ in range(6):
        assert {kind: answer[0] for kind, answer in visitor.answers().items()} == expected


HEALTHY = {"page": 200, "organizer page": 200, "api": 200, "token api": 200, "sign-up": 201, "healthz": 200}


@pytest.mark.slow
def test_postgresql_stopped_under_a_running_server_then_back(tmp_path):
    with own_postgres() as pg:
        app, seeded = prepare_database(pg.uri, _seed, reset=lambda app: _create_schema(app))
        try:
            with start_gunicorn(pg.uri, tmp_path / "gunicorn.log", workers=2) as (url, _pid):
                visitor = Visitor(url, seeded)
                visitor.log_in()
                assert {kind: answer[0] for kind, answer in visitor.answers().items()} == HEALTHY

                pg.stop()
                for _ in range(3):
                    _assert_unavailable(visitor.answers(), HEALTHY)
                pg.start()
                _assert_recovers(visitor, HEALTHY)

                # A server that only reads (a standby, or read-only by default): writes and /healthz say 503.
                _alter_system(pg.uri, "default_transaction_read_only", "on")
                try:
                    answers = visitor.answers()
                    _assert_unavailable(answers, ["sign-up", "healthz"])
                    assert json.loads(answers["healthz"][2])["error"]["message"] == \
                        "La base de datos solo admite lecturas."
                    assert answers["page"][0] == answers["api"][0] == 200
                finally:
                    _alter_system(pg.uri, "default_transaction_read_only", None)
                _assert_recovers(visitor, HEALTHY)
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.mark.slow
def test_sqlite_made_unwritable_under_a_running_server_then_writable(tmp_path):
    path = tmp_path / "outage.sqlite3"
    uri = f"sqlite:///{path}"
    app, seeded = prepare_database(uri, _seed, reset=lambda app: _create_schema(app))
    try:
        with start_gunicorn(uri, tmp_path / "gunicorn.log", workers=2) as (url, _pid):
            visitor = Visitor(url, seeded)
            visitor.log_in()
            assert {kind: answer[0] for kind, answer in visitor.answers().items()} == HEALTHY
            files = [path, Path(f"{path}-wal"), Path(f"{path}.lock")]
            assert all(file.exists() for file in files)

            # The database file, its WAL and the writer queue's lock file (not the -shm index, which SQLite
            # maps into memory: an immutable one kills the process with SIGBUS — not a state a server meets).
            with unwritable(*files):
                for _ in range(3):
                    answers = visitor.answers()
                    _assert_unavailable(answers, ["sign-up", "healthz"])
                    # What only reads still works.
                    assert [answers[kind][0] for kind in ("page", "organizer page", "api", "token api")] == \
                        [200] * 4
            _assert_recovers(visitor, HEALTHY)
    finally:
        with app.app_context():
            db.engine.dispose()


def _create_schema(app) -> None:
    with app.app_context():
        db.create_all()


def _alter_system(uri: str, setting: str, value: str | None) -> None:
    with psycopg.connect(uri, autocommit=True) as conn:
        if value is None:
            conn.execute(f"ALTER SYSTEM RESET {setting}")
        else:
            conn.execute(f"ALTER SYSTEM SET {setting} = '{value}'")
        conn.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)  # the reload reaches the server's backends asynchronously
