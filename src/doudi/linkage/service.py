"""One comparison from start to finish: read the rosters, compare, record the run, write the workbook.
The CLI and Python callers use this; the steps themselves live in their own modules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from doudi.ingest.errors import ImportRejected
from doudi.linkage import rosters as roster_io
from doudi.linkage.compare import ComparisonResult, compare_rosters
from doudi.linkage.compare_report import write_report
from doudi.linkage.runs import RecordedRun, record_run
from doudi.policy.profile import load_profile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompareRequest:
    files: dict[str, Path]  # source -> roster file
    profile: str
    on: dt.date
    out: Path
    use_registry: bool = False  # take the rosters (and household data) from the registry
    region_code: str | None = None
    dates: dict[str, dt.date] = field(default_factory=dict)  # source -> the roster's date


@dataclass(frozen=True)
class CompareOutcome:
    result: ComparisonResult
    run: RecordedRun
    report: Path
    inputs: list[roster_io.RosterInput]


def read_rosters(request: CompareRequest, engine: Engine) -> roster_io.Rosters:
    parts = []
    if request.use_registry:
        stored = roster_io.from_registry(engine)
        stored_sources = {given.source for given in stored.inputs}
        if stored.persons.is_empty() or not {"dibao", "poor"} <= stored_sources:
            raise ImportRejected("登记库中没有低保名单或建档立卡名单：请先用 doudi import 导入，或直接提供名单文件")
        parts.append(stored)
    for source, path in request.files.items():
        parts.append(roster_io.read_roster(path, source))
    combined = roster_io.combine(parts)
    # A date given on the command line wins over the one stored with a registry roster.
    dated = [
        dataclasses.replace(given, as_of=request.dates.get(given.source, given.as_of)) for given in combined.inputs
    ]
    return roster_io.Rosters(combined.persons, combined.rejected, dated)


def run_comparison(engine: Engine, request: CompareRequest) -> CompareOutcome:
    """Compare, record the run in `engine`'s registry, and write the workbook to `request.out`."""
    profile = load_profile(request.profile)
    rosters = read_rosters(request, engine)
    result = compare_rosters(rosters, profile, request.on, region_code=request.region_code, engine=engine)
    run = record_run(engine, result, rosters.inputs, request.profile, request.on)
    report = write_report(
        result,
        request.out,
        inputs=rosters.inputs,
        profile=request.profile,
        on=request.on,
        run_id=run.run_id,
        changes=run.changes,
    )
    log.info("comparison run %d written to %s", run.run_id, report)
    return CompareOutcome(result, run, report, rosters.inputs)
