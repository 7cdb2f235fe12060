"""Benchmark: time to generate synthetic counties of 10^4, 10^5 and 10^6 households.

Run: .venv/bin/python bench/synth.py
Prints figures; never a test.
"""

from __future__ import annotations

import time

from doudi.synth import generate_county


def main() -> None:
    generate_county(households=1_000)  # warm-up: imports, Polars thread pool
    for households in (10_000, 100_000, 1_000_000):
        started = time.perf_counter()
        county = generate_county(households=households, seed=2020)
        seconds = time.perf_counter() - started
        print(
            f"{households:>9,} households: {seconds:6.2f} s"
            f" ({county.members.height:,} persons, {county.incomes.height:,} incomes,"
            f" {county.rosters.height:,} roster rows, {county.roster_errors.height:,} recorded errors)"
        )


if __name__ == "__main__":
    main()
