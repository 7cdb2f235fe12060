"""Payment roll speed: a synthetic county stored once, then the month's roll, drafted and approved.

    .venv/bin/python bench/payment_roll.py [--households 1000000]

SQLite at /tmp/doudi_bench_pay_N.sqlite by default; DOUDI_BENCH_DATABASE_URL=postgresql+psycopg://postgres@
127.0.0.1:5432/doudi_bench_pay (an empty database created beforehand) measures PostgreSQL. Prints seconds for
the draft and the approval (compute + freeze), rows per second, and the ratio against a baseline measured in
the same run: the registry loader reading the dibao households' engine frames (the roll's largest read).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

from sqlalchemy import func, select

from doudi.demo import store_county
from doudi.payments.accounts import fill_synthetic_accounts
from doudi.payments.approval import approve_roll
from doudi.payments.models import PaymentRoll
from doudi.payments.months import month_number, month_text
from doudi.payments.roll import compute_roll
from doudi.registry.database import open_registry
from doudi.registry.loader import load_frames
from doudi.registry.models import Household
from doudi.synth import generate_county

ON = dt.date(2020, 7, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    args = parser.parse_args()
    path = Path(f"/tmp/doudi_bench_pay_{args.households}.sqlite")
    url = os.environ.get("DOUDI_BENCH_DATABASE_URL", f"sqlite:///{path}")
    engine = open_registry(url)
    with engine.connect() as connection:
        fresh = not connection.execute(select(func.count()).select_from(Household)).scalar()
    if fresh:
        started = time.perf_counter()
        county = generate_county(households=args.households, seed=7, county_code="220182", on=ON)
        store_county(engine, county)
        fill_synthetic_accounts(engine)
        print(f"stored {args.households:,} households in {time.perf_counter() - started:.1f} s (setup, not timed)")

    # The same read path the roll uses (see payments/roll.py: Arrow reads on PostgreSQL only).
    with engine.connect() as connection:
        source = engine if engine.dialect.name != "sqlite" else connection
        started = time.perf_counter()
        frames = load_frames(source, on=ON - dt.timedelta(days=1), enrolled_in="dibao")
        baseline = time.perf_counter() - started
    print(f"baseline: load_frames of the {frames['households'].height:,} dibao households: {baseline:.2f} s")

    started = time.perf_counter()
    roll = compute_roll(engine, "2020-07")
    draft = time.perf_counter() - started
    rows = roll.rows.height
    print(
        f"draft roll 2020-07: {rows:,} payments, {roll.stops.height:,} stops, {draft:.2f} s "
        f"({rows / draft:,.0f} rows/s, {draft / baseline:.2f}x the baseline)"
    )
    with engine.connect() as connection:
        latest = connection.execute(select(func.max(PaymentRoll.month))).scalar()
    # Each run approves a month not approved before (re-approving returns the frozen roll at once).
    month = month_text(month_number(latest) + 1) if latest else "2020-07"
    started = time.perf_counter()
    approved = approve_roll(engine, month, "", "bench")
    approve = time.perf_counter() - started
    print(f"approve (compute + freeze) {month}: {approved.rows.height:,} rows in {approve:.2f} s")


if __name__ == "__main__":
    main()
