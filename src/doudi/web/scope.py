"""Area scoping in one place: every registry query of the app goes through these filters, so a user sees and
changes only households in their own area (village 12 digits, township 9, county 6 — a code prefix)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from doudi.registry.models import Household, Region


def household_filter(area_code: str) -> ColumnElement[bool]:
    """Households of the area: by county code for a county user, by village-code prefix below it."""
    if len(area_code) <= 6:
        return Household.region_code.startswith(area_code, autoescape=True)
    return Household.village_code.startswith(area_code, autoescape=True)


def region_filter(area_code: str) -> ColumnElement[bool]:
    """Regions inside the area, and the area itself."""
    return or_(Region.code.startswith(area_code, autoescape=True), Region.code == area_code)
