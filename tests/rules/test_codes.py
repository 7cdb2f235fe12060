"""Coded columns (labour capacity, class, sex, health): a code the engine does not know puts its household among
the errors with the codes allowed, whoever calls the engine (the registry, the web app, a batch file); a blank
cell is no error; the other households of the batch are assessed."""

from __future__ import annotations

import polars as pl

from doudi.policy.profile import load_profile
from doudi.rules.assess import assess_frames
from household_builders import household, person


def batch(*households: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    return {key: pl.concat([h[key] for h in households], how="diagonal_relaxed") for key in households[0]}


def test_an_unknown_code_is_reported_and_the_rest_assessed(standards):
    frames = batch(
        household("jilin-2020", [person("a1", 70, labor_capacity="some")], household_id="a"),
        household("jilin-2020", [person("b1", 70)], household_id="b", enrolled=True, enrolled_class="D"),
        household("jilin-2020", [person("c1", 70, health="well")], household_id="c"),
        household("jilin-2020", [person("d1", 70, labor_capacity="none")], household_id="d"),
    )
    result = assess_frames(frames, load_profile("jilin-2020"), standards)
    assert result.decisions["household_id"].to_list() == ["d"]
    assert result.errors.sort("household_id").rows() == [
        ("a", "members.labor_capacity", "未知的取值“some”，应为 full、partial、none"),
        ("b", "households.enrolled_class", "未知的取值“D”，应为 A、B、C"),
        ("c", "members.health", "未知的取值“well”，应为 healthy、chronic、serious_illness"),
    ]


def test_a_blank_code_is_derived_as_a_missing_one(standards):
    blank = household("jilin-2020", [person("a1", 70, labor_capacity="", sex="")], household_id="a")
    missing = household("jilin-2020", [person("a1", 70, labor_capacity=None, sex=None)], household_id="a")
    profile = load_profile("jilin-2020")
    got, want = assess_frames(blank, profile, standards), assess_frames(missing, profile, standards)
    assert got.errors.is_empty()
    assert got.decisions.equals(want.decisions)
    assert got.evaluated["member"]["labor_capacity_assessed"].to_list() == ["none"]  # 70: past working age
