"""Appending to the hash-chained audit trail and verifying it.

The hash of record n is SHA-256 over the canonical JSON of (previous hash, n, who, when, table, key,
action, before, after, why). Appending first locks the `audit_head` row (an UPDATE), so two transactions
appending at once are serialised by the database on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from doudi.audit.models import AuditHead, AuditRecord
from doudi.registry.models import utc_now

GENESIS = "0" * 64
ACTIONS = ("insert", "update", "delete", "bulk")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def canonical(value: Any) -> str | None:
    """Canonical JSON (sorted keys, no spaces, UTF-8 text kept), or None for None."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)


@dataclass(frozen=True)
class Change:
    """One audited change, before it is chained."""

    who: str
    table_name: str
    record_key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    why: str | None = None


def record_hash(
    prev_hash: str,
    seq: int,
    who: str,
    at: dt.datetime,
    table_name: str,
    record_key: str,
    action: str,
    before: str | None,
    after: str | None,
    why: str | None,
) -> str:
    payload = canonical(
        [prev_hash, seq, who, at.isoformat(timespec="microseconds"), table_name, record_key, action, before, after, why]
    )
    assert payload is not None
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(connection: Connection, changes: Iterable[Change]) -> int:
    """Chain and insert the changes inside the caller's transaction; returns the last sequence number."""
    changes = list(changes)
    if not changes:
        return 0
    # Lock the head row first (a no-op UPDATE), then read it: a concurrent appender waits here.
    locked = connection.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    if locked.rowcount == 0:
        connection.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
    seq, prev = connection.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    at = utc_now()
    rows = []
    for change in changes:
        if change.action not in ACTIONS:
            raise ValueError(f"unknown audit action {change.action!r}")
        seq += 1
        before, after = canonical(change.before), canonical(change.after)
        digest = record_hash(
            prev, seq, change.who, at, change.table_name, change.record_key, change.action, before, after, change.why
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "who": change.who,
                "table_name": change.table_name,
                "record_key": change.record_key,
                "action": change.action,
                "before": before,
                "after": after,
                "why": change.why,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    connection.execute(insert(AuditRecord), rows)
    connection.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
    return seq


def record_bulk(
    connection: Connection, who: str, table: str, action: str, summary: dict[str, Any], why: str | None = None
) -> int:
    """One audit record for a write that bypassed the ORM (ledger import, synthetic county): `summary` says
    what was written (batch id, row counts, a digest of the change log rows)."""
    return append(connection, [Change(who, table, str(summary.get("batch_id", "-")), action, None, summary, why)])


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int
    broken_seq: int | None = None
    problem: str | None = None  # Chinese, for the user


def verify(connection: Connection, batch: int = 5000) -> Verification:
    """Walk the chain in order; the first record whose hash, link or sequence does not hold is named."""
    prev, expected, count = GENESIS, 1, 0
    last = 0
    while True:
        query = select(AuditRecord.__table__).where(AuditRecord.seq > last).order_by(AuditRecord.seq).limit(batch)
        rows = connection.execute(query).mappings().all()
        if not rows:
            break
        for row in rows:
            if row["seq"] != expected:
                return Verification(False, count, expected, f"第 {expected} 条审计记录缺失（已被删除）")
            if row["prev_hash"] != prev:
                return Verification(False, count, row["seq"], f"第 {row['seq']} 条审计记录与前一条的链接不符")
            digest = record_hash(
                prev,
                row["seq"],
                row["who"],
                row["at"],
                row["table_name"],
                row["record_key"],
                row["action"],
                row["before"],
                row["after"],
                row["why"],
            )
            if digest != row["hash"]:
                return Verification(False, count, row["seq"], f"第 {row['seq']} 条审计记录的内容已被改动")
            prev, expected, count, last = row["hash"], expected + 1, count + 1, row["seq"]
    head = connection.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    head_seq, head_hash = (head[0], head[1]) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        broken = min(head_seq, count) + 1
        return Verification(
            False,
            count,
            broken,
            f"审计链末端不符：应有 {head_seq} 条记录，实有 {count} 条（第 {broken} 条起被删除或改动）",
        )
    return Verification(True, count)


def record_import(connection: Connection, batch_id: int, who: str | None = None, why: str | None = None) -> int:
    """The audit record of one bulk write (ledger import, synthetic county): the batch as stored and a
    SHA-256 of its change-log rows, which keep the per-field detail."""
    from doudi.audit.capture import current_actor
    from doudi.registry.models import ChangeLogEntry, ImportBatch

    batch = connection.execute(select(ImportBatch.__table__).where(ImportBatch.id == batch_id)).mappings().one()
    digest = hashlib.sha256()
    changes = connection.execute(
        select(
            ChangeLogEntry.table_name,
            ChangeLogEntry.record_key,
            ChangeLogEntry.field,
            ChangeLogEntry.old_value,
            ChangeLogEntry.new_value,
        )
        .where(ChangeLogEntry.batch_id == batch_id)
        .order_by(ChangeLogEntry.id)
    )
    count = 0
    for row in changes:
        digest.update((canonical(list(row)) or "").encode("utf-8") + b"\n")
        count += 1
    summary = {
        key: batch[key]
        for key in ("file_name", "sha256", "source_kind", "rows_stored", "rows_rejected", "rows_changed")
    }
    summary.update(batch_id=batch_id, change_log_rows=count, change_log_sha256=digest.hexdigest())
    actor, reason = current_actor()
    return record_bulk(
        connection, who or actor, "import_batches", "bulk", summary, why or reason or f"批量写入：{batch['file_name']}"
    )
