"""The cases the seeds describe, worked by hand. Standard: 4,800 yuan/person/year (400/month); poverty line
3,000 (see conftest). Amounts in fen; each test names its rule and clause."""

from __future__ import annotations

import datetime as dt

from doudi.policy.profile import load_profile
from household_builders import decide, household, person


def with_params(profile_id: str, section: str, **values: object):
    """A copy of a built-in profile with some parameter values changed (as a county would)."""
    p = load_profile(profile_id)
    part = getattr(p, section)
    changed = {k: getattr(part, k).model_copy(update={"value": v}) for k, v in values.items()}
    return p.model_copy(update={section: part.model_copy(update=changed)})


# ASM-2 基础养老金不计入 (004 二(四)3; 003 三(三)1; 000 二(二)1) ------------------------------------------------


def test_basic_pension_is_not_counted(standards):
    # Two elderly, 3,000 business income and 2,400 basic pension. Counted 3,000; line 9,600.
    # Top-up (9,600 − 3,000) / 12 = 550.00; supplements: elderly 30 each (jilin-2020 local default).
    frames = household(
        "jilin-2020",
        [person("a", 70), person("b", 68, "F")],
        incomes=[{"kind": "business", "yearly": 3000}, {"kind": "basic_pension", "id_number": "a", "yearly": 2400}],
    )
    row = decide("jilin-2020", frames, standards)
    assert row["decision"] == "enroll" and row["scope"] == "household"
    assert row["top_up_fen"] == 55000
    assert row["supplements_fen"] == 6000
    assert row["monthly_benefit_fen"] == 61000
    assert row["per_capita_income_monthly_fen"] == 12500  # 3,000 / 2 / 12

    counted = with_params("jilin-2020", "income", exclude_basic_pension=False)
    row = decide("jilin-2020", frames, standards, counted)
    assert row["top_up_fen"] == 35000  # (9,600 − 5,400) / 12


# ASM-3 保底收益不计入 (000 二(二)1) ----------------------------------------------------------------------


def test_project_dividend_of_labour_incapable_member_is_exempt(standards):
    # Jilin 2016: dividend of a severely disabled member (no labour capacity) not counted; of a worker, counted.
    members = [person("a", 45), person("b", 40, "F", disability_grade=1)]
    incomes = [
        {"kind": "wage", "id_number": "a", "yearly": 6000},
        {"kind": "project_dividend", "id_number": "b", "yearly": 1200},
    ]
    row = decide("jilin-2016", household("jilin-2016", members, incomes), standards)
    assert row["top_up_fen"] == 30000  # (9,600 − 6,000) / 12
    incomes[1]["id_number"] = "a"
    row = decide("jilin-2016", household("jilin-2016", members, incomes), standards)
    assert row["top_up_fen"] == 20000  # (9,600 − 7,200) / 12


def test_project_dividend_exempt_only_during_the_campaign(standards):
    members = [person("a", 45), person("b", 40, "F", disability_grade=1)]
    incomes = [
        {"kind": "wage", "id_number": "a", "yearly": 6000},
        {"kind": "project_dividend", "id_number": "b", "yearly": 1200},
    ]
    later = household("jilin-2020", members, incomes, on=dt.date(2021, 3, 1))
    assert decide("jilin-2020", later, standards)["top_up_fen"] == 20000


def test_local_share_of_dividend_excluded(standards):
    # Jilin 2020 leaves the excluded share to the county (二(四)3): with half excluded, 600 of 1,200 counts.
    members = [person("a", 45), person("b", 40, "F", disability_grade=1)]
    incomes = [
        {"kind": "wage", "id_number": "a", "yearly": 6000},
        {"kind": "project_dividend", "id_number": "b", "yearly": 1200},
    ]
    half = with_params("jilin-2020", "income", project_dividend_excluded_share=0.5)
    row = decide("jilin-2020", household("jilin-2020", members, incomes), standards, half)
    assert row["top_up_fen"] == 25000  # (9,600 − 6,600) / 12


# ASM-4 就业成本扣减20% (003 三(三)1) ----------------------------------------------------------------------


