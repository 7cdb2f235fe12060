from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import fastexcel
import typer
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from doudi.ingest import commands as ingest_commands
from doudi.ingest.export import export_ledger
from doudi.ingest.importer import import_roster
from doudi.registry import commands as registry_commands
from doudi.registry.database import open_registry
from doudi.registry.models import Enrollment, Member

HEADER = [
    "户编号",
    "户主姓名",
    "家庭成员姓名",
    "身份证号码",
    "与户主关系",
    "性别",
    "出生日期",
    "保障金额",
    "低保类别",
    "纳入时间",
]


def _ledger(write_ledger: Callable[..., Path], person_id: Callable[[str], str]) -> Path:
    rows = [
        [
            "001",
            "张三",
            "张三",
            person_id("22018219500101123"),
            "户主",
            "男",
            "1950-01-01",
            "450.50",
            "A类",
            "2020-05-01",
        ],
        ["001", "张三", "李四", person_id("22018219550202124"), "配偶", "女", "1955-02-02", None, None, None],
    ]
    return write_ledger("低保.xlsx", [HEADER], rows)


def test_export_reads_back_into_an_empty_registry(
    registry_engine: Engine,
    write_ledger: Callable[..., Path],
    person_id: Callable[[str], str],
    tmp_path: Path,
) -> None:
    import_roster(registry_engine, _ledger(write_ledger, person_id), "dibao")
    out = tmp_path / "导出.xlsx"
    assert export_ledger(registry_engine, "dibao", out) == 2

    sheet = fastexcel.read_excel(out).load_sheet(0, dtypes="string").to_polars()
    assert sheet.columns[:4] == ["户编号", "户主姓名", "家庭成员姓名", "身份证号码"]
    assert sheet["保障金额"].to_list()[0] == "450.50" and sheet["低保类别"].to_list()[0] == "A类"

    fresh = open_registry(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    result = import_roster(fresh, out, "dibao")
    assert result.rows_rejected == 0
    with fresh.connect() as connection:
        members = set(connection.execute(select(Member.name, Member.birth_date, Member.sex)).all())
        enrollment = connection.execute(select(Enrollment.monthly_benefit_fen, Enrollment.since)).one()
    assert members == {("张三", dt.date(1950, 1, 1), "M"), ("李四", dt.date(1955, 2, 2), "F")}
    assert tuple(enrollment) == (45_050, dt.date(2020, 5, 1))


def test_cli_import_and_export(
    database_url: str, write_ledger: Callable[..., Path], person_id: Callable[[str], str], tmp_path: Path
) -> None:
    app = typer.Typer()
    registry_commands.register(app)
    ingest_commands.register(app)
    runner = CliRunner()

    upgraded = runner.invoke(app, ["db", "upgrade", "--database-url", database_url])
    assert upgraded.exit_code == 0, upgraded.output
    imported = runner.invoke(
        app, ["import", "dibao", str(_ledger(write_ledger, person_id)), "--database-url", database_url]
    )
    assert imported.exit_code == 0, imported.output
    assert "已保存" in imported.output
    out = tmp_path / "all.xlsx"
    exported = runner.invoke(app, ["export", "registry", "--out", str(out), "--database-url", database_url])
    assert exported.exit_code == 0, exported.output
    assert "已导出 2 人" in exported.output

    bogus = tmp_path / "假的.xlsx"
    bogus.write_text("hello", encoding="utf-8")
    rejected = runner.invoke(app, ["import", "poor", str(bogus), "--database-url", database_url])
    assert rejected.exit_code == 1
    assert "不是有效的Excel文件" in rejected.output
