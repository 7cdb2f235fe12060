"""Carrying one case through the procedure: intake, investigations, the approval chain, posting, refusal and
the fast track (PRO-1..5, ASM-7, COV-6, COV-7, COV-9), for dibao, 特困 (doudi.cases.tekun) and temporary
assistance (doudi.cases.temporary).

Each function works inside the caller's session (one transaction): it checks everything first and raises
CaseError with a Chinese reason before writing anything, so bad input leaves nothing half-written. The
acting officer is recorded on the session for the audit trail (doudi.audit).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from doudi.cases import tekun, temporary
from doudi.cases.engine import as_json, decide, explanation_text, fen, single_persons_covered
from doudi.cases.errors import CaseError
from doudi.cases.models import (
    Case,
    Investigation,
    Objection,
    PoorCardEntry,
    Referral,
    ReviewSchedule,
    TekunFinding,
)
from doudi.cases.procedure import (
    DEFAULT_REVIEW_MONTHS,
    DOCUMENTS,
    HOME_VISIT,
    INVESTIGATION_KINDS,
    MIN_HOME_VISITORS,
    procedure_for,
)
from doudi.cases.states import CLOSED, STATES, TransitionRefused, state_name, transition
from doudi.cases.workdays import add_workdays, first_of_next_month
from doudi.policy.profile import ProfileError, load_profile, profile_for
from doudi.policy.standards import load_standards, standards_on
from doudi.registry.models import Enrollment, Household, Member
from doudi.rules.calendar import months_later
from doudi.rules.explain import chinese_date, mask_id

PROGRAMS = {"dibao": "农村低保", "tekun": "特困人员救助供养", "temporary": "临时救助"}
CHANNELS = {"application": "本人申请", "referral": "部门转介", "fast_track": "特事特办"}
POVERTY_OFFICE = "县扶贫办"


def act(session: Session, by: str, why: str | None = None) -> None:
    """Record who acts (and why) on this session: every audited change it flushes carries it."""
    if not by or not by.strip():
        raise CaseError("请填写经办人姓名（--by）")
    session.info["who"] = by.strip()
    session.info["why"] = why


def check_date(day: dt.date, what: str, not_before: dt.date | None = None, before_what: str = "") -> None:
    if day > dt.date.today():
        raise CaseError(f"{what}（{chinese_date(day)}）晚于今天，不能登记未来的日期")
    if not_before is not None and day < not_before:
        raise CaseError(f"{what}（{chinese_date(day)}）早于{before_what}（{chinese_date(not_before)}）")


def get_case(session: Session, case: int | str) -> Case:
    """A case by id or case number."""
    by_number = isinstance(case, str) and not case.isdigit()
    found = session.scalars(select(Case).where(Case.case_no == case if by_number else Case.id == int(case))).first()
    if found is None:
        raise CaseError(f"没有案件“{case}”")
    return found


def _step(case: Case, action: str) -> str:
    try:
        return transition(case.state, action, case.profile_id, case.program)
    except TransitionRefused as error:
        raise CaseError(f"案件 {case.case_no}：{error}") from None


def _next_case_no(session: Session, region_code: str, day: dt.date) -> str:
    prefix = f"{region_code[:9]}-{day:%Y%m%d}-"
    count = session.scalar(select(func.count()).select_from(Case).where(Case.case_no.like(f"{prefix}%"))) or 0
    return f"{prefix}{count + 1:03d}"


def open_case(
    session: Session,
    *,
    household_id: str,
    program: str,
    by: str,
    received_on: dt.date,
    documents: list[str],
    channel: str = "application",
    referred_by: str | None = None,
    applicant_id_number: str | None = None,
    written_commitment: bool = False,
    profile_id: str | None = None,
) -> Case:
    """PRO-1: register an application or a referral at the township's one window, with a case number and
    the documents received; the missing ones are listed once (一次性告知)."""
    act(session, by, "一门受理")
    check_date(received_on, "受理日期")
    if program not in PROGRAMS:
        raise CaseError(f"救助项目“{program}”无效，应为：{'、'.join(PROGRAMS)}")
    if channel not in CHANNELS:
        raise CaseError(f"受理渠道“{channel}”无效，应为：{'、'.join(CHANNELS)}")
    if channel == "referral" and not referred_by:
        raise CaseError("部门转介的案件须写明转介部门（--referred-by）")
    if channel == "fast_track" and not written_commitment:
        raise CaseError("特事特办须有申请人书面承诺（PRO-4）")
    if channel == "fast_track" and program != "dibao":
        raise CaseError(f"特事特办、先行纳入目前只用于农村低保；{PROGRAMS[program]}请按一般程序受理")
    household = session.get(Household, household_id)
    if household is None:
        raise CaseError(f"户 {household_id} 不在登记库中：请先导入台账或用 --household-json 登记申请家庭")
    members = session.scalars(select(Member).where(Member.household_id == household_id)).all()
    living = [m for m in members if m.death_date is None]
    if applicant_id_number is None:
        head = next((m for m in living if m.relation == "户主"), living[0] if living else None)
        if head is None:
            raise CaseError(f"户 {household_id} 没有在世的家庭成员，不能受理")
        applicant = head
    else:
        match = [m for m in living if m.id_number == applicant_id_number]
        if not match:
            raise CaseError(f"申请人 {mask_id(applicant_id_number)} 不是户 {household_id} 的在世成员")
        applicant = match[0]
    open_same = session.scalar(
        select(Case.case_no).where(
            Case.household_id == household_id, Case.program == program, Case.state.not_in(CLOSED)
        )
    )
    if open_same:
        raise CaseError(f"户 {household_id} 已有在办的{PROGRAMS[program]}案件 {open_same}，不能重复受理")
    try:
        profile = load_profile(profile_id) if profile_id else profile_for(household.region_code, received_on)
    except ProfileError as error:
        raise CaseError(str(error)) from None
    unknown = [d for d in documents if d not in DOCUMENTS]
    if unknown:
        raise CaseError(f"未知的材料：{'、'.join(unknown)}；可登记的材料：{'、'.join(DOCUMENTS)}")
    missing = [d for d in DOCUMENTS if d not in documents]
    case = Case(
        case_no=_next_case_no(session, household.village_code or household.region_code, received_on),
        program=program,
        channel=channel,
        referred_by=referred_by,
        household_id=household_id,
        region_code=household.village_code or household.region_code,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        profile_id=profile.id,
        state="received",
        received_on=received_on,
        documents_received=json.dumps(documents, ensure_ascii=False),
        documents_missing=json.dumps(missing, ensure_ascii=False),
        written_commitment=written_commitment,
        created_by=by,
    )
    session.add(case)
    session.flush()
    return case


def add_investigation(
    session: Session, case_ref: int | str, *, kind: str, on: dt.date, people: list[str], findings: str, by: str
) -> Investigation:
    """ASM-7: a household visit (at least two investigators), neighbour interview, letter, democratic review or
    economic verification, with its date, people and findings."""
    act(session, by, f"调查核实：{kind}")
    case = get_case(session, case_ref)
    if case.state in CLOSED:
        raise CaseError(f"案件 {case.case_no} 已办结（{state_name(case.state, case.program)}），不能再补充调查记录")
    if kind not in INVESTIGATION_KINDS:
        raise CaseError(f"调查方式“{kind}”无效，应为：{'、'.join(INVESTIGATION_KINDS)}（ASM-7）")
    check_date(on, f"{kind}日期", case.received_on, "受理日期")
    names = [p.strip() for p in people if p.strip()]
    if not names:
        raise CaseError(f"{kind}须写明参加人员")
    if kind == HOME_VISIT and len(set(names)) < MIN_HOME_VISITORS:
        raise CaseError(f"入户调查须至少 {MIN_HOME_VISITORS} 名调查人员（ASM-7），现只有 {len(set(names))} 名")
    if not findings.strip():
        raise CaseError(f"{kind}须记录调查结论")
    record = Investigation(
        case_id=case.id,
        kind=kind,
        on=on,
        people=json.dumps(names, ensure_ascii=False),
        findings=findings,
        recorded_by=by,
    )
    session.add(record)
    session.flush()
    return record


def record_tekun_findings(
    session: Session,
    case_ref: int | str,
    *,
    id_number: str | None,
    on: dt.date,
    found: tekun.Findings,
    by: str,
) -> TekunFinding:
    """TK-1: what the investigation found about the person applied for as 特困 (default: the applicant): the
    three conditions, the assessed self-care ability and the care form. A later record replaces an earlier one."""
    act(session, by, "登记特困认定情况")
    case = get_case(session, case_ref)
    if case.state in CLOSED:
        raise CaseError(f"案件 {case.case_no} 已办结（{state_name(case.state, case.program)}），不能再登记认定情况")
    check_date(on, "认定日期", case.received_on, "受理日期")
    person = id_number or case.applicant_id_number
    if person != case.applicant_id_number:
        raise CaseError(
            f"{mask_id(person)} 不是本案申请的特困人员（{case.applicant_name}，{mask_id(case.applicant_id_number)}）："
            "特困按人申请，其他成员请另行受理"
        )
    record = tekun.new_finding(session, case, id_number=person or "", on=on, found=found, by=by)
    session.add(record)
    session.flush()
    return record


def _missing_investigations(session: Session, case: Case, required: tuple[str, ...]) -> list[str]:
    have = set(session.scalars(select(Investigation.kind).where(Investigation.case_id == case.id)))
    return [kind for kind in required if kind not in have]


def review(session: Session, case_ref: int | str, *, by: str, on: dt.date) -> Case:
    """PRO-2: the village's democratic review and check, on the household visit's record."""
    act(session, by, "村级评议审核")
    case = get_case(session, case_ref)
    target = _step(case, "review")
    check_date(on, "村级审核日期", case.received_on, "受理日期")
    missing = _missing_investigations(session, case, procedure_for(case.profile_id).required_for_review)
    if missing:
        raise CaseError(f"案件 {case.case_no} 缺少调查记录：{'、'.join(missing)}（ASM-7），不能进行村级审核")
    case.state, case.village_reviewed_on = target, on
    session.flush()
    return case


def _last_objection(session: Session, case: Case) -> Objection | None:
    return session.scalars(
        select(Objection)
        .where(Objection.case_id == case.id)
        .order_by(Objection.received_on.desc(), Objection.id.desc())
    ).first()


def approve(
    session: Session,
    case_ref: int | str,
    *,
    by: str,
    on: dt.date,
    amount_fen: int | None = None,
    kind: str | None = None,
    reason: str | None = None,
) -> Case:
    """PRO-2: the township approves on the investigation records; the decision and its explanation are stored
    on the case — the engine's for dibao, the 特困 conditions and standards for 特困 (TK-1, STD-4/5). After an
    objection (PRO-3) a new investigation since the objection is required. Temporary assistance (PRO-5) is
    approved with the officer's amount, type and reason, and that closes the case."""
    act(session, by, "乡镇审核批准")
    case = get_case(session, case_ref)
    target = _step(case, "approve")
    if case.program == "temporary":
        return _grant_temporary(session, case, target, on, amount_fen=amount_fen, kind=kind, reason=reason)
    if amount_fen is not None or kind or reason:
        raise CaseError(f"案件 {case.case_no}：救助金额、类型和事由只用于临时救助；{PROGRAMS[case.program]}按政策测算")
    check_date(on, "乡镇审批日期", case.village_reviewed_on or case.received_on, "村级审核日期")
    procedure = procedure_for(case.profile_id)
    missing = _missing_investigations(session, case, procedure.required_for_approval)
    if missing:
        raise CaseError(f"案件 {case.case_no} 缺少调查记录：{'、'.join(missing)}（ASM-7、PRO-2），不能审批")
    if case.state == "reinvestigating":
        objection = _last_objection(session, case)
        since = objection.received_on if objection else None
        if not session.scalar(
            select(func.count())
            .select_from(Investigation)
            .where(Investigation.case_id == case.id, Investigation.on >= since, Investigation.kind != "民主评议")
        ):
            raise CaseError(f"案件 {case.case_no} 公示有异议，须在异议登记后重新调查核实，才能再次审批")
    if case.program == "tekun":
        tekun.check_not_supported_elsewhere(session, case)
        record = tekun.decide(session, case, on)
        text = tekun.explanation_text(record)
    else:
        _not_enrolled_elsewhere(session, case)
        record = decide(session, case.household_id, case.profile_id, on)
        if record["decision"] not in ("enroll", "keep"):
            raise CaseError(
                f"案件 {case.case_no}：按政策测算不符合条件（{record['reason']}；{'、'.join(record['rules'])}），"
                "不能批准，请作不予批准处理"
            )
        text = explanation_text(record)
    case.state, case.township_approved_on = target, on
    case.decision, case.decision_json, case.explanation_text = record["decision"], as_json(record), text
    session.flush()
    return case


