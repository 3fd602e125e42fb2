"""Engine set-up: driver and pool options, psycopg 3 for PostgreSQL, and on every SQLite connection the
pragmas, the writer queue at BEGIN, background checkpoints and read-only recovery."""

import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError

from foros.config import is_production
from foros.core.db.availability import _SQLITE_REOPEN, _must_reopen, _sqlite_code, database_file
from foros.core.db.checkpoint import BackgroundCheckpointer
from foros.core.db.intent import UNSAFE_METHODS, _write_intent
from foros.core.db.writers import WriterQueue
from foros.extensions import db


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
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    with app.app_context():
        engine = db.engine

    interval = app.config.get("SQLITE_CHECKPOINT_INTERVAL")
    if interval is None:  # default: on in production, off in development and tests
        interval = 0.25 if is_production(app.config) else 0
    path = database_file(engine)
    checkpointer = BackgroundCheckpointer(path, float(interval)) if path and float(interval) > 0 else None
    if checkpointer is not None:
        event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())

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
        if checkpointer is not None:
            cursor.execute(f"PRAGMA wal_autocheckpoint={checkpointer.SAFETY_PAGES}")
            checkpointer.ensure_started()
        cursor.close()
        if path is not None:
            _record.info["foros_read_only"] = not os.access(path, os.W_OK)

    if path is not None:
        @event.listens_for(engine, "checkout")
        def _replace_read_only(_dbapi_connection, record, _proxy):
            # SQLite opens a file it may not write read-only, for the connection's whole life. Once the file
            # is writable again, such a connection is replaced (the pool retries on DisconnectionError).
            if record.info.get("foros_read_only") and os.access(path, os.W_OK):
                raise DisconnectionError("the database file is writable again")

    writers = WriterQueue(engine, busy_ms)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A writer takes the lock up front and waits (busy timeout) for it. A deferred transaction that
        # reads and then writes would instead fail at once with SQLITE_BUSY when another process wrote
        # in between — the race behind "database is locked" under concurrent registrations.
        # Straight on the driver connection: exec_driver_sql's execution context cost more than the BEGIN.
        fairy = conn.connection
        statement = "BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN"
        try:
            if statement == "BEGIN IMMEDIATE":
                writers.enter(fairy.info)
            fairy.dbapi_connection.execute(statement)
        except sqlite3.Error as error:  # raised as SQLAlchemy would have (this hook runs outside its wrapper)
            if _must_reopen(conn.dialect, error, fairy.dbapi_connection, None):
                conn.invalidate(error)
            raise DBAPIError.instance(statement, (), error, sqlite3.Error, dialect=conn.dialect) from error

    @event.listens_for(engine, "handle_error")
    def _reopen_unusable(context):
        # A connection opened while the file was not writable stays read-only: replace it, so that writes
        # work again as soon as the file does (the pool reconnects), without restarting the server.
        if _sqlite_code(context.original_exception) in _SQLITE_REOPEN:
            context.is_disconnect = True

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
