"""Rosters as the departments send them: .xlsx with a title row, GBK CSV with other headers and column order;
the command line, the workbook, recorded runs (回头看) and joint confirmation (DYN-2)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter
from typer.testing import CliRunner

from doudi.cli import app
from doudi.linkage import rosters
from doudi.linkage.runs import ConfirmationRejected, confirm, is_confirmed
from doudi.registry.database import open_registry
from linkage.compare_builders import ID, ON, dibao_rows, poor_rows, roster, tekun_rows

DIBAO_HEADERS = {
    "household_no": "户编号",
    "name": "姓名",
    "id_number": "身份证号码",
    "relation": "与户主关系",
    "village_code": "村代码",
    "yearly_income_yuan": "家庭年收入",
    "disability_kind": "残疾类别",
    "disability_grade": "残疾等级",
    "single_person": "单人保",
    "birth_date": "出生日期",
}
# The poor office's ledger: other header words, another column order.
POOR_HEADERS = {
    "id_number": "公民身份号码",
    "name": "人员姓名",
    "household_no": "户号",
    "relation": "与户主的关系",
    "village_code": "行政区划代码",
    "yearly_income_yuan": "家庭年纯收入",
    "birth_date": "出生年月日",
}


def write_xlsx(path: Path, rows: list[dict[str, object]], headers: dict[str, str]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write(0, 0, "榆树市农村低保对象花名册")  # a title above the header
    for column, header in enumerate(headers.values()):
        sheet.write_string(1, column, header)
    for index, row in enumerate(rows, start=2):
        for column, field in enumerate(headers):
            if row.get(field) is not None:
                sheet.write_string(index, column, str(row[field]))
    book.close()
    return path


def write_gbk_csv(path: Path, rows: list[dict[str, object]], headers: dict[str, str]) -> Path:
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers.values())
        for row in rows:
            writer.writerow(["" if row.get(field) is None else str(row[field]) for field in headers])
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "dibao": write_xlsx(tmp_path / "低保.xlsx", dibao_rows(), DIBAO_HEADERS),
        "poor": write_gbk_csv(tmp_path / "建档立卡.csv", poor_rows(), POOR_HEADERS),
    }


def test_gbk_csv_with_other_headers_reads_every_row(files: dict[str, Path]) -> None:
    read = rosters.read_roster(files["poor"], "poor")
    assert read.persons.height + read.rejected.height == len(poor_rows())
    by_name = dict(zip(read.persons["name"], read.persons["id_number"], strict=True))
    assert by_name["赵六"] == ID["赵六"]
    assert by_name["沈八"] is None  # missing, kept for the same-person search
    assert read.inputs[0].sha256 and read.persons["household_key"].n_unique() == 15


def test_xlsx_rows_are_numbered_as_in_the_sheet(files: dict[str, Path]) -> None:
    read = rosters.read_roster(files["dibao"], "dibao")
    assert read.persons.filter(pl.col("name") == "张三")["row"].item() == 3  # title row 1, header row 2
    assert read.persons.height + read.rejected.height == len(dibao_rows())


def test_households_are_numbered_in_reading_order_and_never_share_a_number_across_rosters(
    files: dict[str, Path],
) -> None:
    files_read = rosters.combine(
        [rosters.read_roster(files["dibao"], "dibao"), rosters.read_roster(files["poor"], "poor")]
    )
    # A combined value combined again, as the service does with the registry's rosters and the files.
    read = rosters.combine([files_read, rosters.from_frame(roster(tekun_rows()), "tekun")])
    persons = read.persons
    assert persons.group_by("household_key").agg(pl.col("household_seq").n_unique())["household_seq"].max() == 1
    assert persons.group_by("household_seq").agg(pl.col("household_key").n_unique())["household_key"].max() == 1
    spans = []
    for source in ("dibao", "poor", "tekun"):
        firsts = persons.filter(pl.col("source") == source).sort("row").unique("household_key", maintain_order=True)
        assert firsts["household_seq"].is_sorted()  # the household listed first has the smaller number
        spans.append((firsts["household_seq"].min(), firsts["household_seq"].max()))
    assert spans[0][0] == 0 and spans[0][1] < spans[1][0] and spans[1][1] < spans[2][0]


def _compare(files: dict[str, Path], out: Path, url: str) -> object:
    arguments = [
        "compare",
        "--dibao",
        str(files["dibao"]),
        "--poor",
        str(files["poor"]),
        "--profile",
        "jilin-2020",
        "--on",
        "2020-06-01",
        "--out",
        str(out),
        "--database-url",
        url,
    ]
    return CliRunner().invoke(app, arguments)


def test_command_writes_the_workbook_and_records_the_run(files: dict[str, Path], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    out = tmp_path / "比对结果.xlsx"
    result = _compare(files, out, url)
    assert result.exit_code == 0, result.output
    assert "应保未保" in result.output and "doudi compare confirm 1" in result.output
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "汇总"
    assert {
        "应保未保",
        "转介扶贫部门",
        "应扶未扶",
        "应退未退",
        "疑似同一人",
        "保人不保户",
        "无法比对的行",
        "核对表",
        "已比对无问题",
        "回头看",
    } <= set(book.sheetnames)
    eligible = list(book["应保未保"].iter_rows(values_only=True))
    assert eligible[0][:3] == ("乡镇", "村", "名单") and eligible[1][6] == "赵六"
    accounting = list(book["核对表"].iter_rows(values_only=True))
    rejected = list(book["无法比对的行"].iter_rows(values_only=True))
    assert len(accounting) - 1 + len(rejected) - 1 == len(dibao_rows()) + len(poor_rows())


def test_second_run_shows_what_changed(files: dict[str, Path], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    assert _compare(files, tmp_path / "first.xlsx", url).exit_code == 0
    # The township acted: 王五's household (应退未退) left dibao; 赵六 enrolled (now in both rosters).
    dibao = [row for row in dibao_rows() if row["household_no"] != "d4"]
    dibao.append(
        {
            "household_no": "d2",
            "name": "赵六",
            "id_number": ID["赵六"],
            "relation": "户主",
            "village_code": "220182101201",
            "yearly_income_yuan": 1000,
        }
    )
    files = files | {"dibao": write_xlsx(tmp_path / "低保_二.xlsx", dibao, DIBAO_HEADERS)}
    second = _compare(files, tmp_path / "second.xlsx", url)
    assert second.exit_code == 0, second.output
    book = openpyxl.load_workbook(tmp_path / "second.xlsx", read_only=True)
    changes = list(book["回头看"].iter_rows(values_only=True))[1:]
    resolved = {(row[1], row[4].split("：")[0]) for row in changes if row[0] == "已解决"}
    assert ("应退未退", "王五、王小五") in resolved
    assert ("应保未保", "赵六") in resolved
    new = {(row[1], row[4].split("：")[0]) for row in changes if row[0] == "新增"}
    assert ("建档立卡户在低保中", "赵六") in new


def test_joint_confirmation(files: dict[str, Path], tmp_path: Path, database_url: str) -> None:
    """On SQLite and PostgreSQL (tests/conftest.py's database_url)."""
    url = database_url
    assert _compare(files, tmp_path / "r.xlsx", url).exit_code == 0
    engine = open_registry(url)
    runner = CliRunner()
    first = runner.invoke(
        app, ["compare", "confirm", "1", "--department", "civil_affairs", "--by", "民政王", "--database-url", url]
    )
    assert first.exit_code == 0 and "尚待扶贫部门确认" in first.output
    assert not is_confirmed(engine, 1)
    with pytest.raises(ConfirmationRejected, match="已于此前由民政王确认"):
        confirm(engine, 1, "civil_affairs", "民政李")
    with pytest.raises(ConfirmationRejected, match="部门应为"):
        confirm(engine, 1, "township", "某人")
    second = runner.invoke(
        app, ["compare", "confirm", "1", "--department", "poverty_office", "--by", "扶贫赵", "--database-url", url]
    )
    assert second.exit_code == 0 and "共同确认" in second.output
    assert is_confirmed(engine, 1)
    engine.dispose()
    listed = runner.invoke(app, ["compare", "runs", "--database-url", url])
    assert "共同确认" in listed.output
    missing = runner.invoke(
        app, ["compare", "confirm", "9", "--department", "poverty_office", "--by", "x", "--database-url", url]
    )
    assert missing.exit_code == 1 and "没有编号为9的比对记录" in missing.output


def test_registry_rosters_and_household_data(files: dict[str, Path], tmp_path: Path) -> None:
    """--registry: the rosters imported with `doudi import`; household data come from the registry."""
    from doudi.ingest.importer import import_roster
    from doudi.linkage.service import CompareRequest, run_comparison

    engine = open_registry(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    for source in ("dibao", "poor"):
        import_roster(engine, files[source], source, error_report=tmp_path / f"{source}_errors.csv")
    request = CompareRequest(files={}, profile="jilin-2020", on=ON, out=tmp_path / "r.xlsx", use_registry=True)
    outcome = run_comparison(engine, request)
    engine.dispose()
    overlap = set(outcome.result.findings.filter(pl.col("category") == "overlap")["name"])
    assert {"张三", "李四"} <= overlap
    assert outcome.result.accounting.height + outcome.result.rejected.height == sum(
        given.rows for given in outcome.inputs
    )
