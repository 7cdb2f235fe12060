"""Approving a roll freezes it: its rows are stored and every later request for that month reads them back.

Changes in the registry after approval never alter an approved roll; they reach the next month's roll as
arrears (a household that was due but missing) or as carry-over (a payment the bank could not make).
"""

from __future__ import annotations

import hashlib
import logging

import polars as pl
from sqlalchemy import Connection, Engine, insert, select, update

from doudi.audit.chain import record_bulk
from doudi.payments.models import PaymentRoll, PaymentRollRow
from doudi.payments.months import PaymentError, parse_month
from doudi.payments.roll import ROW_SCHEMA, Roll, compute_roll
from doudi.registry.bulk import fetch_frame, insert_frame

log = logging.getLogger(__name__)

BANK_COLUMNS: dict[str, pl.DataType] = {"bank_status": pl.String(), "bank_message": pl.String()}


def _approved(connection: Connection, month: str, region: str) -> PaymentRoll | None:
    found = connection.execute(
        select(PaymentRoll.id, PaymentRoll.approved_by).where(
            PaymentRoll.month == month, PaymentRoll.region_prefix == region
        )
    ).first()
    return found  # type: ignore[return-value]


def _overlapping(connection: Connection, month: str, region: str) -> list[str]:
    """Regions of approved rolls of the month that contain or lie inside `region` (a household is paid once)."""
    prefixes = connection.execute(select(PaymentRoll.region_prefix).where(PaymentRoll.month == month)).scalars()
    return [p for p in prefixes if p.startswith(region) or region.startswith(p)]


def frozen_rows(connection: Connection, roll_id: int) -> pl.DataFrame:
    columns = [getattr(PaymentRollRow, name) for name in (*ROW_SCHEMA, *BANK_COLUMNS)]
    query = select(*columns).where(PaymentRollRow.roll_id == roll_id)
    rows = fetch_frame(connection, query, {**ROW_SCHEMA, **BANK_COLUMNS})
    return rows.sort("village_code", "household_id", "program")


def payment_roll(engine: Engine, month: str, region: str = "") -> Roll:
    """The month's roll: the frozen one if it was approved, otherwise a draft computed now."""
    month = parse_month(month)
    with engine.connect() as connection:
        approved = _approved(connection, month, region)
        if approved is not None:
            return Roll(
                month,
                region,
                frozen_rows(connection, approved.id),
                roll_id=approved.id,
                approved_by=approved.approved_by,
            )
    return compute_roll(engine, month, region)


def approve_roll(engine: Engine, month: str, region: str, approved_by: str) -> Roll:
    """Compute and freeze the month's roll in one transaction; approving it again returns the frozen roll."""
    month = parse_month(month)
    if not approved_by.strip():
        raise PaymentError("审批发放花名册须写明审批人（--by 姓名）")
    with engine.connect() as connection:
        approved = _approved(connection, month, region) is not None
        clash = _overlapping(connection, month, region)
    if approved:
        return payment_roll(engine, month, region)
    if clash:
        shown = "、".join(p or "全县" for p in clash)
        raise PaymentError(f"{month} 已有包含或属于本地区的已审批花名册（{shown}），同一户一个月只能发放一次")
    roll = compute_roll(engine, month, region)
    with engine.begin() as connection:
        roll_id = connection.execute(
            insert(PaymentRoll)
            .values(
                month=month,
                region_prefix=region,
                approved_by=approved_by.strip(),
                households=roll.rows.height,
                total_fen=roll.total_fen,
            )
            .returning(PaymentRoll.id)
        ).scalar_one()
        insert_frame(connection, PaymentRollRow.__tablename__, roll.rows.with_columns(roll_id=pl.lit(roll_id)))
        summary = {
            "batch_id": roll_id,
            "month": month,
            "region_prefix": region,
            "rows": roll.rows.height,
            "total_fen": roll.total_fen,
            "rows_sha256": hashlib.sha256(roll.rows.write_csv().encode()).hexdigest(),
        }
        record_bulk(connection, approved_by.strip(), PaymentRoll.__tablename__, "bulk", summary, why="审批发放花名册")
        # Failed payments carried into this roll are settled: they are never carried twice.
        carried = roll.rows.filter(pl.col("carry_over_fen") > 0)["household_id"].to_list()
        if carried:
            connection.execute(
                update(PaymentRollRow)
                .where(
                    PaymentRollRow.bank_status == "failed",
                    PaymentRollRow.carried_to_roll_id.is_(None),
                    PaymentRollRow.household_id.in_(carried),
                    PaymentRollRow.roll_id != roll_id,
                )
                .values(carried_to_roll_id=roll_id)
            )
    log.info("payment roll %s region=%r approved by %s: %d rows", month, region, approved_by, roll.rows.height)
    return payment_roll(engine, month, region)