def test_fengjie_deducts_twenty_percent_of_project_wages(standards):
    members = [person("a", 40), person("b", 38, "F")]
    incomes = [{"kind": "wage", "id_number": "a", "yearly": 9000, "poverty_project": True}]
    row = decide("fengjie-2017", household("fengjie-2017", members, incomes), standards)
    assert row["decision"] == "enroll"
    assert row["top_up_fen"] == 20000  # counted 7,200; (9,600 − 7,200) / 12
    incomes[0]["poverty_project"] = False
    row = decide("fengjie-2017", household("fengjie-2017", members, incomes), standards)
    assert row["top_up_fen"] == 5000  # (9,600 − 9,000) / 12


# ASM-5 刚性支出扣减 (001 二(一)) ------------------------------------------------------------------------------


def test_yunnan_deducts_rigid_expenditure_at_the_local_share(standards):
    # 10,000 income for 2 is over the 9,600 line; 2,000 medical at the default 50% brings it to 9,000.
    members = [person("a", 40), person("b", 38, "F", health="serious_illness")]
    frames = household(
        "yunnan-2018",
        members,
        [{"kind": "wage", "id_number": "a", "yearly": 10000}],
        [{"kind": "medical", "id_number": "b", "yearly": 2000}],
    )
    row = decide("yunnan-2018", frames, standards)
    assert row["decision"] == "enroll"
    assert row["top_up_fen"] == 5000  # (9,600 − 9,000) / 12
    assert row["supplements_fen"] == 6000  # 重病患者 60 (Yunnan local default)
    assert (
        decide(
            "jilin-2016",
            household(
                "jilin-2016",
                members,
                frames["incomes"].to_dicts() and [{"kind": "wage", "id_number": "a", "yearly": 10000}],
                [{"kind": "medical", "id_number": "b", "yearly": 2000}],
            ),
            standards,
        )["decision"]
        == "deny"
    )


# ASM-6 支出核减纳入一批 (004 二(四)4) ------------------------------------------------------------------------


def test_expense_route_enrolls_for_one_year(standards):
    # Registered poor, not escaped; 12,000 income for 2 (over 9,600) but 6,000 self-paid medical:
    # 12,000 − 6,000 = 6,000 < 9,600 → dibao for one year, top-up on the income after medical cost.
    members = [person("a", 50), person("b", 48, "F", health="chronic")]
    frames = household(
        "jilin-2020",
        members,
        [{"kind": "business", "yearly": 12000}],
        [{"kind": "medical", "id_number": "b", "yearly": 6000}],
        registered_poor=True,
    )
    row = decide("jilin-2020", frames, standards)
    assert row["decision"] == "enroll" and row["decision_route"] == "enroll"
    assert row["top_up_fen"] == 30000  # (9,600 − 6,000) / 12
    assert row["review_interval_months"] == 12
    escaped = household(
        "jilin-2020",
        members,
        [{"kind": "business", "yearly": 12000}],
        [{"kind": "medical", "id_number": "b", "yearly": 6000}],
        registered_poor=True,
        escaped_poverty=True,
    )
    assert decide("jilin-2020", escaped, standards)["decision"] == "refer"


# ASM-8 and COV-4 单人户 ---------------------------------------------------------------------------------------


def test_labour_incapable_registered_poor_person_enrolled_alone(standards):
    # Jilin 2020 二(四)1: household over the line; its severely disabled member enrolled alone, no own income:
    # top-up 400.00 + severe-disability supplement 50.00.
    members = [person("a", 45), person("b", 20, "F", disability_grade=1)]
    frames = household(
        "jilin-2020", members, [{"kind": "wage", "id_number": "a", "yearly": 20000}], registered_poor=True
    )
    row = decide("jilin-2020", frames, standards)
    assert (row["decision"], row["scope"], row["covered_persons"]) == ("enroll", "single_person", 1)
    assert row["top_up_fen"] == 40000 and row["supplements_fen"] == 5000


