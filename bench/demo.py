"""Generate and store a synthetic county the way `doudi demo` does, timing each step.

.venv/bin/python bench/demo.py --households 1000000 [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from doudi.demo import store_county
from doudi.registry.database import open_registry
from doudi.synth import generate_county


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        started = time.perf_counter()
        county = generate_county(households=arguments.households, seed=arguments.seed)
        generated = time.perf_counter() - started
        engine = open_registry(url)
        started = time.perf_counter()
        written = store_county(engine, county)
        stored = time.perf_counter() - started
        rows = sum(written.values())
        print(
            f"{arguments.households:,} households: generate {generated:.1f} s, store {stored:.1f} s "
            f"({rows:,} rows, {rows / stored:,.0f} rows/s) on {engine.dialect.name}"
        )
        for table, count in written.items():
            print(f"  {table:20s} {count:>12,}")


if __name__ == "__main__":
    main()
