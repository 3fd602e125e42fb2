"""Database engine set-up: SQLite pragmas on every connection, psycopg 3 for PostgreSQL."""

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event

#: Whether the transaction about to begin will write (SQLite then takes the write lock at BEGIN).
_write_intent: ContextVar[bool] = ContextVar("foros_write_intent", default=False)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@contextmanager
def write_transaction():
    """Mark transactions begun inside this block as writers (CLI, worker; requests do it by method)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def normalize_database_uri(uri: str) -> str:
    """Make ``postgres://`` and ``postgresql://`` URIs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def is_sqlite(uri: str) -> bool:
    """Tell whether a database URI points to SQLite."""
    return uri.startswith("sqlite")


def configure_engine_options(app):
    """Fill in driver and pool options before Flask-SQLAlchemy creates the engine."""
    uri = normalize_database_uri(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if is_sqlite(uri):
        connect_args = dict(options.get("connect_args") or {})
        # The busy timeout is also set by PRAGMA below; this one covers the connect itself.
        connect_args.setdefault("timeout", app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def install_connection_pragmas(app):
    """Set WAL, foreign keys and a busy timeout on every new SQLite connection."""
    if not is_sqlite(app.config["SQLALCHEMY_DATABASE_URI"]):
        return
    from foros.extensions import db

    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, emit BEGIN (see _begin below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        # WAL + NORMAL survives an application crash; see bench/README.md for the trade-off.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A writer takes the lock up front and waits (busy timeout) for it. A deferred transaction that
        # reads and then writes would instead fail at once with SQLITE_BUSY when another process wrote
        # in between — the race behind "database is locked" under concurrent registrations.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")

    @app.before_request
    def _mark_writes():
        from flask import g, request

        if request.method in UNSAFE_METHODS:
            g._write_intent_token = _write_intent.set(True)

    @app.teardown_request
    def _unmark_writes(_exc):
        from flask import g

        token = g.pop("_write_intent_token", None)
        if token is not None:
            _write_intent.reset(token)
