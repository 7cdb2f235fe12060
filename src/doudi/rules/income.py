"""Counted household income (ASM-2..5): which incomes count, which are exempt, what is deducted.

Counted income is held in fen × 10,000 ("fen_e4") so that shares in basis points stay exact and the
benefit is rounded once, at the end.
"""

from __future__ import annotations

import polars as pl

from doudi.policy.money import BASIS, share_to_basis_points
from doudi.policy.profile import Profile
from doudi.rules.variables import variable


@variable(
    "recipient_without_labor_capacity",
    "income",
    "收入获得者丧失劳动能力",
    policy=("ASM-3",),
    depends=("without_labor_capacity", "has_member_without_labor_capacity"),
    unit="bool",
)
def recipient_without_labor_capacity(p: Profile) -> pl.Expr:
    # An item not tied to a member counts as the household's: exempt when someone in it cannot work.
    return pl.coalesce(pl.col("without_labor_capacity"), pl.col("has_member_without_labor_capacity"))


@variable(
    "counted_income_item_fen_e4",
    "income",
    "计入家庭收入的金额",
    policy=("ASM-2", "ASM-3", "ASM-4"),
    params=(
        "income.exclude_basic_pension",
        "income.project_dividend_excluded_share",
        "income.project_wage_cost_share",
        "income.campaign_end",
    ),
    depends=("kind", "yearly_fen", "poverty_project", "recipient_without_labor_capacity", "on"),
    unit="fen_e4",
)
def counted_income_item(p: Profile) -> pl.Expr:
    amount = pl.col("yearly_fen").cast(pl.Int64)
    in_campaign = pl.col("on") <= p.income.campaign_end.value
    dividend_kept = BASIS - share_to_basis_points(p.income.project_dividend_excluded_share.value)
    wage_kept = BASIS - share_to_basis_points(p.income.project_wage_cost_share.value)
    return (
        pl.when((pl.col("kind") == "basic_pension") & p.income.exclude_basic_pension.value)
        .then(0)
        .when(
            (pl.col("kind") == "project_dividend")
            & pl.col("recipient_without_labor_capacity").fill_null(False)
            & in_campaign
        )
        .then(amount * dividend_kept)
        .when((pl.col("kind") == "wage") & pl.col("poverty_project").fill_null(False))
        .then(amount * wage_kept)
        .otherwise(amount * BASIS)
    )


@variable(
    "deductible_expense_fen_e4",
    "expense",
    "可扣减的刚性支出",
    policy=("ASM-5",),
    params=("income.rigid_expense_deduction", "income.rigid_expense_kinds", "income.rigid_expense_share"),
    depends=("kind", "yearly_fen"),
    unit="fen_e4",
    enabled_by="income.rigid_expense_deduction",
)
def deductible_expense(p: Profile) -> pl.Expr:
    if not p.income.rigid_expense_deduction.value:
        return pl.lit(0, dtype=pl.Int64)
    share = share_to_basis_points(p.income.rigid_expense_share.value)
    kinds = list(p.income.rigid_expense_kinds.value)
    return pl.when(pl.col("kind").is_in(kinds)).then(pl.col("yearly_fen") * share).otherwise(0).cast(pl.Int64)


@variable(
    "gross_income_fen",
    "household",
    "家庭年收入（全部）",
    policy=("ASM-1",),
    depends=("yearly_fen",),
    reduce="sum",
    aggregate_from="income",
    fill=0,
    unit="fen",
)
def gross_income(p: Profile) -> pl.Expr:
    return pl.col("yearly_fen")


@variable(
    "counted_items_fen_e4",
    "household",
    "计入的各项收入合计",
    policy=("ASM-2", "ASM-3", "ASM-4"),
    depends=("counted_income_item_fen_e4",),
    reduce="sum",
    aggregate_from="income",
    fill=0,
    unit="fen_e4",
)
def counted_items(p: Profile) -> pl.Expr:
    return pl.col("counted_income_item_fen_e4")


@variable(
    "own_counted_income_fen_e4",
    "member",
    "本人计入收入",
    policy=("COV-4",),
    depends=("counted_income_item_fen_e4",),
    reduce="sum",
    aggregate_from="income",
    fill=0,
    unit="fen_e4",
)
def own_counted_income(p: Profile) -> pl.Expr:
    return pl.col("counted_income_item_fen_e4")


@variable(
    "has_poverty_project_income",
    "household",
    "有扶贫项目收入",
    policy=("EXIT-1", "EXIT-3"),
    depends=("poverty_project", "counted_income_item_fen_e4"),
    reduce="any",
    aggregate_from="income",
    fill=False,
    unit="bool",
)
def has_poverty_project_income(p: Profile) -> pl.Expr:
    # Only project income that counts (not a basic pension, not the exempt dividend of a member without labour
    # capacity, ASM-2/3) can be what lifted the household over the standard.
    return pl.col("poverty_project").fill_null(False) & (pl.col("counted_income_item_fen_e4") > 0)


@variable(
    "has_qualifying_exit_income",
    "household",
    "有产业或就业收入",
    policy=("EXIT-2",),
    params=("gradual_exit.qualifying_income_kinds",),
    depends=("kind", "yearly_fen"),
    reduce="any",
    aggregate_from="income",
    fill=False,
    unit="bool",
)
def has_qualifying_exit_income(p: Profile) -> pl.Expr:
    kinds = list(p.gradual_exit.qualifying_income_kinds.value)
    return pl.col("kind").is_in(kinds) & (pl.col("yearly_fen") > 0)


@variable(
    "rigid_deduction_fen_e4",
    "household",
    "刚性支出扣减",
    policy=("ASM-5",),
    params=("income.rigid_expense_share",),
    depends=("deductible_expense_fen_e4",),
    reduce="sum",
    aggregate_from="expense",
    fill=0,
    unit="fen_e4",
    enabled_by="income.rigid_expense_deduction",
)
def rigid_deduction(p: Profile) -> pl.Expr:
    return pl.col("deductible_expense_fen_e4")


@variable(
    "medical_self_paid_fen",
    "household",
    "个人自负医疗费用（年）",
    policy=("ASM-6", "EXIT-4", "MON-2"),
    depends=("kind", "yearly_fen"),
    reduce="sum",
    aggregate_from="expense",
    fill=0,
    unit="fen",
)
def medical_self_paid(p: Profile) -> pl.Expr:
    return pl.when(pl.col("kind") == "medical").then(pl.col("yearly_fen")).otherwise(0)


@variable(
    "counted_income_fen_e4",
    "household",
    "核算后的家庭年收入",
    policy=("ASM-1", "ASM-2", "ASM-3", "ASM-4", "ASM-5"),
    depends=("counted_items_fen_e4", "rigid_deduction_fen_e4"),
    unit="fen_e4",
)
def counted_income(p: Profile) -> pl.Expr:
    return pl.max_horizontal(pl.col("counted_items_fen_e4") - pl.col("rigid_deduction_fen_e4"), pl.lit(0))
