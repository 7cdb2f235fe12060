"""`doudi monitor run`: evaluate every early-warning rule over the registry and the feeds, in one transaction.

A run stores: new alerts (never a second copy of one already raised), each household's counted income on
the run's date (the next run's "before" for sudden drops), and the watch lists. Running twice on the same
day changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine, func, insert, select, update

from doudi.audit import record_bulk
from doudi.monitoring import alerts, signals, watch_lists
from doudi.monitoring.context import gather, recent_events, with_feed_sums
from doudi.monitoring.models import Alert, IncomeSnapshot, MonitorRun
from doudi.policy.profile import load_profile
from doudi.registry.bulk import fetch_frame, insert_frame

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    run_id: int
    on: dt.date
    households: int
    alerts_raised: int  # new this run
    alerts_known: int  # fired again, already stored
    watch: dict[str, int]  # list -> households on it now
    errors: pl.DataFrame  # households the engine could not assess


def evaluate(households: pl.DataFrame, events: pl.DataFrame, on: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every alert and watch-list row for the gathered frames, profile by profile (no database)."""
    found, listed = [], []
    for profile_id in households["profile"].drop_nulls().unique().sort():
        profile = load_profile(profile_id)
        lookback = profile.monitoring.feed_lookback_months.value
        group = with_feed_sums(households.filter(pl.col("profile") == profile_id), events, on, lookback)
        group_events = recent_events(events, on, lookback).join(
            group.select("household_id"), on="household_id", how="semi"
        )
        for fired in (signals.household_signals(group, profile), signals.event_signals(group_events, profile)):
            scored = signals.score_and_action(fired, group, profile)
            found.append(scored.with_columns(pl.lit(profile_id).alias("profile")))
        listed.append(watch_lists.membership(group, profile))
    alerts_frame = pl.concat(found, how="vertical_relaxed") if found else pl.DataFrame()
    lists_frame = pl.concat(listed, how="vertical_relaxed") if listed else pl.DataFrame()
    return alerts_frame, lists_frame


def run_monitor(
    engine: Engine, on: dt.date | None = None, region_prefix: str | None = None, by: str = "系统"
) -> RunResult:
    on = on or dt.date.today()
    frames = gather(engine, on, region_prefix)
    households = frames.households
    with engine.begin() as connection:
        run_id = connection.execute(
            insert(MonitorRun).values(on_date=on, region_prefix=region_prefix or "").returning(MonitorRun.id)
        ).scalar_one()
        fired, listed = (pl.DataFrame(), pl.DataFrame())
        if not households.is_empty():
            fired, listed = evaluate(households, frames.events, on)
        if not fired.is_empty():
            places = households.select("household_id", "region_code", "village_code", "township_code")
            fired = fired.join(places, on="household_id", how="left")
            deadlines = {
                pid: load_profile(pid).monitoring.alert_deadline_days.value for pid in fired["profile"].unique()
            }
            alerts.raise_alerts(connection, fired, run_id, on, deadlines)
        if not households.is_empty():
            best = (
                fired.group_by("household_id").agg(pl.col("risk_score").max())
                if not fired.is_empty()
                else pl.DataFrame(schema={"household_id": pl.String, "risk_score": pl.Int64})
            )
            snapshots = households.join(best, on="household_id", how="left").select(
                "household_id",
                pl.lit(on).alias("on_date"),
                pl.lit(run_id).alias("run_id"),
                "counted_income_fen_e4",
                "household_line_fen_e4",
                "household_size",
                pl.col("risk_score").fill_null(0),
            )
            # A re-run on the same day keeps the first snapshot; the rest go in by COPY / executemany (fast).
            stored = fetch_frame(
                connection,
                select(IncomeSnapshot.household_id).where(IncomeSnapshot.on_date == on),
                {"household_id": pl.String()},
            )
            insert_frame(connection, "monitor_income_snapshots", snapshots.join(stored, on="household_id", how="anti"))
            watch_lists.record(connection, listed, households, on)
        raised = connection.execute(select(func.count()).where(Alert.run_id == run_id)).scalar_one()
        connection.execute(
            update(MonitorRun)
            .where(MonitorRun.id == run_id)
            .values(households=households.height, alerts_raised=raised, alerts_known=fired.height - raised)
        )
        summary = {"batch_id": run_id, "on": on, "region": region_prefix or "", "alerts_raised": raised}
        record_bulk(connection, by, "monitor_runs", "bulk", summary)
    watch = (
        {name: listed.filter(pl.col("list_name") == name).height for name in watch_lists.LISTS}
        if not listed.is_empty()
        else dict.fromkeys(watch_lists.LISTS, 0)
    )
    log.info("monitor run %d on %s: %d households, %d new alerts", run_id, on, households.height, raised)
    return RunResult(run_id, on, households.height, raised, fired.height - raised, watch, frames.errors)
