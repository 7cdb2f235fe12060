"""A household's risk history: each run's counted income and highest alert score, its alerts with how they
were handled, the department events about its members and its watch-list items (for the CLI, API and the
household page)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, select

from doudi.monitoring.alerts import AlertFilter, list_alerts
from doudi.monitoring.feeds import FEEDS
from doudi.monitoring.models import Alert, FeedEvent, IncomeSnapshot, WatchItem
from doudi.monitoring.watch_lists import COVERAGE, LISTS
from doudi.policy.money import per_capita_monthly_fen
from doudi.rules.explain import mask_id


def household_history(source: Engine | Connection, household_id: str) -> dict[str, Any]:
    """Everything monitoring knows about one household, oldest first; ID numbers masked. A connection the
    caller holds (a page's) is read in, rather than a second one taken from the pool it waits on."""
    if isinstance(source, Connection):
        return _history(source, household_id)
    with source.connect() as connection:
        return _history(connection, household_id)


def _history(connection: Connection, household_id: str) -> dict[str, Any]:
    # Most households have no history at all: one round trip says which of the four tables to read.
    held = connection.execute(
        select(
            *(
                select(model.id).where(model.household_id == household_id).limit(1).exists()
                for model in (IncomeSnapshot, FeedEvent, WatchItem, Alert)
            )
        )
    ).one()
    if not any(held):
        return {"household_id": household_id, "runs": [], "alerts": [], "events": [], "watch": []}
    snapshots = connection.execute(
        select(IncomeSnapshot).where(IncomeSnapshot.household_id == household_id).order_by(IncomeSnapshot.on_date)
    ).mappings()
    runs = [
        {
            "on": row["on_date"],
            "counted_income_fen_e4": row["counted_income_fen_e4"],
            "household_line_fen_e4": row["household_line_fen_e4"],
            "household_size": row["household_size"],
            "per_capita_monthly_fen": per_capita_monthly_fen(
                row["counted_income_fen_e4"], max(row["household_size"], 1)
            ),
            "standard_monthly_fen": per_capita_monthly_fen(row["household_line_fen_e4"], max(row["household_size"], 1)),
            "risk_score": row["risk_score"],
        }
        for row in snapshots
    ]
    events = [
        {
            "kind": row["kind"],
            "kind_label": FEEDS[row["kind"]].label,
            "person": mask_id(row["id_number"]),
            "name": row["name"],
            "on": row["event_date"],
            "amount_fen": row["amount_fen"],
            "grade": row["grade"],
            "severe": row["severe"],
            "detail": row["detail"],
        }
        for row in connection.execute(
            select(FeedEvent).where(FeedEvent.household_id == household_id).order_by(FeedEvent.event_date)
        ).mappings()
    ]
    watch = [
        {
            "list": row["list_name"],
            "list_label": LISTS[row["list_name"]],
            "coverage": row["coverage"],
            "coverage_label": COVERAGE.get(row["coverage"], row["coverage"]),
            "reason": row["reason"],
            "first_listed": row["first_listed"],
            "closed_on": row["closed_on"],
            "closed_by": row["closed_by"],
            "closing_note": row["closing_note"],
        }
        for row in connection.execute(select(WatchItem).where(WatchItem.household_id == household_id)).mappings()
    ]
    alerts = list_alerts(connection, AlertFilter(household_id=household_id, status=None)) if held[3] else []
    for alert in alerts:
        alert["person_key"] = mask_id(alert["person_key"]) if alert["person_key"] else ""
    alerts.sort(key=lambda a: (a["raised_on"], a["id"]))
    return {"household_id": household_id, "runs": runs, "alerts": alerts, "events": events, "watch": watch}
