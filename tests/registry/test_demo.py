from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import typer
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from doudi.registry.loader import load_frames
from doudi.registry.models import Household, Member

synth = pytest.importorskip("doudi.synth")
if not hasattr(synth, "generate_county"):
    pytest.skip("the synthetic county generator (doudi.synth) is not there yet", allow_module_level=True)


def test_stored_county_loads_back(registry_engine: Engine) -> None:
    from doudi.demo import store_county

    county = synth.generate_county(households=300, seed=5)
    written = store_county(registry_engine, county)
    assert written["households"] == county.households.height
    assert written["members"] == county.members.height
    frames = load_frames(registry_engine, on=dt.date.today())
    assert frames["households"].height == county.households.height
    assert frames["members"].height <= county.members.height  # the dead are left out
    # The dead are left out, and so are their incomes: a person's income ends with their death.
    dead = county.deaths.filter(pl.col("death_date") <= dt.date.today())["id_number"].implode()
    living_incomes = county.incomes.filter(~pl.col("id_number").is_in(dead).fill_null(False))
    assert frames["incomes"]["yearly_fen"].sum() == living_incomes["yearly_fen"].sum()


def test_demo_command_prints_a_chinese_summary(database_url: str) -> None:
    from doudi import demo

    app = typer.Typer()
    demo.register(app)
    app.command("noop")(lambda: None)  # keep Typer in multi-command mode
    result = CliRunner().invoke(app, ["demo", "--households", "200", "--seed", "3", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "家庭 200 户" in result.output
    assert "doudi assess --db --household" in result.output
    from doudi.registry.database import open_registry

    engine = open_registry(database_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Household)).scalar_one() == 200
        assert connection.execute(select(func.count()).select_from(Member)).scalar_one() > 200
    engine.dispose()


def test_exported_ledgers_of_a_county_import_back_unchanged(registry_engine: Engine, tmp_path: Path) -> None:
    from doudi.demo import store_county
    from doudi.ingest.export import export_ledger
    from doudi.ingest.importer import import_roster
    from doudi.registry.models import ChangeLogEntry

    store_county(registry_engine, synth.generate_county(households=400, seed=9))
    for kind in ("dibao", "poor"):
        out = tmp_path / f"{kind}.xlsx"
        export_ledger(registry_engine, kind, out)
        result = import_roster(registry_engine, out, kind)
        assert (result.rows_rejected, result.households_added, result.members_added) == (0, 0, 0)
    with registry_engine.connect() as connection:
        changed_tables = set(connection.execute(select(ChangeLogEntry.table_name)).scalars())
    # Only names the synthetic rosters misspelled on purpose are set to the registry's spelling.
    assert changed_tables <= {"roster_memberships"}
