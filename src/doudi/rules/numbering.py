"""Row numbers that link the four frames, so the evaluator can follow links by gathering instead of joining.

`number_rows` gives households `_h` (0..n-1, in frame order), members `_m` and their household's `_h`, income
and expense items their household's `_h` and member's `_m` (null for household items). Rows are kept and
dropped exactly as string joins would: children of no listed household are dropped. Members are ordered by
household, items by household and then member (items of no member first), both stably: every aggregate then
reads its child rows in runs, without sorting.

Polars joins on 64-bit hashes of the keys are two to three times faster than joins on the strings, so keys are
joined by hash and every match is then confirmed on the keys themselves. When two parents share a hash (a
duplicate key or a collision) the link is made by the string join instead, so the answer is always the join's.
Members listed household by household in the households' order, the usual layout, are numbered without a join.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import polars as pl

from doudi.rules.parallel import CORES, at_once, pieces
from doudi.rules.variables import Entity


def number_rows(
    households: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame, expenses: pl.DataFrame
) -> dict[Entity, pl.DataFrame]:
    """The four frames with the row numbers the evaluator links them by."""
    households = households.with_row_index("_h")
    children = (members, incomes, expenses)
    members, incomes, expenses = at_once(
        [partial(_under, households, child) for child in children], sum(child.height for child in children)
    )
    members = _sorted_by(members, members["_h"].to_numpy()).with_row_index("_m")
    return {
        "household": households,
        "member": members,
        "income": _items(members, incomes),
        "expense": _items(members, expenses),
    }


def _under(households: pl.DataFrame, child: pl.DataFrame) -> pl.DataFrame:
    """`child` with its household's `_h`, in its own order; rows of no listed household dropped."""
    if child.height == 0:
        return child.with_columns(pl.lit(None, pl.UInt32).alias("_h"))
    parents, keys = households["household_id"], child["household_id"]
    rows = _in_order(parents, keys)
    if rows is not None:
        return child.with_columns(pl.Series("_h", rows, dtype=pl.UInt32))
    index = households.select(_key(parents), "_h")
    if _repeats(index["_key"]):
        return child.join(households.select("household_id", "_h"), on="household_id", maintain_order="left")
    joined = child.with_columns(_key(keys)).join(index, on="_key", maintain_order="left").drop("_key")
    return joined.filter(_confirmed(parents, joined["household_id"], joined["_h"]))


def _items(members: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """Income or expense items (with their household's `_h`) with their member's `_m` (null when none): the
    member of the item's household with the item's ID number. Ordered by household, and within it household
    items first, then by member, stably: both the household's and the member's sums then read runs in order.

    Members are ordered by household, so each item searches only its own household's few members, walking
    forward through memory; a hash join against every member in the county is three times slower."""
    if members.height == 0 or items.height == 0:
        items = items.with_columns(pl.lit(None, pl.UInt32).alias("_m"))
        return _sorted_by(items, items["_h"].to_numpy())
    member_h = members["_h"].to_numpy()
    item_h = items["_h"].to_numpy().astype(np.int64)
    per_household = np.bincount(member_h, minlength=int(item_h.max()) + 1)
    starts = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(per_household)))
    member_hash = _hash(members["id_number"])
    usable = members["id_number"].is_not_null().to_numpy()
    first, end, wanted = starts[item_h], starts[item_h + 1], _hash(items["id_number"])
    # The probe goes ahead while the members are checked for repeats; its answer is dropped if there are.
    check = partial(_repeats_in_household, member_hash, member_h, usable)
    probes = [partial(_probe, member_hash, usable, first[s], end[s], wanted[s]) for s in pieces(len(wanted), CORES)]
    answers: list[Any] = at_once([check, *probes], members.height + items.height)
    repeats, slots = answers[0], answers[1:]
    if repeats:
        m_index = members.select("_h", "id_number", "_m")
        items = items.join(m_index, on=["_h", "id_number"], how="left", maintain_order="left")
        item_h = items["_h"].to_numpy().astype(np.int64)  # the join repeats an item of two same-ID members
    else:
        slot = np.concatenate(slots)
        slot[~items["id_number"].is_not_null().to_numpy()] = -1
        found = pl.Series("_m", slot)
        # A hash match with another ID number is no match.
        confirmed = (found >= 0) & _confirmed(members["id_number"], items["id_number"], found.clip(0))
        items = items.with_columns(pl.when(confirmed).then(found).cast(pl.UInt32).alias("_m"))
    # One place per household before its members, then one per member: household h's items at starts[h] + h,
    # an item of member m (of household h) at m + h + 1.
    member = items["_m"]
    place = np.where(member.is_null().to_numpy(), starts[item_h], member.fill_null(0).to_numpy() + 1) + item_h
    return _sorted_by(items, place)


