"""Households stored in the registry assess exactly as the same households assessed straight from memory."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
from typer.testing import CliRunner

from doudi.cli import app
from doudi.demo import store_county
from doudi.registry.loader import load_frames
from doudi.rules.assess import assess_frames
from doudi.synth import generate_county

ON = dt.date(2020, 6, 1)


def test_registry_round_trip_gives_the_same_decisions_and_the_cli_reads_it(registry_engine, database_url, tmp_path):
    county = generate_county(households=300, seed=5, on=ON)
    store_county(registry_engine, county)
    from_registry = assess_frames(load_frames(registry_engine, on=ON)).decisions

    # In memory: the synthetic frames less the dead (the registry keeps them, with a death date, and the loader
    # leaves them and their incomes out).
    dead = county.deaths["id_number"].implode()
    living = {
        "households": county.households,
        "members": county.members.filter(~pl.col("id_number").is_in(dead)),
        "incomes": county.incomes.filter(~pl.col("id_number").is_in(dead).fill_null(False)),
        "expenses": county.expenses.filter(~pl.col("id_number").is_in(dead).fill_null(False)),
    }
    in_memory = assess_frames(living).decisions
    assert from_registry.height == in_memory.height == 300
    assert from_registry.sort("household_id").equals(in_memory.sort("household_id"))

    sample = from_registry["household_id"][0]
    runner = CliRunner()
    one = runner.invoke(
        app, ["assess", "--db", "--household", sample, "--database-url", database_url, "--on", "2020-06-01"]
    )
    assert one.exit_code == 0, one.output
    record = json.loads(one.stdout)
    expected = from_registry.filter(pl.col("household_id") == sample).row(0, named=True)
    assert (record["decision"], record["household_size"]) == (expected["decision"], expected["household_size"])

    out = tmp_path / "decisions.parquet"
    batch = runner.invoke(
        app, ["assess-batch", "--db", "--database-url", database_url, "--on", "2020-06-01", "--out", str(out)]
    )
    assert batch.exit_code == 0, batch.output
    assert pl.read_parquet(out).height + pl.read_csv(tmp_path / "decisions.errors.csv").height >= 300

    missing = runner.invoke(app, ["assess", "--db", "--household", "nobody", "--database-url", database_url])
    assert missing.exit_code == 2 and "登记库中没有家庭" in missing.stderr
