"""Cross-checks of a standards table against the rules on standards (STD-1, STD-4, STD-5).

Each row of the table (a region from a date) is checked with the profile in force there; comparisons with
"the previous year" use the values in force on the same day one year earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from doudi.policy.money import BASIS, format_yuan
from doudi.policy.profile import Profile, ProfileError, profile_for
from doudi.policy.standards import attach_standards


@dataclass(frozen=True)
class Finding:
    rule: str
    region_code: str
    effective_from: dt.date
    message: str


def _one_year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


def check_standards(table: pl.DataFrame, profile: Profile | None = None) -> list[Finding]:
    """Every region-date row whose standards break a rule of the profile in force there."""
    rows = table.filter(pl.col("region_code") != "000000").select("region_code", pl.col("effective_from").alias("on"))
    if rows.height == 0:
        return []
    now = attach_standards(rows, table)
    before = attach_standards(
        rows.with_columns(pl.col("on").map_elements(_one_year_before, return_dtype=pl.Date)), table
    )
    findings: list[Finding] = []
    for current, previous in zip(now.iter_rows(named=True), before.iter_rows(named=True), strict=True):
        region, day = current["region_code"], current["on"]
        try:
            rules = profile or profile_for(region, day)
        except ProfileError:
            continue
        findings += _check_row(rules, region, day, current, previous)
    return findings


def _check_row(p: Profile, region: str, day: dt.date, now: dict, before: dict) -> list[Finding]:
    out: list[Finding] = []
    s = p.standards
    rural = now["rural_dibao_yearly_fen"]

    def add(rule: str, message: str) -> None:
        out.append(Finding(rule, region, day, message))

    line = now["poverty_line_yearly_fen"]
    if rural is not None and line is not None and s.rural_not_below_poverty_line.value and rural < line:
        add(
            "STD-1",
            f"农村低保标准 {format_yuan(rural)}/年 低于国家扶贫标准 {format_yuan(line)}/年"
            f"（{p.cite(s.rural_not_below_poverty_line.clause)}）",
        )
    floor = s.rural_min_yearly_yuan.value
    if rural is not None and floor is not None and day.year >= p.effective_from.year and rural < int(floor * 100):
        add(
            "STD-1",
            f"农村低保标准 {format_yuan(rural)}/年 低于 {floor} 元/年（{p.cite(s.rural_min_yearly_yuan.clause)}）",
        )
    tekun = now["tekun_basic_monthly_fen"]
    multiple = s.tekun_min_multiple_of_prev_rural.value
    prev_rural = before["rural_dibao_yearly_fen"]
    # monthly × 12 ≥ multiple × previous-year yearly, in exact basis points
    if (
        tekun is not None
        and multiple is not None
        and prev_rural is not None
        and tekun * 12 * BASIS < prev_rural * int(multiple * BASIS)
    ):
        add(
            "STD-4",
            f"特困人员基本生活标准 {format_yuan(tekun)}/月 低于上年度农村低保标准 {format_yuan(prev_rural)}/年 的 "
            f"{multiple} 倍（{p.cite(s.tekun_min_multiple_of_prev_rural.clause)}）",
        )
    urban = now["urban_dibao_monthly_fen"]
    if tekun is not None and urban is not None and s.tekun_not_below_urban.value and tekun < urban:
        add(
            "STD-4",
            f"特困人员供养标准 {format_yuan(tekun)}/月 低于当地城市低保标准 {format_yuan(urban)}/月"
            f"（{p.cite(s.tekun_not_below_urban.clause)}）",
        )
    shares = s.care_min_share_of_prev_min_wage.value
    wage = before["min_wage_monthly_fen"]
    if shares and wage is not None:
        names = {
            "full": ("tekun_care_full_monthly_fen", "全护理"),
            "half": ("tekun_care_half_monthly_fen", "半护理"),
            "self": ("tekun_care_self_monthly_fen", "全自理"),
        }
        for level, share in shares.items():
            column, label = names[level]
            care = now[column]
            if care is not None and care * BASIS < wage * int(Decimal(share) * BASIS):
                add(
                    "STD-5",
                    f"{label}特困人员照料护理标准 {format_yuan(care)}/月 低于上年度最低工资 {format_yuan(wage)}/月 的 "
                    f"{Decimal(share) * 100:.0f}%（{p.cite(s.care_min_share_of_prev_min_wage.clause)}）",
                )
    return out
