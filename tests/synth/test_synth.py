"""The synthetic county: contracts, consistency, realism and speed."""

from __future__ import annotations

import datetime as dt
import time

import polars as pl
import pytest

from doudi.linkage import id_numbers
from doudi.rules.schema import EXPENSES, HOUSEHOLDS, INCOMES, MEMBERS
from doudi.synth import COUNTIES, ENROLLMENTS, RosterErrorRates, SyntheticCounty, generate_county

ON = dt.date(2020, 6, 1)


@pytest.fixture(scope="module")
def county() -> SyntheticCounty:
    return generate_county(households=20_000, seed=2020, county_code="220182", on=ON)


def test_frames_follow_the_schema(county: SyntheticCounty) -> None:
    assert dict(county.households.schema) == {**HOUSEHOLDS, "village_code": pl.String(), "address": pl.String()}
    assert dict(county.members.schema) == MEMBERS
    assert dict(county.incomes.schema) == INCOMES
    assert dict(county.expenses.schema) == EXPENSES
    assert dict(county.enrollments.schema) == ENROLLMENTS
    assert county.households["region_code"].unique().to_list() == ["220182"]
    assert county.households["on"].unique().to_list() == [ON]
    assert county.households["address"][0].startswith("吉林省榆树市")


def test_ids_valid_unique_and_match_the_person(county: SyntheticCounty) -> None:
    members = county.members
    assert id_numbers.check(members["id_number"])["valid"].all()
    assert members["id_number"].is_unique().all()
    assert (members["id_number"].str.slice(0, 6) == "220182").all()
    assert (id_numbers.birth_date(members["id_number"]) == members["birth_date"]).all()
    assert (id_numbers.sex(members["id_number"]) == members["sex"]).all()


def test_region_codes_are_hierarchical(county: SyntheticCounty) -> None:
    regions = county.regions
    towns = regions.filter(pl.col("level") == "township")
    villages = regions.filter(pl.col("level") == "village")
    assert 15 <= towns.height <= 25
    assert (towns["code"].str.len_chars() == 9).all() and (towns["parent_code"] == "220182").all()
    assert (villages["code"].str.len_chars() == 12).all()
    assert (villages["code"].str.slice(0, 9) == villages["parent_code"]).all()
    assert villages["parent_code"].is_in(towns["code"].implode()).all()
    per_town = villages.group_by("parent_code").len()["len"]
    assert per_town.min() >= 10 and per_town.max() <= 20  # type: ignore[operator]
    assert county.households["village_code"].is_in(villages["code"].implode()).all()
    assert regions["code"].is_unique().all() and regions["name"].str.ends_with("村").sum() == villages.height


def test_households_are_plausible(county: SyntheticCounty) -> None:
    members = county.members.with_columns(age=(pl.lit(ON) - pl.col("birth_date")).dt.total_days() / 365.25)
    heads = members.group_by("household_id").agg((pl.col("relation") == "户主").sum().alias("heads"), pl.len())
    assert (heads["heads"] == 1).all()
    assert heads.height == county.households.height
    assert heads["len"].max() <= 7  # type: ignore[operator]
    assert 2.3 < heads["len"].mean() < 3.6  # type: ignore[operator]
    assert (members.filter(pl.col("relation") == "户主")["age"] >= 18).all()
    disabled = members["disability_kind"].is_not_null().mean()
    assert 0.04 < disabled < 0.09  # type: ignore[operator]
    assert (members["disability_kind"].is_null() == members["disability_grade"].is_null()).all()
    school = members.filter((pl.col("age") >= 7) & (pl.col("age") < 15))["in_school"].mean()
    assert school > 0.9  # type: ignore[operator]


def test_incomes_straddle_the_standard(county: SyntheticCounty) -> None:
    counted = county.incomes.filter(~pl.col("kind").is_in(["basic_pension", "project_dividend"]))
    totals = (
        county.members.group_by("household_id")
        .len()
        .join(counted.group_by("household_id").agg(pl.col("yearly_fen").sum()), on="household_id", how="left")
    )
    ratio = totals["yearly_fen"].fill_null(0) / totals["len"] / county.dibao_standard_fen
    assert 0.04 < (ratio < 1).mean() < 0.12  # type: ignore[operator]
    assert ((ratio >= 1) & (ratio < 2)).mean() > 0.15  # type: ignore[operator]
    assert set(county.incomes["kind"].unique()) >= {"wage", "business", "transfer", "basic_pension"}


