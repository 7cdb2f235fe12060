"""Members: age, disability, illness and labour capacity (ASM-1: 性别、年龄、健康状况)."""

from __future__ import annotations

import polars as pl

from doudi.policy.profile import Profile
from doudi.rules.calendar import whole_years
from doudi.rules.schema import LABOR_CAPACITY_ENUM, SEVERE_DISABILITY_GRADES, enum_literals
from doudi.rules.variables import variable

_CAPACITY = enum_literals(LABOR_CAPACITY_ENUM)


@variable("age", "member", "年龄（周岁）", policy=("ASM-1",), depends=("birth_date", "on"), unit="years")
def age(p: Profile) -> pl.Expr:
    return whole_years(pl.col("birth_date"), pl.col("on")).cast(pl.Int32)


@variable(
    "severely_disabled",
    "member",
    "重度残疾（一、二级）",
    policy=("COV-3", "COV-4", "ASM-8"),
    depends=("disability_grade",),
    unit="bool",
)
def severely_disabled(p: Profile) -> pl.Expr:
    return pl.col("disability_grade").is_in(SEVERE_DISABILITY_GRADES).fill_null(False)


@variable("disabled", "member", "持证残疾人", policy=("COV-3", "EXIT-1"), depends=("disability_grade",), unit="bool")
def disabled(p: Profile) -> pl.Expr:
    return pl.col("disability_grade").is_not_null()


@variable("seriously_ill", "member", "重病患者", policy=("COV-3", "ASM-8"), depends=("health",), unit="bool")
def seriously_ill(p: Profile) -> pl.Expr:
    return pl.col("health") == "serious_illness"


@variable(
    "labor_capacity_assessed",
    "member",
    "劳动能力",
    policy=("ASM-1",),
    params=("labor.working_age_min", "labor.working_age_max_male", "labor.working_age_max_female"),
    depends=(
        "labor_capacity",
        "age",
        "sex",
        "severely_disabled",
        "seriously_ill",
        "bedridden",
        "health",
        "disability_grade",
    ),
    unit="labor",
)
def labor_capacity_assessed(p: Profile) -> pl.Expr:
    """Recorded capacity wins; otherwise derived from sex, age and health as the seeds list them."""
    none = (
        pl.col("severely_disabled")
        | pl.col("seriously_ill")
        | pl.col("bedridden").fill_null(False)
        | ~of_working_age(p)
    )
    derived = (
        pl.when(none)
        .then(_CAPACITY["none"])
        .when(_partly_lost())
        .then(_CAPACITY["partial"])
        .otherwise(_CAPACITY["full"])
    )
    return pl.coalesce(pl.col("labor_capacity").cast(LABOR_CAPACITY_ENUM), derived)


@variable(
    "without_labor_capacity",
    "member",
    "丧失劳动能力",
    policy=("ASM-1", "ASM-3"),
    depends=("labor_capacity_assessed",),
    unit="bool",
)
def without_labor_capacity(p: Profile) -> pl.Expr:
    return pl.col("labor_capacity_assessed") == "none"


@variable(
    "incapable_priority",
    "member",
    "重度残疾人或重病患者（丧失劳动能力）",
    policy=("ASM-8", "EXIT-4"),
    depends=("severely_disabled", "seriously_ill"),
    unit="bool",
)
def incapable_priority(p: Profile) -> pl.Expr:
    return pl.col("severely_disabled") | pl.col("seriously_ill")


@variable(
    "lost_labor_capacity",
    "member",
    "因残因病丧失或部分丧失劳动能力",
    policy=("ASM-8",),
    params=("labor.working_age_min", "labor.working_age_max_male", "labor.working_age_max_female"),
    depends=("labor_capacity", "incapable_priority", "bedridden", "disability_grade", "health", "age", "sex"),
    unit="bool",
)
def lost_labor_capacity(p: Profile) -> pl.Expr:
    """004 二(四)1 enrols "重度残疾人、重病患者等丧失劳动能力或部分丧失劳动能力的贫困人口" without an economic check:
    capacity lost wholly or in part. The two it names always count; grade 3–4 disability, chronic illness and
    being bedridden count unless the recorded capacity is full; a recorded "partial" counts, and so does a
    recorded "none" at working age. Children and the old, who have no labour capacity by age rather than lost
    it, do not. (Enrolled alone are still only those the single-person rule names: see single_person.)"""
    partly = pl.col("bedridden").fill_null(False) | _partly_lost()
    recorded = pl.col("labor_capacity")
    return (
        pl.col("incapable_priority").fill_null(False)
        | (recorded == "partial").fill_null(False)
        | ((recorded == "none") & of_working_age(p)).fill_null(False)
        | (partly & (recorded != "full").fill_null(True))
    )


