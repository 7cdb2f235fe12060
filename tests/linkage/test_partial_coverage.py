"""保人不保户 and 按年龄纳入 (COV-1: 以户为单位) as the engine's rules define them: a person who may be enrolled alone
(COV-4) is no partial coverage, and working age and ages are the profile's and the engine's (ASM-1: 周岁,
women's and men's retirement ages), not fixed numbers."""

from __future__ import annotations

import datetime as dt

import polars as pl

from doudi.linkage import rosters
from doudi.linkage.compare import compare_rosters
from doudi.policy.profile import load_profile
from linkage.compare_builders import VILLAGE, person_id, roster

ON = dt.date(2020, 6, 1)


def categories(covered: dict[str, str], son_birth: str = "19900101", **extra: str) -> set[str]:
    """The findings on one household's head: `covered` (birth date YYYYMMDD, sex) alone on dibao, the poor roster
    listing them with a son of working age."""
    birth, sex = covered["birth"], covered["sex"]
    parent = {
        "household_no": "d1",
        "name": "王一",
        "id_number": person_id(birth, 22 if sex == "女" else 11),
        "relation": "户主",
        "sex": sex,
        "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
        "village_code": VILLAGE,
        "yearly_income_yuan": "1000",
        **extra,
    }
    son = parent | {
        "household_no": "p1",
        "name": "王子",
        "id_number": person_id(son_birth, 31),
        "relation": "子女",
        "sex": "男",
        "birth_date": f"{son_birth[:4]}-{son_birth[4:6]}-{son_birth[6:]}",
    }
    parts = [
        rosters.from_frame(roster([parent]), "dibao"),
        rosters.from_frame(roster([parent | {"household_no": "p1"}, son]), "poor"),
    ]
    result = compare_rosters(rosters.combine(parts), load_profile("jilin-2020"), ON)
    found = result.findings.filter(pl.col("name") == "王一")
    return set(found["category"])


def test_a_woman_past_the_womens_working_age_covered_alone_is_enrolment_by_age():
    # 57 on 2020-06-01: past jilin-2020's working age for women (55), though under 60.
    assert "age_only" in categories({"birth": "19630301", "sex": "女"})


def test_age_is_counted_in_whole_years_from_the_birthday():
    # Born 1960-12-31: 59 on 2020-06-01 (60 by the calendar year alone), so still of working age as a man.
    found = categories({"birth": "19601231", "sex": "男"})
    assert "age_only" not in found and "partial_coverage" in found
    assert "age_only" in categories({"birth": "19600101", "sex": "男"})


def test_only_a_person_the_engine_enrols_alone_is_spared_the_partial_coverage_finding():
    # COV-4 / 004 二(四)1: the severely disabled may be enrolled alone; a grade-3 disabled person, who lost labour
    # capacity only in part, may not (ASM-8 spares their household the economic check, not the whole household).
    alone = {"birth": "19800101", "sex": "男"}
    assert "partial_coverage" not in categories(alone, disability_grade="一级")
    assert "partial_coverage" in categories(alone, disability_grade="三级")
