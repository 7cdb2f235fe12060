"""Row numbering links households, members and items exactly as joins on the string keys would, whichever
path it takes: the hash lookup, or the string join it falls back to when hashes collide."""

from __future__ import annotations

from unittest import mock

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.rules import kernels, numbering, parallel
from doudi.rules.numbering import number_rows
from doudi.rules.schema import EXPENSES, HOUSEHOLDS, INCOMES, MEMBERS, conform


def joined(households, members, incomes, expenses):
    """What the numbering must equal: inner joins to the household, left join to the member; members and items
    ordered by household, stably."""
    households = households.with_row_index("_h")
    h_index = households.select("household_id", "_h")
    members = (
        members.join(h_index, on="household_id", maintain_order="left")
        .sort("_h", maintain_order=True)
        .with_row_index("_m")
    )
    m_index = members.select("_h", "id_number", "_m")

    def items(frame):
        frame = frame.join(h_index, on="household_id", maintain_order="left")
        frame = frame.join(m_index, on=["_h", "id_number"], how="left", maintain_order="left")
        return frame.sort("_h", maintain_order=True)

    return {"household": households, "member": members, "income": items(incomes), "expense": items(expenses)}


def frames(household_ids, member_rows, income_rows):
    households = conform(pl.DataFrame({"household_id": household_ids}, schema={"household_id": pl.String}), HOUSEHOLDS)
    members = conform(
        pl.DataFrame(member_rows, schema={"household_id": pl.String, "id_number": pl.String}, orient="row"), MEMBERS
    )
    income_schema = {"household_id": pl.String, "id_number": pl.String, "yearly_fen": pl.Int64}
    incomes = conform(pl.DataFrame(income_rows, schema=income_schema, orient="row"), INCOMES)
    return households, members, incomes, conform(pl.DataFrame(), EXPENSES)


def assert_as_joined(households, members, incomes, expenses):
    got = number_rows(households, members, incomes, expenses)
    want = joined(households, members, incomes, expenses)
    for entity in want:
        assert got[entity].equals(want[entity]), entity


def coarse_hash(keys: pl.Series) -> np.ndarray:
    """A hash that collides all the time: the key's length."""
    return keys.str.len_bytes().fill_null(0).cast(pl.UInt64).to_numpy()


COUNTY = frames(
    ["h1", "h2", "h3"],
    [("h1", "a"), ("h1", "b"), ("h2", "c"), ("h3", "d"), ("h3", "e")],
    [("h3", "e", 100), ("h1", None, 200), ("h2", "c", 300), ("h1", "b", 400), ("h3", "x", 500)],
)


def test_members_in_the_households_order_are_numbered_in_place():
    got = number_rows(*COUNTY)
    assert got["member"]["_h"].to_list() == [0, 0, 1, 2, 2]
    assert got["member"]["_m"].to_list() == [0, 1, 2, 3, 4]
    # Items come in household order, as they came within a household, with their member; household income and
    # a stranger have none.
    assert got["income"]["yearly_fen"].to_list() == [200, 400, 300, 100, 500]
    assert got["income"]["_m"].to_list() == [None, 1, 2, 4, None]
    assert_as_joined(*COUNTY)


def test_members_out_of_order_or_of_unlisted_households_are_sorted_and_dropped_as_a_join_would():
    households, members, incomes, expenses = COUNTY
    assert_as_joined(households, members.reverse(), incomes, expenses)
    assert_as_joined(households.filter(pl.col("household_id") != "h2"), members, incomes, expenses)
    got = number_rows(households.reverse(), members, incomes, expenses)
    assert got["member"]["household_id"].to_list() == ["h3", "h3", "h2", "h1", "h1"]


def test_a_household_without_members_and_members_without_a_household():
    households, members, incomes, expenses = frames(
        ["h1", "h2", "h3"], [("h1", "a"), ("h3", "b"), (None, "c"), ("h9", "d")], [("h2", None, 1), (None, "a", 2)]
    )
    got = number_rows(households, members, incomes, expenses)
    assert got["member"]["id_number"].to_list() == ["a", "b"]
    assert got["income"]["yearly_fen"].to_list() == [1]
    assert_as_joined(households, members, incomes, expenses)