def test_enrollments_and_overlap(county: SyntheticCounty) -> None:
    households = county.households
    dibao = households.filter("enrolled")
    overlap = dibao["registered_poor"].mean()
    assert 0.35 < overlap < 0.65  # type: ignore[operator]
    statuses = set(county.enrollments["status"].unique())
    assert statuses == {"active", "gradual_exit", "exited"}
    tekun = county.enrollments.filter(pl.col("program") == "tekun")
    assert tekun.height > 0 and tekun["id_number"].is_not_null().all()
    assert county.enrollments.filter(pl.col("program") == "dibao")["class"].is_in(["A", "B", "C"]).all()
    assert (dibao["current_benefit_fen"] > 0).all()
    poor = households.filter("registered_poor")
    assert poor["escaped_poverty"].mean() > 0.8  # type: ignore[operator]


def test_roster_errors_at_their_rates_and_recorded(county: SyntheticCounty) -> None:
    rates = RosterErrorRates()
    errors = county.roster_errors
    listed = county.rosters.height
    counts = dict(errors.group_by("error_kind").len().iter_rows())
    for kind, rate in rates.kinds().items():
        assert 0.4 * rate * listed < counts.get(kind, 0) < 2.0 * rate * listed, kind
    assert counts.get("deceased", 0) > 0
    # Damaged IDs really are invalid, and exactly the recorded ones.
    damaged = errors.filter(pl.col("error_kind").is_in(["digit_mistyped", "digits_swapped"]))
    assert not id_numbers.check(damaged["id_number_recorded"])["valid"].any()
    invalid_in_rosters = county.rosters.filter(
        pl.col("id_number").is_not_null() & ~id_numbers.check(county.rosters["id_number"].fill_null(""))["valid"]
    )
    assert (
        invalid_in_rosters.height
        == errors.filter(pl.col("error_kind").is_in(["digit_mistyped", "digits_swapped", "old_15_digit"])).height
    )
    old = errors.filter(pl.col("error_kind") == "old_15_digit")
    assert (id_numbers.upgrade_15_to_18(old["id_number_recorded"]) == old["id_number_true"]).all()
    names = errors.filter(pl.col("error_kind") == "name_variant")
    assert (names["name_recorded"] != names["name_true"]).all()
    assert (
        county.deaths["id_number"]
        .is_in(county.rosters.filter(pl.col("source") == "dibao")["id_number"].implode())
        .all()
    )
    dibao_households = county.rosters.filter(pl.col("source") == "dibao")["household_ref"].n_unique()
    assert dibao_households == pytest.approx(county.households["enrolled"].sum(), rel=0.02)


def test_deterministic_and_seed_sensitive() -> None:
    # Large enough that Polars works in parallel: an unordered `unique` once made the deaths differ run to run.
    first = generate_county(households=30_000, seed=7)
    again = generate_county(households=30_000, seed=7)
    other = generate_county(households=500, seed=8)
    names = ("regions", "households", "members", "incomes", "expenses", "enrollments", "rosters", "roster_errors")
    for name in (*names, "deaths"):
        assert getattr(first, name).equals(getattr(again, name)), name
    assert not first.members.head(500).equals(other.members.head(500))


@pytest.mark.parametrize("code", sorted(COUNTIES))
def test_every_builtin_county(code: str) -> None:
    county = generate_county(households=300, seed=1, county_code=code)
    assert county.members["id_number"].str.starts_with(code).all()
    assert county.county_name == COUNTIES[code].county_name


def test_unknown_county_is_refused() -> None:
    with pytest.raises(ValueError, match="未内置"):
        generate_county(households=10, county_code="999999")


def test_a_small_county_is_fast() -> None:
    generate_county(households=1_000, seed=1)  # warm-up: imports and Polars thread pool
    started = time.perf_counter()
    generate_county(households=1_000, seed=2)
    assert time.perf_counter() - started < 1.5
