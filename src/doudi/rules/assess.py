"""Assess households under a profile: the batch entry point and the one-household convenience.

`assess_frames` takes the four frames of `schema.py` (any number of households) and returns one decision row
per household, plus the rows it could not assess and why. One household is a batch of one: `assess_one`
calls the same code and adds the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from doudi.policy.money import fen_to_yuan
from doudi.policy.profile import Profile, load_profile, profile_for
from doudi.policy.standards import attach_standards, load_standards
from doudi.rules import catalog  # noqa: F401  (registers the variables)
from doudi.rules.calendar import months_later
from doudi.rules.decision import ROUTES
from doudi.rules.evaluator import Frames, evaluate
from doudi.rules.explain import explain
from doudi.rules.numbering import number_rows
from doudi.rules.schema import EXPENSES, HOUSEHOLDS, INCOMES, MEMBERS, coded, conform

OUTPUTS = [
    "decision",
    "decision_route",
    "scope",
    "household_size",
    "single_person_count",
    "counted_income_fen_e4",
    "standard_yearly_fen",
    "top_up_fen",
    "supplements_fen",
    "monthly_benefit_fen",
    "gradual_exit_months",
    "gradual_exit_next_month",
    "gradual_exit_schedule_fen",
    "assessed_class",
    "review_interval_months",
    "next_review",
    "fall_back_risk_high",
    "temporary_assistance_advised",
    "escape_keep_dibao",
    "poverty_registration_candidate",
]

DECISION_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "profile": pl.String(),
    "on": pl.Date(),
    "decision": pl.String(),
    "decision_route": pl.String(),
    "scope": pl.String(),
    "household_size": pl.Int64(),
    "covered_persons": pl.Int64(),
    "per_capita_income_monthly_fen": pl.Int64(),
    "standard_monthly_fen": pl.Int64(),
    "top_up_fen": pl.Int64(),
    "supplements_fen": pl.Int64(),
    "monthly_benefit_fen": pl.Int64(),
    "gradual_exit_schedule_fen": pl.List(pl.Int64()),
    "gradual_exit_first_month": pl.Date(),
    "assessed_class": pl.String(),
    "review_interval_months": pl.Int64(),
    "next_review": pl.Date(),
    "fall_back_risk_high": pl.Boolean(),
    "temporary_assistance_advised": pl.Boolean(),
    "escape_keep_dibao": pl.Boolean(),
    "poverty_registration_candidate": pl.Boolean(),
}


@dataclass
class Assessment:
    decisions: pl.DataFrame  # DECISION_SCHEMA, one row per household assessed
    errors: pl.DataFrame  # household_id, field, reason (Chinese) for households not assessed
    evaluated: Frames  # every variable's value, kept for explanations


def prepare(frames: dict[str, pl.DataFrame], standards: pl.DataFrame) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Conform the frames to the contract and attach the standards; split off households without one and
    households holding a code the engine does not know."""
    households, unknown_household_codes = coded(conform(frames["households"], HOUSEHOLDS), "households")
    members, unknown_member_codes = coded(conform(frames["members"], MEMBERS), "members")
    households = attach_standards(households, standards)
    missing = households.filter(pl.col("rural_dibao_yearly_fen").is_null())
    errors = pl.concat(
        [
            missing.select(
                "household_id",
                pl.lit("region_code").alias("field"),
                pl.format(
                    "地区 {} 在 {} 没有农村低保标准", pl.col("region_code"), pl.col("on").dt.strftime("%Y-%m-%d")
                ).alias("reason"),
            ),
            unknown_household_codes,
            unknown_member_codes,
        ]
    )
    prepared = {
        "households": households.filter(
            pl.col("rural_dibao_yearly_fen").is_not_null()
            & ~pl.col("household_id").is_in(errors["household_id"].implode())
        ),
        "members": members,
        "incomes": conform(frames.get("incomes", pl.DataFrame()), INCOMES),
        "expenses": conform(frames.get("expenses", pl.DataFrame()), EXPENSES),
    }
    return prepared, errors


