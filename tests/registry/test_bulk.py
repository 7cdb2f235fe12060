"""insert_frame writes a column that holds one value throughout into the statement once (SQLite): the rows
read back must be the same as if every value had been bound."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, text

from doudi.registry.bulk import insert_frame


@pytest.mark.parametrize(
    "frame",
    [
        pl.DataFrame(
            {
                "label": ["它's", "它's", "它's"],  # a quote inside a constant text
                "amount": [7, 7, 7],
                "note": pl.Series([None, None, None], dtype=pl.String),
                "day": [dt.date(2024, 1, 31)] * 3,
                "flag": [True, True, True],
                "varying": ["a", None, "c"],
            }
        ),
        pl.DataFrame({"label": ["x", "x"], "amount": [1, 1]}),  # every column constant: nothing to bind
        pl.DataFrame({"label": ["x", None], "amount": [None, 2], "flag": [False, True]}),  # nothing constant
    ],
)
def test_constant_columns_round_trip(registry_engine: Engine, frame: pl.DataFrame) -> None:
    with registry_engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE bulk_probe (label TEXT, amount BIGINT, note TEXT, day DATE, flag BOOLEAN, varying TEXT)")
        )
        assert insert_frame(connection, "bulk_probe", frame) == frame.height
        columns = ", ".join(frame.columns)
        stored = connection.execute(text(f"SELECT {columns} FROM bulk_probe")).all()
    expected = [tuple(row) for row in frame.iter_rows()]
    if registry_engine.dialect.name == "sqlite":  # SQLite keeps dates as ISO text and booleans as 0/1
        expected = [tuple(_sqlite(value) for value in row) for row in expected]
    assert sorted(map(tuple, stored), key=repr) == sorted(expected, key=repr)


def _sqlite(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    return value.isoformat() if isinstance(value, dt.date) else value
