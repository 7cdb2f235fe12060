"""Arrears never pay a month twice and never miss one (COV-7): a property over the pure arrears step."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.payments.months import month_number, month_text
from doudi.payments.roll import arrears_months

NOW = month_number("2020-12")
WINDOW = list(range(NOW - 12, NOW))


@settings(max_examples=200, deadline=None)
@given(
    since_month=st.integers(min_value=NOW - 18, max_value=NOW - 1),
    since_day=st.integers(min_value=1, max_value=28),
    approved=st.sets(st.sampled_from(WINDOW)),
    paid_share=st.sets(st.sampled_from(WINDOW)),
)
def test_arrears_are_exactly_the_missed_due_months(
    since_month: int, since_day: int, approved: set[int], paid_share: set[int]
) -> None:
    since = dt.date(since_month // 12, since_month % 12 + 1, since_day)
    due_from = since_month if since_day == 1 else since_month + 1  # in force on the month's 1st
    paid = {m for m in paid_share & approved if m >= due_from}  # a household is only on rolls it was due for
    household = pl.DataFrame(
        {"household_id": ["h"], "program": ["dibao"], "village_code": ["220182101201"], "region_code": ["220182"]}
    ).with_columns(since=pl.lit(since))
    rolls = pl.DataFrame({"month": [month_text(m) for m in sorted(approved)], "region_prefix": "220182"})
    rows = pl.DataFrame(
        {
            "household_id": "h",
            "program": "dibao",
            "first_month": [month_text(m) for m in sorted(paid)],
            "month": [month_text(m) for m in sorted(paid)],
        },
        schema={"household_id": pl.String, "program": pl.String, "first_month": pl.String, "month": pl.String},
    )
    result = arrears_months(household, rolls, rows, NOW)
    missed = {m for m in approved if m >= due_from} - paid
    got = int(result["arrears_months"].sum() or 0) if result.height else 0
    assert got == len(missed)
    if missed:
        assert result["first_missed"][0] == month_text(min(missed))
