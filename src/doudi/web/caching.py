"""What the app keeps instead of recomputing: the engine's decision per household, and an area's dashboard.

Both live in the database (tables of migration web_0002), so every uvicorn worker and every restart shares
them, and both are checked against what they were computed from, never against a clock:
- a decision is kept under a fingerprint of the household's own rows, the assessment date and the rules and
  profiles installed (any edit of the household, by the app or by an import, is a new fingerprint);
- a dashboard is kept under the registry version: a counter the database's own triggers move on every write
  to the registry tables, whoever writes (the app, `doudi import`, a case confirmed in another process).
Writing to a cache is best effort: a page never fails because its cache could not be written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from doudi.registry.database import make_engine
from doudi.web.decision_form import decision_of
from doudi.web.models import RegistryChange, WebDashboardCache, WebDecisionCache

log = logging.getLogger(__name__)

WATCHED = ("households", "members", "income_items", "expenses", "enrollments", "regions", "review_schedule")


@cache
def rules_fingerprint() -> str:
    """A hash of the engine's code, the built-in profiles and the standards table: a new release of any of
    them is a new key for every kept decision."""
    digest = hashlib.sha256()
    for package in ("doudi.rules", "doudi.policy"):
        root = resources.files(package)
        for entry in sorted(_files(root), key=lambda item: str(item)):
            digest.update(str(entry).encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


def _files(folder: Any) -> list[Any]:
    found = []
    for entry in folder.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += _files(entry)
        elif entry.name.endswith((".py", ".yaml", ".yml", ".csv", ".json")):
            found.append(entry)
    return found


def row_fingerprint(*tables: tuple[str, Sequence[Row[Any]]], on: dt.date) -> str:
    """A hash of Core rows' column values (every column of every row, per table), the date and the rules."""
    digest = hashlib.sha256(f"{rules_fingerprint()}|{on.isoformat()}".encode())
    for name, rows in tables:
        for row in rows:
            digest.update(repr((name, tuple(row))).encode())
    return digest.hexdigest()


# --- decisions ---------------------------------------------------------------------------------------------


def kept_decision(session: Session, household_id: str, fingerprint: str) -> dict[str, Any] | None:
    stored = session.scalar(
        select(WebDecisionCache.decision).where(
            WebDecisionCache.household_id == household_id, WebDecisionCache.fingerprint == fingerprint
        )
    )
    return decision_of(stored) if stored is not None else None


def kept_fingerprints(connection: Connection | Session, low: str, high: str) -> dict[str, str]:
    """The fingerprint each kept decision of households low < id <= high was computed at."""
    rows = connection.execute(
        select(WebDecisionCache.household_id, WebDecisionCache.fingerprint).where(
            WebDecisionCache.household_id > low, WebDecisionCache.household_id <= high
        )
    )
    return {household_id: fingerprint for household_id, fingerprint in rows}


def keep_decisions(engine: Engine, forms: list[tuple[str, str, str]]) -> None:
    """Keep (household id, fingerprint, kept form) triples (doudi.web.decision_form), replacing what was kept
    for those households."""
    if len(forms) > 1_000 and engine.dialect.name == "postgresql":
        _copy_decisions(engine, forms)
    elif forms:
        _upsert(
            engine,
            WebDecisionCache.__table__,
            [{"household_id": h, "fingerprint": f, "decision": form} for h, f, form in forms],
            ["household_id"],
        )


def _copy_decisions(engine: Engine, forms: list[tuple[str, str, str]]) -> None:
    # A whole batch of the fill: COPY into a scratch table and one upsert, not an INSERT per household.
    with side_engine(engine).begin() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE kept_batch (household_id text, fingerprint text, decision text) ON COMMIT DROP"
            )
            with cursor.copy("COPY kept_batch FROM STDIN") as copy:
                for row in forms:
                    copy.write_row(row)
            cursor.execute(
                "INSERT INTO web_decision_cache (household_id, fingerprint, decision, computed_at) "
                "SELECT household_id, fingerprint, decision, now() FROM kept_batch "
                "ON CONFLICT (household_id) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "decision = excluded.decision, computed_at = excluded.computed_at"
            )


# --- the registry version and the dashboard ------------------------------------------------------------------


def registry_version(connection: Connection) -> str | None:
    """A text that changes whenever a committed write reached a watched registry table; None when the
    database lacks the triggers (then nothing may be cached on it)."""
    if not _triggers_present(connection):
        return None
    if connection.dialect.name == "postgresql":
        return f"pg:{connection.scalar(select(func.count()).select_from(RegistryChange))}"
    counted = connection.scalar(select(RegistryChange.changes).where(RegistryChange.id == 0))
    highest = connection.execute(
        text("SELECT " + ", ".join(f"(SELECT max(rowid) FROM {name})" for name in WATCHED))
    ).one()
    return "sqlite:" + ":".join(str(value) for value in (counted, *highest))


_CHECKED: dict[str, bool] = {}


def _triggers_present(connection: Connection) -> bool:
    # Checked once per database and process: a SQLite table rebuilt by a later migration loses its triggers.
    key = connection.engine.url.render_as_string(hide_password=True)
    if key not in _CHECKED:
        if connection.dialect.name == "postgresql":
            query = "SELECT count(DISTINCT tgrelid) FROM pg_trigger WHERE tgname = 'registry_changed'"
            wanted = len(WATCHED)
        else:
            query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'registry_changed_%'"
            wanted = 2 * len(WATCHED)
        present = (connection.scalar(text(query)) or 0) >= wanted
        if not present:
            log.warning("registry change triggers missing at %s: dashboards are computed on every view", key)
        _CHECKED[key] = present
    return _CHECKED[key]


def kept_dashboard(session: Session, area_code: str, on: dt.date) -> tuple[str, dict[str, Any], dt.datetime] | None:
    """The area's kept figures for the day: (registry version they were computed at, figures, when)."""
    row = session.execute(
        select(WebDashboardCache.version, WebDashboardCache.data, WebDashboardCache.computed_at).where(
            WebDashboardCache.area_code == area_code, WebDashboardCache.on_date == on
        )
    ).first()
    return (row.version, json.loads(row.data), row.computed_at) if row is not None else None


def keep_dashboard(engine: Engine, area_code: str, on: dt.date, version: str, data: dict[str, Any]) -> None:
    _upsert(
        engine,
        WebDashboardCache.__table__,
        [{"area_code": area_code, "on_date": on, "version": version, "data": json.dumps(data, ensure_ascii=False)}],
        ["area_code", "on_date"],
    )


_SIDE: dict[str, Engine] = {}
_SIDE_LOCK = threading.Lock()


def side_engine(engine: Engine) -> Engine:
    """An engine on the same database whose connections come from outside the app's pool (NullPool), for the
    caches' writes and the background work: page requests that wait for them hold pooled connections, and a
    wait on the pool they fill would last until its timeout."""
    url = engine.url.render_as_string(hide_password=False)
    with _SIDE_LOCK:
        if url not in _SIDE:
            _SIDE[url] = make_engine(url, poolclass=NullPool)
        return _SIDE[url]


def _upsert(engine: Engine, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    statement = insert(table)
    changed: dict[str, Any] = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    changed["computed_at"] = func.now()
    try:
        with side_engine(engine).begin() as connection:
            connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=changed), rows)
    except SQLAlchemyError as error:  # e.g. SQLite busy with an import: the next view computes again
        log.warning("could not keep %s: %s", table.name, error)
