"""Properties of the state machine (PRO-2..4) and of working-day arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.cases.procedure import PROCEDURES
from doudi.cases.states import (
    ACTIONS,
    CLOSED,
    STATES,
    TransitionRefused,
    actions_for,
    allowed_actions,
    state_name,
    transition,
)
from doudi.cases.workdays import add_workdays, is_workday, workdays_between

actions = st.sampled_from(sorted(ACTIONS))
profiles = st.sampled_from(sorted(PROCEDURES))
programs = st.sampled_from(["dibao", "tekun", "temporary"])


@given(st.lists(actions, max_size=12), profiles, programs)
def test_any_sequence_of_actions_stays_inside_the_table(sequence: list[str], profile: str, program: str) -> None:
    state = "received"
    for action in sequence:
        try:
            after = transition(state, action, profile, program)
        except TransitionRefused as refused:
            assert action not in allowed_actions(state, profile, program)
            assert "当前可办理" in str(refused) or "PRO-4" in str(refused)
            continue
        assert action in allowed_actions(state, profile, program) and after == actions_for(program)[action][1]
        state = after
    assert state in STATES


@pytest.mark.parametrize("program", ["dibao", "tekun", "temporary"])
@pytest.mark.parametrize("state", CLOSED)
def test_a_closed_case_accepts_no_action(state: str, program: str) -> None:
    assert allowed_actions(state, "jilin-2020", program) == []


def test_temporary_assistance_takes_the_township_path_only() -> None:
    # PRO-5: approved by the township, which closes the case; no village review, posting or county step.
    assert allowed_actions("received", "jilin-2020", "temporary") == ["approve", "refuse"]
    assert transition("received", "approve", "jilin-2020", "temporary") == "confirmed"
    assert state_name("confirmed", "temporary") == "乡镇已批准临时救助"
    assert state_name("confirmed", "dibao") == "县级已确认"
    for step in ("review", "post", "object", "confirm", "fast_track"):
        with pytest.raises(TransitionRefused, match="该救助项目没有"):
            transition("received", step, "jilin-2020", "temporary")


def test_tekun_takes_the_full_chain_without_the_fast_track() -> None:
    assert allowed_actions("received", "jilin-2020", "tekun") == ["review", "refuse"]
    path = ["received"]
    for action in ("review", "approve", "post", "confirm"):
        path.append(transition(path[-1], action, "jilin-2020", "tekun"))
    assert path[-1] == "confirmed"
    assert "fast_track" in allowed_actions("received", "jilin-2020", "dibao")


def test_only_jilin_2020_has_the_fast_track() -> None:
    assert [p for p in PROCEDURES if "fast_track" in allowed_actions("received", p)] == ["jilin-2020"]


@given(st.dates(dt.date(2016, 1, 1), dt.date(2025, 12, 31)), st.integers(0, 40))
def test_adding_working_days_lands_on_a_working_day_that_far_away(start: dt.date, days: int) -> None:
    due = add_workdays(start, days)
    assert workdays_between(start, due) == days
    assert days == 0 or is_workday(due)


def test_spring_festival_2020_and_its_make_up_day() -> None:
    assert not is_workday(dt.date(2020, 1, 27))  # 春节 (extended to 2 February that year)
    assert is_workday(dt.date(2020, 1, 19))  # Sunday make-up workday
    assert not is_workday(dt.date(2020, 2, 1))
