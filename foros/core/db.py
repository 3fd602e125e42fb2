"""Database engine set-up: SQLite pragmas on every connection, psycopg 3 for PostgreSQL."""

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections import namedtuple
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from urllib.parse import quote

from sqlalchemy import event, or_, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from foros.config import is_production
from foros.extensions import db

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


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or written right now — an outage, not a bug: requests answer 503."""


#: SQLite primary result codes that mean "the database cannot be used now", not "the statement was wrong":
#: PERM, BUSY (still locked after the busy timeout), READONLY, IOERR, FULL, CANTOPEN, NOTADB.
_SQLITE_UNAVAILABLE = frozenset({3, 5, 8, 10, 13, 14, 26})
#: Those after which the connection itself must be replaced: it may have been opened read-only while the
#: file was not writable (SQLite then stays read-only for the connection's life), or hold a stale file.
_SQLITE_REOPEN = frozenset({8, 10, 14, 26})
#: PostgreSQL SQLSTATE classes of an outage: connection exception, insufficient resources (disk full),
#: operator intervention (shutdown, cannot connect now, statement cancelled), system error (I/O).
_PG_UNAVAILABLE_CLASSES = frozenset({"08", "53", "57", "58"})
_PG_READ_ONLY_TRANSACTION = "25006"  # a standby, or default_transaction_read_only


def _sqlite_code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None) if isinstance(error, sqlite3.Error) else None
    return None if code is None else code & 0xFF


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is down, unreachable, read-only or busy (not that a query was wrong)."""
    if isinstance(exc, (DatabaseUnavailable, DisconnectionError, PoolTimeoutError)):
        return True
    driver_error = exc
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        driver_error = exc.orig
    if isinstance(driver_error, sqlite3.Error):
        return _sqlite_code(driver_error) in _SQLITE_UNAVAILABLE
    sqlstate = getattr(driver_error, "sqlstate", None)  # psycopg
    if sqlstate:
        return sqlstate[:2] in _PG_UNAVAILABLE_CLASSES or sqlstate == _PG_READ_ONLY_TRANSACTION
    # psycopg's client-side failures (connection refused, server closed the connection) carry no SQLSTATE.
    return isinstance(exc, OperationalError)


def _must_reopen(dialect, error, dbapi_connection, cursor) -> bool:
    """Whether the connection that raised ``error`` is unusable (SQLAlchemy's disconnect test, plus SQLite's)."""
    return dialect.is_disconnect(error, dbapi_connection, cursor) or _sqlite_code(error) in _SQLITE_REOPEN


