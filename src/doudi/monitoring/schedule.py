"""MON-6 (004 二(七) 至少每月比对一次): when the next monitoring run is due, by each profile's
`comparison.every_months`.

The schedule is a check, not a daemon: county servers run `doudi monitor schedule` daily from cron or a
systemd timer; it runs the monitor only when the last run is older than the shortest interval among the
profiles in force for the registry's regions on that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from doudi.monitoring.models import MonitorRun
from doudi.monitoring.run import RunResult, run_monitor
from doudi.policy.profile import ProfileError, profile_for
from doudi.registry.models import Household
from doudi.rules.calendar import months_later


@dataclass(frozen=True)
class Due:
    due: bool
    last_run: dt.date | None
    every_months: int | None  # None: no profile in force asks for monitoring
    next_run: dt.date | None


def next_due(engine: Engine, on: dt.date, region_prefix: str | None = None) -> Due:
    with engine.connect() as connection:
        regions = connection.execute(select(Household.region_code).distinct()).scalars().all()
        query = select(func.max(MonitorRun.on_date)).where(MonitorRun.region_prefix == (region_prefix or ""))
        last = connection.execute(query).scalar_one_or_none()
    intervals = []
    for region in regions:
        if region_prefix and not region.startswith(region_prefix[:6]):
            continue
        try:
            profile = profile_for(region, on)
        except ProfileError:
            continue
        if profile.monitoring.enabled.value:
            intervals.append(profile.comparison.every_months.value)
    if not intervals:
        return Due(False, last, None, None)
    every = min(intervals)
    if last is None:
        return Due(True, None, every, on)
    next_run = months_later(last, every)
    return Due(on >= next_run, last, every, next_run)


def run_if_due(engine: Engine, on: dt.date, region_prefix: str | None = None) -> tuple[Due, RunResult | None]:
    due = next_due(engine, on, region_prefix)
    return due, run_monitor(engine, on, region_prefix) if due.due else None
