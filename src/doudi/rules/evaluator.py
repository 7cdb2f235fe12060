"""The one evaluator: resolves the variables asked for, in dependency order, over frames of any size.

It works eagerly in layers: all variables of one entity whose inputs are ready are computed in one
`with_columns` (Polars runs them in parallel); parent columns a layer needs are gathered in once by row
number; aggregates of one child entity into one parent are computed in one `group_by`.

The frames carry row numbers: households `_h` (0..n-1, in frame order), members `_m` and their household's
`_h`, income and expense items their household's `_h` and member's `_m` (null for household items).
`numbering.number_rows` adds them.
"""

from __future__ import annotations

from functools import cache
from graphlib import TopologicalSorter

import numpy as np
import polars as pl

from doudi.policy.profile import Profile
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
    for layer in layers(tuple(wanted)):
        if layer[0].aggregate_from is not None:
            _aggregate(out, profile, list(layer))
        else:
            entity = layer[0].entity
            _bring_parent_columns(out, entity, {d for v in layer for d in v.depends})
            out[entity] = out[entity].with_columns(v.formula(profile).alias(v.name) for v in layer)
    return out


_REDUCERS = {"sum": np.add.reduceat, "any": np.maximum.reduceat, "all": np.minimum.reduceat}


def _aggregate(frames: Frames, profile: Profile, layer: list[Variable]) -> None:
    """Reduce child rows per parent by sorted segments: exact integer sums, and no hash table, because the
    parent key is the parent's row number."""
    parent = layer[0].entity
    child = layer[0].aggregate_from
    assert child is not None
    key = ROW_KEY[parent]
    _bring_parent_columns(frames, child, {d for v in layer for d in v.depends})
    per_row = (
        frames[child]
        .select(key, *(v.formula(profile).fill_null(v.reduce == "all").cast(pl.Int64).alias(v.name) for v in layer))
        .filter(pl.col(key).is_not_null())
    )
    keys = per_row[key].to_numpy()
    order = None if np.all(keys[1:] >= keys[:-1]) else np.argsort(keys, kind="stable")
    if order is not None:
        keys = keys[order]
    present, starts = np.unique(keys, return_index=True)
    size = frames[parent].height
    columns = []
    for v in layer:
        if v.reduce == "count":
            reduced = np.diff(np.append(starts, len(keys)))
        else:
            values = per_row[v.name].to_numpy()
            values = values if order is None else values[order]
            reduced = _REDUCERS[str(v.reduce)](values, starts) if len(keys) else keys
        full = np.full(size, int(v.fill), dtype=np.int64)  # type: ignore[call-overload]
        full[present] = reduced
        series = pl.Series(v.name, full)
        columns.append(series.cast(pl.Boolean) if v.reduce in ("any", "all") else series)
    frames[parent] = frames[parent].with_columns(columns)
