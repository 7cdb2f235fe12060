"""Row numbers that link the four frames, so the evaluator can follow links by gathering instead of joining.

`number_rows` gives households `_h` (0..n-1, in frame order), members `_m` and their household's `_h`, income
and expense items their household's `_h` and member's `_m` (null for household items). Rows are kept, dropped
and ordered exactly as string joins would: children of no listed household are dropped, children are ordered
by household, stably.

String joins cost seconds at a million households, so keys are matched on 64-bit hashes instead (a small
sort-based hash table in numpy) and every match is then confirmed on the keys themselves. A child whose hash
equals two parents' (a duplicate key or a collision) sends that link back to the string join, so the answer is
always the join's. Members listed household by household in the households' order, the usual layout, are
numbered without any lookup.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from doudi.rules.variables import Entity

_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying spreads household numbers over all 64 bits


def number_rows(
    households: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame, expenses: pl.DataFrame
) -> dict[Entity, pl.DataFrame]:
    """The four frames with the row numbers the evaluator links them by."""
    households = households.with_row_index("_h")
    members = _under(households, members).with_row_index("_m")
    return {
        "household": households,
        "member": members,
        "income": _items(households, members, incomes),
        "expense": _items(households, members, expenses),
    }


def _under(households: pl.DataFrame, child: pl.DataFrame) -> pl.DataFrame:
    """`child` joined to its household's `_h` (rows of no listed household dropped), ordered by `_h`, stably."""
    parents, keys = households["household_id"], child["household_id"]
    rows = _in_order(parents, keys)
    if rows is None:
        rows = _lookup(parents, keys)
    if rows is None:
        joined = child.join(households.select("household_id", "_h"), on="household_id", maintain_order="left")
        return joined.sort("_h", maintain_order=True)
    kept = np.flatnonzero(rows >= 0)
    if len(kept) < len(rows) or np.any(rows[1:] < rows[:-1]):
        kept = kept[stable_order(rows[kept])]
        child = child[kept]
        rows = rows[kept]
    return child.with_columns(pl.Series("_h", rows, dtype=pl.UInt32))


