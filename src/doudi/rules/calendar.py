"""Calendar arithmetic for the rules: ages and month offsets as integer look-ups into one 400-year table.

Polars' date fields and month offsets convert dates one by one and were the slowest steps of an assessment
at a million members. The Gregorian calendar repeats exactly every 400 years (146,097 days, 4,800 months),
so a table of one cycle answers for every date: the cycle is a division, the rest a gather. The work is
done in numpy on whole columns (one pass per step, no repeated sub-expressions); nulls stay null.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

CYCLE_DAYS = 146_097
CYCLE_MONTHS = 4_800
_FIRST = dt.date(1800, 1, 1)  # any 1 January starts a cycle; this one covers today's births and dates
_FIRST_DAY = (_FIRST - dt.date(1970, 1, 1)).days
_DAYS = pl.date_range(_FIRST, dt.date(_FIRST.year + 399, 12, 31), eager=True)
_YEAR, _MONTH, _DAY = (part.cast(pl.Int64).to_numpy() for part in (_DAYS.dt.year(), _DAYS.dt.month(), _DAYS.dt.day()))
# day of the cycle -> yyyymmdd less the cycle's first year; -> month of the cycle × 32 + day of the month
_YYYYMMDD = (_YEAR - _FIRST.year) * 10_000 + _MONTH * 100 + _DAY
_MONTH_DAY = ((_YEAR - _FIRST.year) * 12 + _MONTH - 1) * 32 + _DAY
_MONTHS = pl.date_range(_FIRST, dt.date(_FIRST.year + 399, 12, 1), interval="1mo", eager=True)
_MONTH_FIRST_DAY = _MONTHS.to_physical().cast(pl.Int64).to_numpy() - _FIRST_DAY  # month of the cycle -> its 1st
_MONTH_LENGTH = _MONTHS.dt.month_end().dt.day().cast(pl.Int64).to_numpy()


def whole_years(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole years from `start` to `end` (an age): a birthday counts from its day, 29 February's from
    1 March in other years. yyyymmdd numbers subtract exactly so: the difference of the years, less one when
    the month and day of `end` come before those of `start`."""
    return pl.map_batches([start, end], _whole_years, return_dtype=pl.Int64)


def add_months(day: pl.Expr, months: pl.Expr) -> pl.Expr:
    """The same day `months` later, or the last day of that month when it is shorter (as Polars' offset_by)."""
    return pl.map_batches([day, months], _add_months, return_dtype=pl.Date)


def months_later(day: dt.date, months: int) -> dt.date:
    """`add_months` for one date: review dates, schedules and look-back windows all count months this way."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _whole_years(columns: Sequence[pl.Series]) -> pl.Series:
    start, end = columns
    return _with_nulls((_yyyymmdd(_offsets(end)) - _yyyymmdd(_offsets(start))) // 10_000, columns)


def _add_months(columns: Sequence[pl.Series]) -> pl.Series:
    day, months = columns
    offset = _offsets(day)
    cycle, within = _cycle(offset)
    month_day = _MONTH_DAY[within]
    month = cycle * CYCLE_MONTHS + month_day // 32 + months.fill_null(0).cast(pl.Int64).to_numpy()
    month_cycle, month = np.divmod(month, CYCLE_MONTHS)
    days = np.minimum(month_day % 32, _MONTH_LENGTH[month]) - 1
    result = _MONTH_FIRST_DAY[month] + month_cycle * CYCLE_DAYS + days + _FIRST_DAY
    return _with_nulls(result, columns).cast(pl.Int32).cast(pl.Date)


def _offsets(day: pl.Series) -> np.ndarray:
    """Days since the table's first day (nulls read as 0 and restored by `_with_nulls`)."""
    days = day.to_physical()
    return (days.fill_null(0) if days.null_count() else days).to_numpy().astype(np.int64) - _FIRST_DAY


def _cycle(offset: np.ndarray) -> tuple[np.ndarray | int, np.ndarray]:
    """The 400-year cycle of each day and its day within the cycle (no division when all are in the table's)."""
    if len(offset) == 0 or (offset.min() >= 0 and offset.max() < CYCLE_DAYS):
        return 0, offset
    return np.divmod(offset, CYCLE_DAYS)


def _yyyymmdd(offset: np.ndarray) -> np.ndarray:
    cycle, within = _cycle(offset)
    return _YYYYMMDD[within] + (cycle * 400 + _FIRST.year) * 10_000


def _with_nulls(values: np.ndarray, columns: Sequence[pl.Series]) -> pl.Series:
    result = pl.Series(values)
    missing = np.zeros(len(values), dtype=bool)
    for column in columns:
        if column.null_count():
            missing |= column.is_null().to_numpy()
    return result.scatter(np.flatnonzero(missing), None) if missing.any() else result
