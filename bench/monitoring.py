"""Early-warning rules per second: the vectorized rules against the same rules as a plain Python loop, and a
whole `doudi monitor run` (registry read, engine, rules, storing alerts) on a synthetic county.

    .venv/bin/python bench/monitoring.py [--sizes 100000 1000000] [--loop-sample 100000] [--county 20000]

The rules part starts from the frame the engine hands over (one row per household with its named
variables, the previous run's income, coverage and feed sums), so it measures doudi.monitoring alone; the
county part measures everything a county server does monthly, on SQLite in a temporary directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time

import numpy as np
import polars as pl

from doudi.monitoring import signals, watch_lists
from doudi.policy.profile import load_profile

ON = dt.date(2020, 6, 1)
PROFILE = load_profile("jilin-2020")


def engine_frame(n: int, seed: int = 11) -> tuple[pl.DataFrame, pl.DataFrame]:
    """n households as the engine leaves them: incomes around 1.8 × the standard, 90% of those below it on
    dibao, 5% with medical costs, 2% with a department event."""
    rng = np.random.default_rng(seed)
    size = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.2, 0.3, 0.25, 0.15, 0.1])
    line = size.astype(np.int64) * 400_000 * 10_000
    income = (rng.gamma(3.0, 0.6, n) * line).astype(np.int64) // 10_000 * 10_000
    previous = np.where(rng.random(n) < 0.9, (income * rng.uniform(0.9, 1.3, n)).astype(np.int64), -1)
    below = income < line
    covered = np.where(
        below,
        rng.choice(["dibao", "none"], size=n, p=[0.9, 0.1]),
        rng.choice(["none", "tekun", "temporary"], size=n, p=[0.95, 0.02, 0.03]),
    )
    registered = rng.random(n) < 0.4
    households = pl.DataFrame(
        {
            "household_id": np.char.add("h", np.arange(n).astype(str)),
            "on": ON,
            "registered_poor": registered,
            "escaped_poverty": registered & (rng.random(n) < 0.8),
            "household_size": size,
            "counted_income_fen_e4": income,
            "household_line_fen_e4": line,
            "gross_income_fen": income // 10_000,
            "medical_self_paid_fen": np.where(rng.random(n) < 0.05, rng.integers(0, 1_000_000, n), 0),
            "household_eligible": income < line,
            "fall_back_risk_high": income < line * 3 // 2,
            "has_incapable_priority_member": rng.random(n) < 0.08,
            "all_members_elderly": rng.random(n) < 0.1,
            "decision": np.where(income < line, "enroll", "deny"),
            "coverage": covered,
            "previous_income_fen_e4": previous,
            "feed_medical_fen": np.where(rng.random(n) < 0.02, rng.integers(0, 5_000_000, n), -1),
            "feed_medical_on": ON,
        }
    ).with_columns(
        pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c) for c in ("previous_income_fen_e4", "feed_medical_fen")
    )
    k = n // 50
    events = pl.DataFrame(
        {
            "household_id": households["household_id"].gather(rng.integers(0, n, k)),
            "id_number": np.char.add("2201821980", rng.integers(10_000_000, 99_999_999, k).astype(str)),
            "kind": rng.choice(["medical", "disability", "death", "unemployment", "disaster", "housing"], size=k),
            "event_date": ON - dt.timedelta(days=10),
            "amount_fen": rng.integers(0, 3_000_000, k),
            "grade": rng.integers(1, 5, k),
            "severe": rng.random(k) < 0.5,
            "detail": "测试",
            "main_earner": rng.random(k) < 0.4,
            "registry_grade": np.where(rng.random(k) < 0.5, rng.integers(1, 5, k), -1),
        }
    ).with_columns(pl.when(pl.col("registry_grade") > 0).then(pl.col("registry_grade")).alias("registry_grade"))
    return households, events


def vectorized(households: pl.DataFrame, events: pl.DataFrame) -> tuple[int, int]:
    scored = pl.concat(
        signals.score_and_action(fired, households, PROFILE)
        for fired in (signals.household_signals(households, PROFILE), signals.event_signals(events, PROFILE))
    )
    listed = watch_lists.membership(households, PROFILE)
    return scored.height, listed.height


def loop(rows: list[dict]) -> int:
    """The household rules written the way a county programmer would: one dict at a time."""
    drop_keep = 1 - float(PROFILE.monitoring.income_drop_share.value)
    expense = float(PROFILE.monitoring.expense_share_of_income.value)
    edge = float(PROFILE.monitoring.edge_income_multiple.value)
    count = 0
    for r in rows:
        now, line, before = r["counted_income_fen_e4"], r["household_line_fen_e4"], r["previous_income_fen_e4"]
        special = r["has_incapable_priority_member"] or r["all_members_elderly"]
        medical = max(r["medical_self_paid_fen"], r["feed_medical_fen"] or 0)
        hits = [
            before is not None and ((before >= line > now) or (before > 0 and now <= before * drop_keep)),
            medical > 0 and medical >= r["gross_income_fen"] * expense,
            r["escaped_poverty"] and r["fall_back_risk_high"] and r["coverage"] not in ("dibao", "tekun"),
            r["coverage"] == "none" and r["decision"] != "enroll" and now < line * edge and special,
            r["coverage"] == "none" and r["household_eligible"],
        ]
        for hit in hits:
            if hit:
                count += 1
                _ = f"月人均收入{now / 12 / r['household_size'] / 1e6:,.2f}"  # evidence text, as the rules make
    return count


def county_run(households: int) -> None:
    from doudi.demo import store_county
    from doudi.monitoring.run import run_monitor
    from doudi.registry.database import open_registry
    from doudi.synth import generate_county

    with tempfile.TemporaryDirectory() as folder:
        engine = open_registry(f"sqlite:///{folder}/bench.sqlite")
        store_county(engine, generate_county(households=households, seed=5, on=ON))
        for label, day in (("first run", ON), ("re-run, same day", ON), ("next month", dt.date(2020, 7, 1))):
            start = time.perf_counter()
            result = run_monitor(engine, day)
            took = time.perf_counter() - start
            print(
                f"monitor run, {households:>9,} households, {label:<16}: {took:6.2f} s "
                f"({households / took:>9,.0f} households/s), {result.alerts_raised:,} new alerts"
            )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--loop-sample", type=int, default=100_000)
    parser.add_argument("--county", type=int, default=20_000, help="households in the monitor-run county (0: skip)")
    args = parser.parse_args()

    sample, _ = engine_frame(args.loop_sample)
    rows = sample.to_dicts()
    start = time.perf_counter()
    loop(rows)
    loop_rate = len(rows) / (time.perf_counter() - start)
    print(f"Python loop, {len(rows):>9,} households: {loop_rate:>11,.0f} households/s (baseline)")
    for n in args.sizes:
        households, events = engine_frame(n)
        vectorized(households.head(1000), events.head(10))  # warm-up
        start = time.perf_counter()
        alerts, listed = vectorized(households, events)
        took = time.perf_counter() - start
        rate = n / took
        print(
            f"rules,       {n:>9,} households: {took:6.2f} s, {rate:>11,.0f} households/s "
            f"({rate / loop_rate:4.1f}x the loop), {alerts:,} alerts, {listed:,} watch-list rows"
        )
    if args.county:
        county_run(args.county)


if __name__ == "__main__":
    main()