def test_partly_labour_incapable_members_spare_the_household_the_economic_check_but_are_not_enrolled_alone(
    standards,
):
    # Jilin 2020 二(四)1: "重度残疾人、重病患者等丧失劳动能力或部分丧失劳动能力的贫困人口全部纳入农村低保范围，
    # 符合按户纳入条件的整户纳入，符合'单人户'纳入条件的单人纳入，对其家庭可不再进行经济状况核对".
    # A registered-poor household below the line whose property was not checked as within the rules: with a
    # grade-3 disabled, a chronically ill or a recorded partly capable member (part of their capacity lost) it
    # is enrolled whole without the economic check; with only a healthy 70-year-old (no capacity by age, none
    # lost) it is not.
    for partly in (
        person("b", 40, "F", disability_grade=3),
        person("b", 40, "F", health="chronic"),
        person("b", 40, "F", labor_capacity="partial"),
        person("b", 40, "F", labor_capacity="none"),
    ):
        frames = household("jilin-2020", [person("a", 45), partly], registered_poor=True, property_within_rules=False)
        row = decide("jilin-2020", frames, standards)
        assert (row["decision"], row["scope"], row["covered_persons"]) == ("enroll", "household", 2)
    for not_lost in (person("b", 70), person("b", 40, "F", health="chronic", labor_capacity="full")):
        frames = household("jilin-2020", [person("a", 45), not_lost], registered_poor=True, property_within_rules=False)
        assert decide("jilin-2020", frames, standards)["decision"] == "refer"  # COV-6: back to the poverty office
    # Over the line, the partly disabled member is not enrolled alone: 单人户 is for the severely disabled and
    # seriously ill (the test above).
    wage = [{"kind": "wage", "id_number": "a", "yearly": 20000}]
    over = household(
        "jilin-2020", [person("a", 45), person("b", 40, "F", disability_grade=3)], wage, registered_poor=True
    )
    assert decide("jilin-2020", over, standards)["decision"] == "refer"


def test_jilin_2016_single_person_needs_application_and_no_job(standards):
    # 000 二(三)4: 成年无业重度残疾人，经个人申请，可按单人户纳入.
    incomes = [{"kind": "wage", "id_number": "a", "yearly": 20000}]
    applied = [person("a", 45), person("b", 30, disability_grade=2, single_person_application=True)]
    row = decide("jilin-2016", household("jilin-2016", applied, incomes), standards)
    assert (row["decision"], row["scope"]) == ("enroll", "single_person")
    assert row["monthly_benefit_fen"] == 40000 + 5000
    not_applied = [person("a", 45), person("b", 30, disability_grade=2)]
    assert decide("jilin-2016", household("jilin-2016", not_applied, incomes), standards)["decision"] == "deny"
    employed = [person("a", 45), person("b", 30, disability_grade=2, single_person_application=True, employed=True)]
    assert decide("jilin-2016", household("jilin-2016", employed, incomes), standards)["decision"] == "deny"
    minor = [person("a", 45), person("b", 17, disability_grade=2, single_person_application=True)]
    assert decide("jilin-2016", household("jilin-2016", minor, incomes), standards)["decision"] == "deny"


def test_fengjie_separate_enrollment_within_three_times_the_standard(standards):
    # 003 三(二)1: registered poor; adult bedridden seriously ill member; family income within 3 × standard.
    members = [person("a", 45), person("b", 60, "F", health="serious_illness", bedridden=True)]
    within = household(
        "fengjie-2017", members, [{"kind": "wage", "id_number": "a", "yearly": 28000}], registered_poor=True
    )  # 28,000 ≤ 3 × 9,600 = 28,800
    row = decide("fengjie-2017", within, standards)
    assert (row["decision"], row["scope"]) == ("enroll", "single_person")
    assert row["top_up_fen"] == 40000 and row["supplements_fen"] == 4000  # 重大疾病 40 (local default)
    over = household(
        "fengjie-2017", members, [{"kind": "wage", "id_number": "a", "yearly": 29000}], registered_poor=True
    )
    assert decide("fengjie-2017", over, standards)["decision"] == "deny"
    not_poor = household("fengjie-2017", members, [{"kind": "wage", "id_number": "a", "yearly": 28000}])
    assert decide("fengjie-2017", not_poor, standards)["decision"] == "deny"


