"""The 125 municipalities of the Estado de México (INEGI keys), read once from the package copy."""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from foros.core.text import fold

DATA_FILE = Path(__file__).with_name("data") / "municipios_edomex.csv"

#: The key stored for a person from outside the Estado de México, its short name (tables, filters) and the
#: text shown in the registration field.
OTHER_STATE = "otra"
OTHER_STATE_NAME = "Otra entidad"
OTHER_STATE_LABEL = "Otra entidad (fuera del Estado de México)"
_OTHER_STATE_WORDS = frozenset({"otra", "otra entidad", "otro estado", fold(OTHER_STATE_LABEL)})


@dataclass(frozen=True)
class Municipality:
    """One municipality: INEGI key (e.g. ``15031``), official name and seat coordinates."""

    key: str
    name: str
    lat: float
    lon: float


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Municipality]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [
            Municipality(r["clave_inegi"], r["nombre"], float(r["cabecera_lat"]), float(r["cabecera_lon"]))
            for r in csv.DictReader(handle)
        ]
    return {m.key: m for m in rows}


def all_municipalities() -> list[Municipality]:
    """Return all municipalities sorted by name (Spanish collation is close enough to casefold)."""
    return sorted(_catalog().values(), key=lambda m: m.name.casefold())


def get_municipality(key: str | None) -> Municipality | None:
    """Return the municipality with this INEGI key, or None."""
    if not key:
        return None
    return _catalog().get(key)


def municipality_choices() -> list[tuple[str, str]]:
    """Return (key, name) pairs for select fields."""
    return [(m.key, m.name) for m in all_municipalities()]


def municipality_key_from_text(value, unknown: str | None = None) -> str | None:
    """The key for what was typed or picked (a name with or without accents, an INEGI key, «otra»…).

    ``""`` when nothing was typed, ``unknown`` when it names no municipality (forms pass ``"?"`` so that
    validation reports it).
    """
    folded = fold(value)
    if not folded:
        return ""
    if folded in _OTHER_STATE_WORDS:
        return OTHER_STATE
    for m in _catalog().values():
        if folded in (m.key, fold(m.name)):
            return m.key
    return unknown


def municipality_name(key: str | None) -> str:
    """The name for a stored key: the municipality's, «Otra entidad», or the key itself when unknown."""
    if key == OTHER_STATE:
        return OTHER_STATE_NAME
    municipality = get_municipality(key)
    return municipality.name if municipality else (key or "")


def municipality_text(key: str | None) -> str:
    """The text shown in the registration field for a stored key (empty when unknown)."""
    if key == OTHER_STATE:
        return OTHER_STATE_LABEL
    municipality = get_municipality(key)
    return municipality.name if municipality else ""
