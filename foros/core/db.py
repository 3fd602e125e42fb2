"""Database engine set-up: SQLite pragmas on every connection, psycopg 3 for PostgreSQL."""

from sqlalchemy import event


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
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        # WAL + NORMAL survives an application crash; see bench/README.md for the trade-off.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
