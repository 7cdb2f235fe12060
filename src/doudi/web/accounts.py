"""Account administration: adding users, and the demo county's one account per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from doudi.registry.models import Household, Region
from doudi.web.auth import create_user, hash_password
from doudi.web.models import WebUser
from doudi.web.roles import ROLES


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    area_code: str
    area_name: str

    @property
    def role_name(self) -> str:
        return ROLES[self.role].name


DEMO_USERS = {  # role -> username
    "village_assistant": "cun",
    "township_officer": "xiang",
    "county_civil_affairs": "minzheng",
    "poverty_office": "fupin",
    "auditor": "shenji",
    "admin": "admin",
}


def demo_accounts(engine: Engine, county_code: str | None = None) -> list[DemoAccount]:
    """One account per role over the registry's (first) county, its busiest village and that village's
    township; fresh random passwords each time (re-running the demo resets them and unlocks the accounts)."""
    with Session(engine) as session, session.begin():
        county = county_code or session.scalar(
            select(Region.code).where(Region.level == "county").order_by(Region.code)
        )
        if county is None:
            raise ValueError("登记库中没有县级行政区划：请先运行 doudi demo 或导入台账")
        # The busiest village (and its township) makes the demo's village and township accounts worth opening.
        busiest = session.execute(
            select(Household.village_code, func.count())
            .where(Household.region_code == county, Household.village_code.is_not(None))
            .group_by(Household.village_code)
            .order_by(func.count().desc(), Household.village_code)
            .limit(1)
        ).first()
        village = busiest[0] if busiest else None
        township = village[:9] if village else None
        names = dict(
            session.execute(select(Region.code, Region.name).where(Region.code.in_([county, township, village]))).all()
        )
        areas = {"village": village or "", "township": township or "", "county": county}
        accounts = []
        for role, username in DEMO_USERS.items():
            area = areas[ROLES[role].area_level]
            password = secrets.token_urlsafe(9)
            display = f"{names.get(area, area)}{ROLES[role].name}"
            existing = session.scalars(select(WebUser).where(WebUser.username == username)).first()
            if existing is None:
                create_user(session, username, password, role, area, display)
            else:
                existing.password_hash = hash_password(password)
                existing.role, existing.area_code, existing.display_name = role, area, display
                existing.failed_logins, existing.locked_until = 0, None
            accounts.append(DemoAccount(username, password, role, area, names.get(area, area)))
    return accounts
