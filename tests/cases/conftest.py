from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cases.households import add_household
from doudi.cases import service
from doudi.cases.models import Case
from doudi.cases.session import unit_of_work

D = dt.date


def investigate_fully(session: Session, case: Case, on: dt.date | None = None) -> None:
    """The four records a township approval requires (ASM-7, PRO-2)."""
    on = on or D(2020, 6, 2)
    for kind, people in (
        ("入户调查", ["王芳", "李强"]),
        ("民主评议", ["村民代表"]),
        ("邻里访问", ["赵邻居"]),
        ("家庭经济状况信息核对", ["县核对中心"]),
    ):
        service.add_investigation(session, case.id, kind=kind, on=on, people=people, findings="属实", by="王芳")


@pytest.fixture
def approved_case(registry_engine: Engine) -> Callable[..., int]:
    """A case for household H1 (2 elderly members, 2000 yuan a year) approved by the township on 2020-06-05."""

    def make(household_id: str = "H1", registered_poor: bool = False) -> int:
        with unit_of_work(registry_engine) as session:
            add_household(session, household_id, registered_poor=registered_poor)
            case = service.open_case(
                session,
                household_id=household_id,
                program="dibao",
                by="王芳",
                received_on=D(2020, 6, 1),
                documents=["申请书"],
            )
            investigate_fully(session, case)
            service.review(session, case.id, by="村委会", on=D(2020, 6, 3))
            service.approve(session, case.id, by="乡镇张", on=D(2020, 6, 5))
            return case.id

    return make
