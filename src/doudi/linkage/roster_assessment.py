"""Assessing the compared households with the rules engine, from the data there is — never from guesses.

A compared household ("unit") is a dibao household with its linked registered-poor household, or a
registered-poor household alone. The engine needs members, incomes and the county:
 - from the registry when it holds the household (found by the members' ID numbers) with at least one income
   record: its members, incomes and expenses as stored; who is on dibao and who is registered is taken from
   the rosters being compared;
 - otherwise from the rosters: their members, and the household's yearly income when a roster has a
   家庭年收入 column. Without an income, or without a county code (村代码 or `--region`), or with a member
   whose ID number is missing or wrong, the unit is listed as not assessed with the reason.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Engine, select

from doudi.policy.profile import Profile
from doudi.rules import schema
from doudi.rules.assess import DECISION_SCHEMA, assess_frames

UNASSESSED_SCHEMA = {"unit": pl.String(), "reason": pl.String()}
# The engine's decision columns, keyed by the compared household ("unit") instead of household_id.
UNIT_DECISION_SCHEMA = {"unit": pl.String()} | {k: v for k, v in DECISION_SCHEMA.items() if k != "household_id"}


def _registry_households(engine: Engine, id_numbers: list[str]) -> pl.DataFrame:
    """link_id -> registry household id, for the persons the registry holds."""
    from doudi.registry.models import Member

    found: list[tuple[str, str]] = []
    with engine.connect() as connection:
        for start in range(0, len(id_numbers), 5_000):
            chunk = id_numbers[start : start + 5_000]
            query = select(Member.id_number, Member.household_id).where(Member.id_number.in_(chunk))
            found.extend((row[0], row[1]) for row in connection.execute(query))
    return pl.DataFrame(found, schema={"link_id": pl.String(), "registry_household": pl.String()}, orient="row")


def assess_units(
    unit_persons: pl.DataFrame,
    units: pl.DataFrame,
    profile: Profile,
    on: dt.date,
    region_code: str | None,
    engine: Engine | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decisions (the engine's columns plus `unit`) and the units not assessed (unit, reason).

    `unit_persons`: unit, link_id, and the person columns of rosters.PERSON_SCHEMA (one row per roster row).
    `units`: unit, on_dibao, registered_poor.
    """
    decisions: list[pl.DataFrame] = [pl.DataFrame(schema=UNIT_DECISION_SCHEMA)]
    unassessed: list[pl.DataFrame] = [pl.DataFrame(schema=UNASSESSED_SCHEMA)]
    remaining = units
    if engine is not None:
        stored, remaining = _from_registry(unit_persons, units, engine, on)
        decision, failed = _assess(stored, profile)
        decisions.append(decision)
        unassessed.append(failed)
    frames, failed = _from_rosters(unit_persons.join(remaining.select("unit"), on="unit"), remaining, on, region_code)
    unassessed.append(failed)
    decision, failed = _assess(frames, profile)
    decisions.append(decision)
    unassessed.append(failed)
    return pl.concat(decisions, how="diagonal_relaxed").select(list(UNIT_DECISION_SCHEMA)), pl.concat(unassessed)


def _assess(frames: dict[str, pl.DataFrame], profile: Profile) -> tuple[pl.DataFrame, pl.DataFrame]:
    if frames["households"].is_empty():
        return pl.DataFrame(schema=UNIT_DECISION_SCHEMA), pl.DataFrame(schema=UNASSESSED_SCHEMA)
    result = assess_frames(frames, profile)
    failed = result.errors.group_by("household_id", maintain_order=True).agg(pl.col("reason").str.join("；"))
    return (
        result.decisions.rename({"household_id": "unit"}),
        failed.select(pl.col("household_id").alias("unit"), pl.format("评估未能进行：{}", "reason").alias("reason")),
    )


