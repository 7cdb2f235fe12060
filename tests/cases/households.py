"""Hand-made registry households for the case tests (Jilin, 2020: rural dibao standard 4000 yuan a year)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from doudi.registry.models import Enrollment, Household, IncomeItem, Member

REGION = "220102"  # 长春市南关区: jilin-2020 applies from 2020-03-26
HEAD_ID = "220102195001010018"
SPOUSE_ID = "22010219520202002X"


def add_household(
    session: Session,
    household_id: str = "H1",
    yearly_income_yuan: int = 2000,
    registered_poor: bool = False,
    members: tuple[tuple[str, str, str], ...] = ((HEAD_ID, "张三", "户主"), (SPOUSE_ID, "李四", "配偶")),
) -> Household:
    household = Household(id=household_id, region_code=REGION, registered_poor=registered_poor)
    session.add(household)
    for id_number, name, relation in members:
        birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        session.add(
            Member(
                household_id=household_id,
                id_number=id_number,
                name=name,
                relation=relation,
                birth_date=birth,
                sex="M" if int(id_number[16]) % 2 else "F",
                health="healthy",
                labor_capacity="full",
            )
        )
    if yearly_income_yuan:
        session.add(
            IncomeItem(
                household_id=household_id, id_number=members[0][0], kind="wage", yearly_fen=yearly_income_yuan * 100
            )
        )
    session.flush()
    return household


def enroll(session: Session, household_id: str, since: dt.date, monthly_fen: int) -> Enrollment:
    enrollment = Enrollment(
        household_id=household_id,
        program="dibao",
        since=since,
        monthly_benefit_fen=monthly_fen,
        benefit_class="C",
        status="active",
    )
    session.add(enrollment)
    session.flush()
    return enrollment
