"""The comparison's core SQL (person_links.PIPELINE) against a plainly written reference.

The reference follows the definitions one roster row at a time:
 - a household's size is its count of roster rows, with or without an ID number;
 - a dibao and a poor household share the ID numbers both list, each counted once however often listed;
 - a dibao household's best poor household shares most, ties to the household read first (its first row comes
   first), which the SQL sees as the smaller household number;
 - status: `same` when both sizes equal the shared count, `differs` otherwise, `dibao_only` without a best,
   and every poor household no dibao household chose is `poor_only`.
"""

from __future__ import annotations

from collections import Counter

import duckdb
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.linkage import person_links
from doudi.linkage.rosters import household_numbers

Row = tuple[str, str, str | None]  # source, household_key, link_id
Status = tuple[str | None, str | None, int | None, int | None, int | None, str]


def reference(rows: list[Row]) -> tuple[Counter[Status], Counter[tuple[str, str, int]]]:
    read_first = {household: index for index, (_, household, _) in reversed(list(enumerate(rows)))}
    dibao = [(household, link) for source, household, link in rows if source == "dibao"]
    poor = [(household, link) for source, household, link in rows if source == "poor"]
    dibao_size = Counter(household for household, _ in dibao)
    poor_size = Counter(household for household, _ in poor)
    numbers: dict[tuple[str, str], set[str]] = {}
    for d, link in dibao:
        for p, other_link in poor:
            if link is not None and other_link == link:
                numbers.setdefault((d, p), set()).add(link)
    shared = Counter({pair: len(both) for pair, both in numbers.items()})
    best: dict[str, tuple[str, int]] = {}
    for (d, p), count in sorted(shared.items(), key=lambda item: read_first[item[0][1]]):
        if d not in best or count > best[d][1]:
            best[d] = (p, count)

    status: Counter[Status] = Counter()
    for d, size in dibao_size.items():
        if d not in best:
            status[(d, None, None, size, None, "dibao_only")] += 1
            continue
        p, count = best[d]
        same = size == poor_size[p] == count
        status[(d, p, count, size, poor_size[p], "same" if same else "differs")] += 1
    chosen = {p for p, _ in best.values()}
    for p, size in poor_size.items():
        if p not in chosen:
            status[(None, p, 0, None, size, "poor_only")] += 1
    return status, Counter((d, p, count) for (d, p), count in shared.items())


def pipeline(rows: list[Row]) -> tuple[Counter[Status], Counter[tuple[str, str, int]]]:
    """The SQL on the rows, the households numbered as the roster reader numbers them and named again after."""
    persons = pl.DataFrame(
        rows, schema={"source": pl.String, "household_key": pl.String, "link_id": pl.String}, orient="row"
    )
    persons = persons.with_columns(household_numbers(persons["household_key"]).alias("household_seq"))
    key = dict(persons.select("household_seq", "household_key").iter_rows())
    with duckdb.connect() as connection:
        person_links.run_duckdb(connection, persons.to_arrow())
        status = connection.execute("SELECT * FROM household_status").fetchall()
        links = connection.execute("SELECT * FROM household_links").fetchall()
    named_status = Counter((key.get(d), key.get(p), *rest) for d, p, *rest in status)
    return named_status, Counter((key[d], key[p], count) for d, p, count in links)


# 18-character ID numbers, some ending in X; a small pool so that persons recur across households and rosters.
ID_POOL = [f"22018219{n:09d}{'X' if n % 3 == 0 else n % 10}" for n in range(12)]


@st.composite
def rosters(draw: st.DrawFn) -> list[Row]:
    rows: list[Row] = []
    for source in ("dibao", "poor"):
        for household in range(draw(st.integers(0, 5))):
            members = draw(st.lists(st.one_of(st.none(), st.sampled_from(ID_POOL)), min_size=1, max_size=4))
            rows += [(source, f"{source}:{household}", link) for link in members]
    rows += [("tekun", "tekun:0", draw(st.sampled_from(ID_POOL)))]  # other rosters are not compared here
    return draw(st.permutations(rows))


@settings(max_examples=100)
@given(rosters())
def test_pipeline_matches_the_reference(rows: list[Row]) -> None:
    assert pipeline(rows) == reference(rows)


def test_worked_example() -> None:
    a, b, c, d, x = "220182195001010011", "220182195201010022", "220182196001010033", "220182197001010044", ID_POOL[0]
    rows: list[Row] = [
        # Same members (one ends in X): same.
        ("dibao", "dibao:1", a),
        ("dibao", "dibao:1", x),
        ("poor", "poor:1", x),
        ("poor", "poor:1", a),
        # One member each in two poor households: a tie, to the one read first (poor:3); poor:2 is alone.
        ("dibao", "dibao:2", b),
        ("dibao", "dibao:2", c),
        ("poor", "poor:3", c),
        ("poor", "poor:2", b),
        # A missing number counts in its household's size but matches nothing.
        ("dibao", "dibao:4", d),
        ("dibao", "dibao:4", None),
        ("poor", "poor:4", d),
        ("poor", "poor:4", None),
        # Lone households on each side.
        ("dibao", "dibao:5", "220182198001010055"),
        ("poor", "poor:6", None),
    ]
    status, links = pipeline(rows)
    assert status == reference(rows)[0]
    assert sorted(status, key=str) == sorted(
        [
            ("dibao:1", "poor:1", 2, 2, 2, "same"),
            ("dibao:2", "poor:3", 1, 2, 1, "differs"),
            (None, "poor:2", 0, None, 1, "poor_only"),
            ("dibao:4", "poor:4", 1, 2, 2, "differs"),
            ("dibao:5", None, None, 1, None, "dibao_only"),
            (None, "poor:6", 0, None, 1, "poor_only"),
        ],
        key=str,
    )
    assert links[("dibao:2", "poor:2", 1)] == 1


def test_a_person_in_two_households_of_one_roster_counts_once_in_the_other_rosters_household() -> None:
    # x is in dibao:1 and again in dibao:2; the poor household lists x and y once each: two persons, as dibao:1.
    # (Sizes once counted from the person join, where x's two dibao rows made poor:1 three persons.)
    x, y = ID_POOL[1], ID_POOL[2]
    rows: list[Row] = [
        ("dibao", "dibao:1", x),
        ("dibao", "dibao:1", y),
        ("dibao", "dibao:2", x),
        ("poor", "poor:1", x),
        ("poor", "poor:1", y),
    ]
    status, _ = pipeline(rows)
    assert status == Counter([("dibao:1", "poor:1", 2, 2, 2, "same"), ("dibao:2", "poor:1", 1, 1, 2, "differs")])


def test_a_number_listed_twice_in_a_household_is_shared_once() -> None:
    # dibao:1 lists x twice (under two names, say) and not y; poor:1 lists x and y. Two rows each, but they
    # share one person: the households differ. (Counting pairs of rows made them "same".)
    x, y = ID_POOL[1], ID_POOL[2]
    rows: list[Row] = [("dibao", "dibao:1", x), ("dibao", "dibao:1", x), ("poor", "poor:1", x), ("poor", "poor:1", y)]
    status, links = pipeline(rows)
    assert status == Counter([("dibao:1", "poor:1", 1, 2, 2, "differs")])
    assert links == Counter([("dibao:1", "poor:1", 1)])