# COV-3 分类施保 (003 三(三)2) ---------------------------------------------------------------------------------


def test_fengjie_classified_supplements(standards):
    # A 72-year-old (70+: 30), a grade-3 disabled adult (40), a student (30), a 4-year-old (preschool: 30).
    members = [
        person("a", 72),
        person("b", 40, "F", disability_grade=3),
        person("c", 15, in_school=True),
        person("d", 4),
    ]
    row = decide("fengjie-2017", household("fengjie-2017", members), standards)
    assert row["supplements_fen"] == 3000 + 4000 + 3000 + 3000
    assert row["top_up_fen"] == 4 * 40000
    # A 65-year-old is not yet 70 in Fengjie.
    row = decide("fengjie-2017", household("fengjie-2017", [person("a", 65)]), standards)
    assert row["supplements_fen"] == 0


# EXIT-1 渐退 (000 二(三)3) -------------------------------------------------------------------------------------


def _rising(profile_id: str, yearly: int, project: bool = True, **extra):
    members = [person("a", 45), person("b", 43, "F"), person("c", 15, in_school=True)]
    incomes = [{"kind": "wage", "id_number": "a", "yearly": yearly, "poverty_project": project}]
    return household(profile_id, members, incomes, enrolled=True, current_benefit=300, **extra)


def test_jilin_2016_gradual_exit_18_months_falling_monthly(standards):
    # Line 14,400 for 3; 20,000 is above it and below 200% (28,800), earned through a poverty project.
    row = decide("jilin-2016", _rising("jilin-2016", 20000), standards)
    assert row["decision"] == "gradual_exit"
    schedule = row["gradual_exit_schedule_fen"]
    assert len(schedule) == 18
    assert schedule[0] == 30000 and schedule[1] == 28333 and schedule[-1] == 1667  # 300 × 17/18, × 1/18
    assert row["monthly_benefit_fen"] == 30000
    assert row["gradual_exit_first_month"] == dt.date(2018, 7, 1)


def test_jilin_2016_gradual_exit_24_months_with_a_disabled_member(standards):
    members = [person("a", 45), person("b", 43, "F", disability_grade=4)]
    frames = household(
        "jilin-2016",
        members,
        [{"kind": "wage", "id_number": "a", "yearly": 12000, "poverty_project": True}],
        enrolled=True,
        current_benefit=200,
    )
    row = decide("jilin-2016", frames, standards)
    assert row["decision"] == "gradual_exit" and len(row["gradual_exit_schedule_fen"]) == 24


def test_jilin_2016_exit_at_twice_the_standard_or_without_project_income(standards):
    assert decide("jilin-2016", _rising("jilin-2016", 28800), standards)["decision"] == "exit"  # not below 200%
    assert decide("jilin-2016", _rising("jilin-2016", 20000, project=False), standards)["decision"] == "exit"


def test_jilin_2016_project_income_that_does_not_count_does_not_start_a_gradual_exit(standards):
    # The wage is not from a project; the only project income is the exempt dividend of the 75-year-old
    # (ASM-3): it did not lift the household over the line, so it exits rather than exits gradually.
    members = [person("a", 45), person("b", 43, "F"), person("c", 75)]
    incomes = [
        {"kind": "wage", "id_number": "a", "yearly": 20000, "poverty_project": False},
        {"kind": "project_dividend", "id_number": "c", "yearly": 600, "poverty_project": True},
    ]
    frames = household("jilin-2016", members, incomes, enrolled=True, current_benefit=300)
    assert decide("jilin-2016", frames, standards)["decision"] == "exit"
    incomes[1]["id_number"] = "a"  # the same dividend earned by a member who can work counts, and is a project's
    frames = household("jilin-2016", members, incomes, enrolled=True, current_benefit=300)
    assert decide("jilin-2016", frames, standards)["decision"] == "gradual_exit"


# EXIT-2 过渡保障期 (001 二(一)) ---------------------------------------------------------------------------------


