"""Storing whole frames (a synthetic county, an import) into the registry tables in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import polars as pl
from sqlalchemy import Column, Connection, Table
from sqlalchemy.schema import AddConstraint, DropConstraint

from doudi.registry.bulk import insert_frame
from doudi.registry.models import Base

# The order foreign keys need.
TABLE_ORDER = (
    "regions",
    "import_batches",
    "households",
    "members",
    "income_items",
    "expenses",
    "property_notes",
    "enrollments",
    "roster_memberships",
    "change_log",
)

_POLARS_TYPES: dict[str, pl.DataType] = {
    "BOOLEAN": pl.Boolean(),
    "DATE": pl.Date(),
    "DATETIME": pl.Datetime("us"),
    "INTEGER": pl.Int64(),
    "BIGINT": pl.Int64(),
    "SMALLINT": pl.Int64(),
}


# Frame column names accepted for a table column whose SQL name is a Python keyword.
_ALIASES = {"class": "benefit_class"}


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def column_type(column: Column[Any]) -> pl.DataType:
    """The Polars type of a table column's values in a frame (text for anything not listed)."""
    return _POLARS_TYPES.get(str(column.type).split("(")[0], pl.String())


def fit_to_table(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the frame's columns the table has, fill NOT NULL columns it lacks with their defaults."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    columns = []
    for column in table(name).columns:
        dtype = column_type(column)
        alias = _ALIASES.get(column.name)
        if column.name in frame.columns:
            columns.append(pl.col(column.name).cast(dtype))
        elif alias in frame.columns:
            columns.append(pl.col(alias).cast(dtype).alias(column.name))
        elif column.primary_key and column.autoincrement in (True, "auto") and dtype == pl.Int64:
            continue  # the database numbers it
        elif column.name in ("created_at", "updated_at", "imported_at", "changed_at"):
            columns.append(pl.lit(now, dtype=dtype).alias(column.name))
        elif not column.nullable:
            default = column.default
            if default is None or not getattr(default, "is_scalar", False):
                raise ValueError(f"{name}.{column.name} is required but missing from the frame")
            columns.append(pl.lit(default.arg, dtype=dtype).alias(column.name))  # type: ignore[attr-defined]
    return frame.select(columns)


# PostgreSQL checks a foreign key row by row during COPY; for big loads dropping the key and adding it
# back (one validating join) halves the time. Same transaction, so nobody sees the table without it.
_RECHECK_FOREIGN_KEYS_FROM = 50_000


@contextmanager
def foreign_keys_checked_once(connection: Connection, name: str, rows: int) -> Iterator[None]:
    """Around a bulk insert of `rows` rows into `name`: on PostgreSQL, from _RECHECK_FOREIGN_KEYS_FROM rows,
    the table's foreign keys are dropped and added back afterwards (validated then, in one join)."""
    keys = list(table(name).foreign_key_constraints)
    if connection.dialect.name != "postgresql" or rows < _RECHECK_FOREIGN_KEYS_FROM or not keys:
        yield
        return
    for key in keys:
        connection.execute(DropConstraint(key))
    yield
    for key in keys:
        connection.execute(AddConstraint(key))


def _insert(connection: Connection, name: str, frame: pl.DataFrame) -> int:
    with foreign_keys_checked_once(connection, name, frame.height):
        return insert_frame(connection, name, frame)


def store_frames(
    connection: Connection,
    frames: Mapping[str, pl.DataFrame],
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Append each frame to the table of the same name, parents first, in the caller's transaction.
    Returns rows written per table."""
    written: dict[str, int] = {}
    for name in TABLE_ORDER:
        if name not in frames:
            continue
        written[name] = _insert(connection, name, fit_to_table(name, frames[name]))
        if progress is not None:
            progress(name, written[name])
    if connection.dialect.name == "postgresql":
        # Fresh statistics, or the planner treats million-row tables as empty.
        for name in written:
            connection.exec_driver_sql(f"ANALYZE {name}")
    else:
        connection.exec_driver_sql("ANALYZE")
    return written
