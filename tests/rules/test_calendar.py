"""Ages (ASM-1 周岁) and review dates (DYN-4) from the calendar tables: exact on every date, birthdays on
29 February, the days around a birthday, mixed assessment dates in one batch, and nulls."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.policy.profile import load_profile
from doudi.rules.assess import assess_frames
from doudi.rules.calendar import add_months, months_later, whole_years
from household_builders import household, person

D = dt.date


def ages(pairs: list[tuple[D | None, D | None]]) -> list[int | None]:
    frame = pl.DataFrame(pairs, schema={"born": pl.Date, "on": pl.Date}, orient="row")
    return frame.select(whole_years(pl.col("born"), pl.col("on")))["born"].to_list()


def later(pairs: list[tuple[D | None, int | None]]) -> list[D | None]:
    frame = pl.DataFrame(pairs, schema={"day": pl.Date, "months": pl.Int64}, orient="row")
    return frame.select(add_months(pl.col("day"), pl.col("months")))["day"].to_list()


def age_by_hand(born: D, on: D) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def months_by_hand(day: D, months: int) -> D:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = D(year + 1, 1, 1) if month == 11 else D(year, month + 2, 1)
    return D(year, month + 1, min(day.day, (following - dt.timedelta(days=1)).day))


def test_a_birthday_counts_from_its_day():
    born = D(1960, 6, 1)
    assert ages([(born, D(2020, 5, 31)), (born, D(2020, 6, 1)), (born, D(2020, 6, 2))]) == [59, 60, 60]


def test_born_on_29_february_a_year_older_on_1_march_in_common_years():
    born = D(2004, 2, 29)
    on = [D(2021, 2, 28), D(2021, 3, 1), D(2024, 2, 28), D(2024, 2, 29), D(2004, 2, 28)]
    assert ages([(born, day) for day in on]) == [16, 17, 19, 20, -1]


def test_assessment_dates_may_differ_within_a_batch_and_nulls_stay_null():
    born = D(1950, 12, 31)
    on = [D(2010, 12, 30), D(2010, 12, 31), D(2260, 1, 1), D(1700, 12, 31), None]
    assert ages([(born, day) for day in on]) == [59, 60, 309, -250, None]
    assert ages([(None, D(2020, 1, 1))]) == [None]


def test_review_months_later_keep_the_day_or_take_the_months_last():
    assert later([(D(2020, 1, 31), 1), (D(2019, 11, 30), 3), (D(2020, 8, 31), 6), (D(2020, 6, 1), 12)]) == [
        D(2020, 2, 29),
        D(2020, 2, 29),
        D(2021, 2, 28),
        D(2021, 6, 1),
    ]
    assert later([(None, 3), (D(2020, 6, 1), None), (D(2399, 12, 31), 2)]) == [None, None, D(2400, 2, 29)]


dates = st.dates(min_value=D(200, 1, 1), max_value=D(9000, 12, 31))  # and ±100 years stay in Python's range


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(dates, dates), min_size=1, max_size=20))
def test_whole_years_are_the_age_by_hand_for_any_dates(pairs):
    assert ages(pairs) == [age_by_hand(born, on) for born, on in pairs]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(dates, st.integers(-1200, 1200)), min_size=1, max_size=20))
def test_months_later_are_as_by_hand_and_as_polars_offset_by(pairs):
    assert later(pairs) == [months_by_hand(day, months) for day, months in pairs]
    frame = pl.DataFrame(pairs, schema={"day": pl.Date, "months": pl.Int64}, orient="row")
    by_polars = frame.select(pl.col("day").dt.offset_by(pl.format("{}mo", pl.col("months"))))["day"].to_list()
    assert later(pairs) == by_polars
    # Cases, review schedules and monitoring windows count months for one date at a time, the same way.
    assert later(pairs) == [months_later(day, months) for day, months in pairs]


def test_the_engine_ages_each_member_on_their_own_households_date(standards):
    """Two households assessed on different days in one batch: the man born 1960-06-02 is 59 on
    2020-06-01 and 60 on 2020-06-02 (jilin-2020: men over 60 count as elderly, COV-3)."""
    frames = [
        household("jilin-2020", [person("p1", 0)], household_id=h, on=on)
        for h, on in (("h1", D(2020, 6, 1)), ("h2", D(2020, 6, 2)))
    ]
    batch = {key: pl.concat([f[key] for f in frames], how="diagonal_relaxed") for key in frames[0]}
    batch["members"] = batch["members"].with_columns(birth_date=pl.lit(D(1960, 6, 2)))
    result = assess_frames(batch, load_profile("jilin-2020"), standards)
    assert result.evaluated["member"].select("household_id", "age").sort("household_id").rows() == [
        ("h1", 59),
        ("h2", 60),
    ]