def _grant_temporary(
    session: Session,
    case: Case,
    target: str,
    on: dt.date,
    *,
    amount_fen: int | None,
    kind: str | None,
    reason: str | None,
) -> Case:
    """PRO-5: the township's approval from its reserve fund closes the case; paid once, the month after."""
    check_date(on, "乡镇审批日期", case.received_on, "受理日期")
    missing = _missing_investigations(session, case, procedure_for(case.profile_id).required_for_temporary)
    if missing:
        raise CaseError(f"案件 {case.case_no} 缺少调查记录：{'、'.join(missing)}（ASM-7），不能审批临时救助")
    record = temporary.decide(case, on, amount_fen=amount_fen, kind=kind, reason=reason)
    month = first_of_next_month(on)
    temporary.pay_once(session, case, record, month)
    case.state, case.township_approved_on, case.closed_on = target, on, on
    case.decision, case.decision_json = record["decision"], as_json(record)
    case.explanation_text = temporary.explanation_text(record, month)
    session.flush()
    return case


def post(session: Session, case_ref: int | str, *, by: str, start: dt.date, end: dt.date | None = None) -> Case:
    """PRO-3: public posting where the household lives, for at least the profile's days (7 by default)."""
    act(session, by, "张榜公示")
    case = get_case(session, case_ref)
    target = _step(case, "post")
    days = procedure_for(case.profile_id).posting_days
    check_date(start, "公示开始日期", case.township_approved_on, "乡镇审批日期")
    end = end or start + dt.timedelta(days=days - 1)
    if end < start:
        raise CaseError("公示结束日期早于开始日期")
    length = (end - start).days + 1
    if length < days:
        raise CaseError(f"公示期为 {length} 天，少于规定的 {days} 天（PRO-3），不能公示")
    case.state, case.posting_start, case.posting_end = target, start, end
    session.flush()
    return case


