"""Reading query results straight into Arrow through ADBC drivers: PostgreSQL's binary COPY and SQLite's
C reader fill Arrow buffers without a Python object per value, about three times faster than a DB-API
cursor for the million-household loads. Used for reads outside a caller's transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
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


class ArrowReader:
    def __init__(self, connection: Any, dialect: str) -> None:
        self._connection = connection
        self._dialect = dialect

    def fetch(self, sql: str) -> pl.DataFrame:
        with self._connection.cursor() as cursor:
            if self._dialect == "sqlite":
                cursor.adbc_statement.set_options(**_SQLITE_ONE_BATCH)
            cursor.execute(sql)
            frame = pl.from_arrow(cursor.fetch_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame


@contextmanager
def arrow_reader(engine: Engine) -> Iterator[ArrowReader | None]:
    """An ArrowReader on `engine`'s database, or None when no ADBC driver fits (then use the cursor)."""
    connection = _connect(engine)
    if connection is None:
        yield None
        return
    try:
        yield ArrowReader(connection, engine.url.get_backend_name())
    finally:
        connection.close()
