"""The one transaction boundary of a request, and actions that run only once a transaction has committed.

A request commits once, at its end, or rolls back — views and services never call ``commit``/``rollback``:

- The boundary is ``Foros.dispatch_request`` (``foros/__init__.py``), around every view (HTML, the
  flask-smorest API, static files). A view that **returns** has its transaction committed right after it
  returns — before the response is sent, so a failed commit is still answered as an error (503 for an
  outage). A view that **raises** (a ``DomainError``, ``abort(403)``, a bug) is rolled back before the error
  handlers render the error. A view may *return* an error answer whose work must be kept (a failed login
  still counts; a duplicate sign-up still re-sends the ticket link): returning commits.
- A view that catches a ``DomainError`` to show it (a form re-rendered with the error, a flash and a
  redirect) calls ``discard()``: what the request wrote is rolled back at once — so the page shows the
  database as it is — and the request commits nothing more.
- ``GET``, ``HEAD`` and ``OPTIONS`` requests never write: their transaction is not committed (Flask-SQLAlchemy
  ends the session at the end of the request, which rolls back); ``tests/core/test_get_requests_write_nothing``
  proves it over every GET route.

After-commit actions: a service that did something the outside world must hear about only once it is durable
(an e-mail queued in the outbox → wake the worker) calls ``after_commit(name)``; the session's ``after_commit``
event runs the callback registered under that name (``on_commit`` in ``create_app``) once the transaction
commits, and a rollback forgets it. This works the same for requests, CLI commands and tests.
"""

from flask import current_app, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from foros.extensions import db

#: Methods whose requests must not write (RFC 9110 safe methods): never committed.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PENDING = "foros_after_commit"  # key in ``Session.info``: names of the actions waiting for the commit
_DISCARDED = "_foros_transaction_discarded"  # flag on ``g``


def run_view(dispatch):
    """Call ``dispatch`` (the view) inside the request's transaction: commit if it returns, roll back if not."""
    try:
        rv = dispatch()
    except BaseException:
        db.session.rollback()
        raise
    if request.method in SAFE_METHODS or g.get(_DISCARDED):
        return rv
    session = db.session()
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        try:
            session.commit()
        except BaseException:
            session.rollback()  # so that the error page can still use the session
            raise
    return rv


def discard() -> None:
    """A ``DomainError`` is shown instead of raised: undo what this request wrote; commit nothing at its end."""
    db.session.rollback()
    g.setdefault(_DISCARDED, True)


def after_commit(name: str) -> None:
    """Run the action registered as ``name`` once the current transaction commits (never if it rolls back)."""
    db.session().info.setdefault(_PENDING, set()).add(name)


def on_commit(app, name: str, callback) -> None:
    """Register ``callback()`` as the after-commit action ``name`` for ``app`` (called from ``create_app``)."""
    app.extensions.setdefault(_PENDING, {})[name] = callback


def _run_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    actions = current_app.extensions.get(_PENDING, {})
    for name in sorted(pending):
        callback = actions.get(name)
        if callback is not None:
            callback()


def _forget_pending(session: Session, _previous_transaction=None) -> None:
    if not session.in_transaction():  # the whole transaction ended, not a savepoint
        session.info.pop(_PENDING, None)


def init_app(app) -> None:
    """Install the session events once (they apply to every Flask-SQLAlchemy session)."""
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_commit", _run_pending):
        event.listen(session_class, "after_commit", _run_pending)
        event.listen(session_class, "after_soft_rollback", _forget_pending)
