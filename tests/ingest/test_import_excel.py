from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import fastexcel
import polars as pl
import pytest
from sqlalchemy import Engine, func, select

from doudi.ingest.errors import ImportRejected
from doudi.ingest.importer import import_roster
from doudi.registry.models import ChangeLogEntry, Enrollment, Household, ImportBatch, Member, RosterMembership

HEADER = [
    "户编号",
    "户主姓名",
    "家庭成员姓名",
    "身份证号码",
    "与户主关系",
    "性别",
    "出生年月",
    "保障金额",
    "低保类别",
    "纳入时间",
    "所在村",
]


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def _report(path: Path) -> pl.DataFrame:
    return fastexcel.read_excel(path).load_sheet(0).to_polars()


@pytest.fixture
def ids(person_id: Callable[[str], str]) -> dict[str, str]:
    return {
        "zhang": person_id("22018219500101123"),
        "li": person_id("22018219550202124"),
        "wang": person_id("22018219800303123"),
        "zhao": person_id("22018220000101123"),
        "sun": person_id("22018219620715002"),
    }


def test_dibao_ledger_with_title_merged_header_and_merged_household_cells(
    registry_engine: Engine, write_ledger: Callable[..., Path], ids: dict[str, str]
) -> None:
    # Two header rows: 保障情况 merged over 保障金额 and 低保类别; the other headers span both rows.
    upper = [
        "户编号",
        "户主姓名",
        "家庭成员姓名",
        "身份证号码",
        "与户主关系",
        "性别",
        "出生年月",
        "保障情况",
        None,
        "纳入时间",
        "所在村",
    ]
    lower = [None] * 7 + ["保障金额", "低保类别", None, None]
    merges = [(0, 7, 0, 8, "保障情况"), (0, 0, 1, 0, "户编号"), (0, 1, 1, 1, "户主姓名")]
    rows = [
        ["001", "张三", "张三", ids["zhang"], "户主", "男", "1950年1月", "450.5", "A类", "2020.05", "红旗村"],
        [None, None, "李四", ids["li"], "配偶", "女", "1955.02", None, None, None, None],
        ["002", "王五", "王五", ids["wang"], "户主", "男", "198003", "300", "C", "2021-01-01", "前进村"],
    ]
    path = write_ledger("低保台账.xlsx", [upper, lower], rows, merges=merges)

    result = import_roster(registry_engine, path, "dibao", as_of=dt.date(2024, 1, 1))

    assert (result.rows_stored, result.rows_rejected, result.households_added, result.members_added) == (3, 0, 2, 3)
    with registry_engine.connect() as connection:
        members = connection.execute(select(Member.name, Member.household_id, Member.birth_date, Member.sex)).all()
        enrollments = connection.execute(
            select(Enrollment.household_id, Enrollment.monthly_benefit_fen, Enrollment.benefit_class, Enrollment.since)
        ).all()
        addresses = dict(connection.execute(select(Household.household_no, Household.address)).all())
    households = {name: household for name, household, _, _ in members}
    assert households["张三"] == households["李四"] != households["王五"]
    assert {name: birth for name, _, birth, _ in members}["李四"] == dt.date(1955, 2, 1)
    assert sorted((fen, klass) for _, fen, klass, _ in enrollments) == [(30_000, "C"), (45_050, "A")]
    assert dt.date(2020, 5, 1) in {since for *_, since in enrollments}
    assert addresses == {"001": "红旗村", "002": "前进村"}
    assert _count(registry_engine, RosterMembership) == 3


