"""The engine and bench/plain_rules.py, the same rules written as a plain loop, agree on every decision field.

The loop (issue 2's baseline) shares no code with doudi.rules: if a rule of the engine changes, a field
disagrees here, and either the change or the loop is wrong (check the seed clause).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi.policy.profile import BUILTIN_IDS, load_profile
from doudi.policy.standards import load_standards
from doudi.rules.assess import DECISION_SCHEMA, assess_frames
from doudi.rules.decision import ROUTES
from doudi.rules.schema import INCOMES
from household_builders import DAY, REGION, household, person

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))  # appended: its modules shadow nothing
from assess import synthetic
from plain_rules import compare, plain_assess


def assert_agree(frames: dict[str, pl.DataFrame], profile_id: str, standards: pl.DataFrame) -> pl.DataFrame:
    profile = load_profile(profile_id)
    engine = assess_frames(frames, profile, standards).decisions
    looped = plain_assess(frames, profile, standards)
    agree, total, differ = compare(engine, looped)
    shown = {field: cases[:3] for field, cases in differ.items()}
    assert agree == total == frames["households"].height, f"{total - agree} households disagree: {shown}"
    return engine


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_benchmark_households_agree_on_every_field(seed):
    frames = synthetic(2_000, seed=seed)
    engine = assert_agree(frames, "jilin-2020", load_standards())
    assert set(engine.columns) == set(DECISION_SCHEMA)


STANDARD_FEN = 480_000  # the rural standard of the `standards` fixture (tests/household_builders.py)


def varied(n: int, profile_id: str, seed: int) -> dict[str, pl.DataFrame]:
    """n households using every column of the engine's frames: recorded capacities and classes, expenses,
    running gradual exits, single-person applications, household-level incomes, nulls where allowed; and
    amounts exactly on the boundaries the rules compare against."""
    rng = np.random.default_rng(seed)
    profile = load_profile(profile_id)
    on = DAY[profile_id]
    sizes = rng.integers(1, 6, n)
    hid = np.repeat(np.arange(n), sizes)
    m = len(hid)
    ids = np.char.add("h", np.arange(n).astype(str))
    first_member = np.char.add("p", (np.cumsum(sizes) - sizes).astype(str))

    def money(size: int, scale: int, exact: int) -> np.ndarray:
        # Some amounts are round (multiples of 200 yuan) or exactly `exact`, so sums land on the lines; some are 0.
        amounts = rng.gamma(1.5, scale, size).astype(np.int64)
        amounts = np.where(rng.random(size) < 0.3, rng.integers(0, 40, size) * 20_000, amounts)
        return np.where(rng.random(size) < 0.1, exact, amounts) * (rng.random(size) < 0.88)

    def maybe(values: np.ndarray, share_null: float) -> list:
        drop = rng.random(len(values)) < share_null
        return [None if gone else v.item() for v, gone in zip(values, drop, strict=True)]

    enrolled = rng.random(n) < 0.6
    started = [on - dt.timedelta(days=int(d)) for d in rng.integers(0, 800, n)]
    since = [day if running else None for day, running in zip(started, enrolled & (rng.random(n) < 0.3), strict=True)]
    households = pl.DataFrame(
        {
            "household_id": ids,
            "region_code": REGION[profile_id],
            "on": on,
            "registered_poor": maybe(rng.random(n) < 0.5, 0.05),
            "escaped_poverty": maybe(rng.random(n) < 0.3, 0.05),
            "property_within_rules": maybe(rng.random(n) < 0.9, 0.1),
            "three_guarantees_unsolved": maybe(rng.random(n) < 0.2, 0.1),
            "long_return_industry": maybe(rng.random(n) < 0.2, 0.1),
            "enrolled": maybe(enrolled, 0.05),
            "enrolled_class": maybe(rng.choice(["A", "B", "C"], n), 0.7),
            "current_benefit_fen": maybe(rng.integers(0, 80_000, n), 0.05),
            "gradual_exit_since": since,
            "gradual_exit_base_fen": maybe(rng.integers(0, 80_000, n), 0.3),
        },
        schema_overrides={"gradual_exit_since": pl.Date},
    )
    ages = rng.integers(0, 95, m)
    # Born on the assessment day's date, a day either side of it, or anywhere in the year.
    shift = np.where(rng.random(m) < 0.5, rng.integers(-1, 2, m), rng.integers(-364, 365, m))
    born = [on.replace(year=on.year - int(a)) + dt.timedelta(days=int(d)) for a, d in zip(ages, shift, strict=True)]
    members = pl.DataFrame(
        {
            "household_id": ids[hid],
            "id_number": np.char.add("p", np.arange(m).astype(str)),
            "sex": rng.choice(["M", "F"], m),
            "birth_date": born,
            "health": maybe(rng.choice(["healthy", "chronic", "serious_illness"], m, p=[0.7, 0.15, 0.15]), 0.05),
            "disability_grade": maybe(rng.integers(1, 5, m), 0.8),
            "bedridden": maybe(rng.random(m) < 0.1, 0.2),
            "in_school": maybe(rng.random(m) < 0.2, 0.2),
            "labor_capacity": maybe(rng.choice(["full", "partial", "none"], m), 0.8),
            "employed": maybe(rng.random(m) < 0.3, 0.2),
            "single_person_application": maybe(rng.random(m) < 0.5, 0.2),
        },
        schema_overrides={"disability_grade": pl.Int8},
    )
    k = n * 2
    owner = np.char.add("p", rng.integers(0, m, k).astype(str))
    owner_household = ids[hid[np.char.lstrip(owner, "p").astype(int)]]
    kinds = ["wage", "business", "property", "transfer", "basic_pension", "project_dividend", "other"]
    kind = rng.choice(kinds, k)
    household_item = rng.random(k) < 0.15
    incomes = pl.DataFrame(
        {
            "household_id": owner_household,
            "id_number": [None if shared else who for shared, who in zip(household_item, owner, strict=True)],
            "kind": kind,
            "yearly_fen": money(k, 300_000, STANDARD_FEN),
            "poverty_project": maybe(rng.random(k) < 0.3, 0.1),
        },
        schema=INCOMES,
    )
    # One household in seven earns only wages of exactly a multiple of its line that a rule compares with: the
    # poverty line (3,000 of 4,800), the line, the exit-risk 1.5 ×, the gradual-exit 2 ×, the single-person 3 ×.
    exact = rng.random(n) < 1 / 7
    multiple = rng.choice([0.625, 1, 1.5, 2, 3], n)
    incomes = pl.concat(
        [
            incomes.filter(~pl.col("household_id").is_in(ids[exact].tolist())),
            pl.DataFrame(
                {
                    "household_id": ids[exact],
                    "id_number": first_member[exact],
                    "kind": "wage",
                    "yearly_fen": (STANDARD_FEN * sizes * multiple).astype(np.int64)[exact],
                    "poverty_project": rng.random(n)[exact] < 0.5,
                },
                schema=INCOMES,
            ),
        ]
    )
    j = n
    payer = rng.integers(0, m, j)
    major_medical = int(profile.expense_route.major_medical_min_yearly_yuan.value * 100)
    expenses = pl.DataFrame(
        {
            "household_id": ids[hid[payer]],
            "id_number": np.char.add("p", payer.astype(str)),
            "kind": rng.choice(["medical", "disability", "schooling", "other"], j, p=[0.6, 0.15, 0.15, 0.1]),
            "yearly_fen": money(j, 500_000, major_medical),
        }
    )
    return {"households": households, "members": members, "incomes": incomes, "expenses": expenses}


@pytest.mark.parametrize("profile_id", BUILTIN_IDS)
@pytest.mark.parametrize("seed", [1, 2])
def test_households_using_every_column_agree_under_every_profile(standards, profile_id, seed):
    engine = assert_agree(varied(1_500, profile_id, seed), profile_id, standards)
    # The households reach the rules this test is about, not only the common routes.
    assert {"keep", "enroll", "exit", "gradual_exit_ended", "gradual_exit_completed"} <= set(engine["decision_route"])
    assert engine["poverty_registration_candidate"].any()
    if load_profile(profile_id).keep_on_escape.enabled.value:
        assert engine["escape_keep_dibao"].any()


def test_jilin_2020_households_reach_every_route(standards):
    engine = assert_agree(varied(4_000, "jilin-2020", 5), "jilin-2020", standards)
    assert set(engine["decision_route"]) == set(ROUTES)
    assert set(engine["scope"]) == {"household", "single_person", None}
    assert engine["review_interval_months"].n_unique() > 1  # ASM-6 enrollments and by-class reviews
    for flag in ("fall_back_risk_high", "temporary_assistance_advised", "poverty_registration_candidate"):
        assert engine[flag].any() and not engine[flag].all()


def test_a_household_level_project_dividend_is_exempt_like_a_members(standards):
    """ASM-3 (004 二(四)3): the project dividend of a member without labour capacity does not count; an item tied
    to no member is the household's, exempt when someone in it cannot work (income.recipient_without_labor_capacity).
    """
    people = [person("p1", 70, health="serious_illness"), person("p2", 40)]
    dividends = [{"id_number": None, "kind": "project_dividend", "yearly": 2_000, "poverty_project": True}]
    frames = household("jilin-2020", people, dividends, registered_poor=True)
    engine = assert_agree(frames, "jilin-2020", standards)
    assert engine["per_capita_income_monthly_fen"][0] == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile_id=st.sampled_from(BUILTIN_IDS), seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40))
def test_small_random_batches_agree(standards, profile_id, seed, n):
    assert_agree(varied(n, profile_id, seed), profile_id, standards)
