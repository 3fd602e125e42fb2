"""The seating decision, proved over random sector mixes and table counts (hypothesis).

Properties (see foros/networking/assignment.py for why they hold and why 2 is the best possible):
1. everyone is seated exactly once; table sizes differ by at most one;
2. for every sector, the counts of its members at any two tables differ by at most one — so a sector sits at
   min(members, tables) tables, the total of distinct sectors over the tables is maximal, and a table holds two
   people of a sector only when every table has that sector;
3. the same for every (sector, municipality) group;
4. late arrivals: nobody already seated moves, sizes keep differing by at most one, and a newcomer joins a
   smallest table that lacks their sector whenever one does.
"""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from foros.networking.assignment import Attendee, deal, place_all_late, place_late

SECTORS = ["gobierno", "academia", "estudiantes", "sociedad_civil", "empresarial", "ciudadania", "medios"]
MUNICIPALITIES = ["15106", "15031", "15057", "15104", "15033"]

attendee_lists = st.lists(
    st.tuples(st.sampled_from(SECTORS), st.sampled_from(MUNICIPALITIES)), max_size=80,
).map(lambda pairs: [Attendee(i, sector, municipality) for i, (sector, municipality) in enumerate(pairs)])
table_counts = st.integers(min_value=1, max_value=12)


def _spread(tables, key) -> dict:
    """For each group (by ``key``), its member counts per table."""
    groups = {key(p) for table in tables for p in table}
    return {g: [sum(1 for p in table if key(p) == g) for table in tables] for g in groups}


@settings(max_examples=300, deadline=None)
@given(attendee_lists, table_counts)
def test_everyone_seated_once_and_sizes_differ_by_at_most_one(attendees, k):
    tables = deal(attendees, k)
    assert len(tables) == k
    seated = [p.id for table in tables for p in table]
    assert sorted(seated) == sorted(p.id for p in attendees)
    sizes = [len(table) for table in tables]
    assert max(sizes) - min(sizes) <= 1


@settings(max_examples=300, deadline=None)
@given(attendee_lists, table_counts)
def test_each_sector_is_spread_as_evenly_as_possible(attendees, k):
    tables = deal(attendees, k)
    members = Counter(p.sector for p in attendees)
    for sector, counts in _spread(tables, lambda p: p.sector).items():
        assert max(counts) - min(counts) <= 1
        # hence the sector sits at min(members, tables) tables: the most any assignment can reach …
        assert sum(1 for c in counts if c) == min(members[sector], k)
        # … and a table has two of a sector only when every table has one
        if max(counts) >= 2:
            assert min(counts) >= 1
    distinct_total = sum(len({p.sector for p in table}) for table in tables)
    assert distinct_total == sum(min(c, k) for c in members.values())
    # each table is as mixed as it can be when sectors are small enough: every member a different sector
    if all(c <= k for c in members.values()):
        assert all(len({p.sector for p in table}) == len(table) for table in tables)


@settings(max_examples=200, deadline=None)
@given(attendee_lists, table_counts)
def test_sector_and_municipality_groups_are_spread_too(attendees, k):
    tables = deal(attendees, k)
    for counts in _spread(tables, lambda p: (p.sector, p.municipality)).values():
        assert max(counts) - min(counts) <= 1


@settings(max_examples=300, deadline=None)
@given(attendee_lists, table_counts, attendee_lists)
def test_late_arrivals_move_nobody_and_keep_balance(attendees, k, late):
    tables = deal(attendees, k)
    before = [[p.id for p in table] for table in tables]
    newcomers = [Attendee(("tarde", p.id), p.sector, p.municipality) for p in late]
    current = [list(table) for table in tables]
    for person in newcomers:
        smallest = min(len(t) for t in current)
        lacking = [i for i, t in enumerate(current) if len(t) == smallest and person.sector not in {
            p.sector for p in t}]
        index = place_late(current, person)
        assert len(current[index]) == smallest
        if lacking:
            assert index in lacking
        current[index].append(person)
        sizes = [len(t) for t in current]
        assert max(sizes) - min(sizes) <= 1
    # nobody already seated moved: each table still starts with the same people in the same order
    assert [[p.id for p in table][:len(ids)] for table, ids in zip(current, before, strict=True)] == before
    assert place_all_late(tables, newcomers) == [
        next(i for i, t in enumerate(current) if person in t) for person in newcomers]


def test_example_eight_people_two_tables():
    people = [Attendee(1, "gobierno"), Attendee(2, "gobierno"), Attendee(3, "academia"),
              Attendee(4, "academia"), Attendee(5, "estudiantes"), Attendee(6, "sociedad_civil"),
              Attendee(7, "gobierno"), Attendee(8, "estudiantes")]
    tables = deal(people, 2)
    assert [len(t) for t in tables] == [4, 4]
    for table in tables:
        assert {p.sector for p in table} >= {"gobierno", "academia", "estudiantes"}
