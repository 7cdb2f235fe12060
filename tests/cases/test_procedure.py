"""A household carried through intake, investigation, approval, posting and county confirmation (PRO-1..3,
ASM-7, COV-6, COV-7, COV-9), and every bad input refused in Chinese with nothing written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import polars as pl
import pytest
from sqlalchemy import Engine, func, select

from cases.conftest import investigate_fully
from cases.households import HEAD_ID, add_household, enroll
from doudi.cases import service
from doudi.cases.errors import CaseError
from doudi.cases.models import Case, PoorCardEntry, Referral, ReviewSchedule
from doudi.cases.session import unit_of_work
from doudi.payments.roll import compute_roll
from doudi.registry.models import Enrollment, Member

D = dt.date


def test_intake_numbers_the_case_and_lists_missing_documents_once(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        case = service.open_case(
            session,
            household_id="H1",
            program="dibao",
            by="王芳",
            received_on=D(2020, 6, 1),
            documents=["申请书", "户口簿"],
        )
    assert case.case_no == "220102-20200601-001"
    assert case.applicant_name == "张三" and case.state == "received"
    assert json.loads(case.documents_missing) == ["身份证", "家庭收入证明", "家庭财产申报", "经济状况核对授权书"]


def test_full_chain_enrolls_from_the_month_after_confirmation(
    registry_engine: Engine, approved_case: Callable[..., int]
) -> None:
    case_id = approved_case(registered_poor=True)
    with unit_of_work(registry_engine) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.decision == "enroll"
        record = json.loads(case.decision_json or "{}")
        # 2 persons, counted income 2000 yuan/year, standard 4000 (jilin 2020): top-up (4000 - 1000) × 2 / 12 =
        # 500.00 a month (COV-2); both are over 60: elderly supplement 2 × 30 = 60.00 (COV-3).
        assert record["monthly_benefit"] == "560.00"
        assert "COV-2" in case.explanation_text  # type: ignore[operator]
        service.post(session, case_id, by="乡镇张", start=D(2020, 6, 8))
        service.confirm(session, case_id, by="县民政局", on=D(2020, 6, 15))
    with unit_of_work(registry_engine) as session:
        enrollment = session.scalars(select(Enrollment).where(Enrollment.household_id == "H1")).one()
        assert enrollment.since == D(2020, 7, 1)  # COV-7: from the month after approval
        assert enrollment.monthly_benefit_fen == 56000
        schedule = session.get(ReviewSchedule, enrollment.id)
        assert schedule is not None and schedule.next_review == D(2021, 7, 1)  # jilin-2020: yearly for every class
        card = session.scalars(select(PoorCardEntry)).one()  # COV-9
        assert (card.standard_monthly_fen, card.monthly_benefit_fen) == (33333, 56000) and "ASM-1" in card.reason


def _count(engine: Engine, model: type) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_approval_without_investigation_records_is_refused(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        case = service.open_case(
            session, household_id="H1", program="dibao", by="王芳", received_on=D(2020, 6, 1), documents=[]
        )
        service.add_investigation(
            session, case.id, kind="入户调查", on=D(2020, 6, 2), people=["甲", "乙"], findings="属实", by="王芳"
        )
        service.add_investigation(
            session, case.id, kind="民主评议", on=D(2020, 6, 2), people=["代表"], findings="同意", by="王芳"
        )
        service.review(session, case.id, by="村委会", on=D(2020, 6, 3))
    missing = "缺少调查记录：邻里访问、家庭经济状况信息核对"
    with pytest.raises(CaseError, match=missing), unit_of_work(registry_engine) as session:
        service.approve(session, case.id, by="乡镇张", on=D(2020, 6, 5))
    with unit_of_work(registry_engine) as session:
        assert session.get(Case, case.id).state == "village_reviewed"  # type: ignore[union-attr]


def test_home_visit_needs_two_investigators(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        case = service.open_case(
            session, household_id="H1", program="dibao", by="王芳", received_on=D(2020, 6, 1), documents=[]
        )
        with pytest.raises(CaseError, match="至少 2 名调查人员"):
            service.add_investigation(
                session, case.id, kind="入户调查", on=D(2020, 6, 2), people=["甲", "甲"], findings="属实", by="王芳"
            )


def test_posting_shorter_than_seven_days_is_refused(registry_engine: Engine, approved_case: Callable[..., int]) -> None:
    case_id = approved_case()
    with pytest.raises(CaseError, match="公示期为 6 天，少于规定的 7 天"), unit_of_work(registry_engine) as session:
        service.post(session, case_id, by="乡镇张", start=D(2020, 6, 8), end=D(2020, 6, 13))


def test_confirming_before_posting_ends_is_refused(registry_engine: Engine, approved_case: Callable[..., int]) -> None:
    case_id = approved_case()
    with unit_of_work(registry_engine) as session:
        service.post(session, case_id, by="乡镇张", start=D(2020, 6, 8))  # 8..14 June
    with pytest.raises(CaseError, match="公示期到 2020年6月14日 才结束"), unit_of_work(registry_engine) as session:
        service.confirm(session, case_id, by="县民政局", on=D(2020, 6, 14))
    assert _count(registry_engine, Enrollment) == 0


def test_person_enrolled_in_another_household_is_not_enrolled_twice(
    registry_engine: Engine, approved_case: Callable[..., int]
) -> None:
    case_id = approved_case()
    with unit_of_work(registry_engine) as session:
        service.post(session, case_id, by="乡镇张", start=D(2020, 6, 8))
        # Meanwhile the head turns up on another household's dibao (registered there by another ledger).
        add_household(session, "H2", members=((HEAD_ID, "张三", "户主"),))
        enroll(session, "H2", D(2019, 1, 1), 30000)
    twice = r"张三（220102\*+0018）已在户 H2 享受农村低保，不能重复纳入"
    with pytest.raises(CaseError, match=twice), unit_of_work(registry_engine) as session:
        service.confirm(session, case_id, by="县民政局", on=D(2020, 6, 15))
    assert _count(registry_engine, Enrollment) == 1


def test_future_dates_are_refused(registry_engine: Engine) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(CaseError, match="晚于今天，不能登记未来的日期"), unit_of_work(registry_engine) as session:
        add_household(session)
        service.open_case(session, household_id="H1", program="dibao", by="王芳", received_on=tomorrow, documents=[])
    assert _count(registry_engine, Case) == 0


def test_illegal_transition_names_what_may_be_done(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        case = service.open_case(
            session, household_id="H1", program="dibao", by="王芳", received_on=D(2020, 6, 1), documents=[]
        )
        with pytest.raises(CaseError, match="不能进行“县级确认”；当前可办理：村级评议审核、不予批准"):
            service.confirm(session, case.id, by="县民政局", on=D(2020, 6, 2))


def test_objection_sends_the_case_back_for_reinvestigation(
    registry_engine: Engine, approved_case: Callable[..., int]
) -> None:
    case_id = approved_case()
    with unit_of_work(registry_engine) as session:
        service.post(session, case_id, by="乡镇张", start=D(2020, 6, 8))
        service.object_to(session, case_id, by="乡镇张", on=D(2020, 6, 10), content="家中有轿车", raised_by="匿名")
        with pytest.raises(CaseError, match="重新调查核实"):
            service.approve(session, case_id, by="乡镇张", on=D(2020, 6, 11))
    with unit_of_work(registry_engine) as session:
        service.add_investigation(
            session,
            case_id,
            kind="入户调查",
            on=D(2020, 6, 11),
            people=["王芳", "李强"],
            findings="轿车为亲戚所有",
            by="王芳",
        )
        service.approve(session, case_id, by="乡镇张", on=D(2020, 6, 12))
        service.post(session, case_id, by="乡镇张", start=D(2020, 6, 15))
        service.confirm(session, case_id, by="县民政局", on=D(2020, 6, 22))
        assert session.get(Case, case_id).state == "confirmed"  # type: ignore[union-attr]


def test_refusing_a_registered_poor_household_refers_it_to_the_poverty_office(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session, registered_poor=True, yearly_income_yuan=20000)
        case = service.open_case(
            session, household_id="H1", program="dibao", by="王芳", received_on=D(2020, 6, 1), documents=[]
        )
        investigate_fully(session, case)
        service.review(session, case.id, by="村委会", on=D(2020, 6, 3))
        with pytest.raises(CaseError, match="按政策测算不符合条件"):
            service.approve(session, case.id, by="乡镇张", on=D(2020, 6, 5))
    with unit_of_work(registry_engine) as session:
        service.refuse(session, case.id, by="乡镇张", on=D(2020, 6, 5), reason="人均收入高于低保标准")
        referral = session.scalars(select(Referral)).one()
        assert referral.to_department == "县扶贫办" and "COV-6" in referral.reason
        assert session.get(Case, case.id).decision == "refer"  # type: ignore[union-attr]


def test_fast_track_same_day_with_one_month_at_the_urban_standard(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        case = service.open_case(
            session,
            household_id="H1",
            program="dibao",
            by="王芳",
            received_on=D(2020, 6, 1),
            documents=["申请书"],
            channel="fast_track",
            written_commitment=True,
        )
        service.fast_track(session, case.id, by="乡镇张", on=D(2020, 6, 1))
        assert case.state == "confirmed" and case.confirmed_on == case.village_reviewed_on == D(2020, 6, 1)
        # PRO-4: Jilin urban dibao standard 2020 530 yuan/person/month × 2 persons
        assert case.temporary_assistance_fen == 106000
        enrollment = session.get(Enrollment, case.enrollment_id)
        assert enrollment is not None and enrollment.since == D(2020, 7, 1)


def test_fast_track_only_where_the_profile_has_it(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        # Before 2020-03-26 the Jilin 2016 text applies: it has no fast track.
        case = service.open_case(
            session,
            household_id="H1",
            program="dibao",
            by="王芳",
            received_on=D(2020, 1, 6),
            documents=[],
            channel="fast_track",
            written_commitment=True,
        )
        assert case.profile_id == "jilin-2016"
        with pytest.raises(CaseError, match="未规定“特事特办、先行纳入”"):
            service.fast_track(session, case.id, by="乡镇张", on=D(2020, 1, 6))


def test_overdue_counts_working_days_around_the_national_day_holiday(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        service.open_case(
            session, household_id="H1", program="dibao", by="王芳", received_on=D(2020, 9, 28), documents=[]
        )
        # 10 working days after 28 Sep 2020: 29, 30 Sep; 1-8 Oct off; 9 Oct (Fri), 10 Oct (Sat, a make-up
        # workday), 12-16 Oct, 19 Oct → due 19 Oct. Weekends alone would have given 12 Oct.
        assert service.overdue(session, D(2020, 10, 19)) == []
        late = service.overdue(session, D(2020, 10, 21))
        assert [(item.due, item.days_late) for item in late] == [(D(2020, 10, 19), 2)]


def test_a_single_person_enrollment_names_the_person_the_engine_covers_and_the_roll_pays_them(
    registry_engine: Engine,
) -> None:
    """COV-4/ASM-8 (Jilin 2020 二(四)1): a registered-poor household over the line, its severely disabled
    daughter enrolled alone; the enrollment must name her, or the roll finds no living person and stops."""
    daughter = "220102200001010020"
    with unit_of_work(registry_engine) as session:
        add_household(
            session,
            "H7",
            yearly_income_yuan=20000,
            registered_poor=True,
            members=((HEAD_ID, "张三", "户主"), (daughter, "张小妹", "女儿")),
        )
        session.scalars(select(Member).where(Member.id_number == daughter)).one().disability_grade = 1
        case = service.open_case(
            session, household_id="H7", program="dibao", by="王芳", received_on=D(2020, 6, 1), documents=["申请书"]
        )
        investigate_fully(session, case)
        service.review(session, case.id, by="村委会", on=D(2020, 6, 3))
        approved = service.approve(session, case.id, by="乡镇张", on=D(2020, 6, 5))
        assert approved.decision == "enroll" and json.loads(approved.decision_json or "{}")["scope"] == "single_person"
        service.post(session, case.id, by="乡镇张", start=D(2020, 6, 8))
        service.confirm(session, case.id, by="县民政局", on=D(2020, 6, 15))
    with unit_of_work(registry_engine) as session:
        enrollment = session.scalars(select(Enrollment).where(Enrollment.household_id == "H7")).one()
        assert (enrollment.scope, enrollment.id_number) == ("single_person", daughter)
    row = compute_roll(registry_engine, "2020-07").rows.filter(pl.col("household_id") == "H7").row(0, named=True)
    assert (row["id_number"], row["name"], row["persons"]) == (daughter, "张小妹", 1)
    assert row["total_fen"] == enrollment.monthly_benefit_fen > 0
