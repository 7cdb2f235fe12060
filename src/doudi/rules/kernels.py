"""The loops row numbering needs that numpy cannot express without many passes: a hash index of keys, the
search for an item's member among its household's members, the check for a key twice in a household, and a
counting sort; and the evaluator's sums of child rows into their parents, which numpy does exactly only slowly
(`ufunc.at`). They are plumbing, not rules (every rule stays a named Polars expression).

From COMPILE_MIN_ROWS rows on, a kernel runs compiled by numba; below, the same function runs as plain Python
(the sums into parents as numpy's `ufunc.at`, quicker than a Python loop and exact too).
numba is imported only then, so a process that assesses a household or a village does not pay for its import
and the loading of the compiled code (~0.3 s together). The compiled code is cached on disk: only the first
large run on a machine compiles (about 1 s). Compiled kernels release the GIL, so `parallel.at_once` runs
them in threads at once.

Keys are 64-bit hashes; a caller confirms every match on the keys themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

# 2**64 / golden ratio: multiplying by it spreads any hashes over the index's high bits (Fibonacci hashing).
_SPREAD = np.uint64(0x9E3779B97F4A7C15)


# Plain Python takes ~2 µs a row: below this many rows, a few milliseconds at most.
COMPILE_MIN_ROWS = 2_000


def _run(kernel: Callable[..., Any], rows: int, *args: Any) -> Any:
    if rows >= COMPILE_MIN_ROWS:
        # numba compiles once per argument type, and an array's type includes whether it is writable (Polars
        # hands out read-only arrays, except when it had to copy): kernels only read their arguments, so all
        # are passed read-only, and each kernel is compiled once.
        return _compiled(kernel)(*(_read_only(a) if isinstance(a, np.ndarray) else a for a in args))
    with np.errstate(over="ignore"):  # the hash spreading multiplication wraps, as it does compiled
        return kernel(*args)


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


@cache
def _compiled(kernel: Callable[..., Any]) -> Callable[..., Any]:
    from numba import njit  # here, not at the top: only large inputs pay for the import

    try:
        return njit(cache=True, nogil=True)(kernel)
    except RuntimeError:  # no writable folder for the cache (numba names the file): compile in each process
        return njit(nogil=True)(kernel)


def hash_index(keys: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, bool]:
    """An open-addressing index of the usable `keys` (uint64): slot -> row, -1 for empty; and whether two usable
    rows share a key, in which case the index is incomplete and must not be used."""
    return _run(_hash_index, len(keys), keys.astype(np.uint64, copy=False), usable.astype(np.bool_, copy=False))


def hash_find(index: np.ndarray, keys: np.ndarray, wanted: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """For each usable wanted key, the row of `keys` holding it in `index` (from `hash_index(keys, …)`), or -1."""
    return _run(
        _hash_find,
        len(keys) + len(wanted),
        index,
        keys.astype(np.uint64, copy=False),
        wanted.astype(np.uint64, copy=False),
        usable.astype(np.bool_),
    )


def repeats_in_households(member_keys: np.ndarray, member_usable: np.ndarray, starts: np.ndarray) -> bool:
    """Whether two usable members of one household (members `starts[h]:starts[h + 1]`) share a key. Each pair of
    a household's members is compared: households have a handful of members."""
    return _run(
        _repeats_in_households,
        len(member_keys),
        member_keys.astype(np.uint64, copy=False),
        member_usable.astype(np.bool_, copy=False),
        starts.astype(np.int64, copy=False),
    )


