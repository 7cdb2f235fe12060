"""Standards tables: lookup by region chain and date, and the STD-1/4/5 cross-checks."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from typer.testing import CliRunner

from doudi.cli import app
from doudi.policy.checks import check_standards
from doudi.policy.standards import FEN_COLUMNS, StandardsError, attach_standards, load_standards, standards_on

HEADER = (
    "region_code,effective_from,rural_dibao_yearly,rural_dibao_monthly,urban_dibao_monthly,poverty_line_yearly,"
    "min_wage_monthly,tekun_basic_monthly,tekun_care_full_monthly,tekun_care_half_monthly,tekun_care_self_monthly\n"
)


def table(tmp_path, rows: str):
    path = tmp_path / "standards.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return load_standards(path), path


def test_lookup_falls_back_county_city_province_nation_and_is_as_of(tmp_path):
    t, _ = table(
        tmp_path,
        "000000,2019-01-01,,,,3218,,,,,\n"
        "000000,2020-01-01,,,,4000,,,,,\n"
        "220000,2019-01-01,3800,,500,,1780,,,,\n"
        "220100,2020-01-01,,350,,,,,,,\n",  # Changchun: 350/month = 4,200/year from 2020
    )
    changchun_county = standards_on(t, "220122", dt.date(2020, 6, 1))
    assert changchun_county["rural_dibao_yearly_fen"] == 420000
    assert changchun_county["urban_dibao_monthly_fen"] == 50000  # from the province
    assert changchun_county["poverty_line_yearly_fen"] == 400000
    assert standards_on(t, "220122", dt.date(2019, 6, 1))["rural_dibao_yearly_fen"] == 380000
    assert standards_on(t, "220282", dt.date(2020, 6, 1))["rural_dibao_yearly_fen"] == 380000  # Jilin city
    assert standards_on(t, "220282", dt.date(2018, 6, 1))["rural_dibao_yearly_fen"] is None


def test_batch_lookup_agrees_with_one_lookup_per_row_in_frame_order(tmp_path):
    t, _ = table(
        tmp_path,
        "000000,2019-01-01,,,,3218,,,,,\n"
        "220000,2019-01-01,3800,,500,,1780,,,,\n"
        "220100,2020-01-01,,350,,,,,,,\n"
        "220182,2020-06-01,4000,,,,,,,,\n",
    )
    rows = [
        ("220182", dt.date(2020, 6, 1)),  # the county's own row, in force on its first day
        ("220182", dt.date(2020, 5, 31)),  # the day before: Changchun's
        ("220122", dt.date(2019, 6, 1)),
        ("530102", dt.date(2020, 6, 1)),  # Yunnan: only the national poverty line
        ("220182", dt.date(2020, 6, 1)),
        ("220282", dt.date(2018, 6, 1)),  # before any row
    ]
    frame = pl.DataFrame(rows, schema={"region_code": pl.String, "on": pl.Date}, orient="row")
    batch = attach_standards(frame, t)
    assert batch.select("region_code", "on").rows() == rows
    for (region, day), got in zip(rows, batch.iter_rows(named=True), strict=True):
        assert {k: got[k] for k in FEN_COLUMNS} == standards_on(t, region, day)
    assert batch["rural_dibao_yearly_fen"].to_list() == [400000, 420000, 380000, None, 400000, None]
    assert batch["poverty_line_yearly_fen"].to_list()[3] == 321800


def test_shipped_standards_pass_their_own_checks():
    assert check_standards(load_standards()) == []


def test_rural_standard_below_poverty_line_and_jilin_floor_is_flagged(tmp_path):
    t, _ = table(tmp_path, "000000,2020-01-01,,,,4000,,,,,\n220000,2020-06-01,3900,,,,,,,,\n")
    findings = check_standards(t)
    assert [f.rule for f in findings] == ["STD-1", "STD-1"]
    assert "低于国家扶贫标准" in findings[0].message and "004 二(一)" in findings[1].message


def test_tekun_and_care_standards_are_checked_against_last_year(tmp_path):
    # 2019 rural 3,800/yr → 特困 ≥ 1.3 × 3,800 / 12 = 411.67/month; min wage 1,780 → care ≥ 534 / 356 / 178.
    t, _ = table(
        tmp_path,
        "000000,2019-01-01,,,,3218,,,,,\n"
        "220000,2019-01-01,3800,,,,1780,,,,\n"
        "220000,2020-04-01,4000,,,,1780,411,534,355,178\n",  # jilin-2020 in force from 2020-03-26
    )
    rules = sorted((f.rule, f.message[:8]) for f in check_standards(t))
    assert rules == [("STD-4", "特困人员基本生活"), ("STD-5", "半护理特困人员照")]


def test_yunnan_tekun_not_below_urban_standard(tmp_path):
    t, _ = table(tmp_path, "000000,2018-01-01,,,,2995,,,,,\n530000,2018-06-01,4000,,600,,,590,,,\n")
    assert [f.rule for f in check_standards(t)] == ["STD-4"]


def test_bad_standards_files_are_refused(tmp_path):
    with pytest.raises(StandardsError, match="须为6位行政区划代码"):
        table(tmp_path, "2201,2020-01-01,4000,,,,,,,,\n")
    with pytest.raises(StandardsError, match="YYYY-MM-DD"):
        table(tmp_path, "220000,2020年1月,4000,,,,,,,,\n")
    with pytest.raises(ValueError, match="超过两位小数"):
        table(tmp_path, "220000,2020-01-01,4000.123,,,,,,,,\n")


def test_standards_check_command_exits_non_zero_on_findings(tmp_path):
    _, path = table(tmp_path, "000000,2020-01-01,,,,4000,,,,,\n220000,2020-06-01,3900,,,,,,,,\n")
    result = CliRunner().invoke(app, ["standards", "check", "--standards", str(path)])
    assert result.exit_code == 1 and "STD-1" in result.output
