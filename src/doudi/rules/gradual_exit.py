"""Gradual exit (渐退, EXIT-1/2/3): a household that has risen above the standard keeps a falling benefit.

Months are counted from the first month of the gradual exit; the schedule lists the amounts from the month
after the assessment date to the last month. Each amount is the base benefit times a fraction, rounded once.
"""

from __future__ import annotations

import polars as pl

from doudi.policy.money import BASIS, divide_rounded, share_to_basis_points
from doudi.policy.profile import Profile
from doudi.rules.variables import variable


def _month_number(date: pl.Expr) -> pl.Expr:
    return date.dt.year().cast(pl.Int64) * 12 + date.dt.month().cast(pl.Int64)


@variable(
    "in_gradual_exit",
    "household",
    "正在渐退期",
    policy=("EXIT-3",),
    depends=("enrolled", "gradual_exit_since"),
    unit="bool",
)
def in_gradual_exit(p: Profile) -> pl.Expr:
    return pl.col("enrolled").fill_null(False) & pl.col("gradual_exit_since").is_not_null()


@variable(
    "gradual_exit_months",
    "household",
    "渐退期（月）",
    policy=("EXIT-1", "EXIT-2", "EXIT-3"),
    params=(
        "gradual_exit.months",
        "gradual_exit.months_with_disabled_member",
        "gradual_exit.months_long_return_industry",
    ),
    depends=("has_disabled_member", "long_return_industry"),
    unit="months",
    enabled_by="gradual_exit.enabled",
)
def gradual_exit_months(p: Profile) -> pl.Expr:
    ge = p.gradual_exit
    return (
        pl.when(
            pl.col("long_return_industry").fill_null(False) & (ge.months_long_return_industry.value > ge.months.value)
        )
        .then(ge.months_long_return_industry.value)
        .when(pl.col("has_disabled_member"))
        .then(ge.months_with_disabled_member.value)
        .otherwise(ge.months.value)
        .cast(pl.Int64)
    )


@variable(
    "gradual_exit_next_month",
    "household",
    "下月为渐退期第几个月",
    policy=("EXIT-3",),
    depends=("in_gradual_exit", "gradual_exit_since", "on"),
    unit="months",
)
def gradual_exit_next_month(p: Profile) -> pl.Expr:
    elapsed = _month_number(pl.col("on")) - _month_number(pl.col("gradual_exit_since"))
    return pl.when(pl.col("in_gradual_exit")).then(elapsed + 2).otherwise(1).cast(pl.Int64)


@variable(
    "gradual_exit_remaining_months",
    "household",
    "渐退期剩余月数",
    policy=("EXIT-1", "EXIT-3"),
    depends=("gradual_exit_months", "gradual_exit_next_month"),
    unit="months",
    enabled_by="gradual_exit.enabled",
)
def gradual_exit_remaining_months(p: Profile) -> pl.Expr:
    remaining = pl.col("gradual_exit_months") - pl.col("gradual_exit_next_month") + 1
    return pl.max_horizontal(remaining, pl.lit(0))


@variable(
    "below_gradual_exit_ceiling",
    "household",
    "人均收入低于渐退上限",
    policy=("EXIT-1", "EXIT-3"),
    params=("gradual_exit.ceiling_multiple",),
    depends=("counted_income_fen_e4", "household_line_fen_e4"),
    unit="bool",
    enabled_by="gradual_exit.enabled",
)
def below_gradual_exit_ceiling(p: Profile) -> pl.Expr:
    ceiling = p.gradual_exit.ceiling_multiple.value
    if ceiling is None:
        return pl.lit(True)
    return pl.col("counted_income_fen_e4") * BASIS < pl.col("household_line_fen_e4") * int(ceiling * BASIS)


@variable(
    "gradual_exit_income_source_ok",
    "household",
    "收入增加来自扶贫项目或产业就业",
    policy=("EXIT-1", "EXIT-2", "EXIT-3"),
    params=("gradual_exit.requires_poverty_project_income", "gradual_exit.qualifying_income_kinds"),
    depends=("has_poverty_project_income", "has_qualifying_exit_income"),
    unit="bool",
    enabled_by="gradual_exit.enabled",
)
def gradual_exit_income_source_ok(p: Profile) -> pl.Expr:
    ge = p.gradual_exit
    test = pl.lit(True)
    if ge.requires_poverty_project_income.value:
        test = test & pl.col("has_poverty_project_income")
    if ge.qualifying_income_kinds.value:
        test = test & pl.col("has_qualifying_exit_income")
    return test


