"""Properties of the state machine (PRO-2..4) and of working-day arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.cases.procedure import PROCEDURES
from doudi.cases.states import ACTIONS, CLOSED, STATES, TransitionRefused, allowed_actions, transition
from doudi.cases.workdays import add_workdays, is_workday, workdays_between

actions = st.sampled_from(sorted(ACTIONS))
profiles = st.sampled_from(sorted(PROCEDURES))


@given(st.lists(actions, max_size=12), profiles)
def test_any_sequence_of_actions_stays_inside_the_table(sequence: list[str], profile: str) -> None:
    state = "received"
    for action in sequence:
        try:
            after = transition(state, action, profile)
        except TransitionRefused as refused:
            assert action not in allowed_actions(state, profile)
            assert "当前可办理" in str(refused) or "PRO-4" in str(refused)
            continue
        assert action in allowed_actions(state, profile) and after == ACTIONS[action][1]
        state = after
    assert state in STATES


@pytest.mark.parametrize("state", CLOSED)
def test_a_closed_case_accepts_no_action(state: str) -> None:
    assert allowed_actions(state, "jilin-2020") == []


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