def _decisions(evaluated: Frames, profile: Profile) -> pl.DataFrame:
    h = evaluated["household"]
    per_capita = (pl.col("counted_income_fen_e4") * 2 + pl.col("household_size") * 120_000) // (
        pl.col("household_size") * 240_000
    )
    first_month = pl.col("on").dt.month_start().dt.offset_by("1mo")
    return h.select(
        "household_id",
        pl.lit(profile.id).alias("profile"),
        "on",
        "decision",
        "decision_route",
        "scope",
        "household_size",
        pl.when(pl.col("scope") == "household")
        .then(pl.col("household_size"))
        .otherwise(pl.col("single_person_count"))
        .alias("covered_persons"),
        # Shown to people only; the benefit is computed from the exact yearly figures.
        pl.when(pl.col("household_size") > 0).then(per_capita).alias("per_capita_income_monthly_fen"),
        ((pl.col("standard_yearly_fen") * 2 + 12) // 24).alias("standard_monthly_fen"),
        "top_up_fen",
        "supplements_fen",
        "monthly_benefit_fen",
        pl.when(pl.col("decision") == "gradual_exit")
        .then(pl.col("gradual_exit_schedule_fen"))
        .alias("gradual_exit_schedule_fen"),
        pl.when(pl.col("decision") == "gradual_exit").then(first_month).alias("gradual_exit_first_month"),
        "assessed_class",
        pl.when(pl.col("decision").is_in(["enroll", "keep", "gradual_exit"]))
        .then(pl.col("review_interval_months"))
        .alias("review_interval_months"),
        pl.when(pl.col("decision").is_in(["enroll", "keep", "gradual_exit"]))
        .then(pl.col("next_review"))
        .alias("next_review"),
        "fall_back_risk_high",
        "temporary_assistance_advised",
        "escape_keep_dibao",
        "poverty_registration_candidate",
    )


def assess_frames(
    frames: dict[str, pl.DataFrame],
    profile: Profile | None = None,
    standards: pl.DataFrame | None = None,
) -> Assessment:
    """Assess every household in the frames. Without a profile, each household gets the built-in profile in
    force for its region on its date (households are grouped by profile, each group evaluated at once)."""
    table = standards if standards is not None else load_standards()
    prepared, errors = prepare(frames, table)
    households = prepared["households"]
    if profile is not None:
        groups = [(profile, households)]
    else:
        groups, unassigned = _group_by_profile(households)
        errors = pl.concat([errors, unassigned], how="vertical_relaxed")
    decisions = [pl.DataFrame(schema=DECISION_SCHEMA)]
    evaluated: Frames = {}
    for group_profile, group in groups:
        numbered = number_rows(group, prepared["members"], prepared["incomes"], prepared["expenses"])
        result = evaluate(numbered, group_profile, OUTPUTS)
        decisions.append(_decisions(result, group_profile).cast(DECISION_SCHEMA))  # type: ignore[arg-type]
        evaluated = (
            result
            if not evaluated
            else {k: pl.concat([evaluated[k], result[k]], how="diagonal_relaxed") for k in result}
        )
    return Assessment(pl.concat(decisions, how="vertical_relaxed"), errors, evaluated)


def _group_by_profile(households: pl.DataFrame) -> tuple[list[tuple[Profile, pl.DataFrame]], pl.DataFrame]:
    keys = households.select("region_code", "on").unique()
    assigned: dict[str, Profile] = {}
    rows = []
    for region, on in keys.iter_rows():
        try:
            found = profile_for(region, on)
        except ValueError:
            continue
        assigned[found.id] = found
        rows.append((region, on, found.id))
    mapping = pl.DataFrame(rows, schema={"region_code": pl.String, "on": pl.Date, "_profile": pl.String}, orient="row")
    households = households.join(mapping, on=["region_code", "on"], how="left", maintain_order="left")
    unassigned = households.filter(pl.col("_profile").is_null()).select(
        "household_id",
        pl.lit("region_code").alias("field"),
        pl.format(
            "地区 {} 在 {} 没有适用的政策配置", pl.col("region_code"), pl.col("on").dt.strftime("%Y-%m-%d")
        ).alias("reason"),
    )
    groups = []
    for profile_id, profile in assigned.items():
        groups.append((profile, households.filter(pl.col("_profile") == profile_id).drop("_profile")))
    return groups, unassigned


def decision_record(row: dict[str, Any], explanation: dict[str, Any] | None = None) -> dict[str, Any]:
    """The decision JSON of DESIGN.md for one row of `Assessment.decisions` (yuan as text, two decimals)."""
    schedule = row.get("gradual_exit_schedule_fen") or []
    first = row.get("gradual_exit_first_month")
    months = []
    for offset, amount in enumerate(schedule):
        month = months_later(first, offset) if first else None
        months.append({"month": month.strftime("%Y-%m") if month else None, "amount": fen_to_yuan(amount)})
    record: dict[str, Any] = {
        "household_id": row["household_id"],
        "profile": row["profile"],
        "on": row["on"].isoformat(),
        "decision": row["decision"],
        "scope": row["scope"],
        "reason": ROUTES[row["decision_route"]][1],
        "rules": list(ROUTES[row["decision_route"]][2]),
        "household_size": row["household_size"],
        "covered_persons": row["covered_persons"],
        "per_capita_income_monthly": fen_to_yuan(row["per_capita_income_monthly_fen"]),
        "standard_monthly": fen_to_yuan(row["standard_monthly_fen"]),
        "monthly_benefit": fen_to_yuan(row["monthly_benefit_fen"]),
        "benefit_parts": {
            "top_up": fen_to_yuan(row["top_up_fen"] if row["decision"] in ("enroll", "keep") else 0),
            "supplements": fen_to_yuan(row["supplements_fen"] if row["decision"] in ("enroll", "keep") else 0),
            "gradual_exit": fen_to_yuan(row["monthly_benefit_fen"] if row["decision"] == "gradual_exit" else 0),
        },
        "gradual_exit_schedule": months,
        "class": row["assessed_class"],
        "review_interval_months": row["review_interval_months"],
        "next_review": row["next_review"].isoformat() if row["next_review"] else None,
        "fall_back_risk_high": row["fall_back_risk_high"],
        "temporary_assistance_advised": row["temporary_assistance_advised"],
        "escape_keep_dibao": row["escape_keep_dibao"],
        "poverty_registration_candidate": row["poverty_registration_candidate"],
    }
    if explanation is not None:
        record["explanation"] = explanation
    return record


def assess_one(
    frames: dict[str, pl.DataFrame], profile: Profile | None = None, standards: pl.DataFrame | None = None
) -> dict[str, Any]:
    """Assess a single household (frames holding exactly one) and explain the decision.

    Raises AssessmentError with the reason when it cannot be assessed (no standard, no profile)."""
    result = assess_frames(frames, profile, standards)
    if result.errors.height:
        raise AssessmentError("；".join(result.errors["reason"].to_list()))
    row = result.decisions.row(0, named=True)
    used = profile or load_profile(row["profile"])
    return decision_record(row, explain(result.evaluated, used, row["household_id"]))


class AssessmentError(ValueError):
    """A household that cannot be assessed; the message is for the user (Chinese)."""
