"""The monthly benefit: top-up to the standard (COV-2 补差) plus classified supplements (COV-3 分类施保)."""

from __future__ import annotations

import polars as pl

from doudi.policy.money import BASIS, divide_rounded, yuan_to_fen
from doudi.policy.profile import Profile
from doudi.rules.schema import SCOPE_ENUM, enum_literals
from doudi.rules.variables import variable

_SCOPE = enum_literals(SCOPE_ENUM)

MONTHS = 12


@variable(
    "scope",
    "household",
    "保障范围",
    policy=("COV-1", "COV-4"),
    depends=("household_eligible", "single_person_count"),
    unit="scope",
)
def scope(p: Profile) -> pl.Expr:
    return (
        pl.when(pl.col("household_eligible"))
        .then(_SCOPE["household"])
        .when(pl.col("single_person_count") > 0)
        .then(_SCOPE["single_person"])
        .otherwise(pl.lit(None, SCOPE_ENUM))
    )


@variable(
    "covered",
    "member",
    "纳入保障的成员",
    policy=("COV-1", "COV-4"),
    depends=("household_eligible", "single_person_covered"),
    unit="bool",
)
def covered(p: Profile) -> pl.Expr:
    # The whole household's scope is exactly its eligibility; reading the flag spares gathering `scope`'s
    # strings onto every member.
    return pl.col("household_eligible").fill_null(False) | pl.col("single_person_covered")


def _category_conditions(p: Profile) -> dict[str, pl.Expr]:
    age = pl.col("age")
    return {
        "disabled": pl.col("disabled"),
        "severe_disability": pl.col("severely_disabled"),
        "serious_illness": pl.col("seriously_ill"),
        "elderly": age >= p.supplements.elderly_age.value,
        "minor": age < 18,
        "preschool": (age < p.supplements.preschool_age.value) & ~pl.col("in_school").fill_null(False),
        "student": pl.col("in_school").fill_null(False),
    }


@variable(
    "supplement_fen",
    "member",
    "分类施保金（月）",
    policy=("COV-3",),
    params=("supplements.monthly_yuan", "supplements.elderly_age", "supplements.preschool_age"),
    depends=("age", "disabled", "severely_disabled", "seriously_ill", "in_school", "covered"),
    unit="fen",
)
def supplement(p: Profile) -> pl.Expr:
    """The highest of the categories a covered person is in (one supplement per person)."""
    conditions = _category_conditions(p)
    amounts = [
        pl.when(conditions[category]).then(yuan_to_fen(amount)).otherwise(0)
        for category, amount in p.supplements.monthly_yuan.value.items()
    ]
    best = pl.max_horizontal(amounts) if amounts else pl.lit(0)
    return pl.when(pl.col("covered")).then(best).otherwise(0).cast(pl.Int64)


@variable(
    "single_person_top_up_fen",
    "member",
    "单人户补差（月）",
    policy=("COV-2", "COV-4"),
    params=("money.rounding",),
    depends=("single_person_covered", "standard_yearly_fen", "own_counted_income_fen_e4"),
    unit="fen",
)
def single_person_top_up(p: Profile) -> pl.Expr:
    gap = pl.col("standard_yearly_fen") * BASIS - pl.col("own_counted_income_fen_e4")
    amount = divide_rounded(gap, MONTHS * BASIS, p.money.rounding.value)
    return pl.when(pl.col("single_person_covered")).then(amount).otherwise(0)


@variable(
    "single_person_top_up_total_fen",
    "household",
    "单人户补差合计（月）",
    policy=("COV-4",),
    depends=("single_person_top_up_fen",),
    reduce="sum",
    aggregate_from="member",
    fill=0,
    unit="fen",
)
def single_person_top_up_total(p: Profile) -> pl.Expr:
    return pl.col("single_person_top_up_fen")


@variable(
    "supplements_fen",
    "household",
    "分类施保金合计（月）",
    policy=("COV-3",),
    depends=("supplement_fen",),
    reduce="sum",
    aggregate_from="member",
    fill=0,
    unit="fen",
)
def supplements_total(p: Profile) -> pl.Expr:
    return pl.col("supplement_fen")


@variable(
    "top_up_fen",
    "household",
    "补差金额（月）",
    policy=("COV-2",),
    params=("money.rounding",),
    depends=("scope", "household_line_fen_e4", "benefit_income_fen_e4", "single_person_top_up_total_fen"),
    unit="fen",
)
def top_up(p: Profile) -> pl.Expr:
    """(standard − per-capita income) × members, monthly, rounded once: (line − income) / 12."""
    household = divide_rounded(
        pl.col("household_line_fen_e4") - pl.col("benefit_income_fen_e4"), MONTHS * BASIS, p.money.rounding.value
    )
    return (
        pl.when(pl.col("scope") == "household")
        .then(household)
        .when(pl.col("scope") == "single_person")
        .then(pl.col("single_person_top_up_total_fen"))
        .otherwise(0)
        .cast(pl.Int64)
    )


@variable(
    "assessed_benefit_fen",
    "household",
    "核定低保金（月）",
    policy=("COV-2", "COV-3"),
    depends=("top_up_fen", "supplements_fen"),
    unit="fen",
)
def assessed_benefit(p: Profile) -> pl.Expr:
    return pl.col("top_up_fen") + pl.col("supplements_fen")
