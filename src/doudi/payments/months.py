"""Payment months as text ('2020-07') and as month numbers (year × 12 + month − 1) for arithmetic."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl


class PaymentError(ValueError):
    """A payment request that cannot be carried out; the message is Chinese, for the user."""


def parse_month(text: str) -> str:
    match = re.fullmatch(r"(\d{4})-?(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PaymentError(f"月份“{text}”格式不对，应写成 2020-07")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def month_number(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def month_text(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def first_day(month: str) -> dt.date:
    year, number = month.split("-")
    return dt.date(int(year), int(number), 1)


def month_number_expr(date: pl.Expr) -> pl.Expr:
    return date.dt.year().cast(pl.Int64) * 12 + date.dt.month().cast(pl.Int64) - 1