def test_bad_rows_go_to_the_error_report_in_chinese(
    registry_engine: Engine, write_ledger: Callable[..., Path], ids: dict[str, str], tmp_path: Path
) -> None:
    wrong_digit = ids["zhao"][:17] + ("0" if ids["zhao"][17] != "0" else "1")
    old_15 = "220182620715002"  # 孙七's 15-digit ID of 1962-07-15
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in ids["li"])
    rows = [
        [
            "001",
            "张三",
            "张三",
            ids["zhang"],
            "户主",
            "男",
            dt.datetime(1950, 1, 1),
            "450",
            "A类",
            "2020年5月",
            "红旗村",
        ],
        [
            "001",
            "张三",
            "李 四",
            f" {full_width[:6]} {full_width[6:]}",
            "配偶",
            "女",
            "1955/2/2",
            None,
            None,
            None,
            None,
        ],
        [None] * 11,  # a blank row in the middle
        ["002", "赵六", "赵六", wrong_digit, "户主", "男", "20000101", "300", "B类", "2021-01-01", "前进村"],
        ["003", "孙七", "孙七", old_15, "户主", "女", "1962.07", "280", "B", "2019.3", "前进村"],
        ["004", "王五", "王五", ids["wang"], "户主", "男", "1980年13月", "300", "B", "2021-01-01", "前进村"],
        ["005", "周八", "周八", "22018219", "户主", "男", None, "300", "D类", None, "前进村"],
        ["006", "张三", "张三", ids["zhang"], "户主", "男", 18264, "200", "B", None, "东风村"],
    ]
    path = write_ledger("有错误的台账.xlsx", [HEADER], rows)
    report_path = tmp_path / "errors.xlsx"

    result = import_roster(registry_engine, path, "dibao", error_report=report_path)

    report = _report(report_path)
    reasons = {(row, reason) for row, reason in report.select("行号", "原因").iter_rows()}
    # Title on row 1, unit on row 2, header on row 3: the data begins on spreadsheet row 4.
    assert (7, f"身份证号码校验位错误，应为{ids['zhao'][17]}") in reasons
    assert (9, "无法识别的日期格式（可用如1950年1月、1950-01-01）") in reasons
    assert (10, "身份证号码应为18位（或15位旧号码），此处为8位或含非法字符") in reasons
    assert (10, "低保类别应为A类、B类或C类") in reasons
    assert (11, "同一人出现在两个家庭中（第4行已登记在另一家庭）") in reasons
    assert set(report["列"]) <= set(HEADER)
    assert report.filter(pl.col("行号") == 7)["值"].to_list() == [wrong_digit]
    assert result.rows_stored == 3 and result.rows_rejected == 4

    with registry_engine.connect() as connection:
        stored = {
            name: (id_number, original, birth)
            for name, id_number, original, birth in connection.execute(
                select(Member.name, Member.id_number, Member.original_id_number, Member.birth_date)
            )
        }
    assert stored["李四"][0] == ids["li"]  # full-width digits and spaces cleaned
    upgraded, original, birth = stored["孙七"]
    assert len(upgraded) == 18 and upgraded.startswith("22018219620715") and original == old_15
    assert birth == dt.date(1962, 7, 1)
    assert stored["张三"][2] == dt.date(1950, 1, 1)


def test_excel_serial_dates_and_chinese_date_formats(
    registry_engine: Engine, write_ledger: Callable[..., Path], person_id: Callable[[str], str]
) -> None:
    formats = [18264, "1950年1月", "1950.01", "195001", "1950-01-01", "1950/1/1"]
    rows = [
        [
            f"{i:03d}",
            f"人{i}",
            f"人{i}",
            person_id(f"22018219500101{i:02d}1"),
            "户主",
            "男",
            text,
            "100",
            "A",
            None,
            "村",
        ]
        for i, text in enumerate(formats)
    ]
    result = import_roster(registry_engine, write_ledger("dates.xlsx", [HEADER], rows), "dibao")
    assert result.rows_rejected == 0
    with registry_engine.connect() as connection:
        births = set(connection.execute(select(Member.birth_date)).scalars())
    assert births == {dt.date(1950, 1, 1)}


def test_missing_required_column_imports_nothing(
    registry_engine: Engine, write_ledger: Callable[..., Path], ids: dict[str, str]
) -> None:
    header = [h for h in HEADER if h != "身份证号码"]
    path = write_ledger("缺列.xlsx", [header], [["001", "张三", "张三", "户主", "男", "1950-01", "1", "A", None, "村"]])
    with pytest.raises(ImportRejected, match="缺少必需的列：身份证号码"):
        import_roster(registry_engine, path, "dibao")
    assert _count(registry_engine, Household) == 0
    assert _count(registry_engine, ImportBatch) == 0


