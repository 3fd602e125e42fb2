"""``read_phase``: a writer's reads run before its write transaction, and what they loaded stays loaded."""

import sqlite3

import pytest
from sqlalchemy import inspect

from foros.core.db import read_phase, write_transaction
from foros.events.services import get_event
from foros.extensions import db
from tests.conftest import make_event


def _write_lock_is_free(app) -> bool:
    """Whether another connection can take SQLite's write lock right now (without waiting)."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_reads_inside_run_without_the_write_lock_and_stay_loaded(app):
    slug = make_event().slug
    db.session.commit()
    sqlite = db.engine.dialect.name == "sqlite"
    with write_transaction():
        with read_phase():
            event = get_event(slug)
            assert event.days
            if sqlite:
                assert _write_lock_is_free(app), "a read phase must not hold the write lock"
        # The read transaction is over, and the event and its days were not expired by ending it.
        assert not db.session().in_transaction()
        state = inspect(event)
        assert not state.expired_attributes and "days" not in state.unloaded
        # The next statement begins the write transaction (on SQLite: BEGIN IMMEDIATE, the lock is held).
        db.session.connection()
        if sqlite:
            assert not _write_lock_is_free(app)
        db.session.rollback()
    if sqlite:
        assert _write_lock_is_free(app)


def test_an_error_inside_leaves_the_transaction_to_the_caller(app):
    slug = make_event().slug
    db.session.commit()
    with write_transaction(), pytest.raises(RuntimeError), read_phase():
        get_event(slug)
        raise RuntimeError("boom")
    db.session.rollback()