def database_write_problem(session) -> str | None:
    """Why the database cannot be written now (Spanish), or None; raises if it cannot be reached.

    One cheap round trip, since monitoring and the benches call it often. PostgreSQL: ``SHOW
    transaction_read_only`` both reaches the server and tells a standby (or a read-only default) from a
    primary. SQLite: ``SELECT 1``, then whether this process may write the database file, its WAL, the writer
    queue's lock file and their folder (``access(2)``, which also sees ``chattr +i`` and read-only mounts).
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        if session.execute(text("SHOW transaction_read_only")).scalar() == "on":
            return "La base de datos solo admite lecturas."
        return None
    session.execute(text("SELECT 1"))
    database = _file_path(bind)
    if database is None:
        return None
    if not os.access(database, os.W_OK) or not os.access(os.path.dirname(database) or ".", os.W_OK):
        return "No se puede escribir en el archivo de la base de datos."
    for path in (database + "-wal", database + ".lock"):
        if not os.access(path, os.W_OK) and os.path.exists(path):
            return "No se puede escribir en el archivo de la base de datos."
    return None


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
        event.listen(engine, "rollback", self._after_rollback)

    def enter(self, info: dict) -> None:
        if self.path is None or info.get("foros_write_locked"):
            return
        fd = info.get("foros_lock_fd")
        if fd is None:
            try:
                fd = info["foros_lock_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:  # e.g. the folder or the lock file was made read-only
                raise DatabaseUnavailable(f"cannot open the writer lock file: {error.strerror}") from error
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

    def _after_rollback(self, conn) -> None:
        if not conn.invalidated:  # an invalidated connection left the queue when it was invalidated
            self.leave(conn.connection.info)

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
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    with app.app_context():
        engine = db.engine

    interval = app.config.get("SQLITE_CHECKPOINT_INTERVAL")
    if interval is None:  # default: on in production, off in development and tests
        interval = 0.25 if is_production(app.config) else 0
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


class DriverStatement:
    """A Core statement compiled once per dialect and executed straight on the DBAPI cursor.

    ``Connection.execute`` spends ~0.1 ms of Python per statement on execution contexts, events, result
    metadata and parameter coercion — more than SQLite needs to run a statement (bench/README.md). The one
    or two statements of a hot path (a scan, a sign-up) run through this instead: the SQL string, the
    parameter order and the types' bind and result processors are worked out once per dialect, and each
    execution is one ``cursor.execute`` on the connection the session already began — same transaction,
    same BEGIN hooks (SQLite's writer queue), same types in and out as ``Connection.execute``. Driver errors
    are raised as SQLAlchemy's (``DBAPIError.instance``), as ``Connection.execute`` would.

    Parameters are the bind parameter names (``bindparam("x")``) or, for an ``INSERT`` without
    ``.values()``, the column keys: ``column_keys`` if given, else every column of the table but its
    autoincrement key (``insert_columns``), so that a new column cannot be forgotten; every one must be
    given, since Python-side column defaults are not applied here (checked when the statement is compiled).
    """

    def __init__(self, statement, *, column_keys: tuple[str, ...] | None = None):
        if column_keys is None and statement.is_insert and not statement._values:
            column_keys = insert_columns(statement.table)
        self.statement, self.column_keys = statement, column_keys
        self._by_dialect: dict[str, tuple] = {}

    def execute(self, conn, params: dict) -> "DriverResult":
        """Run on ``conn`` (a SQLAlchemy ``Connection``, e.g. ``db.session.connection()``)."""
        dialect = conn.dialect
        compiled = self._by_dialect.get(dialect.name) or self._compile(dialect)
        sql, names, defaults, bind_processors, row_type, result_processors = compiled
        values = {**defaults, **params} if defaults or bind_processors else params
        for name, process in bind_processors:
            if (value := values[name]) is not None:
                values[name] = process(value)
        driver_params = tuple(values[name] for name in names) if names is not None else values
        fairy = conn.connection
        cursor = fairy.cursor()
        try:
            cursor.execute(sql, driver_params)
            rows = cursor.fetchall() if row_type is not None else ()
            rowcount = cursor.rowcount
        except dialect.loaded_dbapi.Error as error:
            if _must_reopen(dialect, error, fairy, cursor):
                conn.invalidate(error)
            raise DBAPIError.instance(sql, driver_params, error, dialect.loaded_dbapi.Error,
                                      dialect=dialect) from error
        finally:
            with suppress(dialect.loaded_dbapi.Error):  # the connection may have been invalidated (closed) above
                cursor.close()
        if result_processors:
            rows = [row_type(*[value if process is None or value is None else process(value)
                               for value, process in zip(row, result_processors, strict=True)])
                    for row in rows]
        elif row_type is not None:
            rows = [row_type(*row) for row in rows]
        return DriverResult(rows, rowcount)

    def _compile(self, dialect) -> tuple:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("DriverStatement runs fixed SQL: no expanding IN or literal_execute parameters")
        prefetch = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)
                    if self.column_keys is None or c.key not in self.column_keys]
        if prefetch:
            raise ValueError(f"DriverStatement needs every column given, not defaulted in Python: {prefetch}")
        binds = compiled.binds
        names = tuple(compiled.positiontup) if compiled.positional else None  # else named (psycopg)
        defaults = {name: bind.value for name, bind in binds.items()
                    if not bind.required and bind.value is not None and bind.callable is None}
        bind_processors = tuple(
            (name, process) for name, bind in binds.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None)
        columns = list(self.statement.exported_columns)  # a SELECT's columns, or DML's RETURNING ones
        if columns:
            row_type = namedtuple("Row", self.statement.exported_columns.keys())
            processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
            result_processors = tuple(processors) if any(p is not None for p in processors) else ()
        else:
            row_type, result_processors = None, ()
        entry = (compiled.string, names, defaults, bind_processors, row_type, result_processors)
        self._by_dialect[dialect.name] = entry
        return entry


def insert_columns(table) -> tuple[str, ...]:
    """The keys of the columns an INSERT into ``table`` writes: all but the autoincrement primary key."""
    return tuple(column.key for column in table.columns if column is not table.autoincrement_column)


class DriverResult:
    """The rows of a ``DriverStatement`` (named tuples) and the driver's rowcount."""

    __slots__ = ("rows", "rowcount")

    def __init__(self, rows: list, rowcount: int):
        self.rows, self.rowcount = rows, rowcount

    def first(self):
        return self.rows[0] if self.rows else None

    def scalar(self):
        return self.rows[0][0] if self.rows else None

    def all(self) -> list:
        return self.rows
