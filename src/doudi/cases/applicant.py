"""Registering a new applicant's household from the household JSON (the same contract as `doudi assess`), so
the case, the engine, payments and lists all work on the registry household from the first day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from doudi.cases.errors import CaseError
from doudi.ingest.household_json import HouseholdInputError, read_household
from doudi.registry.models import Expense, Household, IncomeItem, Member
from doudi.rules.schema import MEMBERS


def register_applicant(session: Session, data: Any, on: dt.date) -> Household:
    """Store the household, its members, incomes and expenses (audited like any ORM change); refuses a household
    id already in the registry and lists every problem of the JSON at once."""
    try:
        frames = read_household(data, on)
    except HouseholdInputError as error:
        raise CaseError(f"申请家庭数据有误：{error}") from None
    row = frames["households"].row(0, named=True)
    if session.get(Household, row["household_id"]) is not None:
        raise CaseError(f"户 {row['household_id']} 已在登记库中，请直接用 --household 受理")
    region = str(data["region_code"])
    household = Household(
        id=row["household_id"],
        region_code=row["region_code"],
        village_code=region if len(region) == 12 else None,
        registered_poor=bool(row["registered_poor"]),
        escaped_poverty=bool(row["escaped_poverty"]),
        property_within_rules=row["property_within_rules"] is not False,
        three_guarantees_unsolved=bool(row["three_guarantees_unsolved"]),
        long_return_industry=bool(row["long_return_industry"]),
    )
    session.add(household)
    session.flush()
    member_fields = [name for name in MEMBERS if name != "household_id"]
    for member in frames["members"].iter_rows(named=True):
        values = {name: member[name] for name in member_fields if member[name] is not None}
        session.add(Member(household_id=household.id, **values))
    for income in frames["incomes"].iter_rows(named=True):
        session.add(
            IncomeItem(
                household_id=household.id,
                id_number=income["id_number"],
                kind=income["kind"],
                yearly_fen=income["yearly_fen"],
                poverty_project=bool(income["poverty_project"]),
            )
        )
    for expense in frames["expenses"].iter_rows(named=True):
        session.add(
            Expense(
                household_id=household.id,
                id_number=expense["id_number"],
                kind=expense["kind"],
                yearly_fen=expense["yearly_fen"],
            )
        )
    session.flush()
    return household