def object_to(
    session: Session, case_ref: int | str, *, by: str, on: dt.date, content: str, raised_by: str | None = None
) -> Objection:
    """PRO-3: an objection during posting is recorded and sends the case back for re-investigation."""
    act(session, by, "登记公示异议")
    case = get_case(session, case_ref)
    target = _step(case, "object")
    check_date(on, "异议登记日期", case.posting_start, "公示开始日期")
    if not content.strip():
        raise CaseError("请写明异议内容")
    objection = Objection(case_id=case.id, received_on=on, raised_by=raised_by, content=content, recorded_by=by)
    session.add(objection)
    case.state = target
    session.flush()
    return objection


def _not_enrolled_elsewhere(session: Session, case: Case) -> None:
    """A person may be enrolled in a program through one household only."""
    members = select(Member.id_number).where(Member.household_id == case.household_id, Member.death_date.is_(None))
    elsewhere = session.execute(
        select(Member.id_number, Member.name, Enrollment.household_id)
        .join(Enrollment, Enrollment.household_id == Member.household_id)
        .where(
            Member.id_number.in_(members),
            Member.household_id != case.household_id,
            Enrollment.program == case.program,
            Enrollment.status != "exited",
        )
    ).first()
    if elsewhere:
        raise CaseError(
            f"{elsewhere.name}（{mask_id(elsewhere.id_number)}）已在户 {elsewhere.household_id} 享受"
            f"{PROGRAMS[case.program]}，不能重复纳入"
        )
    current = session.scalar(
        select(Enrollment.id).where(
            Enrollment.household_id == case.household_id,
            Enrollment.program == case.program,
            Enrollment.status != "exited",
        )
    )
    if current:
        raise CaseError(f"户 {case.household_id} 已在享受{PROGRAMS[case.program]}，不能重复纳入")


