"""The one evaluator: resolves the variables asked for, in dependency order, over frames of any size.

It works eagerly in layers: all variables of one entity whose inputs are ready are computed in one
`with_columns` (Polars runs them in parallel); parent columns a layer needs are gathered in once by row
number; aggregates of one child entity into one parent are reduced together over the runs of the parent's
row number, found once per evaluation.

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
from doudi.rules.kernels import stable_order
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
    """The runs of `keys` (parent row numbers). Frames from `number_rows` are in order already; the sort is for
    frames numbered otherwise."""
    rows = None
    if keys.null_count():
        rows = np.flatnonzero(keys.is_not_null().to_numpy())
        keys = keys.drop_nulls()
    numbers = keys.to_numpy()
    if np.any(numbers[1:] < numbers[:-1]):
        order = stable_order(numbers, parents)
        rows = order if rows is None else rows[order]
        numbers = numbers[order]
    starts = np.flatnonzero(np.concatenate(([True], numbers[1:] != numbers[:-1]))) if len(numbers) else numbers
    # Runs of distinct, sorted row numbers below `parents`: as many runs as parents means every parent has one.
    return Segments(rows, starts, None if len(starts) == parents else numbers[starts])


_FLAGS = "_flags"  # the column holding a layer's booleans, one bit each


def _aggregate(
    frames: Frames, profile: Profile, layer: list[Variable], cache: dict[tuple[Entity, str], Segments]
) -> None:
    """Reduce child rows per parent by runs: exact integer sums, and no hash table, because the parent key is
    the parent's row number. The runs are found once per child entity and key (`cache`).

    A layer's boolean reductions share one pass: each is a bit of one integer per row, "any" of the value,
    "all" of its negation (all = none false), so one bitwise-or over the runs answers them all."""
    parent = layer[0].entity
    child = layer[0].aggregate_from
    assert child is not None
    key = ROW_KEY[parent]
    _bring_parent_columns(frames, child, {d for v in layer for d in v.depends})
    if (child, key) not in cache:
        cache[child, key] = segments(frames[child][key], frames[parent].height)
    runs = cache[child, key]
    flags = [v for v in layer if v.reduce in ("any", "all")]
    if len(flags) > 64:
        raise ValueError(f"{len(flags)} boolean aggregates in one layer; at most 64 fit one integer")
    width = next(w for w in (8, 16, 32, 64) if len(flags) <= w)  # the narrowest integer reduces fastest
    bit = {v.name: 1 << i for i, v in enumerate(flags)}
    per_row = frames[child].select(
        *(v.formula(profile).fill_null(0).cast(pl.Int64).alias(v.name) for v in layer if v.reduce == "sum"),
        *([pl.sum_horizontal(_flag(v, profile, width) * bit[v.name] for v in flags).alias(_FLAGS)] if flags else []),
    )
    rows = frames[child].height if runs.rows is None else len(runs.rows)

    def reduced_runs(column: str, reduce: np.ufunc) -> np.ndarray:
        values = per_row[column].to_numpy()
        values = values if runs.rows is None else values[runs.rows]
        return reduce.reduceat(values, runs.starts) if rows else values

    ored = reduced_runs(_FLAGS, np.bitwise_or) if flags else None
    columns = []
    for v in layer:
        if v.reduce == "count":
            reduced = np.diff(np.append(runs.starts, rows))
        elif v.reduce == "sum":
            reduced = reduced_runs(v.name, np.add)
        else:
            assert ored is not None
            reduced = ((ored & bit[v.name]) != 0) == (v.reduce == "any")
        if runs.parents is not None:
            full = np.full(frames[parent].height, v.fill, dtype=reduced.dtype)
            full[runs.parents] = reduced
            reduced = full
        columns.append(pl.Series(v.name, reduced, dtype=pl.Int64 if v.reduce in ("sum", "count") else pl.Boolean))
    frames[parent] = frames[parent].with_columns(columns)


def _flag(v: Variable, profile: Profile, width: int) -> pl.Expr:
    """0 or 1 per child row: the value for "any", its negation for "all"; a null counts as neither true nor false
    (skipped by both)."""
    value = v.formula(profile).cast(pl.Boolean)
    unsigned = {8: pl.UInt8, 16: pl.UInt16, 32: pl.UInt32, 64: pl.UInt64}[width]
    return (value if v.reduce == "any" else ~value).fill_null(False).cast(unsigned)
