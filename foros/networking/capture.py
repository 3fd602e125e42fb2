"""Capture of a table's conclusions from a phone (issue 14, point 2): the rapporteur's link /mesa/<token>.

The capture token is the credential: it opens exactly one table (``get_capture_table``) and every change names
a conclusion of that table, so a link can neither read nor write another table. Every change is judged here,
for the plain forms and the JSON the page's script sends alike:

- an "add" may carry the phone's ``client_uuid``: a retried add (the answer was lost with the signal) finds
  the row the first attempt made instead of making a second one — the database's unique (table, client_uuid)
  settles two attempts racing;
- an edit or a deletion names the ``version`` it was based on and is a conditional UPDATE … WHERE version =
  based_on: when someone else changed the conclusion meanwhile it is refused with ``StaleEdit`` (409), which
  carries the current row so the page can show both texts, never overwriting silently;
- once the organizer closes capture every change is refused with ``capture_closed``.

Rapporteurs have no account and the script saves as they type, so these changes are not written to the audit
log (it would hold one entry per pause in typing); each row keeps its own version and ``updated_at``, and the
organizer's later work on them (consolidation) is audited.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from foros.core.errors import DomainError, NotFound
from foros.core.text import clean_text
from foros.core.time import utcnow
from foros.extensions import db
from foros.networking.models import (
    BACKING_NOTE_MAX,
    CONCLUSION_TEXT_MAX,
    NetworkingTable,
    TableConclusion,
    Theme,
)

#: Longest capture token accepted in a URL (the tokens made are 32 characters); longer ones are not looked up.
TOKEN_MAX = 64
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
#: Most conclusions one table may hold (a runaway script or a stuck key cannot fill the database).
MAX_PER_TABLE = 200

CLOSED_MESSAGE = ("La organización cerró la captura de esta mesa: ya no se aceptan cambios. Las conclusiones "
                  "quedaron guardadas como se muestran.")
STALE_MESSAGE = ("Otra persona cambió esta conclusión mientras usted la editaba. Compare su texto con el actual "
                 "y guarde de nuevo si quiere reemplazarlo.")


class StaleEdit(DomainError):
    """The conclusion changed (or was deleted) since the version the edit was based on."""

    status = 409

    def __init__(self, current: TableConclusion):
        deleted = current.deleted_at is not None
        super().__init__("conclusion_deleted" if deleted else "stale_edit",
                         "Otra persona eliminó esta conclusión mientras usted la editaba. Su texto sigue en el "
                         "cuadro: puede agregarlo como conclusión nueva." if deleted else STALE_MESSAGE)
        self.current = current


@dataclass
class ConclusionInput:
    """A conclusion as the rapporteur typed it."""

    text: str
    theme_ids: list[int] = field(default_factory=list)
    backing_sectors: str = ""


def get_capture_table(token: str) -> NetworkingTable:
    """The table whose capture link this is, or 404 (an unknown token says nothing about other tables)."""
    if not token or len(token) > TOKEN_MAX:
        raise NotFound("not_found", "Este enlace de captura no existe. Revise el código QR de su mesa.")
    table = db.session.scalar(select(NetworkingTable).where(NetworkingTable.capture_token == token))
    if table is None:
        raise NotFound("not_found", "Este enlace de captura no existe. Revise el código QR de su mesa.")
    return table


def current_conclusions(table: NetworkingTable) -> list[TableConclusion]:
    """The table's conclusions as the rapporteur arranged them (deleted ones left out)."""
    return list(db.session.scalars(
        select(TableConclusion).where(TableConclusion.table_id == table.id, TableConclusion.deleted_at.is_(None))
        .order_by(TableConclusion.position, TableConclusion.id)))


def get_conclusion(table: NetworkingTable, conclusion_id) -> TableConclusion:
    """One conclusion of this table (deleted ones too), or 404 — never another table's."""
    conclusion = db.session.get(TableConclusion, conclusion_id) if isinstance(conclusion_id, int) else None
    if conclusion is None or conclusion.table_id != table.id:
        raise NotFound("not_found", "Esa conclusión no es de esta mesa.")
    return conclusion


def require_open(table: NetworkingTable) -> None:
    """Refuse any change once the organizer closed the table's capture."""
    if not table.capture_open:
        raise DomainError("capture_closed", CLOSED_MESSAGE, status=409)


def _judge(data: ConclusionInput) -> tuple[str, str, list[Theme]]:
    """Clean and check what was typed; every problem at once, per field."""
    errors: dict[str, list[str]] = {}
    text = clean_text(data.text or "").strip() if isinstance(data.text, str) else ""
    note = clean_text(data.backing_sectors or "").strip() if isinstance(data.backing_sectors, str) else ""
    if not text:
        errors["text"] = ["Escriba el texto de la conclusión."]
    elif len(text) > CONCLUSION_TEXT_MAX:
        errors["text"] = [f"La conclusión no puede pasar de {CONCLUSION_TEXT_MAX} caracteres "
                          f"(tiene {len(text)})."]
    if len(note) > BACKING_NOTE_MAX:
        errors["backing_sectors"] = [f"La nota de sectores no puede pasar de {BACKING_NOTE_MAX} caracteres."]
    ids = {i for i in data.theme_ids or [] if isinstance(i, int) and not isinstance(i, bool)}
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(ids), Theme.is_active)
                                     .order_by(Theme.position))) if ids else []
    if len(themes) != len(ids) or len(ids) != len(data.theme_ids or []):
        errors["themes"] = ["Elija temas de la lista."]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError("invalid_conclusion", first, fields=errors)
    return text, note, themes


