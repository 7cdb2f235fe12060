"""Payee bank accounts (账户名称, 开户银行, 账号): masked on screen, filled for synthetic counties."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, select

from doudi.payments.models import PayeeAccount
from doudi.payments.roll import PROGRAMS, household_heads
from doudi.registry.bulk import fetch_frame, insert_frame
from doudi.registry.models import Enrollment, Member

BANKS = ("农村信用合作社", "中国农业银行", "中国邮政储蓄银行")


def mask_account(number: str | None) -> str | None:
    """Screens and public lists show only the last four digits: ************1234."""
    if not number or len(number) <= 4:
        return number
    return "*" * (len(number) - 4) + number[-4:]


def synthetic_accounts(members: pl.DataFrame) -> pl.DataFrame:
    """Plausible accounts for synthetic households: in the head's name, a 19-digit card number from the id.

    For tests, the demo and benchmarks only; real accounts come from the township's bank list.
    """
    heads = household_heads(members).select("household_id", "name")
    digest = pl.col("household_id").hash(seed=20200701)
    return heads.select(
        "household_id",
        pl.col("name").alias("account_name"),
        (digest % len(BANKS))
        .cast(pl.Int64)
        .replace_strict(dict(enumerate(BANKS)), return_dtype=pl.String())
        .alias("bank"),
        pl.concat_str(pl.lit("6228"), (digest % 10**15).cast(pl.String).str.zfill(15)).alias("account_number"),
    )


def fill_synthetic_accounts(engine: Engine) -> int:
    """Give every enrolled household without an account a synthetic one. Returns the number added."""
    with engine.begin() as connection:
        enrolled = select(Enrollment.household_id).where(Enrollment.program.in_(PROGRAMS))
        have = select(PayeeAccount.household_id)
        members = fetch_frame(
            connection,
            select(Member.household_id, Member.name, Member.relation).where(
                Member.household_id.in_(enrolled), Member.household_id.not_in(have)
            ),
            {"household_id": pl.String(), "name": pl.String(), "relation": pl.String()},
        )
        return insert_frame(connection, PayeeAccount.__tablename__, synthetic_accounts(members))
