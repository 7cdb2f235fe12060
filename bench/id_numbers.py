"""Benchmark: GB 11643 checks of 1M, 5M and 15M ID numbers, against a plain Python loop.

Run: .venv/bin/python bench/id_numbers.py
Prints figures; never a test. The Python loop is timed on a 200k sample in the same run and extrapolated.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl

from doudi.linkage import id_numbers

SIZES = (1_000_000, 5_000_000, 15_000_000)
LOOP_SAMPLE = 200_000


def make_ids(count: int, seed: int = 1) -> pl.Series:
    """Valid IDs with ~1% one-digit typos, like a real roster."""
    rng = np.random.default_rng(seed)
    region = pl.Series(rng.integers(110000, 660000, count)).cast(pl.String)
    born = pl.Series(np.datetime64("1930-01-01") + rng.integers(0, 30_000, count).astype("timedelta64[D]"))
    sequence = pl.Series(rng.integers(0, 1000, count)).cast(pl.String).str.zfill(3)
    ids = id_numbers.with_check_digit(region + born.dt.strftime("%Y%m%d") + sequence)
    typo = pl.Series(rng.random(count) < 0.01)
    return pl.select(pl.when(typo).then(ids.str.slice(0, 17) + pl.lit("0")).otherwise(ids)).to_series()


def python_loop_valid(value: str, today: str = dt.date.today().strftime("%Y%m%d")) -> bool:
    """The baseline: the same rule as a per-string Python function (benchmark only)."""
    if len(value) != 18 or not value[:17].isdigit() or value[0] == "0":
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or value[6:14] > today:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], id_numbers.WEIGHTS.tolist(), strict=True))
    return id_numbers.CHECK_CHARS[total % 11] == value[17]


def main() -> None:
    print("GB 11643 check (numpy over the Arrow bytes), 2-core machine")
    largest = make_ids(max(SIZES))
    sample = largest.head(LOOP_SAMPLE).to_list()
    started = time.perf_counter()
    loop_valid = [python_loop_valid(v) for v in sample]
    loop_rate = LOOP_SAMPLE / (time.perf_counter() - started)
    assert loop_valid == id_numbers.check(pl.Series(sample))["valid"].to_list()  # same answers
    for size in SIZES:
        ids = largest.head(size)
        started = time.perf_counter()
        checked = id_numbers.check(ids)
        seconds = time.perf_counter() - started
        loop_seconds = size / loop_rate
        print(
            f"{size:>11,} IDs: {seconds:6.2f} s, {size / seconds:>12,.0f} IDs/s;"
            f" Python loop (extrapolated from {LOOP_SAMPLE:,}) {loop_seconds:6.1f} s;"
            f" {loop_seconds / seconds:5.1f}x faster; invalid {int((~checked['valid']).sum()):,}"
        )


if __name__ == "__main__":
    main()
