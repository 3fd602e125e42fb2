"""The whole JSON API fuzzed from its own OpenAPI document (schemathesis, bounded), and the document's rules.

Every documented operation gets generated requests — valid ones by the document (the positive-data check: such
a request must not be refused with 400/422) and invalid ones (they must be refused with a 4xx) — sent straight
to the WSGI app with an organizer's or a staff member's bearer token. Path parameters are generated (mostly
unknown events: 404s) and, for valid requests, also fixed to a seeded event and its list, so requests reach
the services. Every response is checked by schemathesis's built-in checks: no 5xx, the status code and content
type are documented, the body matches its documented schema, protected operations refuse a missing or wrong
token. Derandomized: CI runs the same cases every time.

schemathesis's pytest plugin (``from_fixture``) does not run on pytest 9 (``'Function' object has no attribute
'_nodeid'`` with schemathesis 4.32.5, the newest), so each case is a parametrized test that draws from
``operation.as_strategy`` with Hypothesis.
"""

import re

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from foros import create_app
from foros.accounts import services as accounts
from foros.accounts.models import Role
from foros.checkin.services import ensure_default_lists
from foros.core.api import TEXT_PATTERN, translate_messages
from foros.extensions import db
from tests.conftest import PASSWORD, base_config, make_event

#: Examples per case: the whole API in about a minute on this (busy, two-core) machine.
MAX_EXAMPLES = 30
EVENT_SLUG = "foro-fuzz"
REGISTER = "POST /api/v1/events/{slug}/registrations"
ATTENDANCE = "GET /api/v1/events/{slug}/attendance"
#: Operations whose valid values depend on the event (its sectors, days, check-in lists), which one document for
#: every event can only describe in prose; for the seeded event they may answer a documented 422.
PER_EVENT_VALUES = {REGISTER, ATTENDANCE}


def _document() -> dict:
    """The OpenAPI document, from an app that needs no database."""
    return create_app(base_config("sqlite://")).test_client().get("/api/v1/openapi.json").get_json()


def _cases() -> list:
    """(``METHOD /path``, generation mode, target) for every operation in the document. Operations whose only
    input is a free-text path segment have no invalid request to send: positive mode only. Only valid requests
    get the seeded path (seeding a path made invalid on purpose would make it valid)."""
    cases = []
    for path, item in sorted(_document()["paths"].items()):
        for method, operation in item.items():
            if method == "parameters":
                continue
            label = f"{method.upper()} {path}"
            cases.append(pytest.param(label, GenerationMode.POSITIVE, "any", id=f"{label}-positive"))
            if operation.get("parameters") or operation.get("requestBody"):
                cases.append(pytest.param(label, GenerationMode.NEGATIVE, "any", id=f"{label}-negative"))
            if "{" in path:
                cases.append(pytest.param(label, GenerationMode.POSITIVE, "seeded", id=f"{label}-seeded"))
    return cases


CASES = _cases()


def _patterns(node):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_every_pattern_in_the_document_is_a_json_schema_regex():
    # The text pattern once spelled the lone surrogates (\ud800-\udfff), which no JSON Schema validator can
    # compile: generators dropped it and sent NUL in "valid" requests. Lone surrogates are refused in prose.
    patterns = set(_patterns(_document()))
    assert TEXT_PATTERN in patterns
    for pattern in patterns:
        validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})  # raises if invalid
        if pattern == TEXT_PATTERN:
            assert validator.is_valid("Lucía Hernández, A.C.\tok") and not validator.is_valid("a\x00b")
            assert not validator.is_valid("Ana\u202e") and re.search(pattern, "a\x85") is None


def test_length_messages_reach_api_clients_in_spanish():
    assert translate_messages({"code": ["Length must be between 1 and 200."], "x": ["Length must be 5."]}) == {
        "code": ["Entre 1 y 200 caracteres."], "x": ["Exactamente 5 caracteres."]}


@pytest.fixture
def tokens(app):
    """A seeded event (its check-in lists included), an organizer and a staff member assigned to it."""
    organizer = accounts.create_user(email="org@example.org", name="Olga Organizadora", role=Role.ORGANIZER,
                                     password=PASSWORD)
    event = make_event(slug=EVENT_SLUG)
    staff = accounts.create_user(email="staff@example.org", name="Sergio Staff", role=Role.STAFF,
                                 password=PASSWORD, events=[event])
    lists = ensure_default_lists(event)
    _row, organizer_token = accounts.create_token(organizer, "fuzz")
    _row, staff_token = accounts.create_token(staff, "fuzz")
    db.session.commit()
    return {"organizer": organizer_token, "staff": staff_token, "list": lists[0].slug}


def test_every_operation_is_fuzzed():
    assert len({case.values[0] for case in CASES}) >= 8, CASES


@pytest.mark.slow
@pytest.mark.parametrize("role", ["organizer", "staff"])
@pytest.mark.parametrize(("label", "mode", "target"), CASES)
def test_operation_keeps_its_document(app, tokens, label, role, mode, target):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    seeded = {"slug": EVENT_SLUG, "list_ref": tokens["list"]} if target == "seeded" else {}
    token = tokens[role]

    @schema.auth()
    class Bearer:
        """The token goes on each case (not in configured headers, which every request carries), so the
        ignored-auth check can send a protected request again without it and with a wrong one (401 expected)."""

        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    # A registration for the seeded event must name one of *its* sectors and days, and an attendance export's
    # filters one of its days, lists and sectors, which the document can only describe in prose (one document for
    # every event): there a request valid by the document may get a documented 422 (`invalid_registration`,
    # `invalid_filter`). Every other check still runs on them (no 5xx, documented status and body, auth).
    excluded = [positive_data_acceptance] if seeded and label in PER_EVENT_VALUES else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.function_scoped_fixture])
    def fuzz(case):
        if seeded and case.path_parameters:
            case.path_parameters = {name: seeded.get(name, value) for name, value in case.path_parameters.items()}
        case.call_and_validate(excluded_checks=excluded)

    fuzz()
