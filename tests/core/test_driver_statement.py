"""``DriverStatement``: a hot path's statement run on the DBAPI cursor gives what ``Connection.execute`` gives."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, bindparam, exists, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from foros.core.db import DriverStatement, dialect_insert
from foros.core.types import UTCDateTime, enum_type
from foros.extensions import db
from foros.registration.models import RegistrationStatus

metadata = MetaData()
probe = Table(
    "driver_probe", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(20), unique=True),
    Column("at", UTCDateTime()),
    Column("flags", JSON),
    Column("status", enum_type(RegistrationStatus)),
    Column("done", Boolean),
    Column("note", String(20), default="por defecto"),
)
COLUMNS = ("code", "at", "flags", "status", "done", "note")
AT = datetime(2026, 11, 25, 16, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def table(app):
    metadata.create_all(db.engine)
    yield probe
    db.session.rollback()
    metadata.drop_all(db.engine)


def _row(code: str, **overrides) -> dict:
    return {"code": code, "at": AT, "flags": {"modalidades": ["presencial"], "n": 1},
            "status": RegistrationStatus.WAITLISTED, "done": True, "note": "nota", **overrides}


def test_insert_writes_what_connection_execute_writes(table):
    conn = db.session.connection()
    returning = dialect_insert(conn.dialect.name)(table).on_conflict_do_nothing().returning(table.c.id)
    driver_id = DriverStatement(returning, column_keys=COLUMNS).execute(conn, _row("driver")).scalar()
    core_id = conn.execute(insert(table).returning(table.c.id), _row("core")).scalar()
    assert driver_id and core_id
    # Stored byte for byte the same way (SQLite keeps datetimes and JSON as text).
    stored = conn.exec_driver_sql("SELECT code, at, flags, status, done, note FROM driver_probe ORDER BY code")
    core, driver = [tuple(r)[1:] for r in stored]
    assert driver == core
    # ON CONFLICT DO NOTHING: nothing inserted, no row returned.
    again = DriverStatement(returning, column_keys=COLUMNS).execute(conn, _row("driver"))
    assert again.scalar() is None and again.first() is None


def test_select_gives_the_same_values_and_types(table):
    conn = db.session.connection()
    conn.execute(insert(table), [_row("a"), _row("b", done=False)])
    other = table.alias("other")
    statement = select(
        table.c.id, table.c.at, table.c.flags, table.c.status, table.c.done, table.c.note.label("nota"),
        exists().where(other.c.code == bindparam("other_code")).label("has_other"),
    ).where(table.c.code == bindparam("code"))
    driver = DriverStatement(statement)
    for code, other_code in (("a", "b"), ("b", "zz")):
        params = {"code": code, "other_code": other_code}
        expected = conn.execute(statement, params).one()
        got = driver.execute(conn, params).first()
        assert tuple(got) == tuple(expected)
        assert [type(v) for v in got] == [type(v) for v in expected]
        assert got.nota == "nota" and got.at == AT and got.status is RegistrationStatus.WAITLISTED
        assert got.has_other is (other_code == "b")
    assert driver.execute(conn, {"code": "none", "other_code": "x"}).first() is None


def test_update_rowcount_and_the_session_transaction(table):
    conn = db.session.connection()
    conn.execute(insert(table), [_row("a"), _row("b")])
    db.session.commit()
    statement = DriverStatement(sql_update(table).where(table.c.done == bindparam("was")).values(
        done=bindparam("now_done"), at=bindparam("at")))
    conn = db.session.connection()
    assert statement.execute(conn, {"was": True, "now_done": False, "at": AT}).rowcount == 2
    assert statement.execute(conn, {"was": True, "now_done": False, "at": AT}).rowcount == 0
    db.session.rollback()  # the statements ran in the session's transaction: rolled back with it
    assert db.session.scalar(select(table.c.done).where(table.c.code == "a")) is True


def test_a_column_left_to_its_python_default_is_refused(table):
    statement = DriverStatement(insert(table), column_keys=("code",))
    with pytest.raises(ValueError, match="note"):
        statement.execute(db.session.connection(), {"code": "x"})


def test_driver_errors_are_raised_as_sqlalchemy_errors(table):
    conn = db.session.connection()
    statement = DriverStatement(insert(table), column_keys=COLUMNS)
    statement.execute(conn, _row("same"))
    with pytest.raises(IntegrityError):
        statement.execute(conn, _row("same"))


def test_statements_whose_sql_changes_per_execution_are_refused(table):
    statement = DriverStatement(select(table.c.id).where(table.c.code.in_(bindparam("codes", expanding=True))))
    with pytest.raises(ValueError, match="expanding"):
        statement.execute(db.session.connection(), {"codes": ["a", "b"]})
