"""Aggregates of child rows per parent (household size, income sums, any/all member tests): every parent gets
its own rows' result, parents without rows the variable's fill, rows without a parent count for nobody, in
whatever order the rows come."""

from __future__ import annotations

import polars as pl

from doudi.policy.profile import load_profile
from doudi.rules.evaluator import _aggregate
from doudi.rules.variables import Variable


def aggregate(reduce, fill, formula):
    return Variable(
        name=f"x_{reduce}",
        entity="household",
        label="",
        policy=(),
        params=(),
        depends=(),
        formula=lambda p: formula,
        aggregate_from="income",
        reduce=reduce,
        fill=fill,
    )


def test_each_household_gets_its_own_rows_whatever_their_order():
    frames = {
        "household": pl.DataFrame({"_h": [0, 1, 2, 3]}, schema={"_h": pl.UInt32}),
        "member": pl.DataFrame({"_m": [], "_h": []}, schema={"_m": pl.UInt32, "_h": pl.UInt32}),
        # household 1 has no rows; one row has no household; rows are out of order; one amount is null
        "income": pl.DataFrame(
            {
                "_h": [2, 0, None, 2, 0, 3],
                "_m": [None] * 6,
                "yearly_fen": [5, 1, 100, None, 2, 7],
                "ok": [True, True, False, None, False, True],
            },
            schema={"_h": pl.UInt32, "_m": pl.UInt32, "yearly_fen": pl.Int64, "ok": pl.Boolean},
        ),
    }
    layer = [
        aggregate("sum", 0, pl.col("yearly_fen")),
        aggregate("count", 0, pl.lit(1)),
        aggregate("any", False, pl.col("ok")),
        aggregate("all", False, pl.col("ok")),
    ]
    cache = {}
    _aggregate(frames, load_profile("jilin-2020"), layer, cache)
    got = frames["household"].select("x_sum", "x_count", "x_any", "x_all").rows()
    # A null amount adds nothing; a null test is false for 'any' and no objection for 'all'.
    assert got == [(3, 2, True, False), (0, 0, False, False), (5, 2, True, True), (7, 1, True, True)]
    # The parents found once are reused by the next aggregate of the same rows.
    assert list(cache) == [("income", "_h")]
    _aggregate(frames, load_profile("jilin-2020"), [aggregate("sum", 0, pl.col("yearly_fen") * 2)], cache)
    assert frames["household"]["x_sum"].to_list() == [6, 0, 10, 14]
