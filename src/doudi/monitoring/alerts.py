"""Alerts after they are raised (MON-5): assigned to the village and township, a deadline, handling with a
recorded outcome, and escalation of overdue alerts to the county.

An alert is open until a township or village officer records its outcome: assisted (救助), referred (转介)
or no action, the last only with a reason. An open alert past its deadline is overdue and shows at county
level; nothing is deleted, so the county sees both what was late and how it was closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, or_, select, update

from doudi.audit import Change, append
from doudi.monitoring.models import Alert
from doudi.monitoring.signals import ACTIONS, SIGNALS
from doudi.monitoring.storage import insert_new

OUTCOMES = {"assisted": "已救助", "referred": "已转介", "no_action": "无需救助"}


class AlertError(ValueError):
    """A handling request that cannot be carried out; the message is for the user (Chinese)."""


def raise_alerts(
    connection: Any, alerts: pl.DataFrame, run_id: int, on: dt.date, deadline_days: dict[str, int]
) -> None:
    """Store new alerts; those whose identity (household, person, rule, event) is stored already are skipped.

    `alerts` holds the signals' columns plus profile, region_code, village_code and township_code;
    `deadline_days` is each profile's monitoring.alert_deadline_days."""
    if alerts.is_empty():
        return
    days = pl.col("profile").replace_strict(deadline_days, default=15, return_dtype=pl.Int64)
    rows = alerts.with_columns(
        pl.lit(on).alias("raised_on"),
        (pl.lit(on) + pl.duration(days=days)).alias("deadline"),
        pl.lit(run_id).alias("run_id"),
        pl.lit("open").alias("status"),
    ).select(
        "household_id",
        "person_key",
        "rule",
        "event_key",
        "policy_id",
        "clause",
        "evidence",
        "risk_score",
        "action",
        "region_code",
        "township_code",
        "village_code",
        "raised_on",
        "deadline",
        "run_id",
        "status",
    )
    insert_new(connection, Alert.__table__, rows.to_dicts())  # type: ignore[arg-type]


@dataclass(frozen=True)
class AlertFilter:
    village: str | None = None
    township: str | None = None
    region_prefix: str | None = None
    household_id: str | None = None
    overdue_on: dt.date | None = None  # only open alerts past their deadline on this day
    status: str | None = "open"  # open | handled | None for all


def list_alerts(source: Engine | Connection, chosen: AlertFilter | None = None) -> list[dict[str, Any]]:
    """Alerts as plain dicts, highest risk first, each with its Chinese labels and level (township/county);
    read in `source` when it is a connection."""
    chosen = chosen or AlertFilter()
    query = select(Alert)
    if chosen.village:
        query = query.where(Alert.village_code == chosen.village)
    if chosen.township:
        query = query.where(Alert.township_code == chosen.township)
    if chosen.region_prefix:
        pattern = f"{chosen.region_prefix}%"
        query = query.where(or_(Alert.region_code.like(pattern), Alert.village_code.like(pattern)))
    if chosen.household_id:
        query = query.where(Alert.household_id == chosen.household_id)
    if chosen.status:
        query = query.where(Alert.status == chosen.status)
    if chosen.overdue_on:
        query = query.where(Alert.status == "open", Alert.deadline < chosen.overdue_on)
    query = query.order_by(Alert.risk_score.desc(), Alert.deadline, Alert.id)
    today = chosen.overdue_on or dt.date.today()
    if isinstance(source, Connection):
        return [_plain(row, today) for row in source.execute(query).mappings()]
    with source.connect() as connection:
        return [_plain(row, today) for row in connection.execute(query).mappings()]


def _plain(row: Any, today: dt.date) -> dict[str, Any]:
    alert = dict(row)
    overdue = alert["status"] == "open" and alert["deadline"] < today
    alert["overdue"] = overdue
    alert["level"] = "county" if overdue else "township"  # overdue alerts rise to the county (MON-5)
    alert["rule_label"] = SIGNALS[alert["rule"]].label if alert["rule"] in SIGNALS else alert["rule"]
    alert["action_label"] = ACTIONS.get(alert["action"], alert["action"])
    alert["outcome_label"] = OUTCOMES.get(alert["outcome"] or "")
    return alert


def handle_alert(
    engine: Engine, alert_id: int, outcome: str, by: str, reason: str | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    """Record how an alert was handled. No action needs a reason; an alert is handled once."""
    if outcome not in OUTCOMES:
        raise AlertError(f"处理结果应为：{'、'.join(f'{k}（{v}）' for k, v in OUTCOMES.items())}")
    if not by.strip():
        raise AlertError("请填写经办人姓名")
    reason = (reason or "").strip() or None
    if outcome == "no_action" and reason is None:
        raise AlertError("“无需救助”必须填写理由")
    on = on or dt.date.today()
    with engine.begin() as connection:
        current = connection.execute(select(Alert.status).where(Alert.id == alert_id)).scalar_one_or_none()
        if current is None:
            raise AlertError(f"没有编号为 {alert_id} 的预警")
        if current != "open":
            raise AlertError(f"预警 {alert_id} 已办结，不能重复处理")
        handled = {
            "status": "handled",
            "outcome": outcome,
            "reason": reason,
            "handled_by": by.strip(),
            "handled_on": on,
        }
        connection.execute(update(Alert).where(Alert.id == alert_id, Alert.status == "open").values(**handled))
        append(
            connection,
            [Change(by.strip(), "monitor_alerts", str(alert_id), "update", {"status": "open"}, handled, reason)],
        )
        row = connection.execute(select(Alert).where(Alert.id == alert_id)).mappings().one()
    return _plain(row, on)
