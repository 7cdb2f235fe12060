"""Department feeds are imported like ledgers: every row accounted for, Chinese errors, no duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from doudi.demo import store_county
from doudi.ingest.errors import ImportRejected
from doudi.linkage.id_numbers import check_digit
from doudi.monitoring.feeds import import_feed, import_feed_records
from doudi.monitoring.models import FeedEvent
from doudi.synth import generate_county


@pytest.fixture
def county_engine(registry_engine):
    county = generate_county(households=40, seed=8, on=dt.date(2020, 6, 1))
    store_county(registry_engine, county)
    registry_engine.county = county  # type: ignore[attr-defined]
    return registry_engine


def _person(engine, index: int = 0) -> tuple[str, str, str]:
    row = engine.county.members.row(index, named=True)
    return row["name"], row["id_number"], row["household_id"]


def test_a_medical_file_is_validated_row_by_row_and_stored_once(county_engine, tmp_path: Path):
    name, id_number, household_id = _person(county_engine)
    wrong_check = id_number[:17] + ("0" if id_number[17] != "0" else "1")
    stranger = "22018219900101123" + check_digit("22018219900101123")  # valid, but not in the registry
    path = tmp_path / "医保结算.csv"
    path.write_text(
        "榆树市医疗保障局 住院结算明细\n"
        "姓名,身份证号码,结算日期,个人自付金额,疾病名称,是否重特大疾病\n"
        f'{name},{id_number},2020年5月20日,"12,000.50",尿毒症,是\n'
        f"{name},{wrong_check},2020-05-21,100,感冒,否\n"
        f"{name},{id_number},2020-05-32,100,感冒,否\n"
        f"{name},{id_number},2020-05-22,一百元,感冒,否\n"
        f"李四,{stranger},2020-05-22,300,骨折,否\n",
        encoding="utf-8",
    )
    result = import_feed(county_engine, "medical", path)
    assert (result.rows_read, result.rows_stored, result.rows_rejected, result.unmatched) == (5, 2, 3, 1)
    reasons = dict(zip(result.errors["行号"], result.errors["原因"], strict=True))
    assert reasons[4].startswith("身份证号码校验位错误")
    assert reasons[5] == "无法识别的日期，应如 2020-06-01 或 2020年6月1日"
    assert reasons[6] == "无法识别的金额，应为元，最多两位小数"
    assert result.error_report is not None and result.error_report.exists()
    with county_engine.connect() as connection:
        stored = connection.execute(select(FeedEvent).where(FeedEvent.id_number == id_number)).mappings().one()
    assert (stored["household_id"], stored["amount_fen"], stored["severe"]) == (household_id, 1_200_050, True)

    again = import_feed(county_engine, "medical", path)
    assert (again.rows_stored, again.rows_duplicate) == (0, 2)
    with county_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(FeedEvent)).scalar_one() == 2


def test_a_file_without_a_required_column_writes_nothing(county_engine, tmp_path: Path):
    path = tmp_path / "death.csv"
    path.write_text("姓名,身份证号码,备注\n张三,220182199001011236,无\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="缺少必需的列：死亡日期"):
        import_feed(county_engine, "death", path)
    with county_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(FeedEvent)).scalar_one() == 0


def test_disability_grades_through_the_api(county_engine):
    name, id_number, _ = _person(county_engine, 1)
    result = import_feed_records(
        county_engine,
        "disability",
        [
            {"姓名": name, "身份证号码": id_number, "发证日期": "2020-04-01", "残疾等级": "二级", "残疾类别": "肢体"},
            {"姓名": name, "身份证号码": id_number, "发证日期": "2020-04-02", "残疾等级": "五级", "残疾类别": "肢体"},
        ],
    )
    assert (result.rows_stored, result.rows_rejected) == (1, 1)
    assert result.errors.row(0, named=True)["原因"] == "残疾等级应为一级至四级"
    with county_engine.connect() as connection:
        grade, severe = connection.execute(select(FeedEvent.grade, FeedEvent.severe)).one()
    assert (grade, severe) == (2, True)


def test_unknown_feed_kind_is_refused(county_engine, tmp_path: Path):
    with pytest.raises(ImportRejected, match="未知的部门数据类型"):
        import_feed(county_engine, "tax", tmp_path / "x.csv")


def test_a_feed_id_of_the_wrong_length_is_reported_as_such_not_as_empty(county_engine, tmp_path: Path):
    name, id_number, _ = _person(county_engine)
    path = tmp_path / "医保结算.csv"
    path.write_text(
        f"姓名,身份证号码,结算日期,个人自付金额\n{name},{id_number[:17]},2020-05-21,100\n", encoding="utf-8"
    )
    result = import_feed(county_engine, "medical", path)
    assert result.errors["原因"].to_list() == ["身份证号码长度应为18位"]
