"""How long a county officer waits for `doudi assess household.json`: the whole command, start to answer.

    .venv/bin/python bench/cli_latency.py [--runs 7]

Each figure is a fresh process, as the officer starts it, run --runs times, alternating; medians and minima.
Baselines measured in the same run: a Python that only imports Polars and numpy (no program can answer
faster), and the same answer with every command of doudi loaded first, as `doudi` did before it loaded a
capability only when one of its commands runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE = Path(__file__).parents[1] / "examples" / "household.json"
ASSESS = ["assess", str(EXAMPLE), "--profile", "jilin-2020", "--on", "2020-06-01"]
RUN = "import sys; from doudi.cli import app; app(sys.argv[1:])"
LOAD_ALL = "from doudi.cli import COMMANDS, registered; [registered(m) for m in set(COMMANDS.values())]; "

PROGRAMS = {
    "doudi assess (one household)": [sys.executable, "-c", RUN, *ASSESS],
    "the same, every command loaded first": [sys.executable, "-c", LOAD_ALL + RUN, *ASSESS],
    "doudi --help (loads every command)": [sys.executable, "-c", RUN, "--help"],
    "import polars, numpy (the floor)": [sys.executable, "-c", "import polars, numpy"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    seconds: dict[str, list[float]] = {name: [] for name in PROGRAMS}
    for _ in range(args.runs):
        for name, command in PROGRAMS.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            seconds[name].append(time.perf_counter() - start)
    floor = statistics.median(seconds["import polars, numpy (the floor)"])
    for name, times in seconds.items():
        median = statistics.median(times)
        print(f"{name:<40} median {median:5.2f} s  min {min(times):5.2f} s  ({median / floor:4.1f}× the floor)")


if __name__ == "__main__":
    main()
