from __future__ import annotations

import datetime as dt

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
    assert frames["incomes"]["yearly_fen"].sum() == county.incomes["yearly_fen"].sum()


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