def retirement_age(p: Profile) -> pl.Expr:
    """The end of working age for the member's sex (ASM-1: the profile's ages for men and women)."""
    return (
        pl.when(pl.col("sex") == "F")
        .then(p.labor.working_age_max_female.value)
        .otherwise(p.labor.working_age_max_male.value)
    )


def of_working_age(p: Profile) -> pl.Expr:
    """Whether the member's `age` is of working age for their sex (ASM-1)."""
    return (pl.col("age") >= p.labor.working_age_min.value) & (pl.col("age") < retirement_age(p))


def _partly_lost() -> pl.Expr:
    """Grade 3–4 disability or a chronic illness: labour capacity lost in part (ASM-1)."""
    return pl.col("disability_grade").is_in([3, 4]).fill_null(False) | (pl.col("health") == "chronic").fill_null(False)


# Household aggregates of members -------------------------------------------------------------------------


@variable(
    "household_size",
    "household",
    "家庭人口数",
    policy=("COV-1", "COV-2"),
    depends=(),
    reduce="count",
    aggregate_from="member",
    fill=0,
    unit="persons",
)
def household_size(p: Profile) -> pl.Expr:
    return pl.lit(1, dtype=pl.Int64)


@variable(
    "has_disabled_member",
    "household",
    "残疾人家庭",
    policy=("EXIT-1", "EXIT-3"),
    depends=("disabled",),
    reduce="any",
    aggregate_from="member",
    fill=False,
    unit="bool",
)
def has_disabled_member(p: Profile) -> pl.Expr:
    return pl.col("disabled")


@variable(
    "has_member_without_labor_capacity",
    "household",
    "有丧失劳动能力成员",
    policy=("ASM-3",),
    depends=("without_labor_capacity",),
    reduce="any",
    aggregate_from="member",
    fill=False,
    unit="bool",
)
def has_member_without_labor_capacity(p: Profile) -> pl.Expr:
    return pl.col("without_labor_capacity")


@variable(
    "has_incapable_priority_member",
    "household",
    "有重度残疾或重病成员",
    policy=("EXIT-4", "DYN-4"),
    depends=("incapable_priority",),
    reduce="any",
    aggregate_from="member",
    fill=False,
    unit="bool",
)
def has_incapable_priority_member(p: Profile) -> pl.Expr:
    return pl.col("incapable_priority")


@variable(
    "has_lost_labor_capacity_member",
    "household",
    "有因残因病丧失或部分丧失劳动能力的成员",
    policy=("ASM-8",),
    depends=("lost_labor_capacity",),
    reduce="any",
    aggregate_from="member",
    fill=False,
    unit="bool",
)
def has_lost_labor_capacity_member(p: Profile) -> pl.Expr:
    return pl.col("lost_labor_capacity")


@variable(
    "has_development_capacity",
    "household",
    "有劳动（发展）能力成员",
    policy=("COV-5",),
    depends=("labor_capacity_assessed",),
    reduce="any",
    aggregate_from="member",
    fill=False,
    unit="bool",
)
def has_development_capacity(p: Profile) -> pl.Expr:
    return pl.col("labor_capacity_assessed") == "full"


@variable(
    "all_members_elderly",
    "household",
    "全部成员为老年人",
    policy=("EXIT-4", "MON-2"),
    params=("supplements.elderly_age",),
    depends=("age",),
    reduce="all",
    aggregate_from="member",
    fill=False,
    unit="bool",
)
def all_members_elderly(p: Profile) -> pl.Expr:
    return pl.col("age") >= p.supplements.elderly_age.value
