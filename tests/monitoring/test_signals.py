"""Early-warning rules on hand-built households: each rule fires on one side of its threshold and not on the
other. Amounts are yearly yuan; the rural standard is 4,800 yuan a year (400 a month) per person."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.monitoring import signals
from doudi.monitoring.watch_lists import membership
from doudi.policy.money import format_yuan
from doudi.policy.profile import load_profile

JILIN_2020 = load_profile("jilin-2020")  # monitoring on (004 二(二)(三)); drop 30%, expense 50%, edge 1.5×
STANDARD = 4800
DAY = dt.date(2020, 6, 1)


def e4(yuan: float) -> int:
    return round(yuan * 100) * 10_000


def household(**values: Any) -> dict[str, Any]:
    size = values.pop("size", 1)
    row: dict[str, Any] = {
        "household_id": "h1",
        "on": DAY,
        "registered_poor": False,
        "escaped_poverty": False,
        "household_size": size,
        "counted_income_fen_e4": e4(6000),
        "household_line_fen_e4": e4(STANDARD * size),
        "gross_income_fen": 600_000,
        "medical_self_paid_fen": 0,
        "household_eligible": False,
        "fall_back_risk_high": False,
        "has_incapable_priority_member": False,
        "all_members_elderly": False,
        "decision": "deny",
        "coverage": "none",
        "previous_income_fen_e4": None,
        "feed_medical_fen": None,
        "feed_medical_on": None,
    }
    for key, value in values.items():
        row[key] = e4(value) if key in ("income", "previous") else value
    if "income" in values:
        row["counted_income_fen_e4"] = row.pop("income")
    if "previous" in values:
        row["previous_income_fen_e4"] = row.pop("previous")
    return row


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema_overrides={"previous_income_fen_e4": pl.Int64, "feed_medical_fen": pl.Int64, "feed_medical_on": pl.Date},
    )


def fired(*rows: dict[str, Any], profile=JILIN_2020) -> list[str]:
    return signals.household_signals(frame(*rows), profile)["rule"].to_list()


@pytest.mark.parametrize(
    ("previous", "income", "fires"),
    [
        (10_000, 7_000, True),  # down exactly 30% (monitoring.income_drop_share, 004 二(二) 收入骤减)
        (10_000, 7_000.01, False),  # down a fen less than 30%, still above the 4,800 line
        (4_800, 4_799.99, True),  # was at the line, now a fen below it
        (4_799.99, 4_000, False),  # below the line both times, down 16.7%: not sudden
        (None, 1_000, False),  # no earlier comparison: nothing to compare with
    ],
)
def test_sudden_income_drop(previous, income, fires):
    row = household(income=income, gross_income_fen=round(income * 100))
    row["previous_income_fen_e4"] = e4(previous) if previous is not None else None
    assert ("income_drop" in fired(row)) is fires


@pytest.mark.parametrize(
    ("registry_medical", "feed_medical", "fires"),
    [
        (300_000, None, True),  # 3,000 self-paid of 6,000 gross income = 50% (004 二(二) 支出骤增)
        (299_999, None, False),
        (0, 300_000, True),  # the medical feed's sum counts when the registry has none
        (100_000, 200_000, False),  # the larger of the two, not their sum: 2,000 of 6,000
        (0, None, False),
    ],
)
def test_sudden_expenditure(registry_medical, feed_medical, fires):
    row = household(medical_self_paid_fen=registry_medical, feed_medical_fen=feed_medical)
    assert ("expense_spike" in fired(row)) is fires


@pytest.mark.parametrize(
    ("coverage", "fires"), [("none", True), ("temporary", True), ("dibao", False), ("tekun", False)]
)
def test_unstable_income_after_escape_when_not_on_dibao_or_tekun(coverage, fires):
    row = household(escaped_poverty=True, registered_poor=True, fall_back_risk_high=True, coverage=coverage)
    assert ("unstable_after_escape" in fired(row)) is fires
    assert "unstable_after_escape" not in fired(household(escaped_poverty=True, coverage=coverage))


@pytest.mark.parametrize(
    ("income", "elderly", "fires"),
    [
        (7_199.99, True, True),  # below 1.5 × 4,800 = 7,200, all elderly, refused (004 二(三) MON-4)
        (7_200, True, False),  # at the edge line: not below it
        (5_000, False, False),  # low income but no special difficulty
    ],
)
def test_refused_but_in_difficulty(income, elderly, fires):
    row = household(income=income, all_members_elderly=elderly)
    assert ("refused_in_difficulty" in fired(row)) is fires


def test_eligible_households_not_covered_are_raised_until_covered():
    assert fired(household(income=3_000, household_eligible=True, decision="enroll")) == ["eligible_not_covered"]
    assert fired(household(income=3_000, household_eligible=True, decision="keep", coverage="dibao")) == []


def test_profiles_without_monitoring_raise_nothing():
    row = household(income=3_000, household_eligible=True, all_members_elderly=True)
    assert fired(row, profile=load_profile("jilin-2016")) == []


def test_score_and_action_hand_worked():
    row = household(income=3_000, household_eligible=True, all_members_elderly=True, decision="enroll")
    found = signals.household_signals(frame(row), JILIN_2020)
    scored = signals.score_and_action(found, frame(row), JILIN_2020).row(0, named=True)
    # 55 (eligible, not covered) + 15 not covered + 10 all elderly + 10 below the standard = 90
    assert scored["risk_score"] == 90
    assert scored["action"] == "assess_dibao"
    assert (scored["policy_id"], scored["clause"]) == ("MON-1", "004 二(三)")
    assert scored["evidence"] == "月人均收入¥250.00低于低保标准¥400.00，符合条件但未纳入低保、特困"
    assert scored["event_key"] == "2020"


def test_covered_by_temporary_assistance_scores_lower_and_goes_to_the_poverty_office():
    row = household(escaped_poverty=True, fall_back_risk_high=True, coverage="temporary", registered_poor=True)
    scored = signals.score_and_action(signals.household_signals(frame(row), JILIN_2020), frame(row), JILIN_2020)
    assert scored.select("rule", "risk_score", "action").rows() == [
        ("unstable_after_escape", 35, "refer_poverty_office")
    ]


def events(*rows: dict[str, Any]) -> pl.DataFrame:
    base = {
        "household_id": "h1",
        "id_number": "220182197001011234",
        "event_date": dt.date(2020, 5, 3),
        "amount_fen": None,
        "grade": None,
        "severe": False,
        "detail": None,
        "main_earner": False,
        "registry_grade": None,
    }
    return pl.DataFrame(
        [{**base, **r} for r in rows],
        schema_overrides={"amount_fen": pl.Int64, "grade": pl.Int64, "registry_grade": pl.Int64},
    )


def test_event_rules():
    found = signals.event_signals(
        events(
            {"kind": "disability", "grade": 2, "severe": True, "detail": "肢体"},
            {"kind": "disability", "grade": 3, "severe": False, "id_number": "220182197001015678"},
            # already grade 1 in the registry: a renewed certificate is not a new severe disability
            {"kind": "disability", "grade": 1, "severe": True, "registry_grade": 1, "id_number": "220182196001013333"},
            # grade 3 in the registry, now 2: newly severe
            {"kind": "disability", "grade": 2, "severe": True, "registry_grade": 3, "id_number": "220182196501014444"},
            {"kind": "death", "severe": True, "main_earner": False, "id_number": "220182194001011111"},
            {"kind": "death", "severe": True, "main_earner": True, "id_number": "220182197501012222"},
            {"kind": "education"},
        ),
        JILIN_2020,
    )
    assert found.select("rule", "person_key", "event_key").rows() == [
        ("severe_disability", "220182197001011234", "disability:2020-05-03"),
        ("severe_disability", "220182196501014444", "disability:2020-05-03"),
        ("main_earner_death", "220182197501012222", "death:2020-05-03"),
    ]
    assert found["evidence"][0] == "2020年5月3日办证：2级肢体残疾"


def test_one_alert_per_person_rule_and_day_even_when_two_rows_report_it():
    found = signals.event_signals(
        events(
            {"kind": "medical", "severe": True, "amount_fen": 1_000_000, "detail": "尿毒症"},
            {"kind": "medical", "severe": True, "amount_fen": 200_000, "detail": "尿毒症"},
        ),
        JILIN_2020,
    )
    assert found.height == 1


def test_watch_lists_and_coverage_reasons():
    rows = frame(
        household(household_id="poor", registered_poor=True, coverage="dibao", income=3_000),
        household(household_id="risk", registered_poor=True, escaped_poverty=True, fall_back_risk_high=True),
        household(household_id="edge", income=7_000, household_eligible=False),
        household(household_id="edge-eligible", income=4_000, household_eligible=True),
        household(household_id="fine", income=7_200),
    )
    listed = membership(rows, JILIN_2020).sort("list_name", "household_id")
    assert listed.rows() == [
        ("edge", "edge", "非建档立卡，人均收入低于边缘线；未保障：经评估不符合低保条件，需关注并落实其他帮扶"),
        ("edge", "edge-eligible", "非建档立卡，人均收入低于边缘线；未保障：符合低保条件，应及时纳入"),
        ("remaining_poor", "poor", "建档立卡未脱贫；已纳入低保"),
        ("return_risk", "risk", "已脱贫，退出后返贫风险较大；未保障：经评估不符合低保条件，需关注并落实其他帮扶"),
    ]


@settings(deadline=None, max_examples=60)  # a frame per example; the machine is shared
@given(st.integers(min_value=-(10**11), max_value=10**11))
def test_evidence_money_reads_like_everywhere_else(fen):
    shown = pl.DataFrame({"fen": [fen]}).select(signals._yuan(pl.col("fen")).alias("shown"))["shown"][0]
    assert shown == format_yuan(fen)


@settings(deadline=None, max_examples=60)  # a frame per example; the machine is shared
@given(
    before=st.integers(min_value=0, max_value=50_000_00),
    now=st.integers(min_value=0, max_value=50_000_00),
    lower=st.integers(min_value=0, max_value=50_000_00),
)
def test_a_larger_drop_from_the_same_income_is_never_less_alarming(before, now, lower):
    def drops(current_fen: int) -> bool:
        row = household(gross_income_fen=current_fen)
        row["counted_income_fen_e4"] = current_fen * 10_000
        row["previous_income_fen_e4"] = before * 10_000
        return "income_drop" in fired(row)

    if drops(now):
        assert drops(min(now, lower))


@settings(deadline=None, max_examples=60)  # a frame per example; the machine is shared
@given(
    st.lists(st.sampled_from(["disability", "death", "disaster", "housing", "medical"]), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=4),
)
def test_the_same_events_reported_again_raise_no_more_alerts(kinds, copies):
    rows = [{"kind": kind, "severe": True, "main_earner": True, "grade": 1} for kind in kinds]
    once = signals.event_signals(events(*rows), JILIN_2020)
    repeated = signals.event_signals(events(*(rows * copies)), JILIN_2020)
    assert repeated.sort(signals.ALERT_KEYS).equals(once.sort(signals.ALERT_KEYS))
