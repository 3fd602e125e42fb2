"""Settings that mean what they say: every default is read by someone, the production test lives in one
place, and the background queue's storage comes from the app's settings, not from the environment directly."""

import ast
import re
from pathlib import Path

from huey import MemoryHuey, SqliteHuey

from foros import config, worker
from foros.config import DefaultConfig, environment_settings, is_production

PACKAGE = Path(config.__file__).resolve().parent
#: Read by Flask and its extensions, not by our code: Flask (sessions, cookies, uploads), Flask-Login
#: (REMEMBER_*), Flask-WTF (WTF_*), Flask-Limiter (RATELIMIT_*), Flask-SQLAlchemy, flask-smorest (API_*,
#: OPENAPI_*).
EXTENSION_PREFIXES = ("SECRET_KEY", "SESSION_", "PERMANENT_SESSION_LIFETIME", "MAX_CONTENT_LENGTH", "REMEMBER_",
                      "WTF_", "RATELIMIT_", "SQLALCHEMY_", "API_", "OPENAPI_")


def sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py")}


def test_every_default_setting_is_read():
    names = [name for name in vars(DefaultConfig) if name.isupper()]
    code = "\n".join(sources().values())
    unread = [name for name in names
              if not name.startswith(EXTENSION_PREFIXES) and not re.search(rf"[\"']{name}[\"']", code)]
    assert unread == []


def test_production_is_decided_in_one_place():
    checks = [path.relative_to(PACKAGE).as_posix() for path, text in sources().items()
              if re.search(r"[\"']production[\"']", text)]
    assert checks == ["config.py"]
    assert is_production({"ENV": "Production"}) and not is_production({"ENV": "development"})
    assert not is_production({})


def test_the_worker_reads_no_environment_variable():
    tree = ast.parse(Path(worker.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")), ast.dump(node)


def test_huey_url_comes_from_the_settings(monkeypatch, tmp_path):
    monkeypatch.delenv("FOROS_HUEY_URL", raising=False)
    assert environment_settings()["HUEY_URL"] == DefaultConfig.HUEY_URL == ""
    monkeypatch.setenv("FOROS_HUEY_URL", "memory://")
    assert environment_settings()["HUEY_URL"] == "memory://"
    assert isinstance(worker.make_huey("memory://"), MemoryHuey)
    queue = worker.make_huey(f"sqlite:///{tmp_path / 'cola.sqlite3'}")
    assert isinstance(queue, SqliteHuey) and queue.storage.filename == str(tmp_path / "cola.sqlite3")


def test_the_app_sees_the_same_huey_url(app):
    assert app.config["HUEY_URL"] == environment_settings()["HUEY_URL"]
