"""The decision for a household: enroll, keep, gradual_exit, exit, deny or refer, and why.

The route names which rule decided; explanations turn it into words with its clause.
"""

from __future__ import annotations

import polars as pl

from doudi.policy.profile import Profile
from doudi.rules.schema import enum_literals
from doudi.rules.variables import variable

ROUTES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # route: (decision, Chinese reason, POLICY ids)
    "gradual_exit_ended": ("keep", "渐退期间重新符合低保条件，终止渐退，按重新核定的收入给予差额救助", ("EXIT-3",)),
    "gradual_exit_continues": ("gradual_exit", "仍在渐退期内，按渐退方案继续发放", ("EXIT-1", "EXIT-2", "EXIT-3")),
    "gradual_exit_completed": ("exit", "渐退期满仍不符合条件，经评估后退出", ("EXIT-3", "EXIT-5")),
    "keep": ("keep", "仍符合低保条件，继续保障", ("ASM-1", "COV-2")),
    "gradual_exit_income": ("gradual_exit", "收入超过低保标准但符合渐退条件，进入渐退", ("EXIT-1", "EXIT-2", "EXIT-3")),
    "gradual_exit_risk": ("gradual_exit", "不再符合条件，但退出后返贫风险较大，实行渐退", ("EXIT-4",)),
    "exit": ("exit", "稳定脱贫、不再符合低保条件，及时退出", ("EXIT-5",)),
    "enroll": ("enroll", "符合低保条件，纳入保障", ("ASM-1", "COV-1", "COV-2")),
    "refer": ("refer", "不符合低保条件的建档立卡贫困户，名单移交扶贫部门帮扶", ("COV-6",)),
    "deny": ("deny", "不符合低保条件", ("ASM-1",)),
}
ROUTE_ENUM = pl.Enum(list(ROUTES))
_ROUTES = enum_literals(ROUTE_ENUM)
DECISION_ENUM = pl.Enum(list(dict.fromkeys(decision for decision, _, _ in ROUTES.values())))


@variable(
    "decision_route",
    "household",
    "决定依据",
    policy=("EXIT-3", "EXIT-4", "EXIT-5", "COV-6"),
    params=("referral.enabled", "gradual_exit.enabled"),
    depends=(
        "enrolled",
        "in_gradual_exit",
        "scope",
        "gradual_exit_remaining_months",
        "gradual_exit_qualifies",
        "fall_back_risk_high",
        "property_within_rules",
        "registered_poor",
    ),
    unit="route",
)
def decision_route(p: Profile) -> pl.Expr:
    enrolled = pl.col("enrolled").fill_null(False)
    eligible = pl.col("scope").is_not_null()
    in_ge = pl.col("in_gradual_exit")
    risk_to_gradual_exit = (
        pl.col("fall_back_risk_high")
        & pl.lit(p.gradual_exit.enabled.value)
        & pl.col("property_within_rules").fill_null(True)
    )
    refer = pl.col("registered_poor").fill_null(False) & pl.lit(p.referral.enabled.value)
    return (
        pl.when(enrolled & in_ge & eligible)
        .then(_ROUTES["gradual_exit_ended"])
        .when(enrolled & in_ge & (pl.col("gradual_exit_remaining_months") > 0))
        .then(_ROUTES["gradual_exit_continues"])
        .when(enrolled & in_ge)
        .then(_ROUTES["gradual_exit_completed"])
        .when(enrolled & eligible)
        .then(_ROUTES["keep"])
        .when(enrolled & pl.col("gradual_exit_qualifies"))
        .then(_ROUTES["gradual_exit_income"])
        .when(enrolled & risk_to_gradual_exit)
        .then(_ROUTES["gradual_exit_risk"])
        .when(enrolled)
        .then(_ROUTES["exit"])
        .when(eligible)
        .then(_ROUTES["enroll"])
        .when(refer)
        .then(_ROUTES["refer"])
        .otherwise(_ROUTES["deny"])
    )


@variable("decision", "household", "决定", policy=("EXIT-5",), depends=("decision_route",), unit="decision")
def decision(p: Profile) -> pl.Expr:
    return pl.col("decision_route").replace_strict(
        {route: spec[0] for route, spec in ROUTES.items()}, return_dtype=DECISION_ENUM
    )


@variable(
    "monthly_benefit_fen",
    "household",
    "月保障金",
    policy=("COV-2", "COV-3", "EXIT-1"),
    depends=("decision", "assessed_benefit_fen", "gradual_exit_schedule_fen"),
    unit="fen",
)
def monthly_benefit(p: Profile) -> pl.Expr:
    return (
        pl.when(pl.col("decision").is_in(["enroll", "keep"]))
        .then(pl.col("assessed_benefit_fen"))
        .when(pl.col("decision") == "gradual_exit")
        .then(pl.col("gradual_exit_schedule_fen").list.first())
        .otherwise(0)
        .fill_null(0)
        .cast(pl.Int64)
    )


@variable(
    "temporary_assistance_advised",
    "household",
    "建议临时救助",
    policy=("EXIT-4",),
    depends=("decision", "fall_back_risk_high"),
    unit="bool",
    enabled_by="exit_risk.enabled",
)
def temporary_assistance_advised(p: Profile) -> pl.Expr:
    return (pl.col("decision") == "exit") & pl.col("fall_back_risk_high")


@variable(
    "escape_keep_dibao",
    "household",
    "可宣布脱贫、继续享受低保（脱贫不脱保）",
    policy=("COV-8",),
    params=("keep_on_escape.enabled",),
    depends=(
        "registered_poor",
        "escaped_poverty",
        "decision",
        "counted_income_fen_e4",
        "poverty_line_yearly_fen",
        "household_size",
    ),
    unit="bool",
    enabled_by="keep_on_escape.enabled",
)
def escape_keep_dibao(p: Profile) -> pl.Expr:
    if not p.keep_on_escape.enabled.value:
        return pl.lit(False)
    poverty_line = pl.col("poverty_line_yearly_fen") * pl.col("household_size") * 10_000
    return (
        pl.col("registered_poor").fill_null(False)
        & ~pl.col("escaped_poverty").fill_null(False)
        & pl.col("decision").is_in(["enroll", "keep"])
        & (pl.col("counted_income_fen_e4") >= poverty_line).fill_null(False)
    )


@variable(
    "poverty_registration_candidate",
    "household",
    "符合建档立卡条件的低保家庭（应扶未扶）",
    policy=("COV-5",),
    depends=(
        "registered_poor",
        "enrolled",
        "decision",
        "has_development_capacity",
        "three_guarantees_unsolved",
        "counted_income_fen_e4",
        "poverty_line_yearly_fen",
        "household_size",
    ),
    unit="bool",
)
def poverty_registration_candidate(p: Profile) -> pl.Expr:
    """A dibao household, not registered, with capacity to develop and an unsolved 三保障 or income below the
    poverty line (Fengjie 三(二)2; Jilin 2016 二(三)1)."""
    below_line = pl.col("counted_income_fen_e4") < pl.col("poverty_line_yearly_fen") * pl.col("household_size") * 10_000
    on_dibao = pl.col("decision").is_in(["enroll", "keep", "gradual_exit"])
    return (
        ~pl.col("registered_poor").fill_null(False)
        & on_dibao
        & pl.col("has_development_capacity")
        & (pl.col("three_guarantees_unsolved").fill_null(False) | below_line.fill_null(False))
    )