def test_colliding_hashes_fall_back_to_the_string_join(monkeypatch):
    monkeypatch.setattr(numbering, "_hash", coarse_hash)
    households, members, incomes, expenses = COUNTY
    assert_as_joined(*COUNTY)
    assert_as_joined(households, members.reverse(), incomes.reverse(), expenses)


def test_a_key_whose_hash_alone_matches_a_parent_is_no_match(monkeypatch):
    """'h9' and 'p9' hash like 'h1' and 'a' here, so only the string check can tell them apart."""
    aliases = {"h9": "h1", "p9": "a"}
    monkeypatch.setattr(numbering, "_hash", lambda keys: keys.replace(aliases).hash().to_numpy())
    households, members, incomes, expenses = frames(
        ["h1", "h2"],
        [("h2", "b"), ("h1", "a"), ("h9", "c")],
        [("h9", "a", 1), ("h1", "p9", 2), ("h1", "a", 3)],
    )
    got = number_rows(households, members, incomes, expenses)
    assert got["member"]["id_number"].to_list() == ["a", "b"]
    assert got["income"].select("yearly_fen", "_m").rows() == [(2, None), (3, 0)]
    assert_as_joined(households, members, incomes, expenses)


def test_duplicate_keys_give_what_the_join_gives():
    """A household listed twice takes its members twice; a member listed twice takes their income twice."""
    assert_as_joined(*frames(["h1", "h2", "h1"], [("h1", "a"), ("h2", "b")], [("h1", "a", 1)]))
    assert_as_joined(*frames(["h1", "h2"], [("h1", "a"), ("h2", "b"), ("h1", "a")], [("h1", "a", 1), ("h2", "b", 2)]))


keys = st.sampled_from(["h1", "h2", "h3", "h4", "hh", None])
people = st.sampled_from(["a", "b", "c", "dd", None])


@settings(max_examples=150, deadline=None)
@given(
    household_ids=st.lists(st.sampled_from(["h1", "h2", "h3", "h4", "hh"]), max_size=5),
    member_rows=st.lists(st.tuples(keys, people), max_size=10),
    income_rows=st.lists(st.tuples(keys, people, st.integers(0, 9)), max_size=10),
    collide=st.booleans(),
    threads=st.booleans(),
    compiled=st.booleans(),
)
def test_numbering_always_equals_the_joins(household_ids, member_rows, income_rows, collide, threads, compiled):
    """Also as for a large county: the children numbered in threads, the kernels compiled."""
    with (
        mock.patch.object(numbering, "_hash", coarse_hash if collide else numbering._hash),
        mock.patch.object(parallel, "MIN_ROWS", 0 if threads else parallel.MIN_ROWS),
        mock.patch.object(kernels, "COMPILE_MIN_ROWS", 0 if compiled else kernels.COMPILE_MIN_ROWS),
    ):
        assert_as_joined(*frames(household_ids, member_rows, income_rows))


def test_an_id_number_twice_in_one_household_is_found_apart_from_its_twin():
    """The twin is two places further on: the duplicate check looks past the next member."""

    def repeats(keys, households, usable):
        starts = np.concatenate(([0], np.cumsum(np.bincount(households))))
        return kernels.repeats_in_households(np.array(keys, dtype=np.uint64), np.array(usable), starts)

    assert repeats([5, 6, 5], [0, 0, 0], [True, True, True])
    assert not repeats([5, 6, 5], [0, 0, 1], [True, True, True])
    assert not repeats([5, 6, 5], [0, 0, 0], [True, True, False])
    assert_as_joined(*frames(["h1"], [("h1", "a"), ("h1", "b"), ("h1", "a")], [("h1", "a", 1), ("h1", "b", 2)]))