def _enrolled_person(session: Session, case: Case, record: dict[str, Any]) -> str | None:
    """The person a single-person enrollment names: for 特困 the one applied for; for dibao (COV-4) the
    applicant when the engine covers them individually, else the first member it covers. The decision record
    holds masked numbers only, so dibao asks the engine again for the date it decided on. An enrollment names
    one person: where the engine covers two members of one household individually, the amount is theirs
    together and the roll counts one person (a known limit, docs/cases.md)."""
    if case.program == "tekun":
        return case.applicant_id_number
    covered = single_persons_covered(session, case.household_id, case.profile_id, dt.date.fromisoformat(record["on"]))
    if case.applicant_id_number in covered:
        return case.applicant_id_number
    return covered[0] if covered else None


def _enroll(session: Session, case: Case, on: dt.date) -> Enrollment:
    """COV-7: paid from the month after approval; DYN-4: next review from the class; COV-9: the poor card."""
    record = json.loads(case.decision_json or "{}")
    since = first_of_next_month(on)
    scope = record.get("scope") or "household"
    enrollment = Enrollment(
        household_id=case.household_id,
        program=case.program,
        scope=scope,
        id_number=_enrolled_person(session, case, record) if scope == "single_person" else None,
        since=since,
        benefit_class=record.get("class"),
        monthly_benefit_fen=fen(record.get("monthly_benefit")),
        status="active",
    )
    session.add(enrollment)
    session.flush()
    interval = record.get("review_interval_months") or DEFAULT_REVIEW_MONTHS
    session.add(
        ReviewSchedule(
            enrollment_id=enrollment.id,
            household_id=case.household_id,
            benefit_class=record.get("class"),
            interval_months=interval,
            next_review=months_later(since, interval),
        )
    )
    household = session.get(Household, case.household_id)
    if household is not None and household.registered_poor:
        session.add(
            PoorCardEntry(
                household_id=case.household_id,
                case_id=case.id,
                program=case.program,
                reason=f"{record.get('reason')}（{'、'.join(record.get('rules', []))}）",
                standard_monthly_fen=fen(record.get("standard_monthly")),
                monthly_benefit_fen=enrollment.monthly_benefit_fen or 0,
                since=since,
            )
        )
    case.enrollment_id = enrollment.id
    return enrollment


