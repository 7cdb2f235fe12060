"""Classified management and review interval (DYN-4: C 按季, B 半年, A 年度; DYN-3 yearly recertification)."""

from __future__ import annotations

import polars as pl

from doudi.policy.profile import Profile
from doudi.rules.calendar import add_months
from doudi.rules.schema import CLASS_ENUM, enum_literals
from doudi.rules.variables import variable

_CLASS = enum_literals(CLASS_ENUM)


@variable(
    "assessed_class",
    "household",
    "分类（A/B/C）",
    policy=("DYN-4",),
    depends=("enrolled_class", "has_development_capacity", "has_incapable_priority_member"),
    unit="class",
)
def assessed_class(p: Profile) -> pl.Expr:
    """The recorded class, or: A when nobody can work (stable), B when someone can work but a member is
    severely disabled or seriously ill, C otherwise (income may change). The seeds name the classes and their
    review frequency, not the split: this is doudi's documented default, overridden by a recorded class."""
    derived = (
        pl.when(~pl.col("has_development_capacity"))
        .then(_CLASS["A"])
        .when(pl.col("has_incapable_priority_member"))
        .then(_CLASS["B"])
        .otherwise(_CLASS["C"])
    )
    return pl.coalesce(pl.col("enrolled_class").cast(CLASS_ENUM), derived)


@variable(
    "review_interval_months",
    "household",
    "复核周期（月）",
    policy=("DYN-4", "DYN-3", "ASM-6"),
    params=("review.interval_months", "expense_route.enrollment_months"),
    depends=("assessed_class", "expense_route"),
    unit="months",
)
def review_interval_months(p: Profile) -> pl.Expr:
    by_class = pl.col("assessed_class").replace_strict(dict(p.review.interval_months.value), default=12)
    return (pl.when(pl.col("expense_route")).then(p.expense_route.enrollment_months.value).otherwise(by_class)).cast(
        pl.Int64
    )


@variable(
    "next_review",
    "household",
    "下次复核日期",
    policy=("DYN-4",),
    depends=("on", "review_interval_months"),
    unit="date",
)
def next_review(p: Profile) -> pl.Expr:
    return add_months(pl.col("on"), pl.col("review_interval_months"))
