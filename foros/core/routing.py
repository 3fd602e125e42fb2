"""URL converters: ``<int:…>`` ids that fit the database's integer column."""

from werkzeug.routing import IntegerConverter

#: Largest value of a PostgreSQL ``integer`` (SQLite stops at 2**63 - 1); our primary keys are ``integer``.
MAX_DB_INT = 2**31 - 1


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` limited to 0…2**31-1, so /x/99999999999999999999 is a 404, not a database overflow (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


def init_app(app):
    """Make every ``<int:…>`` route use the bounded converter (call before registering blueprints)."""
    app.url_map.converters["int"] = DatabaseIntConverter
