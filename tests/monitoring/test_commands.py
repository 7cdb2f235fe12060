"""The monitoring commands end to end on a synthetic county: feed, run, alerts, handle, history, watch."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from doudi.cli import app
from doudi.demo import store_county
from doudi.registry.database import open_registry
from doudi.synth import generate_county


def test_a_township_officer_works_through_the_commands(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'county.sqlite'}"
    engine = open_registry(url)
    county = generate_county(households=60, seed=4, on=dt.date(2020, 6, 1))
    store_county(engine, county)
    engine.dispose()
    person = county.members.row(0, named=True)
    feed = tmp_path / "残联.csv"
    feed.write_text(
        f"姓名,身份证号码,发证日期,残疾等级,残疾类别\n{person['name']},{person['id_number']},2020-05-10,一级,肢体\n",
        encoding="utf-8",
    )

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, [*args, "--database-url", url], env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        return result.output

    assert "新保存" in run("feed", "import", "disability", str(feed))
    assert "2020年6月1日 监测比对：60 户" in run("monitor", "run", "--on", "2020-06-01")
    assert "新预警 0 条" in run("monitor", "run", "--on", "2020-06-01")
    listing = run("monitor", "alerts", "--on", "2020-06-02")
    assert "新增重度残疾" in listing and "MON-2" in listing
    assert "县级督办" in run("monitor", "alerts", "--overdue", "--on", "2020-07-01")

    history = json.loads(run("monitor", "history", person["household_id"], "--json"))
    alert = next(a for a in history["alerts"] if a["rule"] == "severe_disability")
    assert alert["person_key"].count("*") == 8  # ID numbers masked
    assert "已办结" in run(
        "monitor", "handle", str(alert["id"]), "--outcome", "referred", "--by", "刘干事", "--reason", "转介残联"
    )
    failed = CliRunner().invoke(
        app, ["monitor", "handle", str(alert["id"]), "--outcome", "assisted", "--by", "刘干事", "--database-url", url]
    )
    assert failed.exit_code == 1 and "已办结" in failed.output

    assert "剩余贫困人口" in run("watch", "list", "remaining_poor")
    assert "尚未销号" in run("watch", "reconcile", "edge", "--by", "刘干事", "--on", "2020-06-02")
