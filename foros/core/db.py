"""Database engine set-up: SQLite pragmas on every connection, psycopg 3 for PostgreSQL."""

import fcntl
import logging
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote

from sqlalchemy import event, or_

log = logging.getLogger(__name__)

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


@contextmanager
def read_phase():
    """Run a writing request's reads before its write transaction (SQLite holds the write lock less).

    A POST's transactions take SQLite's write lock at BEGIN (see ``_begin``). Inside this block they are
    plain read transactions instead; leaving the block ends that transaction *without expiring* what it
    loaded (an event and its days, say), so the write transaction that follows — and the lock — starts only
    at the first write statement's request. What was read may be a few milliseconds old by then: every
    guarantee (seats, one registration per e-mail, one admission) is a constraint or a conditional write
    checked inside the write transaction, never a value read here. A no-op on PostgreSQL apart from ending
    the transaction.
    """
    from foros.extensions import db

    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)
    session = db.session()
    if session.in_transaction():
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


def dialect_insert(dialect_name: str):
    """The dialect's ``insert`` construct (with ``on_conflict_do_nothing``): PostgreSQL's or SQLite's."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return pg_insert if dialect_name == "postgresql" else sqlite_insert


def contains_text(text: str, *columns):
    """Case-insensitive "contains" on any of ``columns``, with ``%``, ``_`` and ``\\`` taken literally."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


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


class WriterQueue:
    """Writers across processes queue on an OS file lock before ``BEGIN IMMEDIATE``.

    SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between retries, so under a rush a waiting
    writer often sleeps long after the lock was freed (p99 of hundreds of ms at 16 clients, see
    bench/README.md). ``flock`` hands the lock over as soon as it is released. Each pooled connection
    has its own descriptor (flock locks belong to open file descriptions, so threads queue too); the
    lock is released when the connection goes back to the pool, after its COMMIT or ROLLBACK. Waiting
    is bounded by the busy timeout; after that the BEGIN IMMEDIATE waits and fails as SQLite would.
    """

    def __init__(self, engine, busy_ms: int):
        self.busy_s = busy_ms / 1000
        database = _file_path(engine)
        self.path = None if database is None else database + ".lock"
        if self.path is None:
            return
        event.listen(engine, "checkin", lambda _dbapi, record: self.leave(record.info))
        event.listen(engine, "close", lambda _dbapi, record: self.leave(record.info, close=True))
        event.listen(engine, "invalidate", lambda _dbapi, record, _exc: self.leave(record.info, close=True))
        event.listen(engine, "rollback", lambda conn: self.leave(conn.connection.info))

    def enter(self, info: dict) -> None:
        if self.path is None or info.get("foros_write_locked"):
            return
        fd = info.get("foros_lock_fd")
        if fd is None:
            fd = info["foros_lock_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.busy_s
        pause = 0.00005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                info["foros_write_locked"] = True
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(pause)
                pause = min(pause * 2, 0.0005)

    @staticmethod
    def leave(info: dict, close: bool = False) -> None:
        fd = info.get("foros_lock_fd")
        if fd is None:
            return
        if info.pop("foros_write_locked", False):
            fcntl.flock(fd, fcntl.LOCK_UN)
        if close:
            os.close(info.pop("foros_lock_fd"))


class BackgroundCheckpointer:
    """Copies SQLite's WAL back into the database file from a thread, so that no request pays for it.

    In WAL mode SQLite checkpoints inside the commit that takes the WAL past ``wal_autocheckpoint`` pages
    (1,000 by default): that request copies the pages and fsyncs both files while it still holds the write
    transaction and our writer queue. In the check-in bench that cost a quarter of the throughput and most of
    the p99 (bench/README.md). Here a daemon thread per process runs ``PRAGMA wal_checkpoint(PASSIVE)`` —
    which never blocks writers or readers — every ``interval`` seconds on its own connection, while request
    connections keep a high automatic threshold (``SAFETY_PAGES``) as a safety net: if the thread stalls,
    commits checkpoint as before and the WAL stays bounded. The thread starts with the first connection in
    each process (gunicorn forks its workers after loading the app) and stops when the engine is disposed.
    """

    SAFETY_PAGES = 10_000  # about 40 MB of WAL

    def __init__(self, path: str, interval: float):
        self.path, self.interval = path, interval
        self._pid: int | None = None
        self._stop = threading.Event()
        self._guard = threading.Lock()

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._guard:
            if self._pid == os.getpid():
                return
            self._pid, self._stop = os.getpid(), threading.Event()
            threading.Thread(target=self._run, args=(self._stop,), name="foros-wal-checkpoint",
                             daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._pid = None

    def _run(self, stop: threading.Event) -> None:
        conn = None
        while not stop.wait(self.interval):
            try:
                if conn is None:  # mode=rw: never create an empty database where the file went away
                    conn = sqlite3.connect(f"file:{quote(self.path)}?mode=rw", uri=True, timeout=0,
                                           isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                log.warning("WAL checkpoint failed; commits will checkpoint instead.", exc_info=True)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()


def _file_path(engine) -> str | None:
    database = engine.url.database or ""
    return None if database in ("", ":memory:") or database.startswith("file:") else database


def install_connection_pragmas(app):
    """Set WAL, foreign keys and a busy timeout on every new SQLite connection."""
    if not is_sqlite(app.config["SQLALCHEMY_DATABASE_URI"]):
        return
    from foros.extensions import db

    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    with app.app_context():
        engine = db.engine

    interval = app.config.get("SQLITE_CHECKPOINT_INTERVAL")
    if interval is None:  # default: on in production, off in development and tests
        interval = 0.25 if str(app.config.get("ENV", "")).lower() == "production" else 0
    path = _file_path(engine)
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

    writers = WriterQueue(engine, busy_ms)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A writer takes the lock up front and waits (busy timeout) for it. A deferred transaction that
        # reads and then writes would instead fail at once with SQLITE_BUSY when another process wrote
        # in between — the race behind "database is locked" under concurrent registrations.
        if _write_intent.get():
            writers.enter(conn.connection.info)
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

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
