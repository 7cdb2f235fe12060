"""An import is one transaction: a database error at any write leaves the registry exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError

import doudi.ingest.importer as importer
from doudi.registry.models import Base

HEADER = ["户编号", "户主姓名", "家庭成员姓名", "身份证号码", "与户主关系", "性别", "出生年月", "保障金额", "低保类别"]
TABLES = ("households", "members", "enrollments", "roster_memberships", "change_log", "import_batches")


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(
                    select(Base.metadata.tables[name]).order_by(*Base.metadata.tables[name].primary_key)
                )
            ]
            for name in TABLES
        }


@pytest.mark.parametrize("failing_table", ["households", "members", "enrollments", "roster_memberships", "change_log"])
def test_a_database_error_at_any_write_leaves_the_registry_as_it_was(
    registry_engine: Engine,
    write_ledger: Callable[..., Path],
    person_id: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    failing_table: str,
) -> None:
    zhang, li, wang = (person_id(f"2201821950010{i}123") for i in range(3))
    first = [
        ["001", "张三", "张三", zhang, "户主", "男", "1950-01", "450", "A类"],
        ["001", "张三", "李四", li, "配偶", "女", "1955-02", None, None],
    ]
    importer.import_roster(registry_engine, write_ledger("v1.xlsx", [HEADER], first), "dibao")
    before = _snapshot(registry_engine)
    # The corrected ledger updates every table and adds a household: each write has work to do.
    second = [
        ["001", "张三", "张三", zhang, "户主", "男", "1950-01", "500", "B类"],
        ["001", "张三", "李淑芬", li, "配偶", "女", "1955-03", None, None],
        ["002", "王五", "王五", wang, "户主", "男", "1980-03", "300", "C类"],
    ]
    real_insert = importer.insert_frame

    def insert_then_fail(connection: Connection, table: str, frame: pl.DataFrame) -> int:
        written = real_insert(connection, table, frame)
        if table == failing_table:  # a real error from the database, after the rows went in
            connection.exec_driver_sql(f"INSERT INTO {table} (no_such_column) VALUES (1)")
        return written

    monkeypatch.setattr(importer, "insert_frame", insert_then_fail)
    with pytest.raises(DBAPIError):
        importer.import_roster(registry_engine, write_ledger("v2.xlsx", [HEADER], second), "dibao")
    assert _snapshot(registry_engine) == before

    monkeypatch.setattr(importer, "insert_frame", real_insert)
    result = importer.import_roster(registry_engine, write_ledger("v2.xlsx", [HEADER], second), "dibao")
    assert (result.households_added, result.members_added) == (1, 1) and result.rows_changed >= 3
