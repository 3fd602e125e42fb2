"""Blueprints live in each domain's ``__init__.py`` (README "Architecture"): the views modules register their
routes on them, create_app imports the views modules and registers the blueprints, and no module imports a
views module (so the views modules of one domain cannot import each other in a circle)."""

import ast
from pathlib import Path

from foros import VIEW_MODULES

PACKAGE = Path(__file__).resolve().parents[2] / "foros"

#: Domains whose views modules still declare their own blueprints: networking (issue 14) and declarations
#: (issue 15) were being built while the blueprints moved; they follow the same pattern when they are done.
NOT_YET_MOVED = ("foros/networking/", "foros/declarations/")
#: The API documentation's blueprint belongs with the API object it serves (flask-smorest's blueprints are the
#: api modules' own: one module per domain API, nothing to import in a circle).
API_DOCS = "foros/core/api.py"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE.parent).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _flask_blueprint_calls(tree):
    """The lines that call flask's Blueprint (flask-smorest's API blueprints are the api modules' own)."""
    names = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
             and node.module == "flask" for alias in node.names if alias.name == "Blueprint"}
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and node.func.id in names]


def _registers_routes(tree):
    """Whether the module decorates a function with a route of a blueprint named ``bp``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if (isinstance(call, ast.Attribute) and isinstance(call.value, ast.Name)
                        and call.value.id == "bp"):
                    return True
    return False


def test_flask_blueprints_are_declared_in_package_init_modules():
    misplaced = [f"{path}:{line}" for path, tree in _modules() for line in _flask_blueprint_calls(tree)
                 if not path.endswith("/__init__.py") and not path.startswith(NOT_YET_MOVED)
                 and path != API_DOCS]
    assert misplaced == []


def test_every_module_with_routes_is_imported_by_create_app():
    with_routes = {path for path, tree in _modules()
                   if _registers_routes(tree) and not path.startswith(NOT_YET_MOVED)}
    listed = {name.replace(".", "/") + ".py" for name in VIEW_MODULES}
    assert with_routes == listed


def test_no_module_imports_a_views_module():
    trees = dict(_modules())
    view_modules = set(VIEW_MODULES) | {path[:-3].replace("/", ".") for path, tree in trees.items()
                                        if path.startswith(NOT_YET_MOVED) and _registers_routes(tree)}
    offenders = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                imported = {alias.name for alias in node.names}
            else:
                continue
            if imported & view_modules and path != "foros/__init__.py":
                offenders.append(f"{path}:{node.lineno}")
    assert offenders == []


def test_the_route_check_sees_a_blueprint_declared_outside_init():
    tree = ast.parse("from flask import Blueprint as B\nbp = B('x', __name__)\n\n"
                     "@bp.get('/')\ndef v():\n    pass\n")
    assert _flask_blueprint_calls(tree) == [2]
    assert _registers_routes(tree)
