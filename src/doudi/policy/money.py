"""Money: integer fen inside, yuan with two decimals at the edges, and the one rounding rule.

Amounts that come out of a division (a monthly top-up from yearly incomes, a gradual-exit month at a
fraction of the base) are computed exactly as integer numerator / denominator and rounded once, here,
by the profile's rounding mode. Shares from profiles are exact basis points (1/10000).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

BASIS = 10_000  # basis points: shares are held as integers out of 10,000


class MoneyError(ValueError):
    """An amount that is not money; the message is for the user (Chinese)."""


def yuan_to_fen(value: object) -> int:
    """An amount in yuan (number or text, at most two decimals) as integer fen, exactly."""
    if isinstance(value, bool) or value is None:
        raise MoneyError(f"金额“{value}”不是数字")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise MoneyError(f"金额“{value}”不是数字") from None
    if not amount.is_finite():
        raise MoneyError(f"金额“{value}”不是数字")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyError(f"金额“{value}”超过两位小数")
    return int(fen)


def fen_to_yuan(fen: int | None) -> str | None:
    """'1234.50' for 123450 fen; None stays None."""
    if fen is None:
        return None
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def format_yuan(fen: int | None) -> str:
    """'¥1,234.50' for people."""
    if fen is None:
        return "—"
    amount = (Decimal(fen) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"¥{amount:,.2f}"


def per_capita_monthly_fen(yearly_fen_e4: Any, size: Any) -> Any:
    """A household's yearly figure (fen × 10⁴) per person and month, in fen, rounded half up; `size` ≥ 1.
    Works alike on ints and on Polars expressions (the operators are the same)."""
    return (yearly_fen_e4 * 2 + size * 120_000) // (size * 240_000)


def share_to_basis_points(share: Decimal) -> int:
    return int(share * BASIS)


def yuan_column_to_fen(frame: pl.DataFrame, column: str, source: str | Path) -> pl.Series:
    """A text column of yuan amounts as fen; blanks stay null, anything else that is not money is an error."""
    values = frame[column]
    out: list[int | None] = []
    for row, value in enumerate(values):
        text = (value or "").strip()
        if not text:
            out.append(None)
            continue
        try:
            out.append(yuan_to_fen(text))
        except MoneyError as error:
            raise MoneyError(f"{source} 第 {row + 2} 行 {column}：{error}") from None
    return pl.Series(column, out, dtype=pl.Int64)


def divide_rounded(numerator: pl.Expr, denominator: int | pl.Expr, mode: str, *, clip_negative: bool = True) -> pl.Expr:
    """numerator / denominator in fen, rounded by the profile's mode; negative numerators give 0.

    Modes: fen_half_up (四舍五入到分), fen_up (进到分), yuan_half_up (四舍五入到元), yuan_up (进到元).
    Works on list columns too (gradual-exit schedules) when the caller guarantees numerators ≥ 0.
    """
    num = pl.max_horizontal(numerator, pl.lit(0, dtype=pl.Int64)).cast(pl.Int64) if clip_negative else numerator
    den = denominator if isinstance(denominator, pl.Expr) else pl.lit(denominator, dtype=pl.Int64)
    if mode == "fen_half_up":
        return (num * 2 + den) // (den * 2)
    if mode == "fen_up":
        return (num + den - 1) // den
    if mode == "yuan_half_up":
        return ((num * 2 + den * 100) // (den * 200)) * 100
    if mode == "yuan_up":
        return ((num + den * 100 - 1) // (den * 100)) * 100
    raise ValueError(f"unknown rounding mode {mode!r}")
