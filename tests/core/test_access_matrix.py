"""Who may call what: a role × route matrix built from ``app.url_map`` and the access each view declares.

A new route is covered as soon as it exists: it must declare its access (or the first test fails), and every
one of its methods is then requested by every role below and held to what that access implies.
"""

import tempfile
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from foros import create_app
from foros.accounts import services as accounts
from foros.core.permissions import endpoint_access
from foros.extensions import db
from tests.conftest import base_config, login, make_event

#: The people (and programs) who knock on every door.
ROLES = ("anonymous", "staff", "organizer", "staff_token", "organizer_token", "invalid_token")
#: Roles that hold a browser session (cookie); the others at most send an ``Authorization`` header.
SESSION_ROLES = {"staff", "organizer"}
#: Roles that send a bearer token that is valid.
VALID_TOKEN_ROLES = {"staff_token", "organizer_token"}
#: Methods the matrix does not request: Flask answers them itself for every route.
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
#: Every access a view may declare (see foros.accounts.auth).
KNOWN_ACCESS = {"public", "staff", "organizer", "token:any", "token:organizer"}


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    methods: tuple[str, ...]
    arguments: tuple[str, ...]


def _collect_routes() -> list[Route]:
    """Read the URL map once at collection time, from an app on a throwaway SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(base_config(f"sqlite:///{tmp}/collect.sqlite3"))
        routes = [
            Route(rule.rule, rule.endpoint, tuple(sorted(set(rule.methods) - SKIPPED_METHODS)),
                  tuple(sorted(rule.arguments)))
            for rule in app.url_map.iter_rules()
        ]
        with app.app_context():
            db.engine.dispose()
    return sorted(routes, key=lambda r: (r.rule, r.endpoint))


ROUTES = _collect_routes()
MATRIX = [
    pytest.param(route, method, role, id=f"{route.endpoint}-{method}-{role}")
    for route in ROUTES
    for method in route.methods
    for role in ROLES
]



@dataclass
class World:
    """What the URLs point at and who knocks: one event, two accounts, their tokens, an attendee."""

    organizer: object
    staff: object
    event: object
    staff_token: str
    organizer_token: str
    target_token_id: int
    #: Values for arguments of other domains' routes (ticket token and id, outbox message id).
    extra: dict

    def url_values(self) -> dict:
        """A real value for every URL argument in the map (a new argument name must be added here)."""
        return {
            "slug": self.event.slug,
            "user_id": self.staff.id,
            "token_id": self.target_token_id,
            "filename": "css/foros.css",
            "list_slug": self.event.days[0].day.isoformat(),  # the event's default check-in list
            "list_ref": self.event.days[0].day.isoformat(),
            "code": "AAAA-BBBB-CCCC-DDDD",  # a certificate code (none issued: the pages answer 404)
            "job_token": self.extra.get("job_token", "trabajo-que-no-existe"),
            # agenda: ids of the draft programme and a person's public key (none exist: 404 for those allowed)
            "session_id": 999_999,
            "assignment_id": 999_999,
            "room_id": 999_999,
            "type_id": 999_999,
            "person_id": 999_999,
            "person_key": "persona-que-no-existe",
            # networking: a table and a seat of a networking session (none exist: 404 for those allowed)
            "table_id": 999_999,
            "seat_id": 999_999,
            # networking consolidation and state agenda (none exist: 404 for those allowed)
            "conclusion_id": 999_999,
            "fmt": "pdf",
            "agenda_id": 999_999,
            "item_id": 999_999,
            "agenda_key": "agenda-que-no-existe",
            "session_uid": "sesion-que-no-existe@foros",
            # declarations (issue 15): none exist (404 for those allowed); a real municipality's process page
            "declaration_id": 999_999,
            "signatory_id": 999_999,
            "template_id": 999_999,
            "role_id": 999_999,
            "scan_id": 999_999,  # a scanned signed copy of a declaration
            "municipality_key": "15031",
            "capture_token": "mesa-que-no-existe",  # a table's capture link (none exists: 404)
            **self.extra,
        }


def _attendee_values(event) -> dict:
    """A real attendee's ticket token and id, and an outbox message id, for the routes that take them."""
    needed = {name for route in ROUTES for name in route.arguments}
    if not needed & {"token", "ticket_id", "message_id"}:
        return {}
    from sqlalchemy import select

    from foros.mail.models import OutboxMessage
    from foros.registration.inputs import RegistrationInput
    from foros.registration.signup import register_attendee

    person = RegistrationInput(name="Persona de la Matriz", email="persona@example.org", sector="ciudadania",
                               municipality_key="15031", privacy_consent=True)
    registration = register_attendee(event, person).registration
    message_id = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
    return {"token": registration.access_token, "ticket_id": registration.ticket_id, "message_id": message_id}


