"""Fall-back risk before an exit (EXIT-4: 防止因退返贫、一退了之)."""

from __future__ import annotations

import polars as pl

from doudi.policy.money import BASIS, share_to_basis_points
from doudi.policy.profile import Profile
from doudi.rules.variables import variable


@variable(
    "fall_back_risk_high",
    "household",
    "退出后返贫风险较大",
    policy=("EXIT-4",),
    params=("exit_risk.enabled", "exit_risk.near_standard_multiple", "exit_risk.medical_share_of_income"),
    depends=(
        "has_incapable_priority_member",
        "all_members_elderly",
        "counted_income_fen_e4",
        "household_line_fen_e4",
        "medical_self_paid_fen",
        "gross_income_fen",
    ),
    unit="bool",
    enabled_by="exit_risk.enabled",
)
def fall_back_risk_high(p: Profile) -> pl.Expr:
    """High when someone cannot work for illness or disability, all are elderly, income is still near the
    standard, or self-paid medical cost takes a large share of income."""
    risk = p.exit_risk
    if not risk.enabled.value:
        return pl.lit(False)
    near_bp = int(risk.near_standard_multiple.value * BASIS)
    medical_bp = share_to_basis_points(risk.medical_share_of_income.value)
    near_standard = pl.col("counted_income_fen_e4") * BASIS < pl.col("household_line_fen_e4") * near_bp
    heavy_medical = (pl.col("medical_self_paid_fen") > 0) & (
        pl.col("medical_self_paid_fen") * BASIS >= pl.col("gross_income_fen") * medical_bp
    )
    return pl.col("has_incapable_priority_member") | pl.col("all_members_elderly") | near_standard | heavy_medical