@variable(
    "gradual_exit_qualifies",
    "household",
    "符合渐退条件",
    policy=("EXIT-1", "EXIT-2", "EXIT-3"),
    params=("gradual_exit.enabled",),
    depends=(
        "enrolled",
        "in_gradual_exit",
        "scope",
        "income_below_standard",
        "property_within_rules",
        "below_gradual_exit_ceiling",
        "gradual_exit_income_source_ok",
    ),
    unit="bool",
    enabled_by="gradual_exit.enabled",
)
def gradual_exit_qualifies(p: Profile) -> pl.Expr:
    if not p.gradual_exit.enabled.value:
        return pl.lit(False)
    return (
        pl.col("enrolled").fill_null(False)
        & ~pl.col("in_gradual_exit")
        & pl.col("scope").is_null()
        & ~pl.col("income_below_standard")
        & pl.col("property_within_rules").fill_null(True)
        & pl.col("below_gradual_exit_ceiling")
        & pl.col("gradual_exit_income_source_ok")
    )


@variable(
    "gradual_exit_start_fen",
    "household",
    "渐退起始月保障金",
    policy=("EXIT-1", "EXIT-3"),
    depends=("gradual_exit_base_fen", "current_benefit_fen", "in_gradual_exit"),
    unit="fen",
)
def gradual_exit_base(p: Profile) -> pl.Expr:
    # A running gradual exit keeps the base it started from; a new one starts from today's benefit.
    running = pl.coalesce(pl.col("gradual_exit_base_fen"), pl.col("current_benefit_fen"))
    return pl.when(pl.col("in_gradual_exit")).then(running).otherwise(pl.col("current_benefit_fen")).fill_null(0)


@variable(
    "gradual_exit_schedule_fen",
    "household",
    "渐退期逐月保障金",
    policy=("EXIT-1", "EXIT-2", "EXIT-3"),
    params=("gradual_exit.decrement", "gradual_exit.yearly_decrement_share", "money.rounding"),
    depends=("gradual_exit_months", "gradual_exit_next_month", "gradual_exit_start_fen", "in_gradual_exit", "decision"),
    unit="fen_list",
    enabled_by="gradual_exit.enabled",
)
def gradual_exit_schedule(p: Profile) -> pl.Expr:
    """Amounts for months next..N of the gradual exit, by the profile's decrement rule: for households in one
    or entering one only (null for the rest, which spares building a list per household)."""
    ge = p.gradual_exit
    n = pl.col("gradual_exit_months")
    has_schedule = pl.col("in_gradual_exit") | (pl.col("decision") == "gradual_exit")
    k = pl.int_ranges(pl.when(has_schedule).then(pl.col("gradual_exit_next_month")), n + 1, dtype=pl.Int64)
    base = pl.col("gradual_exit_start_fen")
    rounding = p.money.rounding.value
    mode = ge.decrement.value
    if mode == "monthly":  # 逐月递减: month k of N pays (N − k + 1)/N
        return _rounded(base * (n - k + 1), n, rounding)
    if mode == "quarterly":  # 逐季递减: quarter q of Q pays (Q − q + 1)/Q
        quarters = (n + 2) // 3
        return _rounded(base * (quarters - (k + 2) // 3 + 1), quarters, rounding)
    if mode == "yearly_share":  # 逐年按比例递减: year y pays 1 − share × (y − 1)
        share = share_to_basis_points(ge.yearly_decrement_share.value)
        kept = (BASIS - share * ((k + 11) // 12 - 1)).list.eval(pl.element().clip(0))
        return _rounded(base * kept, pl.lit(BASIS, dtype=pl.Int64), rounding)
    return k * 0 + base


def _rounded(numerator: pl.Expr, denominator: pl.Expr, rounding: str) -> pl.Expr:
    # Numerators here are never negative, so the list arithmetic can skip the clip.
    return divide_rounded(numerator, denominator, rounding, clip_negative=False)
