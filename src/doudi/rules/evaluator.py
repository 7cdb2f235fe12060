"""The one evaluator: resolves the variables asked for, in dependency order, over frames of any size.

It works eagerly in layers: all variables of one entity whose inputs are ready are computed in one
`with_columns` (Polars runs them in parallel); parent columns a layer needs are joined in once; aggregates
of one child entity into one parent are computed in one `group_by`.
"""

from __future__ import annotations

from graphlib import TopologicalSorter

import polars as pl

from doudi.policy.profile import Profile
from doudi.rules.variables import PARENTS, REGISTRY, Entity, Variable

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


def _ancestors(entity: Entity) -> list[tuple[Entity, list[str]]]:
    return PARENTS[entity]


def _bring_parent_columns(frames: Frames, entity: Entity, needed: set[str]) -> None:
    """Join into `entity`'s frame the columns it reads from its parents."""
    frame = frames[entity]
    missing = needed - set(frame.columns)
    for parent, keys in _ancestors(entity):
        take = sorted(c for c in missing if c in frames[parent].columns and c not in keys)
        if not take:
            continue
        frame = frame.join(frames[parent].select(*keys, *take), on=keys, how="left", nulls_equal=False)
        missing -= set(take)
    if missing:
        raise KeyError(f"{entity} variables need columns that no frame has: {sorted(missing)}")
    frames[entity] = frame


def evaluate(frames: Frames, profile: Profile, wanted: list[str]) -> Frames:
    """Compute `wanted` (and what they depend on) into copies of the frames."""
    out: Frames = dict(frames)
    order = plan(wanted)
    done: set[str] = set()
    while len(done) < len(order):
        first = next(v for v in order if v.name not in done)
        if first.aggregate_from is not None:
            layer = [
                v
                for v in order
                if v.name not in done
                and v.entity == first.entity
                and v.aggregate_from == first.aggregate_from
                and all(d in done or d not in REGISTRY for d in v.depends)
            ]
            _aggregate(out, profile, layer)
        else:
            layer = [
                v
                for v in order
                if v.name not in done
                and v.entity == first.entity
                and v.aggregate_from is None
                and all(d in done or d not in REGISTRY for d in v.depends)
            ]
            needed = {d for v in layer for d in v.depends}
            _bring_parent_columns(out, first.entity, needed)
            out[first.entity] = out[first.entity].with_columns(v.formula(profile).alias(v.name) for v in layer)
        done.update(v.name for v in layer)
    return out


def _aggregate(frames: Frames, profile: Profile, layer: list[Variable]) -> None:
    parent = layer[0].entity
    child = layer[0].aggregate_from
    assert child is not None
    keys = ["household_id"] if parent == "household" else ["household_id", "id_number"]
    needed = {d for v in layer for d in v.depends}
    _bring_parent_columns(frames, child, needed)
    grouped = frames[child].filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    aggregated = grouped.group_by(keys).agg(v.formula(profile).alias(v.name) for v in layer)
    joined = frames[parent].join(aggregated, on=keys, how="left")
    frames[parent] = joined.with_columns(pl.col(v.name).fill_null(pl.lit(v.fill)) for v in layer if v.fill is not None)
