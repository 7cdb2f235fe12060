"""The one evaluator: resolves the variables asked for, in dependency order, over frames of any size.

It works eagerly in layers: all variables of one entity whose inputs are ready are computed in one
`with_columns` (Polars runs them in parallel); parent columns a layer needs are gathered in once by row
number; aggregates of one child entity into one parent are reduced together, each child row adding into its
parent's place by the parent's row number.

The frames carry row numbers: households `_h` (0..n-1, in frame order), members `_m` and their household's
`_h`, income and expense items their household's `_h` and member's `_m` (null for household items).
`numbering.number_rows` adds them, with every child frame ordered by `_h`.

No variable reads another household, so a large batch is cut into contiguous ranges of households, one per
core, evaluated in threads: Polars and numpy release the GIL, and one range alone keeps only one core busy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from graphlib import TopologicalSorter

import numpy as np
import polars as pl

from doudi.policy.profile import Profile
from doudi.rules.kernels import reduce_by
from doudi.rules.parallel import CORES, at_once, pieces
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


# Below this many households per range, a thread costs more than it saves (measured: 2 ranges of 25,000 took
# 28 ms against 27 ms for one; 2 of 100,000, 58 ms against 80 ms).
MIN_HOUSEHOLDS_PER_RANGE = 50_000


def evaluate(frames: Frames, profile: Profile, wanted: list[str], ranges: int | None = None) -> Frames:
    """Compute `wanted` (and what they depend on) into copies of the frames, in `ranges` ranges of households
    evaluated at once (default: one per core, each of at least MIN_HOUSEHOLDS_PER_RANGE households)."""
    if ranges is None:
        ranges = min(CORES, frames["household"].height // MIN_HOUSEHOLDS_PER_RANGE)
    if ranges <= 1:
        return _evaluate(frames, profile, wanted)
    parts = _split(frames, ranges)
    done = at_once([partial(_evaluate, part, profile, wanted) for part, _ in parts], frames["member"].height)
    return {
        entity: pl.concat([_shifted(result[entity], offsets) for result, (_, offsets) in zip(done, parts, strict=True)])
        for entity in frames
    }


Offsets = dict[str, int]  # the first `_h` and `_m` of a range


def _split(frames: Frames, ranges: int) -> list[tuple[Frames, Offsets]]:
    """The frames cut into `ranges` contiguous ranges of households, each numbered from 0 again. As
    `number_rows` gives them: every child frame ordered by `_h`, members numbered `_m` in that order."""
    households = pieces(frames["household"].height, ranges)
    bounds = [r.start for r in households] + [households[-1].stop]
    cuts = {entity: np.searchsorted(frame["_h"].to_numpy(), bounds) for entity, frame in frames.items()}
    parts = []
    for i in range(ranges):
        offsets = {"_h": int(bounds[i]), "_m": int(cuts["member"][i])}
        part = {}
        for entity, frame in frames.items():
            start, end = cuts[entity][i], cuts[entity][i + 1]
            part[entity] = _shifted(frame.slice(start, end - start), {k: -v for k, v in offsets.items()})
        parts.append((part, offsets))
    return parts


def _shifted(frame: pl.DataFrame, offsets: Offsets) -> pl.DataFrame:
    """Row numbers moved by `offsets`, keeping their type."""
    return frame.with_columns((pl.col(c) + v).cast(frame.schema[c]) for c, v in offsets.items() if c in frame.columns)


def _evaluate(frames: Frames, profile: Profile, wanted: list[str]) -> Frames:
    out: Frames = dict(frames)
    found: dict[tuple[Entity, str], Parents] = {}
    for layer in layers(tuple(wanted)):
        if layer[0].aggregate_from is not None:
            _aggregate(out, profile, list(layer), found)
        else:
            entity = layer[0].entity
            _bring_parent_columns(out, entity, {d for v in layer for d in v.depends})
            out[entity] = out[entity].with_columns(v.formula(profile).alias(v.name) for v in layer)
    return out


@dataclass(frozen=True)
class Parents:
    """Where a child entity's rows belong: `rows` holds each row's parent row number (`count`, one past the last
    parent, for a row of no parent, which then adds to nobody); `counts` how many rows each parent has."""

    rows: np.ndarray
    counts: np.ndarray


def parents(keys: pl.Series, count: int) -> Parents:
    """The parents of child rows from their parent row numbers `keys` (null: no parent), in any order."""
    rows = keys.fill_null(count).cast(pl.Int64).to_numpy()
    return Parents(rows, np.bincount(rows, minlength=count + 1)[:count])


_FLAGS = "_flags"  # the column holding a layer's booleans, one bit each


def _aggregate(
    frames: Frames, profile: Profile, layer: list[Variable], cache: dict[tuple[Entity, str], Parents]
) -> None:
    """Reduce child rows per parent: exact integer sums, and no hash table nor sort, because the parent key is
    the parent's row number (each row adds into its parent's place). Parents are found once per child entity and
    key (`cache`).

    A layer's boolean reductions share one pass: each is a bit of one integer per row, "any" of the value,
    "all" of its negation (all = none false), so one bitwise-or per parent answers them all."""
    parent = layer[0].entity
    child = layer[0].aggregate_from
    assert child is not None
    key = ROW_KEY[parent]
    count = frames[parent].height
    _bring_parent_columns(frames, child, {d for v in layer for d in v.depends})
    if (child, key) not in cache:
        cache[child, key] = parents(frames[child][key], count)
    of = cache[child, key]
    flags = [v for v in layer if v.reduce in ("any", "all")]
    if len(flags) > 64:
        raise ValueError(f"{len(flags)} boolean aggregates in one layer; at most 64 fit one integer")
    width = next(w for w in (8, 16, 32, 64) if len(flags) <= w)  # the narrowest integer reduces fastest
    bit = {v.name: 1 << i for i, v in enumerate(flags)}
    per_row = frames[child].select(
        *(v.formula(profile).fill_null(0).cast(pl.Int64).alias(v.name) for v in layer if v.reduce == "sum"),
        *([pl.sum_horizontal(_flag(v, profile, width) * bit[v.name] for v in flags).alias(_FLAGS)] if flags else []),
    )
    ored = reduce_by(per_row[_FLAGS].to_numpy(), of.rows, count, "or") if flags else None
    childless = of.counts == 0
    filled = bool(childless.any())  # parents without rows take the variable's fill
    columns = []
    for v in layer:
        if v.reduce == "count":
            reduced = of.counts
        elif v.reduce == "sum":
            reduced = reduce_by(per_row[v.name].to_numpy(), of.rows, count, "sum")
        else:
            assert ored is not None
            reduced = ((ored & bit[v.name]) != 0) == (v.reduce == "any")
        if filled:
            reduced = np.where(childless, reduced.dtype.type(v.fill), reduced)
        columns.append(pl.Series(v.name, reduced, dtype=pl.Int64 if v.reduce in ("sum", "count") else pl.Boolean))
    frames[parent] = frames[parent].with_columns(columns)


def _flag(v: Variable, profile: Profile, width: int) -> pl.Expr:
    """0 or 1 per child row: the value for "any", its negation for "all"; a null counts as neither true nor false
    (skipped by both)."""
    value = v.formula(profile).cast(pl.Boolean)
    unsigned = {8: pl.UInt8, 16: pl.UInt16, 32: pl.UInt32, 64: pl.UInt64}[width]
    return (value if v.reduce == "any" else ~value).fill_null(False).cast(unsigned)
