"""Seating attendees at networking tables: a pure decision, no database.

**Whole assignment** (``deal``): attendees are lined up grouped by sector (largest sector first), and inside a
sector grouped by municipality, then dealt round-robin to the tables (person *i* → table *i mod k*). What that
guarantees, for *k* tables and a sector with *c* members (proved in tests/networking/test_assignment.py with
hypothesis over random sector mixes and table counts):

1. Everyone gets exactly one table, and table sizes differ by at most one.
2. For every sector, the numbers of its members at any two tables differ by at most one (a sector's members
   are consecutive in the line, and *c* consecutive positions hit every residue mod *k* either ⌊c/k⌋ or ⌈c/k⌉
   times). Hence a sector sits at exactly min(c, k) tables — no assignment can do better, since a sector cannot
   be at more tables than it has members or than there are tables — so the total number of distinct sectors
   summed over the tables is the largest possible; and a table has two people of one sector only when every
   table has someone of that sector.
3. The same holds for every (sector, municipality) group, so people of one sector and one municipality are
   spread across tables too.

**Late arrivals** (``place_late``): existing seats never move. A newcomer goes to one of the smallest tables
(so sizes keep differing by at most one), preferring among those a table without their sector, then the one
with fewest of their sector, then one without their municipality, then the lowest table number.
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Attendee:
    """Who is to be seated: an id (a registration's), a sector and a municipality key."""

    id: Hashable
    sector: str
    municipality: str = ""


def deal(attendees: Iterable[Attendee], table_count: int) -> list[list[Attendee]]:
    """Seat everyone at ``table_count`` tables (index 0 … k-1), balancing sizes and mixing sectors."""
    if table_count < 1:
        raise ValueError("at least one table")
    by_sector: dict[str, dict[str, list[Attendee]]] = defaultdict(lambda: defaultdict(list))
    for person in attendees:
        by_sector[person.sector][person.municipality].append(person)
    sizes = {sector: sum(len(group) for group in groups.values()) for sector, groups in by_sector.items()}
    line: list[Attendee] = []
    for sector in sorted(by_sector, key=lambda s: (-sizes[s], s)):
        groups = by_sector[sector]
        for municipality in sorted(groups, key=lambda m: (-len(groups[m]), m)):
            line.extend(sorted(groups[municipality], key=lambda p: str(p.id)))
    tables: list[list[Attendee]] = [[] for _ in range(table_count)]
    for index, person in enumerate(line):
        tables[index % table_count].append(person)
    return tables


def place_late(tables: Sequence[Sequence[Attendee]], person: Attendee) -> int:
    """The index of the table a late arrival joins; nobody already seated moves."""
    if not tables:
        raise ValueError("at least one table")
    smallest = min(len(table) for table in tables)

    def rank(index: int):
        table = tables[index]
        same_sector = Counter(p.sector for p in table)[person.sector]
        same_municipality = any(p.municipality == person.municipality for p in table)
        return (same_sector > 0, same_sector, same_municipality, index)

    return min((i for i, table in enumerate(tables) if len(table) == smallest), key=rank)


def place_all_late(tables: Sequence[Sequence[Attendee]], newcomers: Iterable[Attendee]) -> list[int]:
    """Place several late arrivals one after the other (each sees the ones placed before); their indexes."""
    current = [list(table) for table in tables]
    placed = []
    for person in newcomers:
        index = place_late(current, person)
        current[index].append(person)
        placed.append(index)
    return placed
