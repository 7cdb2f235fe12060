"""The numbering kernels give the same answers as plain numpy and Python, compiled or not."""

from __future__ import annotations

import functools
import operator
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.rules import kernels


def run(compiled: bool):
    """Each test runs twice: as plain Python (small inputs) and compiled (as from COMPILE_MIN_ROWS rows on)."""
    return mock.patch.object(kernels, "COMPILE_MIN_ROWS", 0 if compiled else 10**12)


compiled_or_not = pytest.mark.parametrize("compiled", [False, True], ids=["plain", "compiled"])


@compiled_or_not
@settings(max_examples=60, deadline=None)
@given(numbers=st.lists(st.integers(0, 6), max_size=40))
def test_stable_order_is_a_stable_sort(compiled, numbers):
    values = np.array(numbers, dtype=np.int64)
    with run(compiled):
        order = kernels.stable_order(values, 7)
    assert order.tolist() == np.argsort(values, kind="stable").tolist()


# Keys drawn from few values, so repeats are frequent; large ones exercise the wrapping multiplication.
key_values = st.sampled_from([0, 1, 2, 3, 2**63, 2**64 - 1, 12345678901234567])


@compiled_or_not
@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.tuples(key_values, st.booleans()), max_size=12),
    wanted=st.lists(st.tuples(key_values, st.booleans()), max_size=12),
)
def test_the_hash_index_finds_each_usable_key_or_says_keys_repeat(compiled, keys, wanted):
    values = np.array([k for k, _ in keys], dtype=np.uint64)
    usable = np.array([u for _, u in keys], dtype=np.bool_)
    with run(compiled):
        index, repeated = kernels.hash_index(values, usable)
    usable_keys = [k for k, u in keys if u]
    assert repeated == (len(set(usable_keys)) < len(usable_keys))
    if repeated:
        return
    row_of = {k: row for row, (k, u) in enumerate(keys) if u}
    wanted_keys = np.array([k for k, _ in wanted], dtype=np.uint64)
    with run(compiled):
        found = kernels.hash_find(index, values, wanted_keys, np.array([u for _, u in wanted], dtype=bool))
    assert found.tolist() == [row_of.get(k, -1) if u else -1 for k, u in wanted]


@compiled_or_not
@settings(max_examples=60, deadline=None)
@given(
    members=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.booleans()), max_size=12),
    items=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.booleans()), max_size=12),
)
def test_an_item_finds_the_member_of_its_own_household_with_its_key(compiled, members, items):
    """Members (household, key, usable) in household order; each item (household, key, usable)."""
    members = sorted(members, key=lambda m: m[0])
    households = np.array([h for h, _, _ in members], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(np.bincount(households, minlength=4))))
    member_keys = np.array([k for _, k, _ in members], dtype=np.uint64)
    member_usable = np.array([u for _, _, u in members], dtype=np.bool_)
    with run(compiled):
        repeated = kernels.repeats_in_households(member_keys, member_usable, starts)
        found = kernels.member_rows(
            member_keys,
            member_usable,
            starts,
            np.array([h for h, _, _ in items], dtype=np.int64),
            np.array([k for _, k, _ in items], dtype=np.uint64),
            np.array([u for _, _, u in items], dtype=np.bool_),
        )
    usable = [(h, k) for h, k, u in members if u]
    assert repeated == (len(set(usable)) < len(usable))
    if repeated:
        return
    row_of = {(h, k): row for row, (h, k, u) in enumerate(members) if u}
    assert found.tolist() == [row_of.get((h, k), -1) if u else -1 for h, k, u in items]


@compiled_or_not
@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 255)), max_size=20),
    width=st.sampled_from([np.uint8, np.uint16, np.uint64, np.int64]),
)
def test_child_rows_add_into_their_parents(compiled, rows, width):
    """Parents 0..3 and 4 for rows of no parent, which add to nobody; in any order, any integer width."""
    parents = np.array([p for p, _ in rows], dtype=np.int64)
    values = np.array([v for _, v in rows], dtype=width)
    with run(compiled):
        sums = kernels.reduce_by(values, parents, 4, "sum")
        ored = kernels.reduce_by(values, parents, 4, "or")
    of = [[v for p, v in rows if p == parent] for parent in range(4)]
    assert sums.dtype == width and ored.dtype == width
    assert sums.tolist() == np.array([sum(vs) for vs in of]).astype(width).tolist()  # narrow integers wrap
    assert ored.tolist() == [functools.reduce(operator.or_, vs, 0) for vs in of]


def test_without_a_writable_cache_folder_the_kernels_still_compile(monkeypatch):
    """numba refuses `cache=True` when no folder it may write to is found (a read-only install, no home)."""
    import numba

    compile_for_real = numba.njit

    def njit_without_a_cache_folder(*args, cache=False, **options):
        if cache:
            raise RuntimeError("cannot cache function '_stable_order': no locator available for file")
        return compile_for_real(*args, **options)

    monkeypatch.setattr(numba, "njit", njit_without_a_cache_folder)
    stable_order = kernels._compiled.__wrapped__(kernels._stable_order)
    assert stable_order(np.array([2, 0, 1, 0]), np.int64(3)).tolist() == [1, 3, 2, 0]