def _probe(table: np.ndarray, usable: np.ndarray, first: np.ndarray, end: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each query, the slot in table[first:end] that holds `wanted` and is `usable` (a member without an ID
    number matches nothing), or -1. No usable value is there twice, so the search stops at the first."""
    found = np.full(len(wanted), -1, dtype=np.int64)
    query = np.flatnonzero(first < end)
    slot, end, wanted = first[query], end[query], wanted[query]
    while len(query):
        hit = (table[slot] == wanted) & usable[slot]
        found[query[hit]] = slot[hit]
        slot += 1
        going = ~hit & (slot < end)
        query, slot, end, wanted = query[going], slot[going], end[going], wanted[going]
    return found


def _repeats_in_household(hashes: np.ndarray, households: np.ndarray, usable: np.ndarray) -> bool:
    """Whether two usable members of one household share a hash. Members are ordered by household, so each is
    compared with the next, then the one after, … as long as it is still in its household."""
    rows = np.flatnonzero(usable)
    hashes, households = hashes[rows], households[rows]
    # The next member, by slices; most households have few members, so few positions are left for the rest.
    position = np.flatnonzero(households[1:] == households[:-1])
    distance = 1
    while len(position):
        if np.any(hashes[position + distance] == hashes[position]):
            return True
        distance += 1
        position = position[position + distance < len(rows)]
        position = position[households[position + distance] == households[position]]
    return False


def _sorted_by(frame: pl.DataFrame, numbers: np.ndarray) -> pl.DataFrame:
    """The frame's rows ordered by `numbers`, stably."""
    if np.all(numbers[1:] >= numbers[:-1]):
        return frame
    return frame[stable_order(numbers)]


def stable_order(numbers: np.ndarray) -> np.ndarray:
    """The positions that sort row numbers (below 2**32), equal ones in their order: (number, position) packed
    in one integer, so a plain sort of distinct values does it, much faster than a stable argsort."""
    if len(numbers) >= 1 << 32:
        return np.argsort(numbers, kind="stable")
    packed = np.sort((numbers.astype(np.uint64) << np.uint64(32)) | np.arange(len(numbers), dtype=np.uint64))
    return (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)


def _in_order(parents: pl.Series, children: pl.Series) -> np.ndarray | None:
    """Each child's parent row when the children come in runs, one per parent, in the parents' order; else None."""
    if len(children) == 0 or len(parents) == 0:
        return None
    child_hash = _hash(children)
    starts = np.flatnonzero(np.concatenate(([True], child_hash[1:] != child_hash[:-1])))
    if len(starts) != len(parents) or not np.array_equal(child_hash[starts], _hash(parents)):
        return None
    rows = np.repeat(np.arange(len(starts), dtype=np.int64), np.diff(np.append(starts, len(child_hash))))
    return rows if _confirmed(parents, children, pl.Series(rows)).all() else None


def _key(keys: pl.Series) -> pl.Series:
    """The join key: the key's hash; null for a null key, which matches nothing, as in a join."""
    hashed = pl.Series("_key", _hash(keys), dtype=pl.UInt64)
    return hashed.set(keys.is_null(), None) if keys.null_count() else hashed


def _repeats(keys: pl.Series) -> bool:
    """Whether two non-null join keys are equal, so that a join on them could pair a row with the wrong parent."""
    present = keys.drop_nulls()
    return present.n_unique() < len(present)


def _hash(keys: pl.Series) -> np.ndarray:
    """64-bit hashes of the keys (equal keys, equal hashes; the converse is checked)."""
    return keys.hash().to_numpy()


def _confirmed(parents: pl.Series, children: pl.Series, rows: pl.Series) -> pl.Series:
    """Whether each child has the key of its parent row."""
    return (parents.gather(rows) == children).fill_null(False)