def test_a_text_file_renamed_to_xlsx_is_rejected(registry_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    path.write_text("姓名,身份证号码\n张三,1\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="不是有效的Excel文件"):
        import_roster(registry_engine, path, "poor")


def test_reimporting_the_same_file_changes_nothing(
    registry_engine: Engine, write_ledger: Callable[..., Path], ids: dict[str, str]
) -> None:
    rows = [
        ["001", "张三", "张三", ids["zhang"], "户主", "男", "1950-01", "450", "A类", "2020-05", "红旗村"],
        ["001", "张三", "李四", ids["li"], "配偶", "女", "1955-02", None, None, None, None],
    ]
    path = write_ledger("低保.xlsx", [HEADER], rows)
    import_roster(registry_engine, path, "dibao")
    # The same content in a different file (no title rows: another hash) must also change nothing.
    again = write_ledger("低保-再次.xlsx", [HEADER], rows, title=None)
    second = import_roster(registry_engine, again, "dibao")
    assert (second.rows_changed, second.households_added, second.members_added) == (0, 0, 0)
    assert _count(registry_engine, Member) == 2
    assert _count(registry_engine, Enrollment) == 1
    assert _count(registry_engine, ChangeLogEntry) == 0
    with registry_engine.connect() as connection:
        assert connection.execute(select(Household.version)).scalars().all() == [1]


def test_corrected_file_updates_what_changed_and_logs_it(
    registry_engine: Engine, write_ledger: Callable[..., Path], ids: dict[str, str]
) -> None:
    rows = [
        ["001", "张三", "张三", ids["zhang"], "户主", "男", "1950-01", "450", "A类", "2020-05", "红旗村"],
        ["001", "张三", "李四", ids["li"], "配偶", "女", "1955-02", None, None, None, None],
    ]
    import_roster(registry_engine, write_ledger("v1.xlsx", [HEADER], rows), "dibao")
    rows[0][7] = "500"  # benefit corrected
    rows[1][2] = "李淑芬"  # name corrected
    rows[1][6] = "1955-03"
    result = import_roster(registry_engine, write_ledger("v2.xlsx", [HEADER], rows), "dibao")

    assert result.rows_changed >= 2
    with registry_engine.connect() as connection:
        changes = {
            (table, field, old, new)
            for table, field, old, new in connection.execute(
                select(
                    ChangeLogEntry.table_name, ChangeLogEntry.field, ChangeLogEntry.old_value, ChangeLogEntry.new_value
                )
            )
        }
        benefit = connection.execute(select(Enrollment.monthly_benefit_fen)).scalar_one()
        names = set(connection.execute(select(Member.name)).scalars())
    assert ("enrollments", "monthly_benefit_fen", "45000", "50000") in changes
    assert ("members", "name", "李四", "李淑芬") in changes
    assert ("members", "birth_date", "1955-02-01", "1955-03-01") in changes
    assert benefit == 50_000 and names == {"张三", "李淑芬"}


def test_an_import_failing_midway_leaves_nothing(
    registry_engine: Engine, write_ledger: Callable[..., Path], ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import doudi.ingest.importer as importer

    real_insert = importer.insert_frame

    def failing_insert(connection: object, table: str, frame: pl.DataFrame) -> int:
        if table == "members":
            raise RuntimeError("disk full")
        return real_insert(connection, table, frame)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "insert_frame", failing_insert)
    rows = [["001", "张三", "张三", ids["zhang"], "户主", "男", "1950-01", "450", "A类", "2020-05", "红旗村"]]
    with pytest.raises(RuntimeError):
        import_roster(registry_engine, write_ledger("低保.xlsx", [HEADER], rows), "dibao")
    for model in (Household, Member, ImportBatch, RosterMembership):
        assert _count(registry_engine, model) == 0


def test_person_already_in_another_household_is_reported(
    registry_engine: Engine, write_ledger: Callable[..., Path], ids: dict[str, str]
) -> None:
    dibao = [
        ["001", "张三", "张三", ids["zhang"], "户主", "男", "1950-01", "450", "A类", "2020-05", "红旗村"],
        ["002", "王五", "王五", ids["wang"], "户主", "男", "1980-03", "300", "B类", "2020-05", "红旗村"],
    ]
    import_roster(registry_engine, write_ledger("低保.xlsx", [HEADER], dibao), "dibao")
    poor_header = ["户编号", "户主姓名", "姓名", "公民身份号码", "与户主关系", "脱贫状态"]
    poor = [
        ["P1", "张三", "张三", ids["zhang"], "户主", "已脱贫"],
        ["P1", "张三", "王五", ids["wang"], "子女", "已脱贫"],
    ]
    result = import_roster(
        registry_engine, write_ledger("贫困户.xlsx", [poor_header], poor, title="建档立卡台账"), "poor"
    )
    assert result.rows_rejected == 1
    assert result.errors["原因"][0].startswith("同一人出现在两个家庭中：此人已登记在户")
    with registry_engine.connect() as connection:
        flags = set(connection.execute(select(Household.registered_poor, Household.escaped_poverty)).all())
    assert flags == {(True, True), (False, False)}
