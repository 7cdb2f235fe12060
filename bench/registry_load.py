"""How long loading N households from the registry into the engine's four frames takes.

    .venv/bin/python bench/registry_load.py --households 1000000 [--postgres-url postgresql+psycopg://…]

Fills a fresh SQLite file and a fresh PostgreSQL database with a simple generated county (bulk store),
then times `load_frames` for the whole registry and for one village. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

import polars as pl
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from doudi.registry.database import open_registry
from doudi.registry.loader import load_frames
from doudi.registry.store import store_frames


def generated_county(households: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """A plain county for timing: ~2.5 persons, 1 income and 0.3 expenses per household, 8% on dibao."""
    rng = random.Random(seed)

    def fractions(n: int) -> pl.Series:
        return pl.Series([rng.random() for _ in range(n)])

    ids = pl.Series("id", [f"H{i:09d}" for i in range(households)])
    villages = pl.Series([rng.randrange(300) for _ in range(households)])
    household_frame = pl.DataFrame(
        {
            "id": ids,
            "region_code": ["220182"] * households,
            "village_code": [f"220182{100 + v // 20:03d}{200 + v % 20:03d}" for v in villages],
            "registered_poor": fractions(households) < 0.1,
            "escaped_poverty": fractions(households) < 0.08,
        }
    )
    sizes = rng.choices([1, 2, 3, 4, 5], weights=[25, 30, 20, 15, 10], k=households)
    owners = pl.Series("owner", range(households)).repeat_by(pl.Series(sizes)).explode()
    persons = owners.len()
    members = pl.DataFrame(
        {
            "household_id": ids.gather(owners),
            "id_number": [f"220182{n:011d}X" for n in range(persons)],
            "name": ["张某"] * persons,
            "relation": ["其他"] * persons,
            "sex": ["M" if rng.random() < 0.5 else "F" for _ in range(persons)],
            "birth_date": pl.Series([rng.randrange(-20_000, 18_000) for _ in range(persons)]).cast(pl.Date),
            "health": ["healthy"] * persons,
        }
    )
    incomes = pl.DataFrame(
        {
            "household_id": ids,
            "kind": ["wage"] * households,
            "yearly_fen": [rng.randrange(3_000_000) for _ in range(households)],
        }
    )
    expense_owners = ids.filter(fractions(households) < 0.3)
    expenses = pl.DataFrame(
        {
            "household_id": expense_owners,
            "kind": ["medical"] * expense_owners.len(),
            "yearly_fen": [rng.randrange(500_000) for _ in range(expense_owners.len())],
        }
    )
    on_dibao = ids.filter(fractions(households) < 0.08)
    enrollments = pl.DataFrame({"household_id": on_dibao}).with_columns(
        program=pl.lit("dibao"),
        since=pl.lit(dt.date(2020, 1, 1)),
        benefit_class=pl.lit("B"),
        monthly_benefit_fen=pl.lit(40_000, dtype=pl.Int64),
    )
    return {
        "households": household_frame,
        "members": members,
        "income_items": incomes,
        "expenses": expenses,
        "enrollments": enrollments,
    }


def run(url: str, county: dict[str, pl.DataFrame]) -> None:
    engine = open_registry(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        store_frames(connection, county)
    stored = time.perf_counter() - started
    started = time.perf_counter()
    frames = load_frames(engine, on=dt.date(2024, 1, 1))
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    village = load_frames(engine, region_prefix="220182105205", on=dt.date(2024, 1, 1))
    one_village = time.perf_counter() - started
    started = time.perf_counter()
    some = load_frames(engine, household_ids=[f"H{i:09d}" for i in range(0, 1000)], on=dt.date(2024, 1, 1))
    thousand = time.perf_counter() - started
    print(
        f"{engine.dialect.name:10s} store {stored:6.1f} s | load all: {frames['households'].height:,} households, "
        f"{frames['members'].height:,} members in {loaded:5.2f} s | one village "
        f"({village['households'].height:,} households) {one_village:5.2f} s | 1,000 ids "
        f"({some['households'].height}) {thousand:5.2f} s"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DOUDI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    arguments = parser.parse_args()
    county = generated_county(arguments.households)
    print(f"generated {arguments.households:,} households, {county['members'].height:,} members")
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'bench.sqlite'}", county)
    admin = create_engine(arguments.postgres_url, isolation_level="AUTOCOMMIT")
    name = f"doudi_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        print(f"postgresql skipped: {error}")
        return
    try:
        run(make_url(arguments.postgres_url).set(database=name).render_as_string(hide_password=False), county)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