def valid_client_uuid(value) -> str | None:
    """The phone's UUID for an add, lower-cased; None when absent; refused when malformed."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _UUID.match(value):
        raise DomainError("invalid_client_uuid", "El identificador de la conclusión no es válido.",
                          fields={"client_uuid": ["Identificador no válido."]})
    return value.lower()


def _by_client_uuid(table: NetworkingTable, client_uuid: str) -> TableConclusion | None:
    return db.session.scalar(select(TableConclusion).where(TableConclusion.table_id == table.id,
                                                           TableConclusion.client_uuid == client_uuid))


def add_conclusion(table: NetworkingTable, data: ConclusionInput, *, client_uuid: str | None = None
                   ) -> tuple[TableConclusion, bool]:
    """Add a conclusion at the end of the table's list; ``(conclusion, created)``.

    With ``client_uuid``, a retry of an add that already reached the server returns that conclusion
    (``created`` False) and changes nothing.
    """
    require_open(table)
    client_uuid = valid_client_uuid(client_uuid)
    if client_uuid and (existing := _by_client_uuid(table, client_uuid)) is not None:
        return existing, False
    text, note, themes = _judge(data)
    count = db.session.scalar(select(func.count()).select_from(TableConclusion)
                              .where(TableConclusion.table_id == table.id, TableConclusion.deleted_at.is_(None)))
    if count >= MAX_PER_TABLE:
        raise DomainError("too_many_conclusions", f"Una mesa puede registrar hasta {MAX_PER_TABLE} conclusiones.")
    last = db.session.scalar(select(func.max(TableConclusion.position))
                             .where(TableConclusion.table_id == table.id))
    conclusion = TableConclusion(table_id=table.id, text=text, backing_sectors=note, themes=themes,
                                 position=(last or 0) + 10, version=1, client_uuid=client_uuid)
    try:
        with db.session.begin_nested():  # two attempts with one UUID racing: the second finds the first's row
            db.session.add(conclusion)
    except IntegrityError:
        existing = _by_client_uuid(table, client_uuid) if client_uuid else None
        if existing is None:
            raise
        return existing, False
    return conclusion, True


def _conditional_update(conclusion: TableConclusion, base_version, values: dict) -> TableConclusion:
    """Apply ``values`` only if the row is still at ``base_version`` (one UPDATE: the database decides)."""
    if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 1:
        raise DomainError("invalid_version", "Falta la versión en la que se basó el cambio. Recargue la página.",
                          fields={"version": ["Versión no válida."]})
    result = db.session.execute(
        update(TableConclusion)
        .where(TableConclusion.id == conclusion.id, TableConclusion.version == base_version,
               TableConclusion.deleted_at.is_(None))
        .values(version=TableConclusion.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    db.session.refresh(conclusion)
    if result.rowcount != 1:
        raise StaleEdit(conclusion)
    return conclusion


def edit_conclusion(table: NetworkingTable, conclusion: TableConclusion, base_version, data: ConclusionInput
                    ) -> TableConclusion:
    """Change text, themes and note of a conclusion, if nobody changed it since ``base_version``.

    Saving again what is already there (a retry whose answer was lost) is not a change: it succeeds as is.
    """
    require_open(table)
    text, note, themes = _judge(data)
    if (conclusion.deleted_at is None and conclusion.text == text and conclusion.backing_sectors == note
            and {t.id for t in conclusion.themes} == {t.id for t in themes}):
        return conclusion
    conclusion = _conditional_update(conclusion, base_version, {"text": text, "backing_sectors": note})
    conclusion.themes = themes
    db.session.flush()
    return conclusion


def delete_conclusion(table: NetworkingTable, conclusion: TableConclusion, base_version) -> TableConclusion:
    """Remove a conclusion from the table's list (kept, hidden), if nobody changed it since ``base_version``.

    Deleting an already deleted conclusion again (a retry) is a no-op.
    """
    require_open(table)
    if conclusion.deleted_at is not None:
        return conclusion
    return _conditional_update(conclusion, base_version, {"deleted_at": utcnow()})


def move_conclusion(table: NetworkingTable, conclusion: TableConclusion, direction: str) -> None:
    """Move a conclusion one place up or down the table's list (order is not content: no version change)."""
    require_open(table)
    if direction not in ("up", "down"):
        raise DomainError("invalid_direction", "Indique si la conclusión sube o baja.")
    rows = current_conclusions(table)
    if conclusion not in rows:
        raise NotFound("not_found", "Esa conclusión ya no está en la lista.")
    i = rows.index(conclusion)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(rows):
        rows[i], rows[j] = rows[j], rows[i]
    for position, row in enumerate(rows, start=1):
        row.position = position * 10
    db.session.flush()


def as_json(conclusion: TableConclusion) -> dict:
    """A conclusion as the capture page's script reads it."""
    return {"id": conclusion.id, "version": conclusion.version, "text": conclusion.text,
            "themes": [t.id for t in conclusion.themes], "backing_sectors": conclusion.backing_sectors,
            "client_uuid": conclusion.client_uuid, "deleted": conclusion.deleted_at is not None}
