"""Areas: a county, township or village is a prefix of the household's region or village code."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, true

from doudi.registry.models import Household


def household_in_area(prefix: str | None) -> ColumnElement[bool]:
    """Households of the area whose code starts with `prefix` (6-digit county, 9-digit township, 12-digit
    village); every household when there is no prefix."""
    if not prefix:
        return true()
    pattern = f"{prefix}%"
    return or_(Household.region_code.like(pattern), Household.village_code.like(pattern))
