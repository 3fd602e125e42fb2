"""Hot paths stay in quarantine: driver statements (``DriverStatement``) only in the modules that
``bench/README.md`` names with the gain they measured; everything else stays ORM or SQLAlchemy Core."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import insert

from foros.core.db import DriverStatement, insert_columns

ROOT = Path(__file__).resolve().parents[2]

#: The one list: each module allowed driver statements, with the bench that measured what they buy there
#: (``bench/README.md``, "Hot paths" section, which must name each of them).
HOT_PATH_MODULES = {
    "foros/registration/signup.py": "bench/registration.py",  # the sign-up (event snapshot, seat, INSERTs)
    "foros/checkin/scan.py": "bench/checkin.py",  # the scan (door + ticket SELECT, INSERT)
    "foros/mail/services.py": "bench/registration.py",  # the outbox INSERT each sign-up queues
}


def _defines_driver_statement(path: Path) -> bool:
    return any(isinstance(node, ast.ClassDef) and node.name == "DriverStatement"
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


def _uses_driver_statement(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name) and node.id == "DriverStatement":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "DriverStatement":
            return True
        if isinstance(node, ast.ImportFrom) and any(alias.name == "DriverStatement" for alias in node.names):
            return True
    return False


#: Its home: the package that defines and exports it.
HOME = ROOT / "foros" / "core" / "db"


def driver_statement_users(package: Path) -> set[str]:
    """Modules of ``package`` that import or use ``DriverStatement`` (its home excepted)."""
    return {path.relative_to(ROOT).as_posix() for path in package.rglob("*.py")
            if _uses_driver_statement(path) and not path.is_relative_to(HOME)}


def test_the_home_defines_it():
    assert _defines_driver_statement(HOME / "driver.py")


def test_driver_statements_only_in_the_named_hot_paths():
    users = driver_statement_users(ROOT / "foros")
    assert users <= set(HOT_PATH_MODULES), (
        f"DriverStatement outside the hot paths: {sorted(users - set(HOT_PATH_MODULES))}. Measure the gain "
        "with the benches and name the module in bench/README.md and in HOT_PATH_MODULES, or use the ORM.")
    assert users == set(HOT_PATH_MODULES), f"listed but no longer a hot path: {set(HOT_PATH_MODULES) - users}"


def test_the_check_finds_a_new_user(tmp_path):
    module = tmp_path / "foros" / "events" / "reports.py"
    module.parent.mkdir(parents=True)
    module.write_text("from foros.core.db import DriverStatement\n", encoding="utf-8")
    assert {path.name for path in (tmp_path / "foros").rglob("*.py") if _uses_driver_statement(path)} == {
        "reports.py"}


@pytest.mark.parametrize("module", sorted(HOT_PATH_MODULES))
def test_bench_readme_names_each_hot_path_and_its_bench(module):
    readme = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Hot paths", 1)[-1]
    assert "## Hot paths" in readme and f"`{module}`" in section and HOT_PATH_MODULES[module] in section


def test_insert_columns_come_from_the_table(app):
    """A hot path's INSERT writes every column of its table (a new column cannot be forgotten)."""
    from foros.checkin.models import Checkin
    from foros.mail.models import OutboxMessage
    from foros.registration.models import Registration, registration_days

    for table in (Registration.__table__, Checkin.__table__, OutboxMessage.__table__):
        expected = tuple(c.key for c in table.columns if c.key != "id")  # all but the generated key
        assert insert_columns(table) == expected
        assert DriverStatement(insert(table)).column_keys == expected
    assert insert_columns(registration_days) == ("registration_id", "event_day_id")  # a composite key is given
