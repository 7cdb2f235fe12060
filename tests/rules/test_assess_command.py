"""`doudi assess` and `doudi assess-batch` as a county officer uses them."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from doudi.cli import app
from doudi.rules.explain import to_text

EXAMPLE = json.loads((Path(__file__).parents[2] / "examples" / "household.json").read_text(encoding="utf-8"))


def run(tmp_path: Path, household: dict, *args: str):
    path = tmp_path / "household.json"
    path.write_text(json.dumps(household, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(app, ["assess", str(path), "--on", "2020-06-01", *args])


def test_readme_example_decision_and_explanation(tmp_path):
    result = run(tmp_path, EXAMPLE, "--profile", "jilin-2020")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    # 4 members × 4,000 = 16,000; counted 9,000 wage + 2,000 business (pension and the ill head's dividend are
    # exempt, 004 二(四)3); top-up (16,000 − 11,000) / 12 = 416.67; supplements 50 + 30 + 30.
    assert (record["decision"], record["scope"]) == ("enroll", "household")
    assert record["benefit_parts"] == {"top_up": "416.67", "supplements": "110.00", "gradual_exit": "0.00"}
    assert record["monthly_benefit"] == "526.67"
    assert record["per_capita_income_monthly"] == "229.17" and record["standard_monthly"] == "333.33"
    steps = {s["variable"]: s for s in record["explanation"]["steps"]}
    pension = steps["counted_items_fen_e4"]["sources"]
    assert any(s.get("rule") == "ASM-2" and "004 二(四)3" in s["cite"] for s in pension)
    assert all("220182195003120010" not in json.dumps(m) for m in record["explanation"]["members"])


def test_text_format_is_chinese_for_people(tmp_path):
    result = run(tmp_path, EXAMPLE, "--profile", "jilin-2020", "--format", "text")
    assert result.exit_code == 0
    assert "决定：纳入低保" in result.stdout and "月保障金 ¥526.67" in result.stdout
    assert "基础养老金不计入家庭收入（004 二(四)3）" in result.stdout


def test_text_format_writes_money_and_dates_as_people_read_them(tmp_path):
    record = json.loads(run(tmp_path, EXAMPLE, "--profile", "jilin-2020").stdout)
    record["monthly_benefit"] = "12345.60"
    record["gradual_exit_schedule"] = [{"month": "2020-07", "amount": "1200.00"}]
    text = to_text(record)
    assert "月保障金 ¥12,345.60" in text
    assert "渐退安排：2020年7月 ¥1,200.00" in text
    assert "下次复核 2021年6月1日" in text


def test_profile_chosen_by_region_and_date_when_not_given(tmp_path):
    result = run(tmp_path, EXAMPLE)
    assert json.loads(result.stdout)["profile"] == "jilin-2020"


def broken(change) -> dict:
    household = copy.deepcopy(EXAMPLE)
    change(household)
    return household


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (lambda h: h["members"][0].update(id_number="220182195003120011"), "members[0].id_number", "校验"),
        (lambda h: h["incomes"][1].update(kind="lottery"), "incomes[1].kind", "未知的收入类型"),
        (lambda h: h["incomes"][1].update(yearly=-5), "incomes[1].yearly", "金额不能为负数"),
        (lambda h: h["incomes"][0].update(member="220182199001010011"), "incomes[0].member", "不在家庭成员中"),
        (lambda h: h.update(members=[]), "members", "至少要有一名家庭成员"),
        (lambda h: h["incomes"][1].update(yearly="1.234"), "incomes[1].yearly", "超过两位小数"),
    ],
)
def test_bad_households_name_the_field_and_print_no_decision(tmp_path, change, field, reason):
    result = run(tmp_path, broken(change), "--profile", "jilin-2020")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert field in result.stderr and reason in result.stderr


def test_region_without_standard_on_that_date(tmp_path):
    result = run(tmp_path, broken(lambda h: h.update(region_code="440305")), "--profile", "jilin-2020")
    assert result.exit_code == 2 and result.stdout == ""
    assert "没有农村低保标准" in result.stderr


def test_not_json(tmp_path):
    path = tmp_path / "h.json"
    path.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["assess", str(path)])
    assert result.exit_code == 2 and "不是有效的 JSON" in result.stderr


def test_fifteen_digit_ids_are_upgraded(tmp_path):
    old = broken(lambda h: h["members"][2].update(id_number="220182800101003"))
    old["incomes"][0]["member"] = "220182800101003"
    record = json.loads(run(tmp_path, old, "--profile", "jilin-2020").stdout)
    assert record["monthly_benefit"] == "526.67"


def test_batch_reports_bad_rows_and_assesses_the_rest(tmp_path):
    households = pl.DataFrame(
        {"household_id": ["a", "b", "c"], "region_code": ["220182", "220182", "440305"], "registered_poor": [1, 0, 0]}
    ).with_columns(pl.col("registered_poor").cast(pl.Boolean))
    members = pl.DataFrame(
        {
            "household_id": ["a", "b", "c"],
            "id_number": ["220182195003120010", "220182195003120011", "220182198001010030"],
            "birth_date": ["1950-03-12", "1950-03-12", "1980-01-01"],
        }
    ).with_columns(pl.col("birth_date").str.to_date())
    incomes = pl.DataFrame({"household_id": ["a"], "id_number": [None], "kind": ["business"], "yearly_fen": [100000]})
    for name, frame in (("h", households), ("m", members), ("i", incomes)):
        frame.write_parquet(tmp_path / f"{name}.parquet")
    out = tmp_path / "decisions.parquet"
    result = CliRunner().invoke(
        app,
        [
            "assess-batch",
            str(tmp_path / "h.parquet"),
            "--members",
            str(tmp_path / "m.parquet"),
            "--incomes",
            str(tmp_path / "i.parquet"),
            "--on",
            "2020-06-01",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    decisions = pl.read_parquet(out)
    assert decisions["household_id"].to_list() == ["a"]
    assert decisions["monthly_benefit_fen"][0] == 25000 + 3000  # (4,000 − 1,000) / 12 + elderly supplement 30
    errors = pl.read_csv(tmp_path / "decisions.errors.csv")
    assert sorted(errors["household_id"].to_list()) == ["b", "c"]
    assert any("校验" in r for r in errors["reason"]) and any("没有农村低保标准" in r for r in errors["reason"])


def test_batch_reports_unknown_codes_and_assesses_the_rest(tmp_path):
    """A coded column holding a value the engine does not know (a labour capacity, a class, a sex) is reported
    with the codes it may hold, its household is not assessed, and a blank cell is no error."""
    households = pl.DataFrame(
        {"household_id": ["a", "b", "c"], "region_code": ["220182"] * 3, "enrolled_class": [None, "D", None]}
    )
    members = pl.DataFrame(
        {
            "household_id": ["a", "b", "c"],
            "id_number": ["220182195003120010", "220182195003120037", "220182198001010030"],
            "birth_date": [dt.date(1950, 3, 12), dt.date(1950, 3, 12), dt.date(1980, 1, 1)],
            "labor_capacity": [None, "none", "some"],
            "sex": ["M", "F", "X"],
        }
    )
    for name, frame in (("h", households), ("m", members)):
        frame.write_parquet(tmp_path / f"{name}.parquet")
    out = tmp_path / "decisions.parquet"
    args = ["assess-batch", str(tmp_path / "h.parquet"), "--members", str(tmp_path / "m.parquet")]
    result = CliRunner().invoke(app, [*args, "--on", "2020-06-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out)["household_id"].to_list() == ["a"]
    errors = pl.read_csv(tmp_path / "decisions.errors.csv").sort("field")
    assert errors.select("household_id", "field").rows() == [
        ("b", "households.enrolled_class"),
        ("c", "members.labor_capacity"),
        ("c", "members.sex"),
    ]
    assert errors["reason"][1] == "未知的取值“some”，应为 full、partial、none"
