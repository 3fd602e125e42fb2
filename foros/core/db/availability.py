"""Outages: telling "the database is down, read-only or busy" from "the statement was wrong", and
whether it can be written now (``/healthz``)."""

import os
import sqlite3

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


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
    database = database_file(bind)
    if database is None:
        return None
    if not os.access(database, os.W_OK) or not os.access(os.path.dirname(database) or ".", os.W_OK):
        return "No se puede escribir en el archivo de la base de datos."
    for path in (database + "-wal", database + ".lock"):
        if not os.access(path, os.W_OK) and os.path.exists(path):
            return "No se puede escribir en el archivo de la base de datos."
    return None



def database_file(engine) -> str | None:
    database = engine.url.database or ""
    return None if database in ("", ":memory:") or database.startswith("file:") else database
