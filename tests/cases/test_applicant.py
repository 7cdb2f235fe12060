"""A new applicant registered from the household JSON at intake: stored whole, or not at all."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from doudi.cases.applicant import register_applicant
from doudi.cases.errors import CaseError
from doudi.cases.session import unit_of_work
from doudi.cli import app
from doudi.registry.models import Household, IncomeItem, Member


def with_check_digit(first17: str) -> str:
    """GB 11643 check character, so the JSON reader accepts the number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


APPLICANT = {
    "household_id": "NEW1",
    "region_code": "220102001001",
    "members": [
        {"id_number": with_check_digit("22010219500101001"), "name": "孙大", "relation": "户主"},
        {"id_number": with_check_digit("22010219520202002"), "name": "周二", "relation": "配偶"},
    ],
    "incomes": [{"kind": "wage", "yearly": 2000}],
}


def test_applicant_household_is_registered_and_the_case_opened(
    registry_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "申请家庭.json"
    path.write_text(json.dumps(APPLICANT, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "case",
            "new",
            "--household-json",
            str(path),
            "--by",
            "王芳",
            "--on",
            "2020-06-01",
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "案件编号 220102001-20200601-001" in result.output
    with unit_of_work(registry_engine) as session:
        household = session.get(Household, "NEW1")
        assert household is not None and (household.region_code, household.village_code) == ("220102", "220102001001")
        assert session.scalar(select(func.count()).select_from(Member)) == 2
        assert session.scalars(select(IncomeItem.yearly_fen)).one() == 200000


def test_bad_applicant_json_writes_nothing(registry_engine: Engine) -> None:
    bad = {**APPLICANT, "members": [{"id_number": "220102195001010010", "name": "孙大"}]}
    with (
        pytest.raises(CaseError, match=r"申请家庭数据有误：members\[0\]\.id_number"),
        unit_of_work(registry_engine) as session,
    ):
        register_applicant(session, bad, dt.date(2020, 6, 1))
    with unit_of_work(registry_engine) as session:
        assert session.get(Household, "NEW1") is None
