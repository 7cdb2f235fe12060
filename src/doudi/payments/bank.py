"""The bank file (代发文件) sent with an approved roll, and reconciliation with the bank's result file.

Bank file: CSV, UTF-8, one header line, one line per payment, then one checksum line:

    业务编号,户编号,账户名称,开户银行,账号,金额（元）,摘要
    2020-07-2201821012010001-dibao,2201821012010001,张三,中国农业银行,6228480000000000001,500.00,2020年7月低保金
    ...
    校验,<payments>,<total yuan>,<SHA-256 hex of every line above, each ending in \\n, UTF-8>

Result file from the bank: CSV with at least 业务编号 and 结果 (成功 / 失败), optionally 原因 and 金额（元）.
Failed payments are listed and paid again on the next approved roll (carry-over).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, bindparam, select, update

from doudi.audit.chain import record_bulk
from doudi.payments.models import PaymentRoll, PaymentRollRow
from doudi.payments.months import PaymentError, parse_month
from doudi.payments.roll import Roll
from doudi.policy.money import fen_to_yuan, yuan_to_fen
from doudi.rules.explain import chinese_month

BANK_HEADER = ("业务编号", "户编号", "账户名称", "开户银行", "账号", "金额（元）", "摘要")
PROGRAM_NAMES = {"dibao": "低保金", "tekun": "特困供养金", "temporary": "临时救助金"}
RESULT_PAID, RESULT_FAILED = "成功", "失败"


def payment_reference(month: str, household_id: str, program: str) -> str:
    return f"{month}-{household_id}-{program}"


def bank_file_text(roll: Roll) -> str:
    """The bank file of an approved roll (payments of zero are left out)."""
    if roll.roll_id is None:
        raise PaymentError(
            f"{chinese_month(roll.month)}花名册尚未审批，不能生成银行代发文件（先用 --approve --by 审批）"
        )
    lines = [",".join(BANK_HEADER)]
    paid = roll.rows.filter(pl.col("total_fen") > 0)
    missing = paid.filter(pl.col("account_number").is_null())
    if missing.height:
        shown = "、".join(missing["household_id"].head(5).to_list())
        raise PaymentError(f"{missing.height} 户没有银行账户（如 {shown}），请先登记账户")
    for row in paid.iter_rows(named=True):
        summary = chinese_month(roll.month) + PROGRAM_NAMES.get(row["program"], "救助金")
        fields = [
            payment_reference(roll.month, row["household_id"], row["program"]),
            row["household_id"],
            row["account_name"] or row["name"],
            row["bank"] or "",
            row["account_number"],
            fen_to_yuan(row["total_fen"]) or "0.00",
            summary,
        ]
        lines.append(",".join(_csv_field(str(f)) for f in fields))
    body = "".join(line + "\n" for line in lines)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    total = fen_to_yuan(int(paid["total_fen"].sum() or 0)) or "0.00"
    return body + f"校验,{paid.height},{total},{digest}\n"


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def verify_bank_file(text: str) -> bool:
    """Whether the checksum line matches the lines above it (what the bank checks on receipt)."""
    body, _, last = text.rstrip("\n").rpartition("\n")
    parts = last.split(",")
    if len(parts) != 4 or parts[0] != "校验":
        return False
    return hashlib.sha256((body + "\n").encode("utf-8")).hexdigest() == parts[3]


def write_bank_file(roll: Roll, path: Path) -> None:
    path.write_text(bank_file_text(roll), encoding="utf-8")


def read_result_file(path: Path) -> pl.DataFrame:
    try:
        data = path.read_bytes()
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
    except (OSError, pl.exceptions.PolarsError) as error:
        raise PaymentError(f"无法读取银行回盘文件 {path.name}：{error}") from error
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    for column in ("业务编号", "结果"):
        if column not in frame.columns:
            raise PaymentError(f"银行回盘文件缺少“{column}”列（应有：业务编号、结果，可选：原因、金额（元））")
    frame = frame.filter(pl.col("业务编号") != "校验")
    bad = frame.filter(~pl.col("结果").str.strip_chars().is_in([RESULT_PAID, RESULT_FAILED]))
    if bad.height:
        raise PaymentError(f"第 {bad.row(0)[0]} 笔的结果“{bad['结果'][0]}”无法识别，只能是“成功”或“失败”")
    return frame


def reconcile(engine: Engine, month: str, result_file: Path, by: str = "银行回盘") -> pl.DataFrame:
    """Record the bank's result per payment of the month's approved rolls; returns the failed payments.

    All or nothing: an unknown payment reference or an amount that differs from the roll stops the whole
    file with a Chinese error and nothing is recorded.
    """
    month = parse_month(month)
    results = read_result_file(result_file)
    with engine.begin() as connection:
        rows = connection.execute(
            select(
                PaymentRollRow.id,
                PaymentRollRow.household_id,
                PaymentRollRow.program,
                PaymentRollRow.total_fen,
            )
            .join(PaymentRoll, PaymentRoll.id == PaymentRollRow.roll_id)
            .where(PaymentRoll.month == month)
        ).all()
        if not rows:
            raise PaymentError(f"{chinese_month(month)}没有已审批的发放花名册，无法对账")
        by_reference = {payment_reference(month, r.household_id, r.program): r for r in rows}
        updates: list[dict[str, object]] = []
        for record in results.iter_rows(named=True):
            reference = record["业务编号"].strip()
            row = by_reference.get(reference)
            if row is None:
                raise PaymentError(f"回盘文件中的业务编号 {reference} 不在{chinese_month(month)}已审批的花名册中")
            amount = record.get("金额（元）")
            if amount and yuan_to_fen(amount) != row.total_fen:
                raise PaymentError(
                    f"业务编号 {reference} 的金额 {amount} 元与花名册的 {fen_to_yuan(row.total_fen)} 元不符"
                )
            status = "paid" if record["结果"].strip() == RESULT_PAID else "failed"
            message = (record.get("原因") or "").strip() or None
            updates.append({"row_id": row.id, "status": status, "message": message})
        if updates:  # one executemany, not a statement per payment
            connection.execute(
                update(PaymentRollRow)
                .where(PaymentRollRow.id == bindparam("row_id"))
                .values(bank_status=bindparam("status"), bank_message=bindparam("message")),
                updates,
            )
        failed = sum(u["status"] == "failed" for u in updates)
        summary = {
            "batch_id": month,
            "file": result_file.name,
            "sha256": hashlib.sha256(result_file.read_bytes()).hexdigest(),
            "paid": len(updates) - failed,
            "failed": failed,
        }
        record_bulk(connection, by, PaymentRollRow.__tablename__, "bulk", summary, why="导入银行回盘对账")
    return failed_payments(engine, month)


def failed_payments(engine: Engine, month: str) -> pl.DataFrame:
    """The month's failed payments, with whether a later roll has paid them again."""
    query = (
        select(
            PaymentRollRow.household_id,
            PaymentRollRow.program,
            PaymentRollRow.village_code,
            PaymentRollRow.name,
            PaymentRollRow.total_fen,
            PaymentRollRow.bank_message,
            PaymentRollRow.carried_to_roll_id,
        )
        .join(PaymentRoll, PaymentRoll.id == PaymentRollRow.roll_id)
        .where(PaymentRoll.month == parse_month(month), PaymentRollRow.bank_status == "failed")
        .order_by(PaymentRollRow.village_code, PaymentRollRow.household_id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    schema = {
        "household_id": pl.String(),
        "program": pl.String(),
        "village_code": pl.String(),
        "name": pl.String(),
        "total_fen": pl.Int64(),
        "bank_message": pl.String(),
        "carried_to_roll_id": pl.Int64(),
    }
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
