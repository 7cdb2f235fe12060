"""A few hand-made households in the registry, for payment and report tests with amounts worked by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from doudi.payments.models import PayeeAccount
from doudi.registry.models import Enrollment, Household, Member, Region

COUNTY = {"jilin": "220182", "yunnan": "530523", "neimenggu": "150721", "fengjie": "500236"}


def regions(session: Session, county: str) -> str:
    """The county, one township and one village; returns the village code."""
    township, village = county + "101", county + "101201"
    session.merge(Region(code=county, name="某县", level="county", parent_code=None))
    session.merge(Region(code=township, name="兴隆镇", level="township", parent_code=county))
    session.merge(Region(code=village, name="新华村", level="village", parent_code=township))
    return village


def add_household(
    engine: Engine,
    household_id: str,
    ages: list[int],
    *,
    county: str = "220182",
    on: dt.date = dt.date(2020, 7, 1),
    program: str = "dibao",
    monthly_yuan: int = 500,
    since: dt.date = dt.date(2020, 1, 10),
    status: str = "active",
    until: dt.date | None = None,
    gradual_exit_since: dt.date | None = None,
    gradual_exit_base_yuan: int | None = None,
    deaths: dict[int, dt.date] | None = None,
    registered_poor: bool = False,
    **member_extra: Any,
) -> list[str]:
    """A household without income (so it is eligible) and its enrollment; returns the members' ID numbers."""
    ids = []
    with Session(engine) as session, session.begin():
        village = regions(session, county)
        session.add(
            Household(id=household_id, region_code=county, village_code=village, registered_poor=registered_poor)
        )
        session.flush()
        for index, age in enumerate(ages):
            id_number = f"{county}{on.year - age:04d}0101{household_id[-2:]}{index}X"[:18]
            ids.append(id_number)
            session.add(
                Member(
                    household_id=household_id,
                    id_number=id_number,
                    name=f"张{household_id[-2:]}{'一二三四五'[index]}",
                    relation="户主" if index == 0 else "子女",
                    sex="M",
                    birth_date=dt.date(on.year - age, 1, 1),
                    death_date=(deaths or {}).get(index),
                    **{"health": "healthy", **member_extra},
                )
            )
        session.add(
            Enrollment(
                household_id=household_id,
                program=program,
                scope="household",
                since=since,
                until=until,
                benefit_class="B",
                monthly_benefit_fen=monthly_yuan * 100,
                status=status,
                gradual_exit_since=gradual_exit_since,
                gradual_exit_base_fen=None if gradual_exit_base_yuan is None else gradual_exit_base_yuan * 100,
            )
        )
        session.add(
            PayeeAccount(
                household_id=household_id,
                account_name=f"张{household_id[-2:]}一",
                bank="中国农业银行",
                account_number=f"622848{household_id[-2:]:0>13}",
            )
        )
    return ids
