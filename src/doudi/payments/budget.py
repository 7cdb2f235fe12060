"""Budget (资金预算): spending by month and program for the year so far, projected to the year's end.

Months with approved rolls count as paid (their totals, arrears and carry-over included). The remaining
months are projected at the regular monthly amount (保障金 + 分类施保金, without arrears) of the latest
approved month, or of a draft roll for the first unpaid month when nothing is approved yet. A projection
assumes no new enrollments and no exits; it is a planning figure, not a forecast of caseload. Temporary
assistance is paid once, so it is never projected forward.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, func, select

from doudi.payments.models import PaymentRoll, PaymentRollRow
from doudi.payments.months import month_number, month_text
from doudi.payments.roll import compute_roll

SCHEMA: dict[str, pl.DataType] = {
    "month": pl.String(),
    "program": pl.String(),
    "households": pl.Int64(),
    "persons": pl.Int64(),
    "amount_fen": pl.Int64(),
    "regular_fen": pl.Int64(),
    "kind": pl.String(),  # 已发放 | 预计
}


def _paid(engine: Engine, year: int, region: str) -> pl.DataFrame:
    query = (
        select(
            PaymentRoll.month,
            PaymentRollRow.program,
            func.count().label("households"),
            func.sum(PaymentRollRow.persons).label("persons"),
            func.sum(PaymentRollRow.total_fen).label("amount_fen"),
            func.sum(PaymentRollRow.benefit_fen + PaymentRollRow.supplement_fen).label("regular_fen"),
        )
        .join(PaymentRoll, PaymentRoll.id == PaymentRollRow.roll_id)
        .where(PaymentRoll.month.like(f"{year:04d}-%"))
        .group_by(PaymentRoll.month, PaymentRollRow.program)
    )
    if region:
        query = query.where(PaymentRollRow.village_code.like(f"{region}%"))
    with engine.connect() as connection:
        rows = [(*r, "已发放") for r in connection.execute(query).all()]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def budget(engine: Engine, year: int, region: str = "") -> pl.DataFrame:
    """One row per month and program of `year`: paid (已发放) or projected (预计)."""
    paid = _paid(engine, year, region)
    months = [month_text(year * 12 + m) for m in range(12)]
    done = set(paid["month"].to_list())
    todo = [m for m in months if m not in done and month_number(m) > max(map(month_number, done), default=-1)]
    if not todo:
        return paid.sort("month", "program")
    if done:
        latest = paid.filter(pl.col("month") == max(done)).select("program", "households", "persons", "regular_fen")
    else:
        draft = compute_roll(engine, todo[0], region).rows
        latest = draft.group_by("program").agg(
            pl.len().cast(pl.Int64).alias("households"),
            pl.col("persons").sum().cast(pl.Int64),
            (pl.col("benefit_fen") + pl.col("supplement_fen")).sum().cast(pl.Int64).alias("regular_fen"),
        )
    latest = latest.filter(pl.col("program") != "temporary")  # one-off payments do not recur
    projected = pl.concat(
        [
            latest.select(
                pl.lit(month).alias("month"),
                "program",
                "households",
                "persons",
                pl.col("regular_fen").alias("amount_fen"),
                "regular_fen",
                pl.lit("预计").alias("kind"),
            )
            for month in todo
        ]
    )
    return pl.concat([paid, projected.cast(SCHEMA)], how="vertical_relaxed").sort("month", "program")  # type: ignore[arg-type]


def budget_summary(table: pl.DataFrame) -> dict[str, int]:
    """Paid so far, projected remainder and the year's total, in fen."""
    paid = int(table.filter(pl.col("kind") == "已发放")["amount_fen"].sum() or 0)
    projected = int(table.filter(pl.col("kind") == "预计")["amount_fen"].sum() or 0)
    return {"paid_fen": paid, "projected_fen": projected, "year_fen": paid + projected}
