"""Recording comparison runs: what was compared, what was found, what changed since the last run (回头看,
DYN-1), and the joint confirmation by civil affairs and the poverty office (DYN-2)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine, insert, select

from doudi.linkage.compare import ComparisonResult
from doudi.linkage.rosters import RosterInput
from doudi.registry.comparison_runs import ComparisonConfirmation, ComparisonFinding, ComparisonRun

DEPARTMENTS = {"civil_affairs": "民政部门", "poverty_office": "扶贫部门"}

CHANGE_SCHEMA = {
    "change": pl.String(),  # new | resolved
    "category": pl.String(),
    "item_key": pl.String(),
    "township": pl.String(),
    "village": pl.String(),
    "summary": pl.String(),
}


class ConfirmationRejected(ValueError):
    """A confirmation that cannot be recorded; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class RecordedRun:
    run_id: int
    previous_run_id: int | None
    changes: pl.DataFrame  # CHANGE_SCHEMA: new and resolved findings against the previous run


def _finding_items(result: ComparisonResult) -> pl.DataFrame:
    """One row per finding item (a household or a person), no_finding left out."""
    return (
        result.findings.filter(pl.col("category") != "no_finding")
        .group_by("category", "item_key", maintain_order=True)
        .agg(
            pl.col("township").drop_nulls().first(),
            pl.col("village").drop_nulls().first(),
            pl.format("{}：{}", pl.col("name").unique(maintain_order=True).str.join("、"), pl.col("detail").first())
            .first()
            .alias("summary"),
        )
    )


def record_run(
    engine: Engine, result: ComparisonResult, inputs: list[RosterInput], profile: str, on: dt.date
) -> RecordedRun:
    """Store the run and its finding items; compare them with the latest earlier run."""
    items = _finding_items(result)
    described = [
        {
            "source": given.source,
            "file": given.path.name if given.path else None,
            "sha256": given.sha256,
            "rows": given.rows,
            "as_of": given.as_of.isoformat() if given.as_of else None,
        }
        for given in inputs
    ]
    with engine.begin() as connection:
        previous = connection.execute(select(ComparisonRun.id).order_by(ComparisonRun.id.desc()).limit(1)).scalar()
        run_id = connection.execute(
            insert(ComparisonRun)
            .values(
                profile=profile,
                on_date=on,
                inputs=json.dumps(described, ensure_ascii=False),
                counts=json.dumps(result.counts(), ensure_ascii=False),
            )
            .returning(ComparisonRun.id)
        ).scalar_one()
        if items.height:
            connection.execute(insert(ComparisonFinding), [{"run_id": run_id, **row} for row in items.to_dicts()])
        earlier = _items_of(connection, previous) if previous is not None else items.head(0)
    return RecordedRun(run_id, previous, changes_between(earlier, items))


def _items_of(connection: object, run_id: int) -> pl.DataFrame:
    query = select(
        ComparisonFinding.category,
        ComparisonFinding.item_key,
        ComparisonFinding.township,
        ComparisonFinding.village,
        ComparisonFinding.summary,
    ).where(ComparisonFinding.run_id == run_id)
    rows = connection.execute(query).all()  # type: ignore[attr-defined]
    schema = {k: v for k, v in CHANGE_SCHEMA.items() if k != "change"}
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def changes_between(earlier: pl.DataFrame, later: pl.DataFrame) -> pl.DataFrame:
    """Items found now and not before (new), and found before and not now (resolved)."""
    keys = ["category", "item_key"]
    new = later.join(earlier, on=keys, how="anti").with_columns(pl.lit("new").alias("change"))
    resolved = earlier.join(later, on=keys, how="anti").with_columns(pl.lit("resolved").alias("change"))
    return pl.concat([new.select(list(CHANGE_SCHEMA)), resolved.select(list(CHANGE_SCHEMA))]).cast(
        CHANGE_SCHEMA  # type: ignore[arg-type]
    )


def changes_since_previous(engine: Engine, run_id: int) -> pl.DataFrame:
    """回头看 for a recorded run: its new and resolved items against the run before it."""
    with engine.connect() as connection:
        previous = connection.execute(
            select(ComparisonRun.id).where(ComparisonRun.id < run_id).order_by(ComparisonRun.id.desc()).limit(1)
        ).scalar()
        later = _items_of(connection, run_id)
        earlier = _items_of(connection, previous) if previous is not None else later.head(0)
    return changes_between(earlier, later)


def confirm(engine: Engine, run_id: int, department: str, by: str) -> dict[str, str]:
    """Record one department's confirmation; returns {department: confirmed_by} for the run so far."""
    if department not in DEPARTMENTS:
        raise ConfirmationRejected(
            f"部门应为 civil_affairs（民政部门）或 poverty_office（扶贫部门），而不是“{department}”"
        )
    if not by.strip():
        raise ConfirmationRejected("请填写确认人姓名")
    with engine.begin() as connection:
        if connection.execute(select(ComparisonRun.id).where(ComparisonRun.id == run_id)).scalar() is None:
            raise ConfirmationRejected(f"没有编号为{run_id}的比对记录")
        done = confirmations(connection, run_id)
        if department in done:
            raise ConfirmationRejected(f"{DEPARTMENTS[department]}已于此前由{done[department]}确认过第{run_id}次比对")
        connection.execute(
            insert(ComparisonConfirmation).values(run_id=run_id, department=department, confirmed_by=by.strip())
        )
        return confirmations(connection, run_id)


def confirmations(connection: object, run_id: int) -> dict[str, str]:
    rows = connection.execute(  # type: ignore[attr-defined]
        select(ComparisonConfirmation.department, ComparisonConfirmation.confirmed_by).where(
            ComparisonConfirmation.run_id == run_id
        )
    ).all()
    return {department: by for department, by in rows}


def is_confirmed(engine: Engine, run_id: int) -> bool:
    """DYN-2: confirmed when both civil affairs and the poverty office have confirmed."""
    with engine.connect() as connection:
        return set(confirmations(connection, run_id)) == set(DEPARTMENTS)
