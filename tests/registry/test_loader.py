from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, inspect, select

from doudi.registry.database import current_revision, session_factory
from doudi.registry.loader import load_frames
from doudi.registry.models import Household, Member
from doudi.registry.store import store_frames
from doudi.rules import schema

ON = dt.date(2024, 1, 1)


def _county() -> dict[str, pl.DataFrame]:
    households = pl.DataFrame(
        {
            "id": ["H1", "H2", "H3"],
            "region_code": ["220182", "220182", "220183"],
            "village_code": ["220182100201", "220182100202", "220183100201"],
            "registered_poor": [True, False, True],
            "escaped_poverty": [True, False, False],
        }
    )
    members = pl.DataFrame(
        {
            "household_id": ["H1", "H1", "H2", "H3"],
            "id_number": ["220182195001011234", "22018219550202124X", "220182198003031236", "220183200001011230"],
            "name": ["张三", "李四", "王五", "赵六"],
            "relation": ["户主", "配偶", "户主", "户主"],
            "sex": ["M", "F", "M", "M"],
            "birth_date": [dt.date(1950, 1, 1), dt.date(1955, 2, 2), dt.date(1980, 3, 3), dt.date(2000, 1, 1)],
            "disability_grade": [None, 2, None, None],
            "death_date": [None, None, dt.date(2023, 6, 1), None],
        }
    )
    incomes = pl.DataFrame(
        {
            "household_id": ["H1", "H3"],
            "id_number": ["220182195001011234", None],
            "kind": ["wage", "project_dividend"],
            "yearly_fen": [1_234_500, 50_000],
            "poverty_project": [False, True],
        }
    )
    expenses = pl.DataFrame(
        {"household_id": ["H1"], "id_number": ["22018219550202124X"], "kind": ["medical"], "yearly_fen": [300_000]}
    )
    enrollments = pl.DataFrame(
        {
            "household_id": ["H1", "H3"],
            "program": ["dibao", "dibao"],
            "scope": ["household", "household"],
            "since": [dt.date(2020, 5, 1), dt.date(2019, 1, 1)],
            "until": [None, dt.date(2022, 1, 1)],
            "benefit_class": ["B", "A"],
            "monthly_benefit_fen": [45_000, 60_000],
            "status": ["active", "exited"],
        }
    )
    return {
        "households": households,
        "members": members,
        "income_items": incomes,
        "expenses": expenses,
        "enrollments": enrollments,
    }


def test_migrations_create_every_table(registry_engine: Engine) -> None:
    tables = set(inspect(registry_engine).get_table_names())
    assert {"households", "members", "income_items", "expenses", "enrollments", "roster_memberships"} <= tables
    assert {"regions", "import_batches", "change_log", "property_notes"} <= tables
    assert current_revision(registry_engine) is not None


def test_load_frames_round_trip(registry_engine: Engine) -> None:
    with registry_engine.begin() as connection:
        store_frames(connection, _county())
    frames = load_frames(registry_engine, on=ON)
    for name, contract in [
        ("households", schema.HOUSEHOLDS),
        ("members", schema.MEMBERS),
        ("incomes", schema.INCOMES),
        ("expenses", schema.EXPENSES),
    ]:
        assert frames[name].schema == pl.Schema(contract), name
    households = frames["households"]
    assert households["household_id"].to_list() == ["H1", "H2", "H3"]
    assert households["enrolled"].to_list() == [True, False, False]
    assert households["enrolled_class"].to_list() == ["B", None, None]
    assert households["current_benefit_fen"].to_list() == [45_000, None, None]
    assert households["on"].to_list() == [ON] * 3
    # 王五 died before ON and is no longer counted.
    members = frames["members"].sort("id_number")
    assert members["name"].to_list() == ["张三", "李四", "赵六"]
    assert members["disability_grade"].to_list() == [None, 2, None]
    assert members["birth_date"].to_list() == [dt.date(1950, 1, 1), dt.date(1955, 2, 2), dt.date(2000, 1, 1)]
    expected = schema.conform(_county()["income_items"], schema.INCOMES)
    assert_frame_equal(frames["incomes"].sort("household_id"), expected)
    assert frames["expenses"]["yearly_fen"].to_list() == [300_000]


def test_load_frames_narrowed(registry_engine: Engine) -> None:
    with registry_engine.begin() as connection:
        store_frames(connection, _county())
    by_ids = load_frames(registry_engine, household_ids=["H3"], on=ON)
    assert by_ids["households"]["household_id"].to_list() == ["H3"]
    assert by_ids["incomes"]["kind"].to_list() == ["project_dividend"]
    by_region = load_frames(registry_engine, region_prefix="220182", on=ON)
    assert by_region["households"]["household_id"].to_list() == ["H1", "H2"]
    by_village = load_frames(registry_engine, region_prefix="220182100202", on=ON)
    assert by_village["households"]["household_id"].to_list() == ["H2"]
    assert load_frames(registry_engine, household_ids=["H2"], on=dt.date(2023, 1, 1))["members"].height == 1


def test_household_version_guards_concurrent_edits(registry_engine: Engine) -> None:
    with registry_engine.begin() as connection:
        store_frames(connection, _county())
    sessions = session_factory(registry_engine)
    with sessions() as session:
        household = session.get_one(Household, "H2")
        household.address = "新地址"
        session.commit()
        assert household.version == 2
        names = session.scalars(select(Member.name).where(Member.household_id == "H1")).all()
        assert sorted(names) == ["张三", "李四"]


def test_incomes_and_expenses_of_the_dead_are_left_out(registry_engine: Engine) -> None:
    county = _county()
    county["income_items"] = pl.concat(
        [
            county["income_items"],
            pl.DataFrame(
                {
                    "household_id": ["H2", "H2"],
                    "id_number": ["220182198003031236", None],  # 王五 died 2023-06-01; a household income
                    "kind": ["wage", "transfer"],
                    "yearly_fen": [900_000, 10_000],
                    "poverty_project": [False, False],
                }
            ),
        ]
    )
    with registry_engine.begin() as connection:
        store_frames(connection, county)
    before = load_frames(registry_engine, household_ids=["H2"], on=dt.date(2023, 1, 1))["incomes"]
    after = load_frames(registry_engine, household_ids=["H2"], on=ON)["incomes"]
    assert sorted(before["yearly_fen"]) == [10_000, 900_000]
    assert after["yearly_fen"].to_list() == [10_000]
