"""Dates for cases: working days for deadlines (weekends and Chinese public holidays off, make-up workdays
on) and the first of the next month, when benefits start. Months later (review dates) are counted by
`rules.calendar.months_later`, as the engine counts them.

The holiday calendar comes from the `chinesecalendar` package (State Council notices, 2004 onwards); for a
year it does not know yet, weekends alone count (and the deadline is then at most a holiday late).
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            days -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day)
    return count


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
