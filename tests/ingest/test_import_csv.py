from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from doudi.ingest.importer import import_roster
from doudi.registry.models import Member


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding(
    registry_engine: Engine, tmp_path: Path, person_id: Callable[[str], str], encoding: str
) -> None:
    text = "残疾人名单\n姓名,身份证号,残疾类别,残疾等级\n" + f"张三,{person_id('22018219500101123')},肢体残疾,二级\n"
    path = tmp_path / f"disabled-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    result = import_roster(registry_engine, path, "disabled")
    assert result.rows_stored == 1
    with registry_engine.connect() as connection:
        row = connection.execute(select(Member.name, Member.disability_kind, Member.disability_grade)).one()
    assert tuple(row) == ("张三", "肢体", 2)


def test_mapping_file_for_other_layouts(
    registry_engine: Engine, tmp_path: Path, person_id: Callable[[str], str]
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n  对象名称: name\n  证件号: id_number\n  月发放额: monthly_benefit_yuan\n", encoding="utf-8"
    )
    ledger = tmp_path / "other.csv"
    ledger.write_text(f"对象名称,证件号,月发放额\n李四,{person_id('22018219550202124')},380.00\n", encoding="utf-8")
    result = import_roster(registry_engine, ledger, "dibao", mapping=mapping)
    assert result.rows_stored == 1 and result.rows_rejected == 0


def test_gbk_past_the_first_lines_is_still_read_as_gbk(
    registry_engine: Engine, tmp_path: Path, person_id: Callable[[str], str]
) -> None:
    # The first lines are ASCII (a mapped header), the first GBK bytes come late: Polars finds them.
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  full_name: name\n  id_no: id_number\n", encoding="utf-8")
    lines = ["full_name,id_no"]
    lines += [f"Zhang{i},{person_id(f'22018219500101{i:03d}')}" for i in range(1, 61)]
    lines += [f"王{i},{person_id(f'22018219600202{i:03d}')}" for i in range(1, 6)]
    path = tmp_path / "late-gbk.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    result = import_roster(registry_engine, path, "poor", mapping=mapping)
    assert (result.rows_stored, result.rows_rejected) == (65, 0)
    with registry_engine.connect() as connection:
        names = set(connection.execute(select(Member.name)).scalars())
    assert "王5" in names and "Zhang60" in names
