"""The roster comparison's core at province scale: 5M dibao persons against 10M registered-poor persons.

    .venv/bin/python bench/compare.py [--dibao 5000000] [--poor 10000000] [--threads 2]

Two measurements on the same synthetic rosters, each in its own process so each peak memory is its own:
 - bare:    a DuckDB full outer hash join of the two ID columns, materialized (the floor);
 - compare: doudi's comparison (doudi.linkage.person_links: household sizes counted by household number,
            then the SQL PIPELINE: household links counted from the inner join on the ID number, each dibao
            household's best poor household, household status), on the households' numbers (`household_seq`).
Then both again, alternating in one process (--repeats, 3 each by default): on a shared machine the load
changes from minute to minute, so the ratio of the best times is the figure to quote.

Rosters are made with numpy: IDs as 18-digit strings, households of 1-5 persons, 60% of dibao persons also
registered, household membership partly shuffled so some linked households differ. The households are then
numbered as the roster reader numbers them (rosters.household_numbers per roster, the poor roster's after the
dibao roster's as rosters.combine does); that is part of reading, not of the comparison, so it is not in the
compare time but printed on its own. Times are printed, never asserted. Peak memory is the process's maximum
resident set (getrusage); it includes the data.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute

from doudi.linkage.person_links import PIPELINE, register_inputs, run_duckdb
from doudi.linkage.rosters import household_numbers

BARE_SQL = """
CREATE OR REPLACE TEMP TABLE bare AS
SELECT d.link_id AS dibao_id, p.link_id AS poor_id
FROM (SELECT link_id FROM persons WHERE source = 'dibao') d
FULL OUTER JOIN (SELECT link_id FROM persons WHERE source = 'poor') p ON d.link_id = p.link_id
"""


def _household_numbers(rng: np.random.Generator, persons: int) -> np.ndarray:
    sizes = rng.choice([1, 2, 3, 4, 5], size=persons // 2 + 1, p=[0.2, 0.3, 0.25, 0.15, 0.1])
    return np.repeat(np.arange(len(sizes)), sizes)[:persons]


def _keys(prefix: str, numbers: np.ndarray) -> pa.Array:
    text = pa.compute.cast(pa.array(numbers), pa.string())
    return pa.compute.binary_join_element_wise(pa.scalar(prefix), text, "")


def synthetic_persons(dibao: int, poor: int, seed: int = 11) -> pa.Table:
    """One `persons` table (source, household_key, link_id, household_seq) of both rosters."""
    return number_households(unnumbered_persons(dibao, poor, seed), dibao)


def number_households(persons: pa.Table, dibao: int) -> pa.Table:
    """`household_seq` as the reader gives it: the dibao roster (the first `dibao` rows), then the poor roster."""
    dibao_numbers = household_numbers(pl.Series(persons["household_key"].slice(0, dibao)))
    poor_numbers = household_numbers(pl.Series(persons["household_key"].slice(dibao))) + dibao_numbers.max() + 1
    numbers = pl.concat([dibao_numbers, poor_numbers]).to_arrow()
    return persons.append_column("household_seq", numbers)


def roster_numbers(dibao: int, poor: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both rosters as numbers: every row's ID number (dibao rows first), the dibao rows' household numbers and
    the poor rows' (numbered after the dibao households).

    60% of dibao persons are registered too, in the same households, except 5% of them moved to another
    household (so some linked households differ); the poor roster's rows are in shuffled order."""
    rng = np.random.default_rng(seed)
    shared = min(int(dibao * 0.6), poor)
    population = rng.permutation(dibao + poor - shared).astype(np.int64) + 220182_1950_0101_0000
    dibao_ids = population[:dibao]
    dibao_households = _household_numbers(rng, dibao)
    shared_households = dibao_households[:shared].copy()
    moved = rng.choice(shared, size=shared // 20, replace=False)
    shared_households[moved] = rng.integers(0, dibao_households.max() + 1, len(moved))
    own_households = _household_numbers(rng, poor - shared) + dibao_households.max() + 1
    order = rng.permutation(poor)
    poor_ids = np.concatenate([dibao_ids[:shared], population[dibao:]])[order]
    poor_households = np.concatenate([shared_households, own_households])[order]
    return np.concatenate([dibao_ids, poor_ids]), dibao_households, poor_households


def unnumbered_persons(dibao: int, poor: int, seed: int = 11) -> pa.Table:
    """One `persons` table (source, household_key, link_id) of both rosters, made with numpy in seconds."""
    ids, dibao_households, poor_households = roster_numbers(dibao, poor, seed)
    codes = pa.array(np.concatenate([np.zeros(dibao, np.int8), np.ones(poor, np.int8)]))
    source = pa.DictionaryArray.from_arrays(codes, pa.array(["dibao", "poor"])).cast(pa.string())
    households = pa.concat_arrays([_keys("dibao:", dibao_households), _keys("poor:", poor_households)])
    return pa.table(
        {"source": source, "household_key": households, "link_id": pa.compute.cast(pa.array(ids), pa.string())}
    )


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB


def run_alternating(dibao: int, poor: int, threads: int, repeats: int) -> dict[str, list[float]]:
    """bare and compare timed in turn in one process, `repeats` times each: on a shared machine the load
    changes from minute to minute, and alternating exposes both to the same load."""
    persons = synthetic_persons(dibao, poor)
    connection = duckdb.connect()
    connection.execute(f"SET threads = {threads}")
    connection.register("persons", persons)
    times: dict[str, list[float]] = {"bare": [], "compare": []}
    for _ in range(repeats):
        started = time.perf_counter()
        connection.execute(BARE_SQL)
        times["bare"].append(time.perf_counter() - started)
        started = time.perf_counter()
        run_duckdb(connection, persons)
        times["compare"].append(time.perf_counter() - started)
    return times


def run_phase(phase: str, dibao: int, poor: int, threads: int) -> dict[str, float]:
    started = time.perf_counter()
    persons = unnumbered_persons(dibao, poor)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    persons = number_households(persons, dibao)
    numbered = time.perf_counter() - started
    before = _peak_gib()
    connection = duckdb.connect()
    connection.execute(f"SET threads = {threads}")
    connection.register("persons", persons)
    steps: dict[str, float] = {}
    started = time.perf_counter()
    if phase == "bare":
        connection.execute(BARE_SQL)
        rows = connection.execute("SELECT count(*) FROM bare").fetchone()
    else:
        step = time.perf_counter()
        register_inputs(connection, persons)
        steps["step_household_sizes"] = time.perf_counter() - step
        for name, sql in PIPELINE:
            step = time.perf_counter()
            connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
            steps[f"step_{name}"] = time.perf_counter() - step
        rows = connection.execute("SELECT count(*) FROM household_links").fetchone()
    seconds = time.perf_counter() - started
    statuses = (
        dict(connection.execute("SELECT status, count(*) FROM household_status GROUP BY status").fetchall())
        if phase == "compare"
        else {}
    )
    return {
        "seconds": seconds,
        "generate_seconds": generated,
        "number_seconds": numbered,
        "peak_gib": _peak_gib(),
        "peak_before_sql_gib": before,
        "rows": float(rows[0]) if rows else 0.0,
        **{f"households_{k}": float(v) for k, v in statuses.items()},
        **steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dibao", type=int, default=5_000_000)
    parser.add_argument("--poor", type=int, default=10_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--phase", choices=["bare", "compare", "alternating"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "alternating":
        print(json.dumps(run_alternating(args.dibao, args.poor, args.threads, args.repeats)))
        return
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.dibao, args.poor, args.threads)))
        return
    results = {}
    for phase in ("bare", "compare", "alternating"):
        command = [
            sys.executable,
            __file__,
            "--phase",
            phase,
            "--dibao",
            str(args.dibao),
            "--poor",
            str(args.poor),
            "--threads",
            str(args.threads),
            "--repeats",
            str(args.repeats),
        ]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results[phase] = json.loads(output.strip().splitlines()[-1])
    bare, compare, turns = results["bare"], results["compare"], results.pop("alternating")
    print(
        f"rosters: {args.dibao:,} dibao persons vs {args.poor:,} registered-poor persons, DuckDB {duckdb.__version__}, "
        f"{args.threads} threads (data made in {bare['generate_seconds']:.1f} s, households numbered as the reader "
        f"does in {bare['number_seconds']:.2f} s)"
    )
    for phase, figures in results.items():
        rows = "joined rows" if phase == "bare" else "household links"
        print(
            f"  {phase:8s} {figures['seconds']:7.2f} s   peak {figures['peak_gib']:.2f} GiB "
            f"(data alone {figures['peak_before_sql_gib']:.2f} GiB)   {rows} {figures['rows']:,.0f}"
        )
    print(f"  compare / bare = {compare['seconds'] / bare['seconds']:.2f}x (each in its own process, run once)")
    bare_times, compare_times = turns["bare"], turns["compare"]
    print(
        f"  alternating in one process, {len(bare_times)} times each: bare "
        + " ".join(f"{t:.2f}" for t in bare_times)
        + " s; compare "
        + " ".join(f"{t:.2f}" for t in compare_times)
        + f" s; best compare / best bare = {min(compare_times) / min(bare_times):.2f}x"
    )
    print(
        "  compare steps: "
        + ", ".join(f"{k.removeprefix('step_')} {v:.2f} s" for k, v in compare.items() if k.startswith("step_"))
    )
    print(
        "  households: "
        + ", ".join(
            f"{k.removeprefix('households_')} {v:,.0f}" for k, v in compare.items() if k.startswith("households_")
        )
    )


if __name__ == "__main__":
    main()
