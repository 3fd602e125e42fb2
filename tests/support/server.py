"""Foros under gunicorn (several worker processes) on 127.0.0.1, for concurrency tests and benches.

    def seed():                       # runs in-process, in an app context, before the server starts
        return make_event(capacity_in_person=5).slug

    with gunicorn_server(tmp_path, seed) as server:
        status, body = request_json("POST", f"{server.url}/api/v1/events/{server.seeded}/registrations", {...})
        with server.app.app_context():
            ...                       # assert on the database the server wrote

The database is the one the ``app`` fixture would use (a SQLite file in ``tmp_path``, or
``FOROS_TEST_DATABASE_URI``), rebuilt empty before ``seed`` runs. The server runs in its own process group,
which is always terminated when the ``with`` block ends, also when the test fails. Every wait is bounded.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from foros import create_app
from foros.extensions import db
from tests.conftest import base_config, database_uri, reset_database

ROOT = Path(__file__).resolve().parents[2]
#: Long enough for the production check (``FOROS_ENV=production`` refuses keys under 32 characters).
SECRET_KEY = "test-secret-key-for-foros-server-tests-0123456789"
HOST = "127.0.0.1"

#: urllib without proxies from the environment: requests go straight to 127.0.0.1.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class RunningServer:
    """A started server: its base URL, the database it uses, and an in-process app on that database."""

    url: str
    database_uri: str
    #: An app on the same database (not the server's): use ``with server.app.app_context()`` to assert.
    app: Flask
    #: Whatever the seed callable returned (plain values: slugs, tokens — not ORM objects).
    seeded: object
    log_path: Path
    pid: int

    def log_text(self) -> str:
        """Everything gunicorn and the app wrote (errors and tracebacks land here)."""
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def prepare_database(uri: str, seed: Callable[[], object] | None = None, *,
                     reset: Callable[[Flask], None] = reset_database) -> tuple[Flask, object]:
    """Build the schema on ``uri`` (emptying it), run ``seed`` in an app context, commit; return (app, seeded)."""
    app = create_app(base_config(uri))
    reset(app)
    with app.app_context():
        try:
            seeded = seed() if seed is not None else None
            db.session.commit()
        finally:
            db.session.remove()
            # Hold no connection (or SQLite lock) while the server runs.
            db.engine.dispose()
    return app, seeded


def server_env(uri: str, extra_env: dict | None = None) -> dict:
    """The server's environment: this process's, minus any FOROS_* setting, plus the test settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FOROS_")}
    env.update({
        "FOROS_SQLALCHEMY_DATABASE_URI": uri,
        "FOROS_SECRET_KEY": SECRET_KEY,
        "FOROS_RATELIMIT_ENABLED": "false",
        "FOROS_WORKER_ENQUEUE": "false",
        # No Huey file in the checkout's instance folder (nothing is enqueued anyway).
        "FOROS_HUEY_URL": "memory://",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra_env or {})
    return env


def wait_until_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout: float) -> None:
    """Poll ``/healthz`` until it answers 200; fail early if gunicorn exits, and after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"gunicorn exited with {proc.returncode} while starting", log_path)
        try:
            with _opener.open(url + "/healthz", timeout=1.0) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    raise ServerError(f"/healthz did not answer 200 within {timeout:.0f} s", log_path)


class ServerError(RuntimeError):
    """The server did not start; the message ends with the tail of its log."""

    def __init__(self, message: str, log_path: Path):
        tail = log_path.read_text(errors="replace")[-4000:] if log_path.exists() else ""
        super().__init__(f"{message}\n--- gunicorn log ({log_path}) ---\n{tail}")


def stop_process_group(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM the whole process group (master and workers), then SIGKILL what is left after ``timeout``."""
    pgid = proc.pid  # start_new_session=True made the master the leader of its own group
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)
    # Workers outlive a master that died abruptly; whatever is still in the group goes now.
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    if proc.returncode is None:
        proc.wait(timeout=timeout)


@contextmanager
def start_gunicorn(uri: str, log_path: Path, *, workers: int = 3, extra_env: dict | None = None,
                   gunicorn_args: tuple[str, ...] = (), startup_timeout: float = 30.0,
                   attempts: int = 3) -> Iterator[tuple[str, int]]:
    """Run ``gunicorn wsgi:app`` on a free port of 127.0.0.1 until the block ends; yield (url, pid)."""
    env = server_env(uri, extra_env)
    for attempt in range(1, attempts + 1):
        port = free_port()
        url = f"http://{HOST}:{port}"
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{HOST}:{port}",
                   "--timeout", "30", "--graceful-timeout", "5", *gunicorn_args, "wsgi:app"]
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            try:
                wait_until_healthy(url, proc, log_path, startup_timeout)
            except ServerError:
                # Another process may have taken the port between free_port() and bind: try another one.
                if attempt < attempts and "Address already in use" in log_path.read_text(errors="replace"):
                    continue
                raise
            yield url, proc.pid
            return
        finally:
            stop_process_group(proc)


@contextmanager
def gunicorn_server(tmp_path: Path, seed: Callable[[], object] | None = None, *, uri: str | None = None,
                    workers: int = 3, extra_env: dict | None = None, gunicorn_args: tuple[str, ...] = (),
                    startup_timeout: float = 30.0) -> Iterator[RunningServer]:
    """Prepare the test database with ``seed``, serve it with gunicorn, stop everything afterwards."""
    uri = uri or database_uri(tmp_path)
    app, seeded = prepare_database(uri, seed)
    log_path = tmp_path / "gunicorn.log"
    try:
        with start_gunicorn(uri, log_path, workers=workers, extra_env=extra_env, gunicorn_args=gunicorn_args,
                            startup_timeout=startup_timeout) as (url, pid):
            yield RunningServer(url=url, database_uri=uri, app=app, seeded=seeded, log_path=log_path, pid=pid)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def request_json(method: str, url: str, body: object = None, *, timeout: float = 15.0,
                 headers: dict | None = None) -> tuple[int, object]:
    """Send one request (JSON body if given) on a fresh connection; return (status, parsed JSON or text)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Accept": "application/json", **(headers or {})})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        response = _opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        response = exc
    try:
        payload = response.read()
        status = response.status if hasattr(response, "status") else response.code
    finally:
        response.close()
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, payload.decode(errors="replace")