def confirm(session: Session, case_ref: int | str, *, by: str, on: dt.date) -> Case:
    """PRO-2: the county confirms (审批 or 备案) after the posting has ended without objection; the
    enrollment starts the month after (COV-7)."""
    act(session, by, "县级确认")
    case = get_case(session, case_ref)
    target = _step(case, "confirm")
    check_date(on, "县级确认日期", case.township_approved_on, "乡镇审批日期")
    assert case.posting_end is not None
    if on <= case.posting_end:
        raise CaseError(f"公示期到 {chinese_date(case.posting_end)} 才结束，不能在 {chinese_date(on)} 确认（PRO-3）")
    if case.program == "tekun":
        tekun.check_not_supported_elsewhere(session, case)
    else:
        _not_enrolled_elsewhere(session, case)
    _enroll(session, case, on)
    case.state, case.confirmed_on, case.closed_on = target, on, on
    session.flush()
    return case


def refuse(session: Session, case_ref: int | str, *, by: str, on: dt.date, reason: str) -> Case:
    """Refusal with its reasons; a registered-poor household (or the engine's 'refer') is referred to the
    poverty office with the list (COV-6)."""
    act(session, by, f"不予批准：{reason}")
    case = get_case(session, case_ref)
    target = _step(case, "refuse")
    check_date(on, "不予批准日期", case.received_on, "受理日期")
    if not reason.strip():
        raise CaseError("不予批准须写明理由")
    record = decide(session, case.household_id, case.profile_id, on)
    household = session.get(Household, case.household_id)
    if record["decision"] == "refer" or (household is not None and household.registered_poor):
        session.add(
            Referral(
                case_id=case.id,
                household_id=case.household_id,
                to_department=POVERTY_OFFICE,
                reason=f"{reason}；{record['reason']}（COV-6）",
                created_on=on,
                created_by=by,
            )
        )
    case.state, case.refusal_reason, case.closed_on = target, reason, on
    case.decision, case.decision_json, case.explanation_text = (
        record["decision"],
        as_json(record),
        explanation_text(record),
    )
    session.flush()
    return case


def fast_track(session: Session, case_ref: int | str, *, by: str, on: dt.date) -> Case:
    """PRO-4 特事特办、先行纳入: on the written commitment, village review, township approval and county
    filing the same day, and one month of temporary assistance at the urban dibao standard first."""
    act(session, by, "特事特办、先行纳入")
    case = get_case(session, case_ref)
    target = _step(case, "fast_track")  # dibao only: the other programs' tables have no fast track
    check_date(on, "办理日期", case.received_on, "受理日期")
    if not case.written_commitment:
        raise CaseError(f"案件 {case.case_no} 没有申请人书面承诺，不能特事特办（PRO-4）")
    _not_enrolled_elsewhere(session, case)
    record = decide(session, case.household_id, case.profile_id, on)
    household = session.get(Household, case.household_id)
    assert household is not None
    urban = standards_on(load_standards(), household.region_code, on)["urban_dibao_monthly_fen"]
    if urban is None:
        raise CaseError(f"地区 {household.region_code} 在 {chinese_date(on)} 没有城市低保标准，无法计算临时救助")
    case.decision, case.decision_json, case.explanation_text = (
        record["decision"],
        as_json(record),
        explanation_text(record),
    )
    case.temporary_assistance_fen = urban * int(record["household_size"])
    case.village_reviewed_on = case.township_approved_on = case.confirmed_on = case.closed_on = on
    if record["decision"] in ("enroll", "keep"):
        _enroll(session, case, on)
    case.state = target
    session.flush()
    return case


