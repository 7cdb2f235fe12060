"""特困 support (TK-1, STD-4/5) and temporary assistance (PRO-5) approved on cases, with hand-worked amounts
from the shipped standards (Jilin 2020: 特困 basic 420, care 540 / 360 / 180 yuan a month)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cases.conftest import investigate_fully
from cases.households import HEAD_ID, SPOUSE_ID, add_household
from doudi.audit import verify
from doudi.audit.models import AuditRecord
from doudi.cases import service
from doudi.cases.errors import CaseError
from doudi.cases.models import Case, PoorCardEntry, ReviewSchedule
from doudi.cases.session import unit_of_work
from doudi.cases.tekun import Findings
from doudi.payments.approval import approve_roll
from doudi.payments.budget import budget
from doudi.payments.roll import compute_roll
from doudi.registry.models import Enrollment, Household, Member

D = dt.date
JUNE_1, JUNE_2, JUNE_5 = D(2020, 6, 1), D(2020, 6, 2), D(2020, 6, 5)
ALL_THREE = {"no_work_capacity": True, "no_income_source": True, "no_supporter": True}


def _tekun_case(session: Session, household_id: str = "H1", received: dt.date = JUNE_1, **household) -> Case:
    add_household(session, household_id, **household)
    return service.open_case(
        session, household_id=household_id, program="tekun", by="王芳", received_on=received, documents=["申请书"]
    )


def _findings(session: Session, case: Case, on: dt.date = JUNE_2, **overrides: object) -> None:
    values: dict[str, object] = {**ALL_THREE, "self_care": "全护理", "care_form": "分散供养", **overrides}
    id_number = values.pop("id_number", None)
    found = Findings(findings="独居，重度残疾，无子女", **values)  # type: ignore[arg-type]
    service.record_tekun_findings(session, case.id, id_number=id_number, on=on, found=found, by="王芳")  # type: ignore[arg-type]


@pytest.fixture
def tekun_reviewed(registry_engine: Engine) -> Callable[..., int]:
    """A 特困 case for 张三 (H1), fully investigated and reviewed by the village on 2020-06-03."""

    def make(received: dt.date = JUNE_1, registered_poor: bool = False, **findings: object) -> int:
        with unit_of_work(registry_engine) as session:
            case = _tekun_case(session, received=received, registered_poor=registered_poor)
            day = received + dt.timedelta(days=1)
            investigate_fully(session, case, day)
            if findings.pop("record", True):
                _findings(session, case, day, **findings)
            service.review(session, case.id, by="村委会", on=received + dt.timedelta(days=2))
            return case.id

    return make


def _approve(engine: Engine, case_id: int, on: dt.date = JUNE_5, **options: object) -> Case:
    with unit_of_work(engine) as session:
        return service.approve(session, case_id, by="乡镇张", on=on, **options)  # type: ignore[arg-type]


# --- 特困 ---------------------------------------------------------------------------------------------------


def test_full_care_person_gets_basic_plus_full_care_standard_from_the_month_after(
    registry_engine: Engine, tekun_reviewed: Callable[..., int]
) -> None:
    case_id = tekun_reviewed(registered_poor=True)
    case = _approve(registry_engine, case_id)
    record = json.loads(case.decision_json or "{}")
    # Jilin 2020: basic 420 (STD-4) + full care 540 (STD-5) = 960 yuan a month.
    amounts = (record["basic_monthly"], record["care_monthly"], record["monthly_benefit"])
    assert amounts == ("420.00", "540.00", "960.00")
    assert record["scope"] == "single_person" and record["person"] == "张三（220102********0018）"
    text = case.explanation_text or ""
    assert "月供养金 ¥960.00 = 基本生活标准 ¥420.00（STD-4） + 全护理特困人员照料护理标准 ¥540.00（STD-5）" in text
    assert "TK-1 特困人员应养尽养；失能半失能给予照料护理；评估生活自理能力（004 二(五)）" in text
    assert "STD-4 " in text and "STD-5 特困人员照料护理标准不低于上年度最低工资标准的30%/20%/10%（004 二(一)）" in text
    assert "《社会救助暂行办法》第十四条" in text and HEAD_ID not in text and HEAD_ID not in (case.decision_json or "")
    with unit_of_work(registry_engine) as session:
        service.post(session, case_id, by="乡镇张", start=D(2020, 6, 8))
        service.confirm(session, case_id, by="县民政局", on=D(2020, 6, 15))
    with unit_of_work(registry_engine) as session:
        enrollment = session.scalars(select(Enrollment)).one()
        assert (enrollment.program, enrollment.scope, enrollment.id_number) == ("tekun", "single_person", HEAD_ID)
        assert (enrollment.since, enrollment.monthly_benefit_fen) == (D(2020, 7, 1), 96000)  # COV-7
        schedule = session.get(ReviewSchedule, enrollment.id)
        assert schedule is not None and schedule.next_review == D(2021, 7, 1)
        card = session.scalars(select(PoorCardEntry)).one()  # COV-9
        assert (card.program, card.standard_monthly_fen, card.monthly_benefit_fen) == ("tekun", 42000, 96000)
        assert "无劳动能力" in card.reason and "TK-1" in card.reason
    roll = compute_roll(registry_engine, "2020-07")
    row = roll.rows.filter(roll.rows["program"] == "tekun").row(0, named=True)
    assert (row["id_number"], row["persons"], row["total_fen"]) == (HEAD_ID, 1, 96000)


@pytest.mark.parametrize(("level", "monthly_fen"), [("全自理", 60000), ("半护理", 78000), ("全护理", 96000)])
def test_care_standard_follows_the_assessed_self_care_level(
    registry_engine: Engine, tekun_reviewed: Callable[..., int], level: str, monthly_fen: int
) -> None:
    case = _approve(registry_engine, tekun_reviewed(self_care=level, care_form="集中供养"))
    record = json.loads(case.decision_json or "{}")
    assert record["monthly_benefit"] == f"{monthly_fen / 100:.2f}" and record["care_form"] == "集中供养"
    assert case.state == "township_approved" and case.decision == "support"


def test_no_findings_recorded_is_refused(registry_engine: Engine, tekun_reviewed: Callable[..., int]) -> None:
    case_id = tekun_reviewed(record=False)
    with pytest.raises(CaseError, match=r"调查尚未记录 张三（220102\*+0018） 的特困认定情况.*TK-1"):
        _approve(registry_engine, case_id)


@pytest.mark.parametrize(
    ("missing", "label"),
    [
        ("no_work_capacity", "无劳动能力"),
        ("no_income_source", "无生活来源"),
        ("no_supporter", "无法定赡养、抚养、扶养义务人或者其法定义务人无履行义务能力"),
    ],
)
def test_a_condition_not_found_is_refused_by_name(
    registry_engine: Engine, tekun_reviewed: Callable[..., int], missing: str, label: str
) -> None:
    case_id = tekun_reviewed(**{missing: False})
    with pytest.raises(CaseError, match=f"调查未认定 张三.*“{label}”，不符合特困人员条件（TK-1"):
        _approve(registry_engine, case_id)


def test_the_latest_findings_count(registry_engine: Engine, tekun_reviewed: Callable[..., int]) -> None:
    case_id = tekun_reviewed(no_supporter=False)
    with unit_of_work(registry_engine) as session:
        _findings(session, service.get_case(session, case_id), D(2020, 6, 4), self_care="半护理")
    assert json.loads(_approve(registry_engine, case_id).decision_json or "{}")["monthly_benefit"] == "780.00"


def test_no_tekun_standard_for_the_region_and_date_is_refused(
    registry_engine: Engine, tekun_reviewed: Callable[..., int]
) -> None:
    # The shipped Jilin rows carry 特困 standards from 2019 on only.
    case_id = tekun_reviewed(received=D(2018, 6, 1))
    with pytest.raises(CaseError, match=r"地区 220102 在 2018年6月5日 没有特困人员基本生活标准.*（STD-4）"):
        _approve(registry_engine, case_id, on=D(2018, 6, 5))


def test_a_person_no_longer_a_member_is_refused(registry_engine: Engine, tekun_reviewed: Callable[..., int]) -> None:
    case_id = tekun_reviewed()
    with unit_of_work(registry_engine) as session:
        member = session.scalars(select(Member).where(Member.id_number == HEAD_ID)).one()
        member.death_date = D(2020, 6, 4)
    with pytest.raises(CaseError, match=r"张三（220102\*+0018） 不是户 H1 的在世成员，不能认定为特困人员"):
        _approve(registry_engine, case_id)


def test_findings_for_someone_not_applied_for_or_not_a_member_are_refused(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        case = _tekun_case(session)
        with pytest.raises(CaseError, match=r"220102\*+002X 不是本案申请的特困人员"):
            _findings(session, case, id_number=SPOUSE_ID)
        with pytest.raises(CaseError, match="生活自理能力“自理”无效，应为：全自理、半护理、全护理"):
            _findings(session, case, self_care="自理")
        with pytest.raises(CaseError, match="供养方式“居家”无效"):
            _findings(session, case, care_form="居家")
        with pytest.raises(CaseError, match="晚于今天"):
            _findings(session, case, on=dt.date.today() + dt.timedelta(days=1))


def test_already_in_tekun_elsewhere_is_refused(registry_engine: Engine, tekun_reviewed: Callable[..., int]) -> None:
    case_id = tekun_reviewed()
    with unit_of_work(registry_engine) as session:
        add_household(session, "H2", members=((HEAD_ID, "张三", "户主"),))
        session.add(
            Enrollment(
                household_id="H2",
                program="tekun",
                scope="single_person",
                id_number=HEAD_ID,
                since=D(2019, 1, 1),
                monthly_benefit_fen=80000,
                status="active",
            )
        )
    with pytest.raises(CaseError, match=r"张三（220102\*+0018）已在户 H2 享受特困人员救助供养，不能重复纳入"):
        _approve(registry_engine, case_id)


def test_tekun_takes_no_temporary_options_and_no_fast_track(
    registry_engine: Engine, tekun_reviewed: Callable[..., int]
) -> None:
    case_id = tekun_reviewed()
    with pytest.raises(CaseError, match="救助金额、类型和事由只用于临时救助"):
        _approve(registry_engine, case_id, amount_fen=1000)
    with unit_of_work(registry_engine) as session:
        add_household(session, "H3", members=(("220102194003030011", "王五", "户主"),))
        case = service.open_case(
            session, household_id="H3", program="tekun", by="王芳", received_on=D(2020, 6, 1), documents=[]
        )
        with pytest.raises(CaseError, match="该救助项目没有“特事特办、先行纳入”这一环节"):
            service.fast_track(session, case.id, by="乡镇张", on=D(2020, 6, 1))
        with pytest.raises(CaseError, match="特事特办、先行纳入目前只用于农村低保"):
            service.open_case(
                session,
                household_id="H3",
                program="temporary",
                by="王芳",
                received_on=D(2020, 6, 1),
                documents=[],
                written_commitment=True,
                channel="fast_track",
            )


def test_every_tekun_change_is_in_the_audit_trail(registry_engine: Engine, tekun_reviewed: Callable[..., int]) -> None:
    _approve(registry_engine, tekun_reviewed())
    with registry_engine.connect() as connection:
        rows = connection.execute(select(AuditRecord.table_name, AuditRecord.who)).all()
    assert ("case_tekun_findings", "王芳") in {(r.table_name, r.who) for r in rows}
    assert ("cases", "乡镇张") in {(r.table_name, r.who) for r in rows}
    with registry_engine.connect() as connection:
        assert verify(connection).ok


# --- temporary assistance -----------------------------------------------------------------------------------


def _temporary_case(session: Session, household_id: str = "H1", visit: bool = True) -> Case:
    if session.get(Household, household_id) is None:
        add_household(session, household_id)
    case = service.open_case(
        session, household_id=household_id, program="temporary", by="王芳", received_on=D(2020, 6, 1), documents=[]
    )
    if visit:
        service.add_investigation(
            session, case.id, kind="入户调查", on=D(2020, 6, 1), people=["王芳", "李强"], findings="火灾", by="王芳"
        )
    return case


GRANT = {"amount_fen": 200000, "kind": "急难型", "reason": "房屋失火，基本生活暂时困难"}


def test_temporary_assistance_is_approved_by_the_township_and_paid_once(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        case_id = _temporary_case(session).id
    case = _approve(registry_engine, case_id, **GRANT)
    assert (case.state, case.township_approved_on, case.closed_on, case.confirmed_on) == (
        "confirmed",
        D(2020, 6, 5),
        D(2020, 6, 5),
        None,
    )
    record = json.loads(case.decision_json or "{}")
    assert (record["kind"], record["amount"], record["reason"]) == ("急难型", "2000.00", "房屋失火，基本生活暂时困难")
    text = case.explanation_text or ""
    assert "决定：给予急难型临时救助 ¥2,000.00，一次性发放，列入2020年7月发放花名册" in text
    assert "PRO-5 临时救助审批下放乡镇（004 二(五), 二(七)）" in text
    with unit_of_work(registry_engine) as session:
        assert service.describe(session, case)["state"] == "乡镇已批准临时救助"
        enrollment = session.scalars(select(Enrollment)).one()
        assert (enrollment.program, enrollment.since, enrollment.until) == ("temporary", D(2020, 7, 1), D(2020, 7, 31))
        assert session.scalar(select(func.count()).select_from(ReviewSchedule)) == 0
    paid = {month: compute_roll(registry_engine, month) for month in ("2020-06", "2020-07", "2020-08")}
    assert paid["2020-06"].rows.height == 0
    july = paid["2020-07"].rows.row(0, named=True)
    assert (july["program"], july["total_fen"], july["note"]) == ("temporary", 200000, "临时救助（一次性）")
    assert paid["2020-08"].rows.height == 0
    assert paid["2020-08"].stops["program"].to_list() == ["temporary"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({**GRANT, "amount_fen": 0}, "临时救助金额须大于零"),
        ({**GRANT, "amount_fen": -100}, "临时救助金额须大于零"),
        ({**GRANT, "amount_fen": None}, "临时救助金额须大于零"),
        ({**GRANT, "kind": None}, "请选择临时救助类型：急难型、支出型"),
        ({**GRANT, "kind": "生活型"}, "请选择临时救助类型：急难型、支出型"),
        ({**GRANT, "reason": " "}, "请写明临时救助事由"),
    ],
)
def test_temporary_assistance_refusals(registry_engine: Engine, options: dict[str, object], message: str) -> None:
    with unit_of_work(registry_engine) as session:
        case_id = _temporary_case(session).id
    with pytest.raises(CaseError, match=message):
        _approve(registry_engine, case_id, **options)
    with unit_of_work(registry_engine) as session:
        assert session.scalar(select(func.count()).select_from(Enrollment)) == 0
        assert service.get_case(session, case_id).state == "received"


def test_temporary_assistance_dated_in_the_future_or_without_a_visit_is_refused(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        case_id = _temporary_case(session, visit=False).id
    with pytest.raises(CaseError, match="晚于今天，不能登记未来的日期"):
        _approve(registry_engine, case_id, on=dt.date.today() + dt.timedelta(days=1), **GRANT)
    with pytest.raises(CaseError, match="缺少调查记录：入户调查（ASM-7），不能审批临时救助"):
        _approve(registry_engine, case_id, **GRANT)


def test_temporary_assistance_has_no_village_posting_or_county_step(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        case_id = _temporary_case(session).id
        with pytest.raises(CaseError, match="没有“村级评议审核”这一环节；当前可办理：乡镇审批临时救助、不予批准"):
            service.review(session, case_id, by="村委会", on=D(2020, 6, 2))
    _approve(registry_engine, case_id, **GRANT)
    with unit_of_work(registry_engine) as session, pytest.raises(CaseError, match="当前可办理：无（已办结）"):
        service.confirm(session, case_id, by="县民政局", on=D(2020, 6, 15))


def test_a_second_temporary_payment_in_the_same_month_is_refused(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        first = _temporary_case(session).id
    _approve(registry_engine, first, **GRANT)
    with unit_of_work(registry_engine) as session:
        second = _temporary_case(session).id
    with pytest.raises(CaseError, match="已有一笔临时救助列入2020年7月发放花名册"):
        _approve(registry_engine, second, on=D(2020, 6, 20), **{**GRANT, "kind": "支出型"})
    _approve(registry_engine, second, on=D(2020, 7, 2), **{**GRANT, "kind": "支出型"})  # paid in August
    assert compute_roll(registry_engine, "2020-08").rows["total_fen"].to_list() == [200000]


def test_temporary_assistance_missed_by_an_approved_roll_is_paid_on_the_next_one_once(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session, "H0")  # someone on dibao, so July's roll is not empty
        session.add(Enrollment(household_id="H0", program="dibao", since=D(2020, 1, 1), monthly_benefit_fen=30000))
        case_id = _temporary_case(session).id
    approve_roll(registry_engine, "2020-07", "", "李科长")  # approved before the case: July's roll misses it
    _approve(registry_engine, case_id, on=D(2020, 6, 30), **GRANT)
    assert compute_roll(registry_engine, "2020-08").stops.height == 0
    august = approve_roll(registry_engine, "2020-08", "", "李科长").rows
    assert august.filter(august["program"] == "temporary")["total_fen"].to_list() == [200000]  # once, no arrears
    september = compute_roll(registry_engine, "2020-09")
    assert september.rows["program"].to_list() == ["dibao"] and september.stops.height == 0


def test_temporary_assistance_paid_in_its_month_is_not_paid_again(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        case_id = _temporary_case(session).id
    _approve(registry_engine, case_id, **GRANT)
    july = approve_roll(registry_engine, "2020-07", "", "李科长").rows
    assert july["total_fen"].to_list() == [200000]
    august = compute_roll(registry_engine, "2020-08")
    assert august.rows.height == 0 and august.stops.height == 0


def test_the_budget_does_not_project_a_one_off_payment(registry_engine: Engine) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session, "H0")
        session.add(Enrollment(household_id="H0", program="dibao", since=D(2020, 1, 1), monthly_benefit_fen=30000))
        case_id = _temporary_case(session).id
    _approve(registry_engine, case_id, **GRANT)
    approve_roll(registry_engine, "2020-07", "", "李科长")
    table = budget(registry_engine, 2020)
    projected = table.filter(table["kind"] == "预计")
    assert set(projected["program"]) == {"dibao"} and projected.height == 5  # August to December
    paid = table.filter(table["kind"] == "已发放")
    assert sorted(paid["program"]) == ["dibao", "temporary"]