def member_rows(
    member_keys: np.ndarray, member_usable: np.ndarray, starts: np.ndarray, item_household: np.ndarray,
    item_keys: np.ndarray, item_usable: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """For each usable item, the usable member of its household (members `starts[h]:starts[h + 1]`) with the
    item's key, or -1; the first, so only an answer for households without repeats (above) is the join's.
    Households have few members, so each item walks its own household's members, in memory order."""
    return _run(
        _member_rows,
        len(member_keys) + len(item_keys),
        member_keys.astype(np.uint64, copy=False),
        member_usable.astype(np.bool_, copy=False),
        starts.astype(np.int64, copy=False),
        item_household.astype(np.int64, copy=False),
        item_keys.astype(np.uint64, copy=False),
        item_usable.astype(np.bool_, copy=False),
    )


def stable_order(numbers: np.ndarray, bound: int) -> np.ndarray:
    """The positions that sort `numbers` (each in 0..bound-1), equal ones in their order: a counting sort, one
    pass to count and one to place, where a comparison sort takes many."""
    return _run(_stable_order, len(numbers) + bound, numbers.astype(np.int64, copy=False), np.int64(bound))


def reduce_by(values: np.ndarray, parents: np.ndarray, count: int, how: str) -> np.ndarray:
    """Each parent's sum (`how` "sum") or bitwise or ("or") of its rows' `values`: `parents` holds each row's
    parent, 0..count-1, or `count` for a row of no parent, which adds to nobody. Integers wrap as numpy's do."""
    if len(values) < COMPILE_MIN_ROWS:
        reduced = np.zeros(count + 1, values.dtype)
        (np.add if how == "sum" else np.bitwise_or).at(reduced, parents, values)
        return reduced[:count]
    kernel = _sum_by if how == "sum" else _or_by
    return _run(kernel, len(values), values, parents.astype(np.int64, copy=False), np.int64(count))


def _hash_index(keys: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, bool]:
    bits = 1
    while (1 << bits) < 2 * len(keys):  # at most half full, so a search stops after a slot or two
        bits += 1
    index = np.full(1 << bits, -1, np.int64)
    mask, shift = np.uint64((1 << bits) - 1), np.uint64(64 - bits)
    for row in range(len(keys)):
        if not usable[row]:
            continue
        slot = (keys[row] * _SPREAD) >> shift
        while index[slot] != -1:
            if keys[index[slot]] == keys[row]:
                return index, True
            slot = (slot + np.uint64(1)) & mask
        index[slot] = row
    return index, False


def _hash_find(index: np.ndarray, keys: np.ndarray, wanted: np.ndarray, usable: np.ndarray) -> np.ndarray:
    bits = 1
    while (1 << bits) < len(index):
        bits += 1
    mask, shift = np.uint64(len(index) - 1), np.uint64(64 - bits)
    found = np.full(len(wanted), -1, np.int64)
    for i in range(len(wanted)):
        if not usable[i]:
            continue
        slot = (wanted[i] * _SPREAD) >> shift
        while index[slot] != -1:
            if keys[index[slot]] == wanted[i]:
                found[i] = index[slot]
                break
            slot = (slot + np.uint64(1)) & mask
    return found


def _repeats_in_households(member_keys: np.ndarray, member_usable: np.ndarray, starts: np.ndarray) -> bool:
    for household in range(len(starts) - 1):
        for a in range(starts[household], starts[household + 1]):
            for b in range(a + 1, starts[household + 1]):
                if member_usable[a] and member_usable[b] and member_keys[a] == member_keys[b]:
                    return True
    return False


def _member_rows(
    member_keys: np.ndarray, member_usable: np.ndarray, starts: np.ndarray, item_household: np.ndarray,
    item_keys: np.ndarray, item_usable: np.ndarray,
) -> np.ndarray:  # fmt: skip
    found = np.full(len(item_keys), -1, np.int64)
    for i in range(len(item_keys)):
        if not item_usable[i]:
            continue
        household = item_household[i]
        for member in range(starts[household], starts[household + 1]):
            if member_usable[member] and member_keys[member] == item_keys[i]:
                found[i] = member
                break
    return found


def _stable_order(numbers: np.ndarray, bound: np.int64) -> np.ndarray:
    place = np.zeros(bound + 1, np.int64)
    for number in numbers:
        place[number + 1] += 1
    for number in range(1, bound + 1):
        place[number] += place[number - 1]
    order = np.empty(len(numbers), np.int64)
    for position in range(len(numbers)):
        order[place[numbers[position]]] = position
        place[numbers[position]] += 1
    return order


def _sum_by(values: np.ndarray, parents: np.ndarray, count: np.int64) -> np.ndarray:
    sums = np.zeros(count + 1, values.dtype)
    for row in range(len(values)):
        sums[parents[row]] += values[row]
    return sums[:count]


def _or_by(values: np.ndarray, parents: np.ndarray, count: np.int64) -> np.ndarray:
    ored = np.zeros(count + 1, values.dtype)
    for row in range(len(values)):
        ored[parents[row]] |= values[row]
    return ored[:count]
