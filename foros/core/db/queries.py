"""Small query helpers shared by the domains (dialect-aware INSERT, a literal "contains")."""


from sqlalchemy import or_


def dialect_insert(dialect_name: str):
    """The dialect's ``insert`` construct (with ``on_conflict_do_nothing``): PostgreSQL's or SQLite's."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return pg_insert if dialect_name == "postgresql" else sqlite_insert


def contains_text(text: str, *columns):
    """Case-insensitive "contains" on any of ``columns``, with ``%``, ``_`` and ``\\`` taken literally."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
