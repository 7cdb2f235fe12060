"""Single-person enrollment (COV-4: 单人户 / 分户): a member enrolled alone when the household is not.

Jilin: an adult, unemployed, severely disabled person living on family support, on application. Fengjie:
an adult severely disabled or long-term bedridden seriously ill member of a registered-poor household whose
monthly per-capita income is within 3 × the standard. Jilin 2020 (ASM-8) also enrolls the labour-incapable
members of an unescaped registered-poor household alone when the household itself is over the line.
"""

from __future__ import annotations

import polars as pl

from doudi.policy.money import BASIS
from doudi.policy.profile import Profile
from doudi.rules.variables import variable


@variable(
    "single_person_qualifies",
    "member",
    "本人符合单人户纳入条件",
    policy=("COV-4",),
    params=(
        "single_person.enabled",
        "single_person.min_age",
        "single_person.conditions",
        "single_person.requires_application",
        "single_person.requires_unemployed",
    ),
    depends=("age", "severely_disabled", "seriously_ill", "bedridden", "employed", "single_person_application"),
    unit="bool",
    enabled_by="single_person.enabled",
)
def single_person_qualifies(p: Profile) -> pl.Expr:
    sp = p.single_person
    if not sp.enabled.value:
        return pl.lit(False)
    condition = pl.lit(False)
    if "severe_disability" in sp.conditions.value:
        condition = condition | pl.col("severely_disabled")
    if "bedridden_serious_illness" in sp.conditions.value:
        condition = condition | (pl.col("seriously_ill") & pl.col("bedridden").fill_null(False))
    test = condition & (pl.col("age") >= sp.min_age.value)
    if sp.requires_application.value:
        test = test & pl.col("single_person_application").fill_null(False)
    if sp.requires_unemployed.value:
        test = test & ~pl.col("employed").fill_null(False)
    return test


@variable(
    "single_person_household_ok",
    "household",
    "家庭符合分户纳入的条件",
    policy=("COV-4",),
    params=("single_person.requires_registered_poor", "single_person.household_income_ceiling_multiple"),
    depends=("registered_poor", "counted_income_fen_e4", "household_line_fen_e4"),
    unit="bool",
    enabled_by="single_person.enabled",
)
def single_person_household_ok(p: Profile) -> pl.Expr:
    sp = p.single_person
    test = pl.lit(True)
    if sp.requires_registered_poor.value:
        test = test & pl.col("registered_poor").fill_null(False)
    ceiling = sp.household_income_ceiling_multiple.value
    if ceiling is not None:
        ceiling_bp = int(ceiling * BASIS)
        # per-capita income within k × standard, exactly: income × 10,000 ≤ k_bp × line
        test = test & (pl.col("counted_income_fen_e4") * BASIS <= pl.col("household_line_fen_e4") * ceiling_bp)
    return test


@variable(
    "single_person_covered",
    "member",
    "按单人户纳入",
    policy=("COV-4", "ASM-8"),
    depends=(
        "single_person_qualifies",
        "single_person_household_ok",
        "household_eligible",
        "without_verification_route",
        "incapable_priority",
        "own_counted_income_fen_e4",
        "standard_yearly_fen",
    ),
    unit="bool",
)
def single_person_covered(p: Profile) -> pl.Expr:
    by_rule = pl.col("single_person_qualifies") & pl.col("single_person_household_ok")
    # 004 二(四)1: "符合'单人户'纳入条件的单人纳入" — alone only those the single-person rule is about (重度残疾人、
    # 重病患者); a member who lost capacity in part brings the household route without the economic check only.
    by_campaign = pl.col("without_verification_route") & pl.col("incapable_priority")
    # Enrolled alone means held against the standard alone: the person's own income must be below it.
    own_income_below = pl.col("own_counted_income_fen_e4") < pl.col("standard_yearly_fen") * BASIS
    return ~pl.col("household_eligible") & (by_rule | by_campaign) & own_income_below


@variable(
    "single_person_count",
    "household",
    "单人户纳入人数",
    policy=("COV-4",),
    depends=("single_person_covered",),
    reduce="sum",
    aggregate_from="member",
    fill=0,
    unit="persons",
)
def single_person_count(p: Profile) -> pl.Expr:
    return pl.col("single_person_covered").cast(pl.Int64)
