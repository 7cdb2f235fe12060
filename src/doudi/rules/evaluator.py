"""The one evaluator: resolves the variables asked for, in dependency order, over frames of any size.

It works eagerly in layers: all variables of one entity whose inputs are ready are computed in one
`with_columns` (Polars runs them in parallel); parent columns a layer needs are gathered in once by row
number; aggregates of one child entity into one parent are reduced together over the runs of the parent's
row number, found once per evaluation.

The frames carry row numbers: households `_h` (0..n-1, in frame order), members `_m` and their household's
`_h`, income and expense items their household's `_h` and member's `_m` (null for household items).
`numbering.number_rows` adds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from graphlib import TopologicalSorter

import numpy as np
import polars as pl

from doudi.policy.profile import Profile
from doudi.rules.numbering import stable_order
from doudi.rules.variables import PARENTS, REGISTRY, ROW_KEY, Entity, Variable

Frames = dict[Entity, pl.DataFrame]


def plan(wanted: list[str]) -> list[Variable]:
    """The variables needed for `wanted`, dependencies first."""
    graph: dict[str, set[str]] = {}
    stack = list(wanted)
    while stack:
        name = stack.pop()
        if name in graph or name not in REGISTRY:
            continue
        deps = {d for d in REGISTRY[name].depends if d in REGISTRY}
        graph[name] = deps
        stack.extend(deps)
    return [REGISTRY[name] for name in TopologicalSorter(graph).static_order()]


def _bring_parent_columns(frames: Frames, entity: Entity, needed: set[str]) -> None:
    """Gather into `entity`'s frame the columns it reads from its parents, by the parents' row numbers."""
    frame = frames[entity]
    missing = needed - set(frame.columns)
    for parent, key in PARENTS[entity]:
        take = sorted(c for c in missing if c in frames[parent].columns)
        if not take:
            continue
        frame = frame.with_columns(frames[parent].select(pl.col(take).gather(frame[key])))
        missing -= set(take)
    if missing:
        raise KeyError(f"{entity} variables need columns that no frame has: {sorted(missing)}")
    frames[entity] = frame


@cache
def layers(wanted: tuple[str, ...]) -> tuple[tuple[Variable, ...], ...]:
    """The variables for `wanted` in layers: each layer one entity's variables whose inputs are ready, either
    all computed in one `with_columns` or all aggregated from one child entity."""
    order = plan(list(wanted))
    done: set[str] = set()
    out = []
    while len(done) < len(order):
        first = next(v for v in order if v.name not in done)
        layer = tuple(
            v
            for v in order
            if v.name not in done
            and v.entity == first.entity
            and v.aggregate_from == first.aggregate_from
            and all(d in done or d not in REGISTRY for d in v.depends)
        )
        out.append(layer)
        done.update(v.name for v in layer)
    return tuple(out)


def evaluate(frames: Frames, profile: Profile, wanted: list[str]) -> Frames:
    """Compute `wanted` (and what they depend on) into copies of the frames."""
    out: Frames = dict(frames)
    runs: dict[tuple[Entity, str], Segments] = {}
    for layer in layers(tuple(wanted)):
        if layer[0].aggregate_from is not None:
            _aggregate(out, profile, list(layer), runs)
        else:
            entity = layer[0].entity
            _bring_parent_columns(out, entity, {d for v in layer for d in v.depends})
            out[entity] = out[entity].with_columns(v.formula(profile).alias(v.name) for v in layer)
    return out


@dataclass(frozen=True)
class Segments:
    """A child entity's rows grouped by parent row number: each parent's rows are one run."""

    rows: np.ndarray | None  # the child rows with a parent, in parent order; None: all rows, in order already
    starts: np.ndarray  # where each run starts
    parents: np.ndarray | None  # each run's parent row; None: every parent has a run (0..n-1)


def segments(keys: pl.Series, parents: int) -> Segments:
    rows = None
    if keys.null_count():
        rows = np.flatnonzero(keys.is_not_null().to_numpy())
        keys = keys.drop_nulls()
    numbers = keys.to_numpy()
    if np.any(numbers[1:] < numbers[:-1]):
        order = stable_order(numbers)
        rows = order if rows is None else rows[order]
        numbers = numbers[order]
    starts = np.flatnonzero(np.concatenate(([True], numbers[1:] != numbers[:-1]))) if len(numbers) else numbers
    # Runs of distinct, sorted row numbers below `parents`: as many runs as parents means every parent has one.
    return Segments(rows, starts, None if len(starts) == parents else numbers[starts])


_REDUCERS = {"sum": np.add.reduceat, "any": np.logical_or.reduceat, "all": np.logical_and.reduceat}


def _aggregate(
    frames: Frames, profile: Profile, layer: list[Variable], cache: dict[tuple[Entity, str], Segments]
) -> None:
    """Reduce child rows per parent by runs: exact integer sums, and no hash table, because the parent key is
    the parent's row number. The runs are found once per child entity and key (`cache`)."""
    parent = layer[0].entity
    child = layer[0].aggregate_from
    assert child is not None
    key = ROW_KEY[parent]
    _bring_parent_columns(frames, child, {d for v in layer for d in v.depends})
    if (child, key) not in cache:
        cache[child, key] = segments(frames[child][key], frames[parent].height)
    runs = cache[child, key]
    per_row = frames[child].select(
        v.formula(profile)
        .fill_null(v.reduce == "all")
        .cast(pl.Int64 if v.reduce == "sum" else pl.Boolean)
        .alias(v.name)
        for v in layer
        if v.reduce != "count"
    )
    rows = frames[child].height if runs.rows is None else len(runs.rows)
    columns = []
    for v in layer:
        if v.reduce == "count":
            reduced = np.diff(np.append(runs.starts, rows))
        else:
            values = per_row[v.name].to_numpy()
            values = values if runs.rows is None else values[runs.rows]
            reduced = _REDUCERS[str(v.reduce)](values, runs.starts) if rows else values
        if runs.parents is not None:
            full = np.full(frames[parent].height, v.fill, dtype=reduced.dtype)
            full[runs.parents] = reduced
            reduced = full
        columns.append(pl.Series(v.name, reduced, dtype=pl.Int64 if v.reduce in ("sum", "count") else pl.Boolean))
    frames[parent] = frames[parent].with_columns(columns)
