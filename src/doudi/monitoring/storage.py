"""Inserting rows that may already be there: the natural unique keys decide, the database skips duplicates.

Both SQLite and PostgreSQL understand INSERT … ON CONFLICT DO NOTHING, so re-importing a feed or re-running
the monitor is safe without reading the existing keys first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

_CHUNK = 5_000


def insert_new(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, silently skipping any whose unique key is already stored."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), _CHUNK):
        statement = dialect.insert(table).on_conflict_do_nothing()
        connection.execute(statement, rows[start : start + _CHUNK])
