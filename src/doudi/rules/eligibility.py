"""Household eligibility: the income test against the dibao standard, and the two special routes.

The line a household is held against is standard × members (按户保障, 补差); comparing yearly counted income
with it in exact integers is the same as comparing per-capita monthly income with the monthly standard.
"""

from __future__ import annotations

import polars as pl

from doudi.policy.money import BASIS
from doudi.policy.profile import Profile
from doudi.rules.variables import variable


@variable(
    "standard_yearly_fen",
    "household",
    "农村低保标准（年人均）",
    policy=("STD-1", "STD-2"),
    depends=("rural_dibao_yearly_fen",),
    unit="fen",
)
def standard_yearly(p: Profile) -> pl.Expr:
    return pl.col("rural_dibao_yearly_fen")


@variable(
    "household_line_fen_e4",
    "household",
    "家庭保障线（标准×人数，年）",
    policy=("COV-1", "COV-2"),
    depends=("standard_yearly_fen", "household_size"),
    unit="fen_e4",
)
def household_line(p: Profile) -> pl.Expr:
    return pl.col("standard_yearly_fen") * pl.col("household_size") * BASIS


@variable(
    "income_below_standard",
    "household",
    "家庭人均收入低于低保标准",
    policy=("ASM-1", "COV-2"),
    depends=("counted_income_fen_e4", "household_line_fen_e4"),
    unit="bool",
)
def income_below_standard(p: Profile) -> pl.Expr:
    return pl.col("counted_income_fen_e4") < pl.col("household_line_fen_e4")


@variable(
    "income_eligible",
    "household",
    "收入和财产符合低保条件",
    policy=("ASM-1", "COV-1"),
    depends=("income_below_standard", "property_within_rules"),
    unit="bool",
)
def income_eligible(p: Profile) -> pl.Expr:
    return pl.col("income_below_standard") & pl.col("property_within_rules").fill_null(True)


@variable(
    "expense_route",
    "household",
    "支出核减纳入（因病支出型）",
    policy=("ASM-6",),
    params=("expense_route.enabled", "expense_route.major_medical_min_yearly_yuan"),
    depends=(
        "registered_poor",
        "escaped_poverty",
        "medical_self_paid_fen",
        "counted_income_fen_e4",
        "household_line_fen_e4",
        "property_within_rules",
        "income_eligible",
    ),
    unit="bool",
    enabled_by="expense_route.enabled",
)
def expense_route(p: Profile) -> pl.Expr:
    if not p.expense_route.enabled.value:
        return pl.lit(False)
    threshold_fen = int(p.expense_route.major_medical_min_yearly_yuan.value * 100)
    after_medical = pl.col("counted_income_fen_e4") - pl.col("medical_self_paid_fen") * BASIS
    return (
        ~pl.col("income_eligible")
        & pl.col("registered_poor").fill_null(False)
        & ~pl.col("escaped_poverty").fill_null(False)
        & (pl.col("medical_self_paid_fen") >= threshold_fen)
        & (pl.col("medical_self_paid_fen") > 0)
        & (after_medical < pl.col("household_line_fen_e4"))
        & pl.col("property_within_rules").fill_null(True)
    )


@variable(
    "without_verification_route",
    "household",
    "丧失或部分丧失劳动能力贫困人口免于经济状况核对纳入",
    policy=("ASM-8",),
    params=("without_verification.enabled", "income.campaign_end"),
    depends=("registered_poor", "escaped_poverty", "has_lost_labor_capacity_member", "on"),
    unit="bool",
    enabled_by="without_verification.enabled",
)
def without_verification_route(p: Profile) -> pl.Expr:
    if not p.without_verification.enabled.value:
        return pl.lit(False)
    return (
        pl.col("registered_poor").fill_null(False)
        & ~pl.col("escaped_poverty").fill_null(False)
        & pl.col("has_lost_labor_capacity_member")
        & (pl.col("on") <= p.income.campaign_end.value)
    )


@variable(
    "household_eligible",
    "household",
    "整户符合低保条件",
    policy=("COV-1", "ASM-6", "ASM-8"),
    depends=("income_eligible", "expense_route", "without_verification_route", "income_below_standard"),
    unit="bool",
)
def household_eligible(p: Profile) -> pl.Expr:
    # ASM-8 skips the economic check, but whole-household enrollment still needs the household's income test;
    # otherwise its incapable members are enrolled alone (see single_person).
    return (
        pl.col("income_eligible")
        | pl.col("expense_route")
        | (pl.col("without_verification_route") & pl.col("income_below_standard"))
    )


@variable(
    "benefit_income_fen_e4",
    "household",
    "计算补差所用的家庭年收入",
    policy=("COV-2", "ASM-6"),
    depends=("counted_income_fen_e4", "expense_route", "medical_self_paid_fen"),
    unit="fen_e4",
)
def benefit_income(p: Profile) -> pl.Expr:
    after_medical = pl.max_horizontal(
        pl.col("counted_income_fen_e4") - pl.col("medical_self_paid_fen") * BASIS, pl.lit(0)
    )
    return pl.when(pl.col("expense_route")).then(after_medical).otherwise(pl.col("counted_income_fen_e4"))
