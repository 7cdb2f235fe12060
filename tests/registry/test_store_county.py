"""store_county with a hand-made county shaped like doudi.synth's SyntheticCounty."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import polars as pl
from sqlalchemy import Engine, func, select

from doudi.demo import store_county
from doudi.registry.loader import load_frames
from doudi.registry.models import ImportBatch, Region, RosterMembership


def _county() -> Any:
    return SimpleNamespace(
        county_code="220182",
        county_name="磐石市",
        province_name="吉林省",
        regions=pl.DataFrame(
            {
                "code": ["220182", "220182100201"],
                "name": ["磐石市", "红旗村"],
                "level": ["county", "village"],
                "parent_code": [None, "220182"],
            }
        ),
        households=pl.DataFrame(
            {
                "household_id": ["H1", "H2"],
                "region_code": ["220182", "220182"],
                "village_code": ["220182100201", "220182100201"],
                "address": ["红旗村1组", "红旗村2组"],
                "registered_poor": [True, False],
                "escaped_poverty": [True, False],
            }
        ),
        members=pl.DataFrame(
            {
                "household_id": ["H1", "H2", "H2"],
                "id_number": ["220182195001011234", "220182198003031236", "22018220100101123X"],
                "name": ["张三", "王五", "王小"],
                "relation": ["户主", "户主", "子女"],
                "birth_date": [dt.date(1950, 1, 1), dt.date(1980, 3, 3), dt.date(2010, 1, 1)],
            }
        ),
        incomes=pl.DataFrame(
            {"household_id": ["H1"], "id_number": [None], "kind": ["wage"], "yearly_fen": [500_000]},
            schema_overrides={"id_number": pl.String},
        ),
        expenses=pl.DataFrame({"household_id": ["H2"], "kind": ["medical"], "yearly_fen": [10_000]}),
        enrollments=pl.DataFrame(
            {
                "household_id": ["H1"],
                "program": ["dibao"],
                "since": [dt.date(2020, 1, 1)],
                "class": ["A"],
                "monthly_benefit_fen": [45_000],
            }
        ),
        rosters=pl.DataFrame({"source": ["dibao"], "id_number": ["220182195001011234"], "name": ["张三"]}),
        deaths=pl.DataFrame({"id_number": ["220182198003031236"], "death_date": [dt.date(2023, 5, 1)]}),
    )


def test_store_county_then_load(registry_engine: Engine) -> None:
    written = store_county(registry_engine, _county())
    assert written == {
        "regions": 2,
        "households": 2,
        "members": 3,
        "income_items": 1,
        "expenses": 1,
        "enrollments": 1,
        "roster_memberships": 1,
    }
    frames = load_frames(registry_engine, on=dt.date(2024, 1, 1))
    assert frames["households"]["enrolled"].to_list() == [True, False]
    assert frames["households"]["enrolled_class"].to_list() == ["A", None]
    assert sorted(frames["members"]["name"]) == ["张三", "王小"]  # 王五 died in 2023
    with registry_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Region)).scalar_one() == 2
        batch = connection.execute(select(ImportBatch.source_kind)).scalar_one()
        roster_batch = connection.execute(select(RosterMembership.batch_id)).scalar_one()
    assert batch == "synthetic" and roster_batch is not None
