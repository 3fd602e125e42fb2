"""An editable list per installation (session types, conclusion themes, signatory roles): the shared columns and
the seeding of its default rows, which migrations and ``db.create_all`` write alike."""

from sqlalchemy import Integer, String, event, insert
from sqlalchemy.orm import Mapped, mapped_column


class EditableList:
    """Mixin: seeded rows keep a stable ``key``; organizers add rows (key NULL), reorder and retire them.

    Each model declares its own ``name`` column (its length is the list's own)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key of a seeded row (``networking``, ``transparencia``…); NULL for rows organizers add.
    key: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    #: Order in lists, pickers and menus.
    position: Mapped[int] = mapped_column(Integer, default=100)
    #: Retired rows stay on what already uses them but are no longer offered.
    is_active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self):
        return f"<{type(self).__name__} {self.id} {self.name}>"


def seed_rows(connection, model, defaults) -> None:
    """Insert ``defaults`` (``(key, name, position)`` triples) into the freshly created or emptied table."""
    connection.execute(insert(model.__table__), [
        {"key": key, "name": name, "position": position, "is_active": True} for key, name, position in defaults
    ])


def seed_when_created(model, defaults) -> None:
    """``db.create_all`` (tests, a first run without migrations) seeds the table as its migration does."""

    @event.listens_for(model.__table__, "after_create")
    def _seed(table, connection, **_kw):
        seed_rows(connection, model, defaults)
