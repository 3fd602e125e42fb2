"""Error codes in one catalogue per domain (README "Architecture"): every code raised in foros/ is in a
domain's ``errors.py`` catalogue, and every catalogued code is listed in the OpenAPI document."""

import ast
from pathlib import Path

import pytest

from foros.core import error_catalogue
from foros.core.errors import DomainError

PACKAGE = Path(__file__).resolve().parents[2] / "foros"

#: Paths the check skips (none: joint declarations, issue 15, catalogue theirs in foros/declarations/errors.py).
NOT_YET_CATALOGUED: tuple[str, ...] = ()


def _trees():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        if not rel.startswith(NOT_YET_CATALOGUED):
            yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _error_classes(trees) -> set[str]:
    """DomainError and its subclasses declared anywhere in foros/ (by name)."""
    names = {"DomainError"}
    grew = True
    while grew:
        grew = False
        for _, tree in trees:
            for node in ast.walk(tree):
                if (isinstance(node, ast.ClassDef) and node.name not in names
                        and any(isinstance(b, ast.Name) and b.id in names for b in node.bases)):
                    names.add(node.name)
                    grew = True
    return names


def _literal_codes(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_codes(node.body) + _literal_codes(node.orelse)
    return []


def raised_codes(trees) -> dict[str, str]:
    """Each literal code given to an error class (its first argument, in a call) → where."""
    classes = _error_classes(trees)
    found = {}
    for rel, tree in trees:
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Name)
                    and node.func.id in classes):
                for code in _literal_codes(node.args[0]):
                    found.setdefault(code, f"{rel}:{node.lineno}")
            elif isinstance(node, ast.ClassDef) and node.name in classes:
                for call in ast.walk(node):  # super().__init__("code", …) inside a subclass
                    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                            and call.func.attr == "__init__" and call.args):
                        for code in _literal_codes(call.args[0]):
                            found.setdefault(code, f"{rel}:{call.lineno}")
    return found


def test_every_raised_code_is_in_a_domain_catalogue(app):
    codes = raised_codes(list(_trees()))
    assert len(codes) > 100  # the scan sees the services' raises
    missing = {code: where for code, where in codes.items() if error_catalogue.lookup(code) is None}
    assert missing == {}


def test_every_catalogued_code_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = spec["components"]["schemas"]["ErrorCode"]["enum"]
    catalogued = [entry.code for entry in error_catalogue.all_codes()]
    assert sorted(documented) == sorted(catalogued)
    assert {"event_not_found", "no_seats", "scan_id_reused", "validation_error"} <= set(documented)
    by_code = {row["code"]: row for row in spec["components"]["schemas"]["ErrorCode"]["x-codes"]}
    assert by_code["event_not_found"]["status"] == 404 and by_code["event_not_found"]["domain"] == "events"


def test_every_domain_with_services_has_a_catalogue(app):
    domains = {entry.domain for entry in error_catalogue.all_codes()}
    assert {"core", "accounts", "events", "registration", "checkin", "mail", "jobs", "agenda", "networking",
            "certificates", "attendance", "stats", "declarations"} <= domains


def test_a_code_without_a_message_takes_the_catalogue_default(app):
    error = DomainError("no_seats")
    assert error.status == 409 and error.message == error_catalogue.lookup("no_seats").message
    assert DomainError("no_seats", "Otro texto.").message == "Otro texto."
    with pytest.raises(ValueError):
        DomainError("not_a_catalogued_code")


def test_a_code_cannot_belong_to_two_domains():
    with pytest.raises(ValueError):
        error_catalogue.Catalogue("someone_else", {"event_not_found": (404, "Otro dueño.")})


def test_the_scan_sees_an_uncatalogued_code():
    tree = ast.parse("class Oops(DomainError):\n    pass\n\nraise Oops('brand_new', 'x')\n")
    assert raised_codes([("foros/x.py", tree)]) == {"brand_new": "foros/x.py:4"}