def _items(households: pl.DataFrame, members: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """Income or expense items with their household's `_h` and their member's `_m` (null when none)."""
    items = _under(households, items)
    rows = _member_rows(households.height, members, items)
    if rows is None:
        m_index = members.select("_h", "id_number", "_m")
        return items.join(m_index, on=["_h", "id_number"], how="left", maintain_order="left")
    found = pl.Series("_m", rows)
    return items.with_columns(pl.when(found >= 0).then(found).cast(pl.UInt32).alias("_m"))


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
    return rows if _confirmed(parents, children, rows).all() else None


def _lookup(parents: pl.Series, children: pl.Series) -> np.ndarray | None:
    """Each child's parent row (-1 when no parent has its key), or None when two parents share a hash.

    Parents and children are both sorted by the top bits of their hash (the bucket), so the children walk the
    parents' table in order instead of jumping about in memory; a bucket holds about one parent."""
    result = np.full(len(children), -1, dtype=np.int64)
    parent_rows, child_rows = _not_null(parents), _not_null(children)
    bits, child_bits = _bits(len(parent_rows)), _bits(len(child_rows))
    if len(parent_rows) == 0 or len(child_rows) == 0:
        return result
    parent_hash = _hash(parents)[parent_rows]
    if bits + child_bits > 64 or _repeats(parent_hash):
        return None
    shift = np.uint64(64 - bits)
    parent_at, bucket = _by_bucket(parent_hash, shift, bits)
    starts = np.concatenate(([0], np.cumsum(np.bincount(bucket, minlength=1 << bits))))
    child_hash = _hash(children)[child_rows]
    child_at, child_bucket = _by_bucket(child_hash, shift, child_bits)
    slot = _probe(parent_hash[parent_at], starts[child_bucket], starts[child_bucket + 1], child_hash[child_at])
    hit = slot >= 0
    result[child_rows[child_at[hit]]] = parent_rows[parent_at[slot[hit]]]
    return _drop_unconfirmed(parents, children, result)


def _member_rows(households: int, members: pl.DataFrame, items: pl.DataFrame) -> np.ndarray | None:
    """Each item's member row (-1 when none), searched among its own household's members only; None when two
    members of a household share a hash. Both frames are ordered by household, so the search walks forward."""
    result = np.full(items.height, -1, dtype=np.int64)
    item_rows = _not_null(items["id_number"])
    if len(item_rows) == 0 or members.height == 0:
        return result
    member_h = members["_h"].to_numpy()
    member_hash = _hash(members["id_number"])
    valid = _not_null(members["id_number"])
    if _repeats(member_hash[valid] ^ (member_h[valid].astype(np.uint64) * _SPREAD)):
        return None
    starts = np.concatenate(([0], np.cumsum(np.bincount(member_h, minlength=households))))
    usable = None if len(valid) == members.height else members["id_number"].is_not_null().to_numpy()
    item_h = items["_h"].to_numpy()[item_rows]
    slot = _probe(member_hash, starts[item_h], starts[item_h + 1], _hash(items["id_number"])[item_rows], usable)
    result[item_rows] = slot
    return _drop_unconfirmed(members["id_number"], items["id_number"], result)


def _probe(
    table: np.ndarray, first: np.ndarray, end: np.ndarray, wanted: np.ndarray, usable: np.ndarray | None = None
) -> np.ndarray:
    """For each query, the slot in table[first:end] that holds `wanted` (and is `usable`: a member without an
    ID number matches nothing), or -1. No usable value is there twice, so the search stops at the first."""
    found = np.full(len(wanted), -1, dtype=np.int64)
    query = np.flatnonzero(first < end)
    slot, end, wanted = first[query], end[query], wanted[query]
    while len(query):
        hit = table[slot] == wanted
        if usable is not None:
            hit &= usable[slot]
        found[query[hit]] = slot[hit]
        slot += 1
        going = ~hit & (slot < end)
        query, slot, end, wanted = query[going], slot[going], end[going], wanted[going]
    return found


def _repeats(hashes: np.ndarray) -> bool:
    ordered = np.sort(hashes)
    return bool(np.any(ordered[1:] == ordered[:-1]))


def _hash(keys: pl.Series) -> np.ndarray:
    """64-bit hashes of the keys (equal keys, equal hashes; the converse is checked)."""
    return keys.hash().to_numpy()


def _not_null(keys: pl.Series) -> np.ndarray:
    """Rows whose key is not null: nulls match nothing, as in a join."""
    if keys.null_count() == 0:
        return np.arange(len(keys))
    return np.flatnonzero(keys.is_not_null().to_numpy())


def _bits(n: int) -> int:
    return max(1, (n - 1).bit_length())


def _by_bucket(hashes: np.ndarray, shift: np.uint64, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions ordered by bucket (the hash's top bits), and their buckets. (bucket, position) is packed in one
    integer so that a plain sort, much faster than an argsort, does it."""
    packed = np.sort(((hashes >> shift) << np.uint64(bits)) | np.arange(len(hashes), dtype=np.uint64))
    return (packed & np.uint64((1 << bits) - 1)).astype(np.int64), (packed >> np.uint64(bits)).astype(np.int64)


def _drop_unconfirmed(parents: pl.Series, children: pl.Series, rows: np.ndarray) -> np.ndarray:
    """A lone hash match with another key is no match (equal keys have equal hashes, so there is none)."""
    matched = np.flatnonzero(rows >= 0)
    rows[matched[~_confirmed(parents, children.gather(matched), rows[matched])]] = -1
    return rows


def _confirmed(parents: pl.Series, children: pl.Series, rows: np.ndarray) -> np.ndarray:
    """Whether each child has the key of its parent row."""
    return (parents.gather(rows) == children).fill_null(False).to_numpy()
