"""The comparison's core SQL (person_links.PIPELINE) against a plainly written reference.

The reference follows the definitions one person row at a time:
 - the join: each dibao row is paired with every poor row of the same ID number, or stands alone when there is
   none (or it has no number); each poor row no dibao row shares its number with stands alone;
 - a household's size is its count of join rows; two households share the join rows they are paired in;
 - a dibao household's best poor household shares most, ties to the smaller key;
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

Row = tuple[str, str, str | None]  # source, household_key, link_id
Status = tuple[str | None, str | None, int | None, int | None, int | None, str]


def reference(rows: list[Row]) -> tuple[Counter[Status], Counter[tuple[str, str, int]]]:
    dibao = [(household, link) for source, household, link in rows if source == "dibao"]
    poor = [(household, link) for source, household, link in rows if source == "poor"]
    joined: list[tuple[str | None, str | None]] = []
    for household, link in dibao:
        partners = [other for other, other_link in poor if link is not None and other_link == link]
        joined += [(household, other) for other in partners] or [(household, None)]
    dibao_links = {link for _, link in dibao if link is not None}
    joined += [(None, household) for household, link in poor if link is None or link not in dibao_links]

    dibao_size = Counter(d for d, _ in joined if d is not None)
    poor_size = Counter(p for _, p in joined if p is not None)
    shared = Counter((d, p) for d, p in joined if d is not None and p is not None)
    best: dict[str, tuple[str, int]] = {}
    for (d, p), count in sorted(shared.items()):
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
    persons = pl.DataFrame(
        rows, schema={"source": pl.String, "household_key": pl.String, "link_id": pl.String}, orient="row"
    )
    with duckdb.connect() as connection:
        person_links.run_duckdb(connection, persons.to_arrow())
        status = connection.execute("SELECT * FROM household_status").fetchall()
        links = connection.execute("SELECT * FROM household_links").fetchall()
    return Counter(status), Counter(links)


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
        # One member each in two poor households: a tie, to the smaller key; the other poor household is alone.
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
            ("dibao:2", "poor:2", 1, 2, 1, "differs"),
            (None, "poor:3", 0, None, 1, "poor_only"),
            ("dibao:4", "poor:4", 1, 2, 2, "differs"),
            ("dibao:5", None, None, 1, None, "dibao_only"),
            (None, "poor:6", 0, None, 1, "poor_only"),
        ],
        key=str,
    )
    assert links[("dibao:2", "poor:3", 1)] == 1