def _from_registry(
    unit_persons: pl.DataFrame, units: pl.DataFrame, engine: Engine, on: dt.date
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    from doudi.registry.loader import load_frames

    ids = unit_persons["link_id"].drop_nulls().unique().to_list()
    where = _registry_households(engine, ids)
    unit_household = (
        unit_persons.join(where, on="link_id")
        .group_by("unit")
        .agg(pl.col("registry_household").mode().first())
        .unique("registry_household", keep="first")
    )
    frames = load_frames(engine, household_ids=unit_household["registry_household"].to_list(), on=on)
    # A stored household without a single income record is not "no income": it was never surveyed (an import of
    # a roster stores members only). Those go the roster way, where a missing income is said, not assumed zero.
    unit_household = unit_household.join(
        frames["incomes"].select(pl.col("household_id").alias("registry_household")).unique(),
        on="registry_household",
        how="semi",
    )
    frames = {
        name: frame.join(
            unit_household.select(pl.col("registry_household").alias("household_id")), on="household_id", how="semi"
        )
        for name, frame in frames.items()
    }
    rename = unit_household.select(pl.col("registry_household").alias("household_id"), "unit")
    frames = {
        name: frame.join(rename, on="household_id").with_columns(pl.col("unit").alias("household_id")).drop("unit")
        for name, frame in frames.items()
    }
    # Who is on dibao and who is registered comes from the rosters under comparison, not the stored state.
    flags = units.select(
        pl.col("unit").alias("household_id"),
        pl.col("on_dibao").alias("enrolled"),
        "registered_poor",
        pl.col("since").alias("enrolled_since"),
        pl.col("benefit_fen").alias("current_benefit_fen"),
        pl.when("single_person").then(pl.lit("single_person")).otherwise(pl.lit("household")).alias("enrolled_scope"),
    )
    households = frames["households"].drop(
        [c for c in flags.columns if c != "household_id" and c in frames["households"].columns]
    )
    frames["households"] = households.join(flags, on="household_id").with_columns(pl.lit(on).alias("on"))
    remaining = units.join(frames["households"].select(pl.col("household_id").alias("unit")), on="unit", how="anti")
    return frames, remaining


def _from_rosters(
    persons: pl.DataFrame, units: pl.DataFrame, on: dt.date, region_code: str | None
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    per_unit = persons.group_by("unit").agg(
        pl.col("link_id").is_null().any().alias("id_missing"),
        pl.col("yearly_income_fen").drop_nulls().first().alias("income"),
        pl.col("village_code").drop_nulls().first().str.slice(0, 6).alias("county"),
    )
    units = units.join(per_unit, on="unit", how="left").with_columns(
        pl.coalesce("county", pl.lit(region_code, pl.String)).alias("region_code")
    )
    reason = (
        pl.when(pl.col("id_missing"))
        .then(pl.lit("家庭中有成员身份证号码缺失或有误，无法准确评估"))
        .when(pl.col("income").is_null())
        .then(pl.lit("名单中没有家庭收入，登记库中也没有此户，无法评估"))
        .when(pl.col("region_code").is_null())
        .then(pl.lit("名单中没有村代码，且未指定所在县（--region），无法确定低保标准"))
    )
    units = units.with_columns(reason.alias("reason"))
    failed = units.filter(pl.col("reason").is_not_null()).select("unit", "reason")
    ready = units.filter(pl.col("reason").is_null())
    households = ready.select(
        pl.col("unit").alias("household_id"),
        "region_code",
        pl.lit(on).alias("on"),
        "registered_poor",
        pl.col("escaped_poverty").fill_null(False),
        pl.lit(True).alias("property_within_rules"),
        pl.col("on_dibao").alias("enrolled"),
        pl.col("since").alias("enrolled_since"),
        pl.when("single_person").then(pl.lit("single_person")).otherwise(pl.lit("household")).alias("enrolled_scope"),
        pl.col("benefit_fen").alias("current_benefit_fen"),
    )
    members = (
        persons.join(ready.select("unit"), on="unit")
        .unique(["unit", "link_id"], keep="first", maintain_order=True)
        .select(
            pl.col("unit").alias("household_id"),
            pl.col("link_id").alias("id_number"),
            "name",
            "relation",
            "sex",
            "birth_date",
            "health",
            "disability_kind",
            "disability_grade",
        )
    )
    incomes = ready.select(
        pl.col("unit").alias("household_id"),
        pl.lit(None, pl.String).alias("id_number"),
        pl.lit("other").alias("kind"),
        pl.col("income").alias("yearly_fen"),
        pl.lit(False).alias("poverty_project"),
    )
    frames = {
        "households": schema.conform(households, schema.HOUSEHOLDS),
        "members": schema.conform(members, schema.MEMBERS),
        "incomes": schema.conform(incomes, schema.INCOMES),
        "expenses": schema.empty(schema.EXPENSES),
    }
    return frames, failed
