"""The standards table the rule tests hold households against."""

from __future__ import annotations

import polars as pl
import pytest

from doudi.policy.standards import load_standards
from household_builders import STANDARDS_CSV


@pytest.fixture(scope="session")
def standards(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    path = tmp_path_factory.mktemp("standards") / "standards.csv"
    path.write_text(STANDARDS_CSV, encoding="utf-8")
    return load_standards(path)