def test_yunnan_transition_keeps_full_benefit_six_or_twelve_months(standards):
    row = decide("yunnan-2018", _rising("yunnan-2018", 40000, project=False), standards)  # no ceiling in Yunnan
    assert row["decision"] == "gradual_exit"
    assert row["gradual_exit_schedule_fen"] == [30000] * 6
    row = decide("yunnan-2018", _rising("yunnan-2018", 40000, project=False, long_return_industry=True), standards)
    assert row["gradual_exit_schedule_fen"] == [30000] * 12
    transfer_only = household(
        "yunnan-2018", [person("a", 45)], [{"kind": "transfer", "yearly": 9000}], enrolled=True, current_benefit=100
    )
    assert decide("yunnan-2018", transfer_only, standards)["decision"] == "exit"


# EXIT-3 脱贫渐退 (004 二(四)2) ---------------------------------------------------------------------------------


def test_jilin_2020_gradual_exit_falls_yearly_by_a_proportion(standards):
    row = decide("jilin-2020", _rising("jilin-2020", 20000), standards)
    assert row["decision"] == "gradual_exit"
    assert row["gradual_exit_schedule_fen"] == [30000] * 12 + [15000] * 6  # local default: year 2 at half


def test_jilin_2020_running_gradual_exit_continues_then_ends(standards):
    running = _rising("jilin-2020", 20000, gradual_exit_since=dt.date(2019, 6, 1), gradual_exit_base=300)
    row = decide("jilin-2020", running, standards)
    # June 2020 is month 13; the schedule runs July 2020 (month 14) to November 2020 (month 18).
    assert row["decision"] == "gradual_exit"
    assert row["gradual_exit_schedule_fen"] == [15000] * 5
    done = _rising("jilin-2020", 20000, gradual_exit_since=dt.date(2018, 12, 1), gradual_exit_base=300)
    assert decide("jilin-2020", done, standards)["decision"] == "exit"


def test_jilin_2020_requalifying_ends_gradual_exit_with_a_new_top_up(standards):
    fell_back = _rising("jilin-2020", 12000, gradual_exit_since=dt.date(2019, 10, 1), gradual_exit_base=300)
    row = decide("jilin-2020", fell_back, standards)
    assert (row["decision"], row["decision_route"]) == ("keep", "gradual_exit_ended")
    assert row["top_up_fen"] == 20000  # (14,400 − 12,000) / 12


# EXIT-4 退出前评估返贫风险 (004 二(四)2) ------------------------------------------------------------------------


def test_jilin_2020_high_fall_back_risk_means_gradual_exit_not_exit(standards):
    # Over 2 × the standard, so no income gradual exit; but a member is seriously ill: risk is high.
    members = [person("a", 45), person("b", 43, "F", health="serious_illness")]
    incomes = [{"kind": "wage", "id_number": "a", "yearly": 25000, "poverty_project": True}]
    frames = household("jilin-2020", members, incomes, enrolled=True, current_benefit=200)
    row = decide("jilin-2020", frames, standards)
    assert (row["decision"], row["decision_route"]) == ("gradual_exit", "gradual_exit_risk")
    # Jilin 2016 had no such check: exit.
    assert (
        decide("jilin-2016", household("jilin-2016", members, incomes, enrolled=True, current_benefit=200), standards)[
            "decision"
        ]
        == "exit"
    )


def test_jilin_2020_exit_after_gradual_exit_advises_temporary_assistance_when_risky(standards):
    members = [person("a", 45), person("b", 43, "F", health="serious_illness")]
    incomes = [{"kind": "wage", "id_number": "a", "yearly": 25000, "poverty_project": True}]
    frames = household(
        "jilin-2020",
        members,
        incomes,
        enrolled=True,
        current_benefit=200,
        gradual_exit_since=dt.date(2018, 1, 1),
        gradual_exit_base=200,
    )
    row = decide("jilin-2020", frames, standards)
    assert row["decision"] == "exit" and row["temporary_assistance_advised"]


# COV-6 转介 (002 二(二)) and deny -----------------------------------------------------------------------------


