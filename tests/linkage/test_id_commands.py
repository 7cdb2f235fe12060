"""`doudi id check` and `doudi id upgrade` on CSV (UTF-8, GBK) and Excel files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from doudi.cli import app
from doudi.linkage.commands import read_table

runner = CliRunner()
CSV = "姓名,身份证号码\n张三,11010519491231002X\n李四,110105194912310021\n王五,440524800101001\n"


def test_check_gbk_csv_reports_rows(tmp_path: Path) -> None:
    source = tmp_path / "名单.csv"
    source.write_bytes(CSV.encode("gbk"))
    out = tmp_path / "report.csv"
    result = runner.invoke(app, ["id", "check", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "有效" in result.output
    report = read_table(out)
    assert report["是否有效"].to_list() == ["是", "否", "否"]
    assert report["问题"][1] == "校验位错误，应为X"
    assert report["行号"].to_list() == ["2", "3", "4"]


def test_upgrade_writes_xlsx_with_original(tmp_path: Path) -> None:
    source = tmp_path / "名单.csv"
    source.write_text(CSV, encoding="utf-8")
    out = tmp_path / "升级.xlsx"
    result = runner.invoke(app, ["id", "upgrade", str(source), "--column", "身份证号码", "--out", str(out)])
    assert result.exit_code == 0, result.output
    upgraded = read_table(out)
    assert upgraded["身份证号码"].to_list() == ["11010519491231002X", "110105194912310021", "440524198001010013"]
    assert upgraded["原身份证号码"].to_list() == [None, None, "440524800101001"]


def test_unreadable_input_exits_non_zero(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["id", "check", str(tmp_path / "无.csv")])
    assert missing.exit_code != 0 and "找不到文件" in missing.output
    wrong = tmp_path / "x.txt"
    wrong.write_text("a")
    assert runner.invoke(app, ["id", "check", str(wrong)]).exit_code != 0
    source = tmp_path / "a.csv"
    pl.DataFrame({"号码": ["1"]}).write_csv(source)
    no_column = runner.invoke(app, ["id", "check", str(source)])
    assert no_column.exit_code != 0 and "没有“身份证号码”列" in no_column.output