@pytest.fixture
def world(app, organizer, staff):
    event = make_event()
    staff.events.append(event)  # staff work this event's door (checks on unassigned events: tests/checkin)
    _row, staff_token = accounts.create_token(staff, "matriz personal")
    _row, organizer_token = accounts.create_token(organizer, "matriz organizador")
    target, _token = accounts.create_token(staff, "token que se revoca")
    extra = _attendee_values(event)
    db.session.commit()
    return World(organizer, staff, event, staff_token, organizer_token, target.id, extra)


def _request_as(app, world: World, role: str, method: str, url: str):
    client = app.test_client()
    headers = {}
    if role in SESSION_ROLES:
        user = world.staff if role == "staff" else world.organizer
        assert login(client, user.email).status_code == 302
    elif role == "staff_token":
        headers["Authorization"] = f"Bearer {world.staff_token}"
    elif role == "organizer_token":
        headers["Authorization"] = f"Bearer {world.organizer_token}"
    elif role == "invalid_token":
        headers["Authorization"] = "Bearer foros_esto-no-es-un-token-valido"
    return client.open(url, method=method, headers=headers)


def _build_url(app, route: Route, world: World) -> str:
    values = world.url_values()
    missing = [name for name in route.arguments if name not in values]
    assert not missing, f"{route.rule}: give the matrix a value for {missing} in World.url_values"
    adapter = app.url_map.bind("localhost")
    return adapter.build(route.endpoint, {name: values[name] for name in route.arguments})


def _assert_json_error(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json, response.content_type
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]


def _assert_redirect_to_login(response):
    assert response.status_code == 302, response.status_code
    assert urlsplit(response.headers["Location"]).path == "/entrar"


def _assert_allowed(response):
    assert response.status_code not in (401, 403), response.get_data(as_text=True)[:300]


def _assert_forbidden_page(response):
    assert response.status_code == 403
    assert "No tiene permiso" in response.get_data(as_text=True)


def test_every_endpoint_declares_its_access(app):
    undeclared = sorted({rule.endpoint for rule in app.url_map.iter_rules()
                         if endpoint_access(app, rule.endpoint) is None})
    assert not undeclared, f"routes without @public/@staff_required/@organizer_required/@api_auth: {undeclared}"


def test_every_declared_access_is_known(app):
    unknown = {rule.endpoint: endpoint_access(app, rule.endpoint) for rule in app.url_map.iter_rules()
               if endpoint_access(app, rule.endpoint) not in KNOWN_ACCESS}
    assert not unknown, f"the matrix does not know what these accesses imply: {unknown}"


def test_matrix_covers_the_url_map_of_the_test_app(app):
    current = sorted((r.rule, r.endpoint) for r in app.url_map.iter_rules())
    assert current == [(r.rule, r.endpoint) for r in ROUTES]


def test_every_url_argument_has_a_value(world):
    values = world.url_values()
    missing = {r.rule: [a for a in r.arguments if a not in values] for r in ROUTES
               if any(a not in values for a in r.arguments)}
    assert not missing


@pytest.mark.parametrize(("route", "method", "role"), MATRIX)
def test_role_matrix(app, world, route, method, role):
    access = endpoint_access(app, route.endpoint)
    assert access in KNOWN_ACCESS, f"{route.endpoint} declares {access!r}"
    url = _build_url(app, route, world)
    response = _request_as(app, world, role, method, url)
    try:
        assert response.status_code < 500, f"{method} {url} as {role}: {response.status_code}"
        if access == "public":
            _assert_allowed(response)
        elif access in ("staff", "organizer"):
            if role not in SESSION_ROLES:
                # HTML pages know only the session; a bearer token there counts for nothing.
                _assert_redirect_to_login(response)
            elif access == "organizer" and role == "staff":
                _assert_forbidden_page(response)
            else:
                _assert_allowed(response)
        else:  # token:any, token:organizer — the API ignores cookies
            if role not in VALID_TOKEN_ROLES:
                _assert_json_error(response, 401, "unauthorized")
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
            elif access == "token:organizer" and role == "staff_token":
                _assert_json_error(response, 403, "forbidden")
            else:
                _assert_allowed(response)
        if urlsplit(url).path.startswith("/api/") and response.status_code >= 400:
            assert response.is_json, f"{url}: API errors are JSON"
    finally:
        response.close()
