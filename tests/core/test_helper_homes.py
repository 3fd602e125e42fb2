"""Issue 11, point 6: each small helper has one home; the copies are gone (scanned in the source)."""

import re
from pathlib import Path

from foros.core.errors import FieldErrors
from foros.core.municipalities import (
    OTHER_STATE,
    OTHER_STATE_LABEL,
    municipality_key_from_text,
    municipality_name,
    municipality_text,
)
from foros.core.text import SLUG_RE, ascii_lower, fold, normalize_email, slugify
from foros.events.models import DEFAULT_SECTORS, sector_labels

FOROS = Path(__file__).resolve().parents[2] / "foros"
#: Packages still being built by other engineers (issue 15); they join when they settle.
EXEMPT = ("declarations",)


def _sources():
    for path in sorted(FOROS.rglob("*.py")):
        rel = path.relative_to(FOROS)
        if rel.parts[0] not in EXEMPT:
            yield rel.as_posix(), path.read_text(encoding="utf-8")


def _files_matching(pattern: str) -> list[str]:
    regex = re.compile(pattern, re.M)
    return [name for name, text in _sources() if regex.search(text)]


def test_accent_folding_and_slugs_live_in_core_text():
    assert _files_matching(r"unicodedata\.normalize") == ["core/text.py"]
    assert _files_matching(r"^def (slugify|_?fold|_ascii)\(") == ["core/text.py"]


def test_text_helpers():
    assert ascii_lower("Ñuñoa ÁLVAREZ") == "nunoa alvarez"
    assert fold("  Servidor_Público   Estatal ") == "servidor publico estatal"
    assert fold(None) == ""
    assert slugify("Foro Regional — Chimalhuacán 2023") == "foro-regional-chimalhuacan-2023"
    assert len(slugify("a" * 200)) == 80


def test_municipality_text_and_key_live_in_core_municipalities():
    assert _files_matching(r"^def _?municipality_(key|name|text|label)\w*\(") in (
        ["core/municipalities.py"], ["core/municipalities.py", "stats/services.py"])
    assert _files_matching(r"^OTHER_STATE(_LABEL)? = ") == ["core/municipalities.py"]
    assert _files_matching(r'"otro estado"|"Otro estado"|"Otra entidad"') == ["core/municipalities.py"]


def test_municipality_lookup():
    assert municipality_key_from_text("  chimalhuacan ") == "15031"
    assert municipality_key_from_text("15031") == "15031"
    assert municipality_key_from_text("Otra entidad (fuera del Estado de México)") == OTHER_STATE
    assert municipality_key_from_text("otro estado") == OTHER_STATE
    assert municipality_key_from_text("") == ""
    assert municipality_key_from_text("Atlantis") is None
    assert municipality_key_from_text("Atlantis", "?") == "?"
    assert municipality_name("15031") == "Chimalhuacán" and municipality_name(OTHER_STATE) == "Otra entidad"
    assert municipality_name("99999") == "99999"
    assert municipality_text(OTHER_STATE) == OTHER_STATE_LABEL and municipality_text("99999") == ""


def test_email_normalisation_lives_in_core_text():
    assert _files_matching(r"^def normalize_email\(") == ["core/text.py"]
    copies = r"email\w*\"?\]?\)?\.strip\(\)\.lower\(\)|\(\w*\.?email or \"\"\)\.strip\(\)\.lower\(\)"
    assert _files_matching(copies) == ["core/text.py"]
    assert normalize_email("  Ana.Perez@Ejemplo.MX ") == "ana.perez@ejemplo.mx" and normalize_email(None) == ""


def test_one_field_errors_collector():
    assert _files_matching(r"^\s*(class \w*Errors\(dict\)|def _?add\(self, name)") == ["core/errors.py"]
    assert _files_matching(r"errors\.setdefault\(") == []
    errors = FieldErrors()
    errors.add("email", "Uno.")
    errors.add("email", "Dos.")
    assert errors == {"email": ["Uno.", "Dos."]}


def test_sector_labels_live_with_the_sectors():
    assert _files_matching(r'\[.key.\]: \w+\[.label.\]') == ["events/models.py"]
    assert sector_labels(DEFAULT_SECTORS)["servidor_publico"] == "Servidor(a) público(a)"
    assert sector_labels(None) == {}


def test_one_slug_pattern():
    assert _files_matching(r"\[a-z0-9\]\+\(\?:-") == ["core/text.py"]
    assert SLUG_RE.match("foro-regional-2026") and not SLUG_RE.match("Foro--2026") and not SLUG_RE.match("-a")


def test_field_limits_come_from_one_table():
    from foros.core.limits import MAX_LENGTH
    from foros.registration.forms import RegistrationForm
    from foros.registration.inputs import LIMITS
    from foros.registration.schemas import RegistrationCreateSchema

    assert _files_matching(r"\b(name|email|phone|organization|position|accessibility)\b.*Length\(max=\d") == []
    assert _files_matching(r'"email": 254|"accessibility": 1000') == ["core/limits.py"]
    assert LIMITS["name"] == MAX_LENGTH["person_name"] and LIMITS["email"] == MAX_LENGTH["email"]
    schema = RegistrationCreateSchema()
    for field in ("email", "phone", "organization", "position", "accessibility"):
        assert schema.fields[field].validators[0].max == MAX_LENGTH[field]
        assert getattr(RegistrationForm, field).kwargs["validators"][0].max == MAX_LENGTH[field]


def test_test_factories_live_in_the_root_conftest():
    tests = FOROS.parent / "tests"
    homes = sorted(p.relative_to(tests).as_posix() for p in tests.rglob("*.py")
                   if p.relative_to(tests).parts[0] not in EXEMPT + ("browser",)
                   and re.search(r"^def make_", p.read_text(encoding="utf-8"), re.M))
    assert homes == ["conftest.py"]
