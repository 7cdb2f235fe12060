"""Audit and case figures: the cost of auditing ORM changes, the speed of `audit verify`, and a yearly
recertification campaign (every household re-assessed by the engine and proposed on).

    .venv/bin/python bench/cases.py [--households 2000] [--database-url URL]

The baseline for the audit overhead is the same ORM updates with the audit listener removed, in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from doudi.audit import capture, verify
from doudi.cases import dynamic
from doudi.cases.session import unit_of_work
from doudi.demo import store_county
from doudi.registry.database import open_registry
from doudi.registry.models import Household
from doudi.synth import generate_county


def _flip_all(engine: object, who: str) -> float:
    start = time.perf_counter()
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        session.info["who"] = who
        for household in session.scalars(select(Household)):
            household.property_within_rules = not household.property_within_rules
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        engine = open_registry(url)
        county = generate_county(households=args.households, seed=11)
        store_county(engine, county)
        with Session(engine) as session:
            n = len(session.scalars(select(Household.id)).all())

        event.remove(Session, "after_flush", capture._audit_flush)
        plain = _flip_all(engine, "基准")
        event.listen(Session, "after_flush", capture._audit_flush)
        audited = _flip_all(engine, "审计")
        print(
            f"ORM update of {n} households in one transaction: {n / plain:,.0f} rows/s without audit, "
            f"{n / audited:,.0f} rows/s with audit ({audited / plain:.2f}x the time)"
        )

        with engine.connect() as connection:
            start = time.perf_counter()
            result = verify(connection)
            took = time.perf_counter() - start
        print(
            f"audit verify: {result.records:,} records in {took:.2f} s ({result.records / took:,.0f} records/s), "
            f"ok={result.ok}"
        )

        region = county.county_code
        on = dt.date(2020, 10, 9)
        start = time.perf_counter()
        with unit_of_work(engine) as session:
            campaign = dynamic.open_campaign(session, region_prefix=region, year=2020, by="县民政局", on=on)
            count = dynamic.assess_campaign(session, campaign.id, by="县民政局", on=on)
            status = dynamic.campaign_status(session, campaign.id)
        took = time.perf_counter() - start
        print(
            f"recertification of {count:,} dibao households (one engine run, explanation per household): {took:.1f} s "
            f"({count / took:,.1f} households/s); proposals pending: {status}"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