def test_refused_registered_poor_household_is_referred_where_the_profile_says(standards):
    members = [person("a", 40)]
    incomes = [{"kind": "wage", "yearly": 20000}]
    assert (
        decide("neimenggu-2016", household("neimenggu-2016", members, incomes, registered_poor=True), standards)[
            "decision"
        ]
        == "refer"
    )
    assert (
        decide("fengjie-2017", household("fengjie-2017", members, incomes, registered_poor=True), standards)["decision"]
        == "deny"
    )
    assert decide("neimenggu-2016", household("neimenggu-2016", members, incomes), standards)["decision"] == "deny"


def test_property_outside_local_rules_is_refused(standards):
    frames = household("jilin-2020", [person("a", 40)], property_within_rules=False)
    assert decide("jilin-2020", frames, standards)["decision"] == "deny"


# COV-8 脱贫不脱保 (001 二(一)) ---------------------------------------------------------------------------------


def test_yunnan_out_of_poverty_but_still_on_dibao(standards):
    # 4,000 per person: above the 3,000 poverty line, below the 4,800 standard.
    frames = household("yunnan-2018", [person("a", 40)], [{"kind": "business", "yearly": 4000}], registered_poor=True)
    row = decide("yunnan-2018", frames, standards)
    assert row["decision"] == "enroll" and row["escape_keep_dibao"]
    poorer = household("yunnan-2018", [person("a", 40)], [{"kind": "business", "yearly": 2000}], registered_poor=True)
    assert not decide("yunnan-2018", poorer, standards)["escape_keep_dibao"]


# COV-5 应扶尽扶 (003 三(二)2) -------------------------------------------------------------------------------------


def test_dibao_household_with_capacity_and_unsolved_guarantees_should_be_registered(standards):
    frames = household(
        "fengjie-2017",
        [person("a", 40), person("b", 12, in_school=True)],
        [{"kind": "wage", "yearly": 8000}],
        three_guarantees_unsolved=True,
    )
    row = decide("fengjie-2017", frames, standards)
    assert row["decision"] == "enroll" and row["poverty_registration_candidate"]
    elderly = household("fengjie-2017", [person("a", 80)], three_guarantees_unsolved=True)
    assert not decide("fengjie-2017", elderly, standards)["poverty_registration_candidate"]  # no capacity


# DYN-4 分类管理 (003 三(三)2) ---------------------------------------------------------------------------------------


def test_fengjie_review_interval_by_class(standards):
    rows = {
        "A": household("fengjie-2017", [person("a", 75)]),
        "B": household("fengjie-2017", [person("a", 40), person("b", 38, disability_grade=1)]),
        "C": household("fengjie-2017", [person("a", 40), person("b", 12, in_school=True)]),
    }
    for expected, frames in rows.items():
        row = decide("fengjie-2017", frames, standards)
        assert row["assessed_class"] == expected
        assert row["review_interval_months"] == {"A": 12, "B": 6, "C": 3}[expected]
    recorded = household("fengjie-2017", [person("a", 75)], enrolled=True, enrolled_class="C", current_benefit=100)
    row = decide("fengjie-2017", recorded, standards)
    assert row["review_interval_months"] == 3 and row["next_review"] == dt.date(2017, 9, 1)


# Money: one rounding step, per profile ---------------------------------------------------------------------------


def test_rounding_is_a_profile_parameter(standards):
    # 1 person, 1,000 income: (4,800 − 1,000) / 12 = 316.666… yuan.
    frames = household("jilin-2020", [person("a", 40)], [{"kind": "wage", "yearly": 1000}])
    assert decide("jilin-2020", frames, standards)["top_up_fen"] == 31667
    up = with_params("jilin-2020", "money", rounding="yuan_up")
    assert decide("jilin-2020", frames, standards, up)["top_up_fen"] == 31700
    half = with_params("jilin-2020", "money", rounding="yuan_half_up")
    assert decide("jilin-2020", frames, standards, half)["top_up_fen"] == 31700
    fen_up = with_params("jilin-2020", "money", rounding="fen_up")
    assert decide("jilin-2020", frames, standards, fen_up)["top_up_fen"] == 31667
