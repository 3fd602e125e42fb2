"""The database plumbing, one module per concern; import from here.

- ``engine``: driver and pool options; on every SQLite connection the pragmas, the writer queue at BEGIN,
  background checkpoints and read-only recovery;
- ``writers``: the writer queue (an OS file lock before ``BEGIN IMMEDIATE``);
- ``checkpoint``: WAL checkpoints by a background thread;
- ``intent``: write intent (``write_transaction``) and a writing request's ``read_phase``;
- ``availability``: outages told from bad statements, and whether the database can be written now;
- ``driver``: ``DriverStatement``, for the hot paths that ``bench/README.md`` names (and only those);
- ``queries``: small query helpers.
"""

from foros.core.db.availability import DatabaseUnavailable, database_write_problem, is_database_unavailable
from foros.core.db.checkpoint import BackgroundCheckpointer
from foros.core.db.driver import DriverResult, DriverStatement, insert_columns
from foros.core.db.engine import (
    configure_engine_options,
    install_connection_pragmas,
    is_sqlite,
    normalize_database_uri,
)
from foros.core.db.intent import UNSAFE_METHODS, read_phase, write_transaction
from foros.core.db.queries import contains_text, dialect_insert
from foros.core.db.writers import WriterQueue

__all__ = [
    "UNSAFE_METHODS", "BackgroundCheckpointer", "DatabaseUnavailable", "DriverResult", "DriverStatement",
    "WriterQueue", "configure_engine_options", "contains_text", "database_write_problem", "dialect_insert",
    "insert_columns", "install_connection_pragmas", "is_database_unavailable", "is_sqlite",
    "normalize_database_uri", "read_phase", "write_transaction",
]
