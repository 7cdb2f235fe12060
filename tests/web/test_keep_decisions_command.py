"""`doudi keep-decisions` says what it did: households read, given to the engine, kept, and refused with why."""

from __future__ import annotations

from sqlalchemy import Engine
from typer.testing import CliRunner

from cases.households import add_household
from doudi.cases.session import unit_of_work
from doudi.cli import app


def test_the_nightly_fill_reports_what_it_assessed_and_gives_the_engine_only_what_changed(
    registry_engine: Engine, database_url: str
) -> None:
    with unit_of_work(registry_engine) as session:
        for household_id in ("H1", "H2", "H3", "H4"):
            add_household(session, household_id)
        add_household(session, "H5", members=(("220102198001010015", "王五", "户主"),)).region_code = "990101"

    def fill() -> str:
        result = CliRunner().invoke(app, ["keep-decisions", "--on", "2020-06-01", "--database-url", database_url])
        assert result.exit_code == 0, result.output
        return "".join(result.output.split())

    first = fill()
    assert "共5户，送评估5户，重新保存决定4户，无法评估1户" in first
    assert "地区990101在2020-06-01没有农村低保标准" in first
    # Nothing changed: only the refused household, which has nothing kept, goes to the engine again, not its
    # whole batch.
    assert "共5户，送评估1户，重新保存决定0户，无法评估1户" in fill()
