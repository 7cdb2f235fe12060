"""The form in which a household's decision is kept (doudi.web.caching): the engine's own values for it, not
the decision JSON, which is made from them when the page is read.

The decision JSON with its explanation runs to ~9 KB a household, most of it the same citations again and
again, and building it costs about a millisecond of Python per household: a million of them would be 9 GB
and a quarter of an hour. The values behind it (the decision's row, the explained steps' values, the
members' and incomes' evaluated rows) are under 1 KB, are written by Polars for a whole batch at once, and
become the same JSON through the same functions a fresh assessment uses (decision_record, explain_rows).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl

from doudi.policy.profile import load_profile
from doudi.rules.assess import DECISION_SCHEMA, Assessment, decision_record
from doudi.rules.explain import STEPS, explain_rows
from doudi.rules.variables import REGISTRY

# What explain_rows reads of the household, of each member and of each income row.
HOUSEHOLD_FIELDS = (*STEPS, "enrolled")
MEMBER_FIELDS = (
    "id_number",
    "name",
    "relation",
    "age",
    "health",
    "disability_grade",
    "labor_capacity_assessed",
    "covered",
    "single_person_covered",
    "supplement_fen",
)
INCOME_FIELDS = ("id_number", "kind", "yearly_fen", "counted_income_item_fen_e4", "poverty_project")
_DECISION_DATES = [name for name, kind in DECISION_SCHEMA.items() if kind == pl.Date()]
_STEP_DATES = [name for name in STEPS if REGISTRY[name].unit == "date"]


def kept_forms(result: Assessment) -> pl.DataFrame:
    """household_id and the kept form (JSON text) of every household the assessment decided."""
    evaluated = result.evaluated
    decided = result.decisions.join(result.errors.select("household_id"), on="household_id", how="anti")
    if not decided.height:
        return pl.DataFrame(schema={"household_id": pl.String(), "form": pl.String()})
    parts = [decided.select("household_id", _json(decided, DECISION_SCHEMA).alias("d"))]
    parts.append(
        evaluated["household"].select("household_id", _json(evaluated["household"], HOUSEHOLD_FIELDS).alias("h"))
    )
    for frame, fields, name in ((evaluated["member"], MEMBER_FIELDS, "m"), (evaluated["income"], INCOME_FIELDS, "i")):
        parts.append(
            frame.group_by("household_id", maintain_order=True).agg(_json(frame, fields).str.join(",").alias(name))
        )
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, on="household_id", how="left")
    return joined.select(
        "household_id",
        pl.concat_str(
            pl.lit('{"d":'),
            pl.col("d"),
            pl.lit(',"h":'),
            pl.col("h"),
            pl.lit(',"m":['),
            pl.col("m").fill_null(""),
            pl.lit('],"i":['),
            pl.col("i").fill_null(""),
            pl.lit("]}"),
        ).alias("form"),
    )


def _json(frame: pl.DataFrame, fields: Any) -> pl.Expr:
    # Only the fields the evaluation has: a missing one must stay missing, as explain() would see it.
    return pl.struct([name for name in fields if name in frame.columns]).struct.json_encode()


def decision_of(form: str) -> dict[str, Any]:
    """The decision JSON (with its explanation) of a kept form, as assess_one would have made it."""
    kept = json.loads(form)
    row, household = kept["d"], kept["h"]
    for name in _DECISION_DATES:
        row[name] = _date(row.get(name))
    for name in _STEP_DATES:
        if name in household:
            household[name] = _date(household[name])
    return decision_record(row, explain_rows(load_profile(row["profile"]), household, kept["m"], kept["i"]))


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)
