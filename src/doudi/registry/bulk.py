"""Moving whole Polars frames in and out of the database without ORM objects.

PostgreSQL gets COPY (text CSV over the wire, in the caller's transaction); SQLite gets one executemany.
Both are one statement per frame, which is what makes a million-household county load in seconds.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
from sqlalchemy import Connection, Dialect, Select

_FETCH_BATCH = 100_000


def _sqlite_ready(frame: pl.DataFrame) -> pl.DataFrame:
    # sqlite3 takes str/int/float/None; SQLAlchemy stores dates as ISO text and booleans as 0/1.
    casts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date or dtype == pl.Datetime:
            casts.append(pl.col(name).dt.to_string("%Y-%m-%d" if dtype == pl.Date else "%Y-%m-%d %H:%M:%S"))
        elif dtype == pl.Boolean:
            casts.append(pl.col(name).cast(pl.Int8))
    return frame.with_columns(casts) if casts else frame


def insert_frame(connection: Connection, table: str, frame: pl.DataFrame) -> int:
    """Append every row of `frame` to `table` (columns by name). Returns the number of rows written."""
    if frame.height == 0:
        return 0
    columns = ", ".join(frame.columns)
    if connection.dialect.name == "postgresql":
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, null_value="", date_format="%Y-%m-%d")
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        return frame.height
    ready = _sqlite_ready(frame)
    # sqlite3 binds every parameter of every row in Python (about a microsecond each): a column holding one
    # value throughout (a batch id, a default flag) goes into the statement once instead.
    constants = {name: literal for name in ready.columns if (literal := _constant(ready[name])) is not None}
    values = ", ".join(constants.get(name, "?") for name in ready.columns)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"
    bound = ready.drop(list(constants))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if not bound.columns:  # every column constant: nothing to bind
            cursor.executemany(sql, [()] * ready.height)
        else:
            for chunk in bound.iter_slices(_FETCH_BATCH):
                cursor.executemany(sql, chunk.iter_rows())
    finally:
        cursor.close()
    return frame.height


def _constant(column: pl.Series) -> str | None:
    """The SQL literal of the one value a column holds in every row (NULL, an integer or a text), else None."""
    first = column[0]
    if first is None:
        return "NULL" if column.null_count() == len(column) else None
    if column.null_count() or not bool((column == first).all()):
        return None
    if isinstance(first, int) and not isinstance(first, bool):
        return str(first)
    if isinstance(first, str):
        return "'" + first.replace("'", "''") + "'"
    return None


def update_rows(connection: Connection, table: str, key: Iterable[str], frame: pl.DataFrame) -> int:
    """UPDATE `table` SET the non-key columns of each row WHERE the key columns match."""
    if frame.height == 0:
        return 0
    keys = list(key)
    values = [c for c in frame.columns if c not in keys]
    marker = "%s" if connection.dialect.name == "postgresql" else "?"
    assignments = ", ".join(f"{c} = {marker}" for c in values)
    condition = " AND ".join(f"{c} = {marker}" for c in keys)
    sql = f"UPDATE {table} SET {assignments} WHERE {condition}"
    ordered = frame.select(values + keys)
    if connection.dialect.name != "postgresql":
        ordered = _sqlite_ready(ordered)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, list(ordered.iter_rows()))
    finally:
        cursor.close()
    return frame.height


def literal_sql(query: Select, dialect: Dialect) -> str:
    # Values are rendered as escaped literals: COPY takes no bind parameters, and IN lists stay simple.
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def typed_frame(frame: pl.DataFrame, kinds: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Cast columns as the database returned them (ISO text dates, 0/1 or t/f booleans) to `kinds`."""
    return frame.with_columns(_typed(name, frame.schema[name], kinds.get(name)) for name in frame.columns)


def fetch_frame(connection: Connection, query: Select, kinds: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Run `query` in `connection`'s transaction; its rows as a frame typed by `kinds` (name -> Polars type)."""
    names = [c.name for c in query.selected_columns]
    sql = literal_sql(query, connection.dialect)
    if connection.dialect.name == "postgresql":
        buffer = io.BytesIO()
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        if buffer.tell() == 0:
            frame = pl.DataFrame(schema=dict.fromkeys(names, pl.String()))
        else:
            frame = pl.read_csv(buffer.getvalue(), has_header=False, new_columns=names, infer_schema=False)
    else:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            columns: list[list[Any]] = [[] for _ in names]
            while rows := cursor.fetchmany(_FETCH_BATCH):
                for values, column in zip(zip(*rows, strict=True), columns, strict=True):
                    column.extend(values)
        finally:
            cursor.close()
        frame = pl.DataFrame(
            {
                name: pl.Series(name, values, dtype=_raw_type(kinds.get(name)))
                for name, values in zip(names, columns, strict=True)
            }
        )
    return typed_frame(frame, kinds)


def _raw_type(kind: pl.DataType | None) -> pl.DataType:
    # What sqlite3 hands back for a column of this kind.
    if kind is None or kind == pl.String or kind == pl.Date:
        return pl.String()
    return pl.Int64()


def _typed(name: str, current: pl.DataType, kind: pl.DataType | None) -> pl.Expr:
    column = pl.col(name)
    if kind is None or kind == current:
        return column
    if kind == pl.Date:
        if current != pl.String:  # a column of nulls only, typed by a guess
            return column.cast(pl.Date)
        return column.str.slice(0, 10).str.to_date("%Y-%m-%d")
    if kind == pl.Boolean:
        if current == pl.String:  # PostgreSQL's COPY writes t / f
            return column.replace_strict({"t": True, "f": False}, default=None, return_dtype=pl.Boolean())
        return column.cast(pl.Boolean)
    return column.cast(kind)
