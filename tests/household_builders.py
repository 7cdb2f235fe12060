"""Builders for households in the engine's frames, and a standards table with round numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from doudi.policy.profile import load_profile
from doudi.rules.assess import assess_frames
from doudi.rules.schema import EXPENSES, HOUSEHOLDS, INCOMES, MEMBERS

# Rural standard 4,800 yuan/year (400/month) everywhere the tests look; poverty line 3,000 yuan/year.
STANDARDS_CSV = """\
region_code,effective_from,rural_dibao_yearly,urban_dibao_monthly,poverty_line_yearly,min_wage_monthly
000000,2015-01-01,,,3000,
220000,2015-01-01,4800,600,,1500
530000,2015-01-01,4800,600,,1500
150000,2015-01-01,4800,600,,1500
500236,2015-01-01,4800,600,,1500
"""

REGION = {
    "jilin-2016": "220182",
    "jilin-2020": "220182",
    "yunnan-2018": "530523",
    "neimenggu-2016": "150421",
    "fengjie-2017": "500236",
}
DAY = {
    "jilin-2016": dt.date(2018, 6, 1),
    "jilin-2020": dt.date(2020, 6, 1),
    "yunnan-2018": dt.date(2018, 6, 1),
    "neimenggu-2016": dt.date(2017, 6, 1),
    "fengjie-2017": dt.date(2017, 6, 1),
}


def person(pid: str, age: int, sex: str = "M", **extra: Any) -> dict[str, Any]:
    """A member aged `age` on the household's assessment day (born on 1 January)."""
    return {"id_number": pid, "sex": sex, "age": age, "health": "healthy", **extra}


def household(
    profile_id: str,
    members: list[dict[str, Any]],
    incomes: list[dict[str, Any]] = (),  # type: ignore[assignment]
    expenses: list[dict[str, Any]] = (),  # type: ignore[assignment]
    household_id: str = "h1",
    **flags: Any,
) -> dict[str, pl.DataFrame]:
    """One household as frames; incomes and expenses in yuan for readability, stored as fen."""
    on = flags.pop("on", DAY[profile_id])
    base = {"household_id": household_id, "region_code": REGION[profile_id], "on": on, **flags}
    for key in ("current_benefit", "gradual_exit_base"):
        if key in base:
            base[f"{key}_fen"] = round(base.pop(key) * 100)
    people = [
        {
            **{k: v for k, v in m.items() if k != "age"},
            "household_id": household_id,
            "birth_date": dt.date(on.year - m["age"], 1, 1),
        }
        for m in members
    ]
    return {
        "households": pl.DataFrame([base]).cast({k: v for k, v in HOUSEHOLDS.items() if k in base}),
        "members": pl.DataFrame(people).cast({k: v for k, v in MEMBERS.items() if k in {c for m in people for c in m}}),
        "incomes": _items(incomes, household_id, INCOMES),
        "expenses": _items(expenses, household_id, EXPENSES),
    }


def _items(items: Any, household_id: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    rows = [
        {
            **{k: v for k, v in item.items() if k != "yearly"},
            "household_id": household_id,
            "yearly_fen": round(item["yearly"] * 100),
        }
        for item in items
    ]
    if not rows:
        return pl.DataFrame(schema=schema)
    frame = pl.DataFrame(rows)
    return frame.cast({k: v for k, v in schema.items() if k in frame.columns})


def decide(profile_id: str, frames: dict[str, pl.DataFrame], standards: pl.DataFrame, profile: Any = None) -> dict:
    result = assess_frames(frames, profile or load_profile(profile_id), standards)
    assert result.errors.height == 0, result.errors
    return result.decisions.row(0, named=True)
