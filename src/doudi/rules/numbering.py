"""Row numbers that link the four frames, so the evaluator can follow links by gathering instead of joining.

`number_rows` gives households `_h` (0..n-1, in frame order), members `_m` and their household's `_h`, income
and expense items their household's `_h` and member's `_m` (null for household items). Rows are kept and
dropped exactly as string joins would: children of no listed household are dropped. Members and items are
ordered by household, stably (within a household, as they came): the evaluator then cuts a large batch into
contiguous ranges of households, and each item's search for its member reads one household's members.

Keys are looked up by their 64-bit hashes in a compiled hash index (`kernels`), and every match is then
confirmed on the keys themselves. When two parents share a hash (a duplicate key or a collision) the link is
made by the string join instead, so the answer is always the join's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from doudi.rules import kernels
from doudi.rules.parallel import CORES, at_once, pieces
from doudi.rules.variables import Entity


def number_rows(
    households: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame, expenses: pl.DataFrame
) -> dict[Entity, pl.DataFrame]:
    """The four frames with the row numbers the evaluator links them by."""
    households = households.with_row_index("_h")
    ids = households["household_id"]
    hashes = _hash(ids)
    index, repeated = kernels.hash_index(hashes, ids.is_not_null().to_numpy())
    under = partial(_joined_under, households) if repeated else partial(_under, ids, hashes, index)
    children = (members, incomes, expenses)
    members, incomes, expenses = at_once(
        [partial(under, child) for child in children], sum(child.height for child in children)
    )
    members = _sorted_by(members, members["_h"].to_numpy(), households.height).with_row_index("_m")
    return {
        "household": households,
        "member": members,
        "income": _items(members, incomes, households.height),
        "expense": _items(members, expenses, households.height),
    }


def _under(parents: pl.Series, hashes: np.ndarray, index: np.ndarray, child: pl.DataFrame) -> pl.DataFrame:
    """`child` with its household's `_h`, in its own order; rows of no listed household dropped."""
    keys = child["household_id"]
    found = pl.Series("_h", kernels.hash_find(index, hashes, _hash(keys), keys.is_not_null().to_numpy()))
    kept = _confirmed(parents, keys, found)
    if not kept.all():
        child, found = child.filter(kept), found.filter(kept)
    return child.with_columns(found.cast(pl.UInt32))


def _joined_under(households: pl.DataFrame, child: pl.DataFrame) -> pl.DataFrame:
    """`_under` by the string join, for households whose keys' hashes repeat."""
    return child.join(households.select("household_id", "_h"), on="household_id", maintain_order="left")


def _items(members: pl.DataFrame, items: pl.DataFrame, households: int) -> pl.DataFrame:
    """Income or expense items (with their household's `_h`) with their member's `_m` (null when none): the
    member of the item's household with the item's ID number. Ordered by household, stably.

    Members are ordered by household, so each item searches only its own household's few members
    (`kernels.member_rows`); a hash join against every member in the county is slower."""
    items = _sorted_by(items, items["_h"].to_numpy(), households)  # first: the search then reads members in order
    if members.height == 0 or items.height == 0:
        return items.with_columns(pl.lit(None, pl.UInt32).alias("_m"))
    starts = np.concatenate(([0], np.cumsum(np.bincount(members["_h"].to_numpy(), minlength=households))))
    member_keys, member_usable = _hash(members["id_number"]), members["id_number"].is_not_null().to_numpy()
    item_h, item_keys = items["_h"].to_numpy().astype(np.int64), _hash(items["id_number"])
    item_usable = items["id_number"].is_not_null().to_numpy()
    # The search goes ahead, in pieces, while the members are checked for repeats; its answer is dropped if
    # there are.
    check: Callable[[], Any] = partial(kernels.repeats_in_households, member_keys, member_usable, starts)
    searches: list[Callable[[], Any]] = [
        partial(kernels.member_rows, member_keys, member_usable, starts, item_h[p], item_keys[p], item_usable[p])
        for p in pieces(len(item_keys), CORES)
    ]
    repeated, *found = at_once([check, *searches], members.height + items.height)
    if repeated:  # an item of two same-ID members is repeated, in its place
        return items.join(
            members.select("_h", "id_number", "_m"), on=["_h", "id_number"], how="left", maintain_order="left"
        )
    member = pl.Series("_m", np.concatenate(found))
    confirmed = _confirmed(members["id_number"], items["id_number"], member)
    return items.with_columns(pl.when(confirmed).then(member).cast(pl.UInt32).alias("_m"))


def _sorted_by(frame: pl.DataFrame, numbers: np.ndarray, bound: int) -> pl.DataFrame:
    """The frame's rows ordered by `numbers` (each below `bound`), stably."""
    if np.all(numbers[1:] >= numbers[:-1]):
        return frame
    return frame[kernels.stable_order(numbers, bound)]


def _hash(keys: pl.Series) -> np.ndarray:
    """64-bit hashes of the keys (equal keys, equal hashes; the converse is checked)."""
    return keys.hash().to_numpy()


def _confirmed(parents: pl.Series, children: pl.Series, rows: pl.Series) -> pl.Series:
    """Whether each child was found (row ≥ 0) and has the key of its parent row: a hash match with another key
    is no match."""
    if parents.is_empty():
        return pl.repeat(False, len(children), eager=True)
    return (rows >= 0) & (parents.gather(rows.clip(0)) == children).fill_null(False)
