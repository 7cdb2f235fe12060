"""Households assessed per second: the engine against the same rules written as a plain Python loop (issue 2).

    .venv/bin/python bench/assess.py [--sizes 10000 100000 1000000] [--loop-sample 20000]

The baseline is the loop a county programmer would write (dicts, one household at a time). Two are timed on
the same sample, and the engine's rate is divided by each:

- `plain_rules.plain_assess`, every rule the engine runs for jilin-2020, filling every field of the engine's
  decision rows: the comparison issue 2 asks for. The engine and this loop are compared field by field.
- `core_loop`, the earlier baseline: only the core (counted income ASM-2/3, the income test, the top-up
  COV-2, the highest supplement COV-3, keep / enroll / gradual exit / exit / deny), kept so the change of
  baseline stays visible. Where both decide, its answers are compared too.

The loops run on a sample and are extrapolated per household.
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


def core_loop(frames: dict[str, pl.DataFrame], standard_yearly_fen: int) -> dict[str, tuple[str, int]]:
    """The earlier baseline: only the core rules, as a county programmer would loop over dicts."""
    people: dict[str, list[dict]] = {}
    for row in frames["members"].iter_rows(named=True):
        people.setdefault(row["household_id"], []).append(row)
    money: dict[str, list[dict]] = {}
    for row in frames["incomes"].iter_rows(named=True):
        money.setdefault(row["household_id"], []).append(row)
    out = {}
    for h in frames["households"].iter_rows(named=True):
        members = people.get(h["household_id"], [])
        incapable = {}
        supplements = 0
        for p in members:
            age = ON.year - p["birth_date"].year - ((ON.month, ON.day) < (p["birth_date"].month, p["birth_date"].day))
            severe = p["disability_grade"] in (1, 2)
            ill = p["health"] == "serious_illness"
            max_age = 55 if p["sex"] == "F" else 60
            incapable[p["id_number"]] = severe or ill or age < 16 or age >= max_age
            best = 0
            if severe or ill:
                best = 5000
            elif age >= 60 or age < 18:
                best = 3000
            supplements += best
        counted = 0
        project = False
        for i in money.get(h["household_id"], []):
            if i["kind"] == "basic_pension":
                continue
            if i["kind"] == "project_dividend" and incapable.get(i["id_number"], False):
                continue
            counted += i["yearly_fen"]
            project = project or (i["poverty_project"] and i["yearly_fen"] > 0)
        line = standard_yearly_fen * len(members)
        if counted < line:
            top_up = (2 * (line - counted) + 12) // 24
            out[h["household_id"]] = ("keep" if h["enrolled"] else "enroll", top_up + supplements)
        elif h["enrolled"] and project and counted < 2 * line:
            out[h["household_id"]] = ("gradual_exit", h["current_benefit_fen"])
        else:
            out[h["household_id"]] = ("exit" if h["enrolled"] else "deny", 0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--loop-sample", type=int, default=20_000)
    args = parser.parse_args()
    profile = load_profile("jilin-2020")
    standards = load_standards()
    standard = 400_000

    sample = synthetic(args.loop_sample, seed=11)
    start = time.perf_counter()
    cored = core_loop(sample, standard)
    core_rate = args.loop_sample / (time.perf_counter() - start)
    start = time.perf_counter()
    looped = plain_assess(sample, profile, standards)
    full_rate = args.loop_sample / (time.perf_counter() - start)
    print(
        f"loop, core rules only: {core_rate:,.0f} households/s; loop, every rule the engine runs: "
        f"{full_rate:,.0f} households/s (on {args.loop_sample:,} households)"
    )

    engine = assess_frames(sample, profile, standards).decisions
    agree, total, differ = compare(engine, looped)
    print(f"engine and full loop agree on every output field for {agree:,} of {total:,} households")
    for field, cases in differ.items():
        print(f"  {field}: {len(cases):,} disagree; first (household, engine, loop): {cases[:3]}")
    agree = total = 0
    for row in engine.iter_rows(named=True):
        core = row["scope"] != "single_person" and row["decision_route"] != "gradual_exit_risk"
        if core and row["decision"] in ("enroll", "keep", "gradual_exit", "exit", "deny"):
            total += 1
            agree += cored[row["household_id"]] == (row["decision"], row["monthly_benefit_fen"])
    print(f"engine and core loop agree on {agree:,} of {total:,} households decided by the core rules")

    for n in args.sizes:
        frames = synthetic(n)
        members = frames["members"].height
        start = time.perf_counter()
        result = assess_frames(frames, profile, standards)
        seconds = time.perf_counter() - start
        rate = n / seconds
        print(
            f"engine: {n:>9,} households ({members:,} members) in {seconds:6.2f} s = {rate:>10,.0f} households/s; "
            f"{rate / full_rate:5.1f}× the full loop, {rate / core_rate:5.1f}× the core loop; "
            f"decisions {result.decisions['decision'].value_counts().to_dicts()}"
        )


if __name__ == "__main__":
    main()
