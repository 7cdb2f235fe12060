"""Bank file with its checksum, reconciliation with carry-over of failed payments, the roll workbook, budget."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from doudi.audit.models import AuditRecord
from doudi.cli import app
from doudi.payments.approval import approve_roll, payment_roll
from doudi.payments.bank import bank_file_text, reconcile, verify_bank_file
from doudi.payments.budget import budget, budget_summary
from doudi.payments.months import PaymentError
from doudi.payments.roll_workbook import region_names, write_roll_workbook
from payments.payment_builders import add_household


def _two_households(engine: Engine) -> None:
    add_household(engine, "h21", [50], monthly_yuan=500)
    add_household(engine, "h22", [50, 20], monthly_yuan=300)


def test_bank_file_lists_each_payment_and_a_checksum_of_the_lines_above(registry_engine: Engine) -> None:
    _two_households(registry_engine)
    with pytest.raises(PaymentError, match="尚未审批"):
        bank_file_text(payment_roll(registry_engine, "2020-07"))
    text = bank_file_text(approve_roll(registry_engine, "2020-07", "", "李科长"))
    lines = text.splitlines()
    assert lines[1].split(",") == [
        "2020-07-h21-dibao",
        "h21",
        "张21一",
        "中国农业银行",
        "6228480000000000021",
        "500.00",
        "2020年7月低保金",
    ]
    assert lines[-1].startswith("校验,2,800.00,")
    assert verify_bank_file(text)
    assert not verify_bank_file(text.replace("500.00", "5000.00", 1))


def test_failed_payment_is_listed_and_paid_again_next_month_once(registry_engine: Engine, tmp_path: Path) -> None:
    _two_households(registry_engine)
    approve_roll(registry_engine, "2020-07", "", "李科长")
    result = tmp_path / "回盘.csv"
    result.write_text(
        "业务编号,金额（元）,结果,原因\n2020-07-h21-dibao,500.00,成功,\n2020-07-h22-dibao,300.00,失败,账户已销户\n",
        encoding="utf-8",
    )
    failed = reconcile(registry_engine, "2020-07", result, by="出纳王")
    assert failed.select("household_id", "total_fen", "bank_message").rows() == [("h22", 30_000, "账户已销户")]
    august = approve_roll(registry_engine, "2020-08", "", "李科长").rows
    h22 = august.filter(pl.col("household_id") == "h22").row(0, named=True)
    assert (h22["carry_over_fen"], h22["total_fen"]) == (30_000, 60_000)
    # Approval and reconciliation are in the audit trail, with who did them.
    with registry_engine.connect() as connection:
        audited = connection.execute(
            select(AuditRecord.who, AuditRecord.table_name, AuditRecord.why)
            .where(AuditRecord.table_name.in_(("payment_rolls", "payment_roll_rows")))
            .order_by(AuditRecord.seq)
        ).all()
    assert [tuple(a) for a in audited] == [
        ("李科长", "payment_rolls", "审批发放花名册"),
        ("出纳王", "payment_roll_rows", "导入银行回盘对账"),
        ("李科长", "payment_rolls", "审批发放花名册"),
    ]
    # Carried once: September owes nothing more for July.
    september = payment_roll(registry_engine, "2020-09").rows
    assert september.filter(pl.col("household_id") == "h22")["carry_over_fen"].to_list() == [0]


def test_a_wrong_result_file_records_nothing(registry_engine: Engine, tmp_path: Path) -> None:
    _two_households(registry_engine)
    approve_roll(registry_engine, "2020-07", "", "李科长")
    result = tmp_path / "回盘.csv"
    result.write_text("业务编号,结果\n2020-07-h21-dibao,失败\n2020-07-h99-dibao,成功\n", encoding="utf-8")
    with pytest.raises(PaymentError, match="h99"):
        reconcile(registry_engine, "2020-07", result)
    assert payment_roll(registry_engine, "2020-07").rows["bank_status"].null_count() == 2


def test_roll_workbook_has_the_county_columns_and_totals(registry_engine: Engine, tmp_path: Path) -> None:
    _two_households(registry_engine)
    path = tmp_path / "roll.xlsx"
    write_roll_workbook(payment_roll(registry_engine, "2020-07"), path, region_names(registry_engine))
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][:8] == (
        "属地",
        "姓名",
        "身份证号",
        "保障人数",
        "保障金（元）",
        "分类施保金（元）",
        "补发及重发（元）",
        "发放合计（元）",
    )
    assert values[2][0] == "兴隆镇新华村"
    assert values[4][:2] == ("新华村 小计", "2户")
    assert values[-3][0] == "全县合计" and values[-3][7] == 800.0


def test_budget_counts_paid_months_and_projects_the_rest(registry_engine: Engine) -> None:
    _two_households(registry_engine)
    for month in ("2020-07", "2020-08"):
        approve_roll(registry_engine, month, "", "李科长")
    table = budget(registry_engine, 2020)
    assert table.filter(pl.col("kind") == "已发放")["month"].to_list() == ["2020-07", "2020-08"]
    assert table.filter(pl.col("kind") == "预计")["month"].to_list() == ["2020-09", "2020-10", "2020-11", "2020-12"]
    # 800 yuan a month: 2 paid + 4 projected.
    assert budget_summary(table) == {"paid_fen": 160_000, "projected_fen": 320_000, "year_fen": 480_000}


def test_pay_roll_command_approves_and_writes_files(database_url: str, tmp_path: Path) -> None:
    from doudi.registry.database import open_registry

    engine = open_registry(database_url)
    add_household(engine, "h31", [50], since=dt.date(2020, 2, 1))
    runner = CliRunner()
    args = ["pay", "roll", "--month", "2020-07", "--database-url", database_url]
    result = runner.invoke(
        app,
        [
            *args,
            "--approve",
            "--by",
            "李科长",
            "--out",
            str(tmp_path / "r.xlsx"),
            "--bank-file",
            str(tmp_path / "b.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "已审批（李科长）" in result.output and "¥500.00" in result.output
    assert "220182********" in result.output  # ID numbers masked on screen
    assert verify_bank_file((tmp_path / "b.csv").read_text(encoding="utf-8"))
    bad = runner.invoke(app, ["pay", "roll", "--month", "2020-13", "--database-url", database_url])
    assert bad.exit_code == 1 and "格式不对" in bad.output
