"""Households assessed per second: the engine against the same rules written as a plain Python loop (issue 2).

    .venv/bin/python bench/assess.py [--sizes 10000 100000 1000000] [--loop-max 1000000]

The baseline, `plain_rules.plain_assess`, is the loop a county programmer would write: every rule the engine
runs for jilin-2020, one household at a time over dicts, filling every field of the engine's decision rows.
At each size both run on the same households, one after the other, and their answers are compared field by
field. The loop is timed at the same size because its rate falls as the county grows (more objects for the
garbage collector, dicts that no longer fit in cache): on 2026-12-05, in the machine's fast hour, it did
59,400 households/s on 10,000 households and 48,600/s on 1,000,000. Above --loop-max the loop is not run and
the engine's rate is divided by the loop's rate at the largest size timed, which flatters the loop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import polars as pl

from doudi.policy.profile import load_profile
from doudi.policy.standards import load_standards
from doudi.rules.assess import assess_frames
from doudi.rules.evaluator import MIN_HOUSEHOLDS_PER_RANGE
from doudi.rules.kernels import COMPILE_MIN_ROWS
from doudi.rules.parallel import CORES
from plain_rules import compare, plain_assess

ON = dt.date(2020, 6, 1)
KINDS = np.array(["wage", "business", "transfer", "basic_pension", "project_dividend"])


def synthetic(n: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """n households, ~2.5 members each, incomes near the 4,000 yuan/year standard (vectorized)."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.2, 0.3, 0.25, 0.15, 0.1])
    hid = np.repeat(np.arange(n), sizes)
    m = len(hid)
    ages = rng.integers(0, 90, m)
    households = pl.DataFrame(
        {
            "household_id": np.char.add("h", np.arange(n).astype(str)),
            "region_code": "220182",
            "on": ON,
            "registered_poor": rng.random(n) < 0.5,
            "enrolled": rng.random(n) < 0.4,
            "current_benefit_fen": rng.integers(5_000, 60_000, n),
        }
    )
    members = pl.DataFrame(
        {
            "household_id": np.char.add("h", hid.astype(str)),
            "id_number": np.char.add("p", np.arange(m).astype(str)),
            "sex": rng.choice(["M", "F"], m),
            "birth_date": [ON.replace(year=ON.year - int(a)) for a in ages],
            "health": rng.choice(["healthy", "chronic", "serious_illness"], m, p=[0.85, 0.1, 0.05]),
            "disability_grade": rng.integers(1, 5, m),
        }
    ).with_columns(disability_grade=pl.when(pl.Series(rng.random(m) < 0.07)).then(pl.col("disability_grade")))
    k = int(n * 1.5)
    income_owner = rng.integers(0, m, k)
    incomes = pl.DataFrame(
        {
            "household_id": np.char.add("h", hid[income_owner].astype(str)),
            "id_number": np.char.add("p", income_owner.astype(str)),
            "kind": rng.choice(KINDS, k, p=[0.35, 0.35, 0.1, 0.15, 0.05]),
            "yearly_fen": rng.gamma(2.0, 250_000, k).astype(np.int64),
            "poverty_project": rng.random(k) < 0.2,
        }
    )
    return {"households": households, "members": members, "incomes": incomes, "expenses": pl.DataFrame()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--loop-max", type=int, default=1_000_000)
    args = parser.parse_args()
    profile = load_profile("jilin-2020")
    standards = load_standards()
    # Warm-up: imports, Polars' thread pool, and every kernel (numbering, sums into parents) compiled: numba
    # loads them from its cache, or compiles them on a machine's first run (~1 s once).
    assess_frames(synthetic(COMPILE_MIN_ROWS), profile, standards)
    print(
        f"{CORES} cores: the engine uses them all (Polars' pool; ranges of at least {MIN_HOUSEHOLDS_PER_RANGE:,} "
        "households in threads); the loop runs in one thread, as a plain loop does"
    )
    loop_rate = None
    for n in args.sizes:
        frames = synthetic(n)
        members = frames["members"].height
        start = time.perf_counter()
        result = assess_frames(frames, profile, standards)
        seconds = time.perf_counter() - start
        rate = n / seconds
        print(
            f"engine: {n:>9,} households ({members:,} members) in {seconds:6.2f} s = {rate:>10,.0f} households/s; "
            f"decisions {dict(sorted(result.decisions['decision'].value_counts().rows()))}"
        )
        if n <= args.loop_max:
            start = time.perf_counter()
            looped = plain_assess(frames, profile, standards)
            loop_seconds = time.perf_counter() - start
            loop_rate = n / loop_seconds
            agree, total, differ = compare(result.decisions, looped)
            print(
                f"loop:   {n:>9,} households in {loop_seconds:6.2f} s = {loop_rate:>10,.0f} households/s; "
                f"agrees with the engine on every output field for {agree:,} of {total:,} households"
            )
            for field, cases in differ.items():
                print(f"  {field}: {len(cases):,} disagree; first (household, engine, loop): {cases[:3]}")
            del looped
        if loop_rate is not None:
            measured = "" if n <= args.loop_max else " (the loop's rate at a smaller size)"
            print(f"ratio:  engine / loop = {rate / loop_rate:5.1f}×{measured}")


if __name__ == "__main__":
    main()
