"""Migrations build the schema from nothing, and they agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from foros import create_app
from foros.extensions import db
from tests.conftest import base_config, database_uri


def _drop_everything():
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_builds_schema_and_models_agree(tmp_path):
    app = create_app(base_config(database_uri(tmp_path)))
    with app.app_context():
        _drop_everything()
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "events", "event_days", "api_tokens", "audit_entries", "alembic_version"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        _drop_everything()
        db.create_all()  # leave the PostgreSQL test database as the other tests expect it
        db.engine.dispose()


def test_cli_db_upgrade_on_empty_database(tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'cli.db'}"
    app = create_app(base_config(uri))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "events" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_upgrade_keeps_existing_data(tmp_path):
    """Rebuilding a parent table (SQLite batch mode) must not cascade-delete its children's rows."""
    from flask_migrate import downgrade

    from foros.demo.data import load_demo_data
    from foros.events.models import EventDay

    app = create_app(base_config(database_uri(tmp_path)))
    with app.app_context():
        _drop_everything()
        upgrade()
        load_demo_data()
        db.session.commit()
        days_before = db.session.query(EventDay).count()
        assert days_before > 0
        db.session.rollback()  # release our read locks before ALTER TABLE (PostgreSQL would wait on them)
        downgrade(revision="e34c7e0ae728")
        upgrade()
        assert db.session.query(EventDay).count() == days_before
        db.session.rollback()
        db.session.remove()
        _drop_everything()
        db.create_all()
        db.engine.dispose()
