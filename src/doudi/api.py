"""The Python API for assessing households: the same code the CLI and the web use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from doudi.policy.profile import Profile, load_profile
from doudi.policy.standards import load_standards
from doudi.rules.assess import Assessment, assess_frames, assess_one


def assess(
    household: dict[str, Any],
    profile: str | Path | Profile | None = None,
    on: dt.date | None = None,
    standards: str | Path | pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Assess one household written as the README's household JSON (a dict); returns the decision JSON with
    its explanation. `profile` is a built-in id, a profile file, a Profile, or None (the one in force for the
    household's region on `on`). Raises HouseholdInputError (every bad field), ProfileError, StandardsError or
    AssessmentError, each with a Chinese message."""
    from doudi.ingest.household_json import read_household

    chosen = profile if isinstance(profile, Profile) or profile is None else load_profile(profile)
    table = standards if isinstance(standards, pl.DataFrame) else load_standards(standards)
    return assess_one(read_household(household, on or dt.date.today()), chosen, table)


__all__ = ["Assessment", "assess", "assess_frames"]
