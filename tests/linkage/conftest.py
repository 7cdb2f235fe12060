"""Fixtures for the comparison tests: the hand-made scenario of compare_builders.py, compared once."""

from __future__ import annotations

import pytest

from doudi.linkage.compare import ComparisonResult, compare_rosters
from doudi.policy.profile import load_profile
from linkage.compare_builders import ON, scenario_rosters


@pytest.fixture(scope="module")
def scenario() -> ComparisonResult:
    return compare_rosters(scenario_rosters(), load_profile("jilin-2020"), ON)
