"""Write intent: whether the transaction about to begin will write (SQLite takes its write lock at
BEGIN for a writer), and the read phase of a writing request."""

from contextlib import contextmanager
from contextvars import ContextVar

from foros.extensions import db

#: Whether the transaction about to begin will write (SQLite then takes the write lock at BEGIN).
_write_intent: ContextVar[bool] = ContextVar("foros_write_intent", default=False)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@contextmanager
def write_transaction():
    """Mark transactions begun inside this block as writers (CLI, worker; requests do it by method)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def read_phase():
    """Run a writing request's reads before its write transaction (SQLite holds the write lock less).

    A POST's transactions take SQLite's write lock at BEGIN (see ``_begin``). Inside this block they are
    plain read transactions instead; leaving the block ends that transaction *without expiring* what it
    loaded (an event and its days, say), so the write transaction that follows — and the lock — starts only
    at the first write statement's request. What was read may be a few milliseconds old by then: every
    guarantee (seats, one registration per e-mail, one admission) is a constraint or a conditional write
    checked inside the write transaction, never a value read here. A no-op on PostgreSQL apart from ending
    the transaction.
    """
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)
    session = db.session()
    if session.in_transaction():
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire
