"""The import direction (README "Architecture"): import-linter's contracts hold, they catch a violating import,
every module is placed in a layer, and no function hides an import of foros from them."""

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "foros"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: Functions allowed to import foros modules in their body, each with its reason.
FUNCTION_IMPORTS_ALLOWED = {
    # foros/__init__.py runs before any of its submodules (importing foros.x runs it first), so its top level
    # cannot import them; building the app is where the domains are put together.
    ("foros/__init__.py", "create_app"): "composition root",
    ("foros/__init__.py", "_connect_domains"): "composition root",
}


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [[name.strip(" ()") for name in layer.replace("|", ":").split(":")] for layer in contract["layers"]]


def test_import_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_violating_import_breaks_the_contracts(tmp_path):
    """A copy of the package where core imports check-in (an upward import, hidden in a function) fails."""
    shutil.copytree(PACKAGE, tmp_path / "foros", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "foros" / "core" / "upward.py").write_text(
        '"""A deliberate violation."""\n\n\ndef door():\n    from foros.checkin import services\n\n'
        "    return services\n", encoding="utf-8")

    result = _lint_imports(tmp_path, pythonpath=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "foros.core.upward -> foros.checkin.services" in result.stdout
    assert _lint_imports(ROOT).returncode == 0  # the real tree was not touched


def test_every_module_is_in_a_layer():
    """A new module cannot slip past the contract: it lies in a layer, or it is a package ``__init__`` left out
    of the layers (its submodules are in different layers) that imports nothing of foros."""
    graph = grimp.build_graph("foros", cache_dir=None)
    layered = [name for layer in _layers() for name in layer]
    unplaced = []
    for module in sorted(graph.modules):
        if module == "foros" or any(module == name or module.startswith(name + ".") for name in layered):
            continue
        own_imports = {m for m in graph.find_modules_directly_imported_by(module) if m.startswith("foros")}
        if own_imports:
            unplaced.append(f"{module} imports {sorted(own_imports)}")
    assert unplaced == []


def _function_level_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from walk(child, function or child.name)
            elif function and isinstance(child, ast.Import | ast.ImportFrom):
                is_from = isinstance(child, ast.ImportFrom)
                names = [child.module or ""] if is_from else [alias.name for alias in child.names]
                relative = is_from and child.level > 0
                if relative or any(name == "foros" or name.startswith("foros.") for name in names):
                    yield function, child.lineno
            else:
                yield from walk(child, function)

    yield from walk(tree, None)


def test_no_function_level_imports_of_foros():
    """Imports of foros sit at the top of the module, where import-linter and a reader see them."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for function, line in _function_level_imports(path):
            if (relative, function) not in FUNCTION_IMPORTS_ALLOWED:
                found.append(f"{relative}:{line} in {function}()")
    assert found == []


def test_the_function_import_check_sees_nested_and_relative_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from foros.core import time\n\n\ndef outer():\n    def inner():\n"
                      "        from foros.events import services\n    from . import models\n"
                      "    import json\n", encoding="utf-8")
    assert sorted(_function_level_imports(sample)) == [("outer", 6), ("outer", 7)]
