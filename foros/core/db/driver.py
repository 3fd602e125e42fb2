"""``DriverStatement``: a hot path's Core statement run straight on the DBAPI cursor (allowed only in the
modules ``bench/README.md`` names: ``tests/core/test_hot_paths.py``)."""

from collections import namedtuple
from contextlib import suppress

from sqlalchemy.exc import DBAPIError

from foros.core.db.availability import _must_reopen


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
