"""The frames the early-warning rules read, gathered from the registry, the engine and the feeds.

The engine (doudi.rules.assess) evaluates every household with the profile in force for its region and
date; we add what only the registry knows (coverage by dibao, 特困 or temporary assistance; village and
township), the previous run's counted income, and the department events of the look-back window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine, and_, func, or_, select

from doudi.monitoring.models import FeedEvent, IncomeSnapshot
from doudi.registry.areas import household_in_area
from doudi.registry.bulk import fetch_frame
from doudi.registry.loader import load_frames
from doudi.registry.models import IN_FORCE, Enrollment, Household, Region
from doudi.rules.assess import assess_frames
from doudi.rules.calendar import months_later

# The engine variables the rules read (all computed by doudi.rules while assessing).
ENGINE_COLUMNS = [
    "household_id",
    "on",
    "region_code",
    "registered_poor",
    "escaped_poverty",
    "household_size",
    "counted_income_fen_e4",
    "household_line_fen_e4",
    "gross_income_fen",
    "medical_self_paid_fen",
    "household_eligible",
    "fall_back_risk_high",
    "has_incapable_priority_member",
    "all_members_elderly",
    "decision",
]

# Coverage priority when a household has several programs (MON-1 shows one).
_PROGRAM_ORDER = {"dibao": 0, "tekun": 1, "temporary": 2}


@dataclass
class MonitoringFrames:
    households: pl.DataFrame  # ENGINE_COLUMNS + profile, coverage, village_code, township_code, previous_*, feed_*
    events: pl.DataFrame  # department events of the households' members, with main_earner and registry_grade
    errors: pl.DataFrame  # households the engine could not assess (household_id, field, reason)


def gather(
    engine: Engine, on: dt.date, region_prefix: str | None = None, lookback_months: int = 60
) -> MonitoringFrames:
    """`lookback_months` bounds the feed events read; each profile narrows them to its own window."""
    # Read inside a connection, not through the engine's ADBC path: on SQLite that path was seen returning
    # rows from before the latest committed update (WAL), and a monitor run must see today's data.
    with engine.connect() as connection:
        frames = load_frames(connection, region_prefix=region_prefix, on=on)
    frames["households"] = frames["households"].with_columns(pl.lit(on).alias("on"))
    assessment = assess_frames(frames)
    evaluated = assessment.evaluated.get("household")
    if evaluated is None or evaluated.is_empty():
        return MonitoringFrames(pl.DataFrame(), pl.DataFrame(), assessment.errors)
    households = evaluated.select(ENGINE_COLUMNS).join(
        assessment.decisions.select("household_id", "profile"), on="household_id", how="left"
    )
    ids = households["household_id"]
    with engine.connect() as connection:
        coverage = fetch_frame(
            connection,
            select(Enrollment.household_id, Enrollment.program).where(
                Enrollment.status.in_(IN_FORCE),
                or_(Enrollment.since.is_(None), Enrollment.since <= on),
                or_(Enrollment.until.is_(None), Enrollment.until > on),
            ),
            {"household_id": pl.String(), "program": pl.String()},
        )
        places = fetch_frame(
            connection,
            select(
                Household.id.label("household_id"), Household.village_code, Region.parent_code.label("township_code")
            )
            .join(Region, Region.code == Household.village_code, isouter=True)
            .where(Household.id.in_(select(Household.id).where(household_in_area(region_prefix)))),
            {"household_id": pl.String(), "village_code": pl.String(), "township_code": pl.String()},
        )
        latest = (
            select(IncomeSnapshot.household_id, func.max(IncomeSnapshot.on_date).label("on_date"))
            .where(IncomeSnapshot.on_date < on)
            .group_by(IncomeSnapshot.household_id)
            .subquery()
        )
        previous = fetch_frame(
            connection,
            select(
                IncomeSnapshot.household_id, IncomeSnapshot.counted_income_fen_e4.label("previous_income_fen_e4")
            ).join(
                latest,
                and_(latest.c.household_id == IncomeSnapshot.household_id, latest.c.on_date == IncomeSnapshot.on_date),
            ),
            {"household_id": pl.String(), "previous_income_fen_e4": pl.Int64()},
        )
        since = months_later(on, -lookback_months)
        events = fetch_frame(
            connection,
            select(
                FeedEvent.id.label("event_id"),
                FeedEvent.household_id,
                FeedEvent.id_number,
                FeedEvent.kind,
                FeedEvent.event_date,
                FeedEvent.amount_fen,
                FeedEvent.grade,
                FeedEvent.severe,
                FeedEvent.detail,
            ).where(FeedEvent.household_id.is_not(None), FeedEvent.event_date <= on, FeedEvent.event_date > since),
            {
                "event_id": pl.Int64(),
                "household_id": pl.String(),
                "id_number": pl.String(),
                "kind": pl.String(),
                "event_date": pl.Date(),
                "amount_fen": pl.Int64(),
                "grade": pl.Int64(),
                "severe": pl.Boolean(),
                "detail": pl.String(),
            },
        )
    events = events.join(households.select("household_id"), on="household_id", how="semi")
    covered = (
        coverage.with_columns(pl.col("program").replace_strict(_PROGRAM_ORDER, default=9).alias("_order"))
        .sort("_order")
        .unique("household_id", keep="first")
        .select("household_id", pl.col("program").alias("coverage"))
    )
    households = (
        households.join(covered, on="household_id", how="left")
        .with_columns(pl.col("coverage").fill_null("none"))
        .join(places, on="household_id", how="left")
        .join(previous, on="household_id", how="left")
    )
    registry_grades = (
        frames["members"]
        .select("household_id", "id_number", pl.col("disability_grade").cast(pl.Int64).alias("registry_grade"))
        .unique(["household_id", "id_number"], keep="first")
    )
    events = (
        events.join(_main_earners(frames), on=["household_id", "id_number"], how="left")
        .with_columns(pl.col("main_earner").fill_null(False))
        .join(registry_grades, on=["household_id", "id_number"], how="left")
    )
    assert ids.len() == households.height
    return MonitoringFrames(households, events, assessment.errors)


def with_feed_sums(households: pl.DataFrame, events: pl.DataFrame, on: dt.date, lookback_months: int) -> pl.DataFrame:
    """Add the medical feed's self-paid sum over the look-back window (`monitoring.feed_lookback_months`) and
    the latest medical event's date."""
    medical = (
        recent_events(events, on, lookback_months)
        .filter(pl.col("kind") == "medical")
        .group_by("household_id")
        .agg(pl.col("amount_fen").sum().alias("feed_medical_fen"), pl.col("event_date").max().alias("feed_medical_on"))
    )
    return households.join(medical, on="household_id", how="left")


def recent_events(events: pl.DataFrame, on: dt.date, lookback_months: int) -> pl.DataFrame:
    return events.filter(pl.col("event_date") > months_later(on, -lookback_months))


def _main_earners(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The member with the largest yearly income in each household; the head (户主) where nobody earns."""
    earnings = (
        frames["incomes"]
        .filter(pl.col("id_number").is_not_null())
        .group_by("household_id", "id_number")
        .agg(pl.col("yearly_fen").sum())
        .sort("yearly_fen", "id_number", descending=[True, False])
        .unique("household_id", keep="first")
        .select("household_id", "id_number")
    )
    heads = (
        frames["members"]
        .filter(pl.col("relation") == "户主")
        .join(earnings, on="household_id", how="anti")
        .unique("household_id", keep="first")
        .select("household_id", "id_number")
    )
    return pl.concat([earnings, heads]).with_columns(pl.lit(True).alias("main_earner"))