@dataclass(frozen=True)
class Overdue:
    case_no: str
    state: str
    since: dt.date
    due: dt.date
    days_late: int  # calendar days past the due date


def _entered(session: Session, case: Case) -> dt.date:
    if case.state == "reinvestigating":
        objection = _last_objection(session, case)
        return objection.received_on if objection else case.received_on
    return {
        "received": case.received_on,
        "village_reviewed": case.village_reviewed_on,
        "township_approved": case.township_approved_on,
        "posting": case.posting_end,
    }.get(case.state) or case.received_on


def overdue(session: Session, on: dt.date, region_prefix: str | None = None) -> list[Overdue]:
    """Open cases past their step's deadline in working days (weekends and public holidays off)."""
    query = select(Case).where(Case.state.not_in(CLOSED))
    if region_prefix:
        query = query.where(Case.region_code.like(f"{region_prefix}%"))
    late = []
    for case in session.scalars(query.order_by(Case.received_on)):
        entered = _entered(session, case)
        due = add_workdays(entered, procedure_for(case.profile_id).deadlines[case.state])
        if on > due:
            late.append(Overdue(case.case_no, case.state, entered, due, (on - due).days))
    return late


def describe(session: Session, case: Case) -> dict[str, Any]:
    """The case as shown to officers (ID numbers masked)."""
    investigations = session.scalars(
        select(Investigation).where(Investigation.case_id == case.id).order_by(Investigation.on)
    )
    objections = session.scalars(select(Objection).where(Objection.case_id == case.id).order_by(Objection.received_on))
    findings = session.scalars(
        select(TekunFinding).where(TekunFinding.case_id == case.id).order_by(TekunFinding.on, TekunFinding.id)
    )
    return {
        "case_no": case.case_no,
        "program": PROGRAMS[case.program],
        "channel": CHANNELS[case.channel],
        "referred_by": case.referred_by,
        "household_id": case.household_id,
        "applicant": f"{case.applicant_name}（{mask_id(case.applicant_id_number)}）",
        "profile": case.profile_id,
        "state": state_name(case.state, case.program),
        "version": case.version,
        "received_on": case.received_on.isoformat(),
        "documents_received": json.loads(case.documents_received),
        "documents_missing": json.loads(case.documents_missing),
        "investigations": [
            {"kind": i.kind, "on": i.on.isoformat(), "people": json.loads(i.people), "findings": i.findings}
            for i in investigations
        ],
        "objections": [{"on": o.received_on.isoformat(), "by": o.raised_by, "content": o.content} for o in objections],
        "tekun_findings": [
            {
                "person": mask_id(f.id_number),
                "on": f.on.isoformat(),
                **{label: getattr(f, name) for name, label in tekun.CONDITIONS.items()},
                "self_care": f.self_care,
                "care_form": f.care_form,
                "findings": f.findings,
            }
            for f in findings
        ],
        "village_reviewed_on": case.village_reviewed_on and case.village_reviewed_on.isoformat(),
        "township_approved_on": case.township_approved_on and case.township_approved_on.isoformat(),
        "posting": [case.posting_start.isoformat(), case.posting_end.isoformat()]
        if case.posting_start and case.posting_end
        else None,
        "confirmed_on": case.confirmed_on and case.confirmed_on.isoformat(),
        "decision": json.loads(case.decision_json) if case.decision_json else None,
        "refusal_reason": case.refusal_reason,
        "enrollment_id": case.enrollment_id,
        "temporary_assistance": case.temporary_assistance_fen,
    }


def list_cases(
    session: Session, region_prefix: str | None = None, state: str | None = None, limit: int = 200
) -> list[Case]:
    """Cases newest first, narrowed by region (village or county code prefix) and state."""
    if state is not None and state not in STATES:
        raise CaseError(f"案件状态“{state}”无效，应为：{'、'.join(STATES)}")
    query = select(Case).order_by(Case.received_on.desc(), Case.id.desc()).limit(limit)
    if region_prefix:
        query = query.where(Case.region_code.like(f"{region_prefix}%"))
    if state:
        query = query.where(Case.state == state)
    return list(session.scalars(query))
