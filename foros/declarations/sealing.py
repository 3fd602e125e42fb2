"""Sealing, without anyone's click, the signed declarations whose final document could not be sealed when their
last signature arrived (no certificate then, the timestamp authority down): the periodic task in
``foros.worker`` and ``flask declarations finalize`` run ``seal_unsealed``.

Like mail delivery this is a transaction boundary of its own: each declaration is sealed in a read transaction and
stored and committed in a short writer transaction of its own; one that fails is rolled back, logged and skipped —
the next run tries it again. Storing claims the declaration's row (``versions.store_sealed``), so two runs at
once, or a run and an organizer's "Sellar", make one final document."""

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foros.core.db import write_transaction
from foros.core.errors import DomainError
from foros.declarations.models import Declaration, DeclarationStatus
from foros.declarations.versions import seal_final, store_sealed
from foros.extensions import db

log = logging.getLogger(__name__)

#: What a failure that is not a domain error (a bug, pyHanko) is reported as; the log has the traceback.
UNEXPECTED = "Error interno al sellar; quedó en el registro del servidor."


@dataclass
class SealingRun:
    """What one run did: the declarations now sealed (by this run, or by a click or another run meanwhile), and
    those it could not seal with the reason, in Spanish."""

    sealed: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def unsealed_declarations() -> list[int]:
    """Ids of the signed declarations whose current version has no final document, oldest first."""
    stmt = (select(Declaration).where(Declaration.status == DeclarationStatus.SIGNED)
            .options(selectinload(Declaration.versions), selectinload(Declaration.final_documents))
            .order_by(Declaration.id))
    return [d.id for d in db.session.scalars(stmt) if d.final_document is None]


def seal_unsealed() -> SealingRun:
    """Seal each signed declaration left unsealed, each in its own transaction (commits; call it outside any
    transaction of the caller's)."""
    run = SealingRun()
    ids = unsealed_declarations()
    db.session.commit()  # end the read transaction: each seal below is a writer of its own
    for declaration_id in ids:
        reason = _seal_one(declaration_id)
        if reason is None:
            run.sealed.append(declaration_id)
        else:
            run.failed[declaration_id] = reason
    return run


def _seal_one(declaration_id: int) -> str | None:
    """Seal one declaration and commit; the reason it could not be sealed (nothing committed), or None. The seal
    (and the timestamp authority's wait) happens in a read transaction: on SQLite no writer waits for it, on
    PostgreSQL no row is locked meanwhile; only storing it is a writer, where ``store_sealed``'s claim decides."""
    try:
        declaration = db.session.get(Declaration, declaration_id)
        made = None
        if declaration is not None and declaration.status == DeclarationStatus.SIGNED \
                and declaration.final_document is None:
            made = seal_final(declaration)
        db.session.commit()  # end the read transaction
        if made is not None:
            with write_transaction():
                store_sealed(db.session.get(Declaration, declaration_id), made)
                db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        log.warning("declaration %s still unsealed (%s): %s", declaration_id, exc.code, exc.message)
        return exc.message
    except Exception:  # a bug with one declaration must not keep the others unsealed
        db.session.rollback()
        log.exception("declaration %s could not be sealed", declaration_id)
        return UNEXPECTED
    except BaseException:
        db.session.rollback()
        raise
    return None
