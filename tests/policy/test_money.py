"""The one per-capita monthly rounding (shown to people next to the monthly standard): half up, alike on ints
and on Polars columns, so monitoring, reports and decisions print the same figure."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from doudi.policy.money import per_capita_monthly_fen


@given(st.integers(0, 10**13), st.integers(1, 12))
def test_per_capita_monthly_is_yearly_over_twelve_months_and_the_members_rounded_half_up(
    yearly_fen_e4: int, size: int
) -> None:
    exact = Decimal(yearly_fen_e4) / Decimal(10_000 * 12 * size)
    expected = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert per_capita_monthly_fen(yearly_fen_e4, size) == expected
    column = pl.DataFrame({"income": [yearly_fen_e4], "size": [size]}).select(
        per_capita_monthly_fen(pl.col("income"), pl.col("size"))
    )
    assert column.item() == expected
