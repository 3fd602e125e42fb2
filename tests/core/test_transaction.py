"""One transaction boundary: views never commit or roll back, GET requests write nothing, queued mail wakes
the worker only once it is committed (foros/core/transaction.py)."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from foros.core import transaction
from foros.core.errors import DomainError
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.mail.services import OUTBOX_QUEUED, RenderedMessage, queue_message
from tests.conftest import login
from tests.core import test_access_matrix as matrix
from tests.core.test_access_matrix import ROUTES, _build_url, _request_as

world = matrix.world  # the access matrix's fixture: one event, two accounts, their tokens, an attendee
PACKAGE = Path(__file__).resolve().parents[2] / "foros"


def _view_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if p.name in ("views.py", "api.py") or p.name.endswith("_views.py"))


def _transaction_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} .{node.func.attr}()"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")]


def test_the_walk_finds_the_view_modules():
    names = {str(p.relative_to(PACKAGE)) for p in _view_modules()}
    assert {"events/views.py", "registration/views.py", "registration/manage_views.py", "checkin/api.py",
            "accounts/views.py", "mail/views.py"} <= names


def test_the_walk_sees_a_commit_or_rollback(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text("def view():\n    db.session.commit()\n    session.rollback()\n", encoding="utf-8")
    tree_calls = [c.split(" ", 1)[1] for c in _transaction_calls_at(bad)]
    assert tree_calls == [".commit()", ".rollback()"]


def _transaction_calls_at(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{node.lineno} .{node.func.attr}()" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")]


def test_no_view_module_commits_or_rolls_back():
    """The request's transaction ends in one place (foros.core.transaction.run_view), never in a view."""
    found = [call for path in _view_modules() for call in _transaction_calls(path)]
    assert found == [], "views must not end the transaction themselves: " + ", ".join(found)


# --- GET requests write nothing ----------------------------------------------------------------------

def _snapshot() -> dict:
    """Every row of every table, as committed (a connection of its own)."""
    with db.engine.connect() as conn:
        return {table.name: sorted(map(repr, conn.execute(select(table)).all()))
                for table in db.metadata.sorted_tables}


GET_ROUTES = [route for route in ROUTES if "GET" in route.methods]

#: The only GET routes that write, the one table each may write, the one action it may record, and why.
#: The attendance API answers personal data to a GET (issue 12 names the route so), and an auditor must see
#: every export (who, when, which filters): the audit entry alone is committed in a short transaction of its
#: own (foros.audit.services.record_action_apart); the request's transaction still commits nothing.
AUDITED_READS = {"api_attendance.export_attendance": ("audit_entries", "attendance.exported")}


def _writes_allowed(before: dict, after: dict, statuses: dict) -> None:
    """Outside the allowed tables nothing changed; in them, only new rows of the allowed action, one per
    answered (200) request of an allowed route."""
    tables = {table for table, _action in AUDITED_READS.values()}
    assert {k: v for k, v in after.items() if k not in tables} == {k: v for k, v in before.items()
                                                                     if k not in tables}
    for table in tables:
        assert set(before[table]) <= set(after[table])  # nothing changed or removed
        new = sorted(set(after[table]) - set(before[table]))
        answered = [e for e, status in statuses.items() if AUDITED_READS.get(e, ("",))[0] == table
                    and status == 200]
        actions = {AUDITED_READS[e][1] for e in answered}
        assert len(new) == len(answered)
        assert all(any(f"'{action}'" in row for action in actions) for row in new)


def test_the_audited_reads_are_get_routes():
    assert set(AUDITED_READS) <= {route.endpoint for route in GET_ROUTES}


@pytest.mark.parametrize("role", ["anonymous", "staff", "organizer", "staff_token", "organizer_token"])
def test_get_requests_write_nothing(app, world, role):
    """Every GET route of the URL map, as each kind of caller: the database is the same row for row after
    (but for the audit entries of AUDITED_READS)."""
    client = app.test_client()
    headers = {}
    if role in ("staff", "organizer"):
        user = world.staff if role == "staff" else world.organizer
        assert login(client, user.email).status_code == 302  # logging in writes (a POST): before the snapshot
    elif role.endswith("_token"):
        token = world.staff_token if role == "staff_token" else world.organizer_token
        headers["Authorization"] = f"Bearer {token}"
    before = _snapshot()
    statuses = {}
    for route in GET_ROUTES:
        url = _build_url(app, route, world)
        statuses[route.endpoint] = client.get(url, headers=headers).status_code
    _writes_allowed(before, _snapshot(), statuses)
    assert any(status == 200 for status in statuses.values())
    if role == "organizer_token":  # the allowance is used, not dead: the export was answered and recorded
        assert all(statuses[endpoint] == 200 for endpoint in AUDITED_READS)


def test_the_snapshot_sees_a_write(app, world):
    before = _snapshot()
    _request_as(app, world, "organizer", "GET", "/")  # logging in writes: its attempt is counted
    assert _snapshot() != before


# --- the worker is told after commit, never after a rollback -------------------------------------------

@pytest.fixture
def notified(app):
    calls = []

    def record():
        with db.engine.connect() as conn:  # what another process (the worker) would see now
            calls.append(conn.execute(select(OutboxMessage.id)).all())

    transaction.on_commit(app, OUTBOX_QUEUED, record)
    return calls


def _queue():
    queue_message("user.password_reset", "ana@example.org",
                  RenderedMessage(subject="Prueba", text="Hola", html="<p>Hola</p>"))


def test_queued_mail_wakes_the_worker_after_commit(app, notified):
    _queue()
    assert notified == []
    db.session.commit()
    assert len(notified) == 1 and len(notified[0]) == 1  # the message was already visible to the worker
    db.session.commit()
    assert len(notified) == 1  # once per transaction that queued


def test_rolled_back_mail_does_not_wake_the_worker(app, notified):
    _queue()
    db.session.rollback()
    db.session.commit()
    assert notified == []
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_request_that_queues_mail_wakes_the_worker_once_committed(app, client, organizer, notified):
    response = client.post("/contrasena/olvido", data={"email": organizer.email})
    assert response.status_code == 200
    assert len(notified) == 1 and len(notified[0]) == 1


def test_a_request_that_fails_after_queuing_rolls_back_and_tells_no_one(app, notified):
    @app.post("/_prueba/falla-despues-de-encolar")
    def fails_after_queuing():
        _queue()
        raise DomainError("boom", "Falló a propósito.")

    fails_after_queuing.access = "public"
    response = app.test_client().post("/_prueba/falla-despues-de-encolar")
    assert response.status_code == 422
    assert notified == []
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_shown_domain_error_discards_what_the_request_wrote(app, notified):
    @app.post("/_prueba/muestra-error")
    def shows_error():
        _queue()
        try:
            raise DomainError("boom", "Falló a propósito.")
        except DomainError as exc:
            transaction.discard()
            return exc.message, 200

    shows_error.access = "public"
    response = app.test_client().post("/_prueba/muestra-error")
    assert response.status_code == 200
    assert notified == []
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_view_that_returns_commits_once(app, notified):
    @app.post("/_prueba/encola")
    def queues():
        _queue()
        return "ok", 201

    queues.access = "public"
    assert app.test_client().post("/_prueba/encola").status_code == 201
    assert len(notified) == 1
    assert db.session.scalar(select(OutboxMessage.id)) is not None
