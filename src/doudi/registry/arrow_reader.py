"""Reading query results straight into Arrow through ADBC drivers: PostgreSQL's binary COPY and SQLite's
C reader fill Arrow buffers without a Python object per value, about three times faster than a DB-API
cursor for the million-household loads. Used for reads outside a caller's transaction.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
from sqlalchemy import Engine

log = logging.getLogger(__name__)

# SQLite's ADBC driver guesses each column's type from the first batch; one batch sees every row, so a
# column that is NULL for the first thousand rows is not guessed wrong.
_SQLITE_ONE_BATCH = {"adbc.sqlite.query.batch_rows": str(2**30)}


def _connect(engine: Engine) -> Any | None:
    url = engine.url
    try:
        if url.get_backend_name() == "postgresql":
            import adbc_driver_postgresql.dbapi as postgresql

            plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
            return postgresql.connect(plain)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            import adbc_driver_sqlite.dbapi as sqlite

            return sqlite.connect(url.database, autocommit=True)
    except ImportError:
        return None
    except Exception as error:  # fall back to the DB-API path rather than fail a read
        log.warning("ADBC connection unavailable (%s); using the DB-API cursor", type(error).__name__)
    return None


def _fetch(connection: Any, sql: str, dialect: str) -> pl.DataFrame:
    with connection.cursor() as cursor:
        if dialect == "sqlite":
            cursor.adbc_statement.set_options(**_SQLITE_ONE_BATCH)
        cursor.execute(sql)
        frame = pl.from_arrow(cursor.fetch_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def fetch_all(engine: Engine, queries: Mapping[str, str]) -> dict[str, pl.DataFrame] | None:
    """Run each SQL query on its own ADBC connection, on PostgreSQL in parallel (decoding is in C).
    None when no ADBC driver fits `engine`; the caller then reads through its DB-API connection."""
    probe = _connect(engine)
    if probe is None:
        return None
    probe.close()
    dialect = engine.url.get_backend_name()

    def run(sql: str) -> pl.DataFrame:
        connection = _connect(engine)
        if connection is None:
            raise RuntimeError("ADBC connection lost")
        try:
            return _fetch(connection, sql, dialect)
        finally:
            connection.close()

    # SQLite: one reader at a time (parallel ADBC connections in one process met "database is locked").
    workers = 1 if dialect == "sqlite" else max(1, min(len(queries), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(queries, pool.map(run, queries.values()), strict=True))
    return results
