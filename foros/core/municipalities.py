"""The 125 municipalities of the Estado de México (INEGI keys), read once from the package copy."""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "municipios_edomex.csv"


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
