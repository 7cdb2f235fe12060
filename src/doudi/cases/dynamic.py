"""Dynamic management: reviews due by class (DYN-4), reported changes and the engine's proposal (DYN-5),
gradual exit and exit with the fall-back risk check (EXIT-1..5), the yearly recertification campaign
(DYN-3) and the heads' sign-off of its list (PRO-6).

Proposals come from the engine only: `propose` assesses the household as the registry holds it now; applying
a proposal moves the enrollment and records the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from doudi.cases.engine import as_json, decide, decide_many, fen
from doudi.cases.errors import CaseError
from doudi.cases.models import ChangeReport, RecertCampaign, RecertItem, ReviewSchedule, Signoff
from doudi.cases.procedure import DEFAULT_REVIEW_MONTHS
from doudi.cases.service import act, check_date
from doudi.policy.profile import ProfileError, profile_for
from doudi.registry.areas import household_in_area
from doudi.registry.loader import load_frames
from doudi.registry.models import Enrollment, Household, IncomeItem, Member
from doudi.rules.assess import assess_frames
from doudi.rules.calendar import months_later
from doudi.rules.explain import chinese_date, mask_id

CHANGE_KINDS = {
    "income": "收入变化",
    "member": "家庭成员变化",
    "death": "成员死亡",
    "property": "财产变化",
    "review": "定期复核",
}
PROPOSALS = {
    "keep": "维持",
    "adjust": "调整保障金",
    "gradual_exit": "渐退",
    "exit": "退出",
    "enroll": "符合条件（未在保）",
    "none": "不符合条件（未在保）",
}
ROLES = {"county_head": "县级主要领导", "township_head": "乡镇主要负责人"}


def current_enrollment(session: Session, household_id: str) -> Enrollment | None:
    return session.scalars(
        select(Enrollment)
        .where(Enrollment.household_id == household_id, Enrollment.program == "dibao", Enrollment.status != "exited")
        .order_by(Enrollment.id.desc())
    ).first()


def _profile_id(household: Household, on: dt.date) -> str:
    try:
        return profile_for(household.region_code, on).id
    except ProfileError as error:
        raise CaseError(str(error)) from None


def _proposal(decision: str, enrollment: Enrollment | None, new_benefit_fen: int) -> str:
    if enrollment is None:
        return "enroll" if decision == "enroll" else "none"
    if decision == "keep":
        running_exit = enrollment.status == "gradual_exit"  # EXIT-3: re-qualifying ends the gradual exit
        return "adjust" if running_exit or new_benefit_fen != (enrollment.monthly_benefit_fen or 0) else "keep"
    if decision in ("gradual_exit", "exit"):
        return decision
    return "exit"  # deny / refer while enrolled: no longer eligible, exit in time (EXIT-5)


def propose(
    session: Session,
    household_id: str,
    *,
    kind: str,
    description: str,
    on: dt.date,
    by: str,
    campaign_id: int | None = None,
) -> ChangeReport:
    """DYN-5: re-assess the household as the registry holds it now and record the proposal."""
    act(session, by, f"{CHANGE_KINDS.get(kind, kind)}：{description}")
    if kind not in CHANGE_KINDS:
        raise CaseError(f"变化类型“{kind}”无效，应为：{'、'.join(CHANGE_KINDS)}")
    check_date(on, "报告日期")
    household = session.get(Household, household_id)
    if household is None:
        raise CaseError(f"户 {household_id} 不在登记库中")
    record = decide(session, household_id, _profile_id(household, on), on)
    report = _report(
        household_id,
        record,
        current_enrollment(session, household_id),
        kind=kind,
        description=description,
        on=on,
        by=by,
        campaign_id=campaign_id,
    )
    session.add(report)
    session.flush()
    return report


def _report(
    household_id: str,
    record: dict[str, Any],
    enrollment: Enrollment | None,
    *,
    kind: str,
    description: str,
    on: dt.date,
    by: str,
    campaign_id: int | None,
) -> ChangeReport:
    proposal = _proposal(record["decision"], enrollment, fen(record["monthly_benefit"]))
    return ChangeReport(
        household_id=household_id,
        kind=kind,
        reported_on=on,
        description=description,
        proposal=proposal,
        decision_json=as_json(record),
        fall_back_risk_high=record["fall_back_risk_high"],
        reported_by=by,
        campaign_id=campaign_id,
    )


def record_death(session: Session, household_id: str, id_number: str, died_on: dt.date, by: str) -> ChangeReport:
    act(session, by, "成员死亡")
    check_date(died_on, "死亡日期")
    member = session.scalars(
        select(Member).where(Member.household_id == household_id, Member.id_number == id_number)
    ).first()
    if member is None:
        raise CaseError(f"户 {household_id} 没有成员 {mask_id(id_number)}")
    member.death_date = died_on
    return propose(
        session,
        household_id,
        kind="death",
        description=f"{member.name} 于 {chinese_date(died_on)} 死亡",
        on=died_on,
        by=by,
    )


def record_income(
    session: Session,
    household_id: str,
    *,
    kind: str,
    yearly_fen: int,
    id_number: str | None,
    on: dt.date,
    by: str,
    poverty_project: bool = False,
) -> ChangeReport:
    """Replace the household's (or member's) income of one kind with the new yearly amount, then propose."""
    act(session, by, "收入变化")
    if yearly_fen < 0:
        raise CaseError("年收入不能为负数")
    if session.get(Household, household_id) is None:
        raise CaseError(f"户 {household_id} 不在登记库中")
    items = session.scalars(
        select(IncomeItem).where(
            IncomeItem.household_id == household_id,
            IncomeItem.kind == kind,
            IncomeItem.id_number.is_(None) if id_number is None else IncomeItem.id_number == id_number,
        )
    ).all()
    for item in items:
        session.delete(item)
    if yearly_fen:
        session.add(
            IncomeItem(
                household_id=household_id,
                id_number=id_number,
                kind=kind,
                yearly_fen=yearly_fen,
                poverty_project=poverty_project,
            )
        )
    return propose(
        session, household_id, kind="income", description=f"{kind} 年收入改为 {yearly_fen / 100:.2f} 元", on=on, by=by
    )


def record_property(
    session: Session, household_id: str, *, within_rules: bool, note: str, on: dt.date, by: str
) -> ChangeReport:
    act(session, by, "财产变化")
    household = session.get(Household, household_id)
    if household is None:
        raise CaseError(f"户 {household_id} 不在登记库中")
    household.property_within_rules = within_rules
    return propose(session, household_id, kind="property", description=note, on=on, by=by)


def apply(session: Session, report_id: int, *, by: str, on: dt.date) -> ChangeReport:
    """Carry out a proposal on the enrollment. An exit records the fall-back risk check first (EXIT-4) and is
    refused while the risk is high (the engine then proposes gradual exit instead)."""
    act(session, by, "执行动态管理决定")
    report = session.get(ChangeReport, report_id)
    if report is None:
        raise CaseError(f"没有变化报告 {report_id}")
    if report.applied_on is not None:
        raise CaseError(f"变化报告 {report_id} 已于 {chinese_date(report.applied_on)} 执行")
    check_date(on, "执行日期", report.reported_on, "报告日期")
    record = json.loads(report.decision_json)
    enrollment = current_enrollment(session, report.household_id)
    if enrollment is None:
        raise CaseError(f"户 {report.household_id} 不在保，请走申请审批程序（doudi case new）")
    if report.proposal == "exit":
        if report.fall_back_risk_high is None:
            raise CaseError("退出前须评估返贫风险（EXIT-4），本报告没有评估结果")
        if report.fall_back_risk_high:
            raise CaseError("返贫风险较大，不能直接退出，应实行渐退或给予临时救助（EXIT-4）")
        enrollment.status, enrollment.until = "exited", on
    elif report.proposal == "gradual_exit":
        if enrollment.status != "gradual_exit":
            enrollment.status = "gradual_exit"
            enrollment.gradual_exit_since = dt.date.fromisoformat(record["gradual_exit_schedule"][0]["month"] + "-01")
            enrollment.gradual_exit_base_fen = enrollment.monthly_benefit_fen
        enrollment.monthly_benefit_fen = fen(record["monthly_benefit"])
    elif report.proposal in ("keep", "adjust"):
        # EXIT-3: re-qualifying during a gradual exit ends it; the top-up is on the re-assessed income.
        enrollment.status, enrollment.gradual_exit_since, enrollment.gradual_exit_base_fen = "active", None, None
        enrollment.monthly_benefit_fen = fen(record["monthly_benefit"])
        enrollment.benefit_class = record.get("class") or enrollment.benefit_class
    report.applied_on = on
    _reschedule(session, enrollment, record, on)
    if report.campaign_id is not None:
        item = session.scalars(
            select(RecertItem).where(
                RecertItem.campaign_id == report.campaign_id, RecertItem.household_id == report.household_id
            )
        ).first()
        if item is not None:
            item.result, item.change_report_id, item.decided_on = report.proposal, report.id, on
    session.flush()
    return report


def _reschedule(session: Session, enrollment: Enrollment, record: dict[str, object], on: dt.date) -> None:
    schedule = session.get(ReviewSchedule, enrollment.id)
    if enrollment.status == "exited":
        if schedule is not None:
            session.delete(schedule)
        return
    interval = int(record.get("review_interval_months") or DEFAULT_REVIEW_MONTHS)  # type: ignore[call-overload]
    if schedule is None:
        schedule = ReviewSchedule(
            enrollment_id=enrollment.id, household_id=enrollment.household_id, interval_months=interval, next_review=on
        )
        session.add(schedule)
    schedule.benefit_class, schedule.interval_months = enrollment.benefit_class, interval
    schedule.last_reviewed, schedule.next_review = on, months_later(on, interval)


@dataclass(frozen=True)
class Due:
    household_id: str
    enrollment_id: int
    benefit_class: str | None
    interval_months: int
    next_review: dt.date


def review_due(session: Session, on: dt.date, region_prefix: str | None = None) -> list[Due]:
    """DYN-4: enrollments whose next review falls on or before `on`. Enrollments without a schedule yet (imported
    ones) get theirs from the engine's review interval for their class, counted from their start."""
    query = (
        select(Enrollment, Household.region_code, Household.village_code)
        .join(Household)
        .where(Enrollment.program == "dibao", Enrollment.status != "exited")
    )
    if region_prefix:
        query = query.where(household_in_area(region_prefix))
    enrollments = [row[0] for row in session.execute(query)]
    # The same enrollments as a subquery, not an IN list: a county holds more than a driver's 65,535 parameters.
    chosen = query.with_only_columns(Enrollment.id)
    schedules = {
        s.enrollment_id: s
        for s in session.scalars(select(ReviewSchedule).where(ReviewSchedule.enrollment_id.in_(chosen)))
    }
    unscheduled = [e for e in enrollments if e.id not in schedules]
    intervals: dict[str, int] = {}
    if unscheduled:
        # Narrowed to dibao households in SQL: past 5,000 ids the loader reads the region, not the list.
        frames = load_frames(
            session,
            sorted({e.household_id for e in unscheduled}),
            region_prefix=region_prefix,
            on=on,
            enrolled_in="dibao",
        )
        decisions = assess_frames(frames).decisions
        # Interval by class for every household still assessed as enrolled (the engine applies DYN-4).
        for row in decisions.select(
            "household_id", pl.col("review_interval_months").fill_null(DEFAULT_REVIEW_MONTHS)
        ).iter_rows():
            intervals[row[0]] = int(row[1])
    due = []
    for enrollment in enrollments:
        schedule = schedules.get(enrollment.id)
        if schedule is not None:
            item = Due(
                enrollment.household_id,
                enrollment.id,
                schedule.benefit_class,
                schedule.interval_months,
                schedule.next_review,
            )
        else:
            interval = intervals.get(enrollment.household_id, DEFAULT_REVIEW_MONTHS)
            start = enrollment.since or on
            item = Due(
                enrollment.household_id,
                enrollment.id,
                enrollment.benefit_class,
                interval,
                months_later(start, interval),
            )
        if item.next_review <= on:
            due.append(item)
    return sorted(due, key=lambda d: (d.next_review, d.household_id))


def open_campaign(session: Session, *, region_prefix: str, year: int, by: str, on: dt.date) -> RecertCampaign:
    """DYN-3: open the yearly recertification of every dibao household in the region (from Q4, three months)."""
    act(session, by, f"{year}年度复核认定")
    check_date(on, "开始日期")
    exists = session.scalars(
        select(RecertCampaign).where(RecertCampaign.region_code == region_prefix, RecertCampaign.year == year)
    ).first()
    if exists:
        raise CaseError(f"地区 {region_prefix} 的 {year} 年度复核已于 {chinese_date(exists.opened_on)} 开始")
    campaign = RecertCampaign(
        region_code=region_prefix, year=year, opened_on=on, due_on=months_later(on, 3), opened_by=by
    )
    session.add(campaign)
    session.flush()
    rows = session.execute(
        select(Enrollment.id, Enrollment.household_id)
        .join(Household)
        .where(
            Enrollment.program == "dibao",
            Enrollment.status != "exited",
            household_in_area(region_prefix),
        )
    ).all()
    if not rows:
        raise CaseError(f"地区 {region_prefix} 没有在保的低保户，无需开展复核")
    seen: set[str] = set()
    for enrollment_id, household_id in rows:
        if household_id not in seen:
            seen.add(household_id)
            session.add(RecertItem(campaign_id=campaign.id, household_id=household_id, enrollment_id=enrollment_id))
    session.flush()
    return campaign


def assess_campaign(session: Session, campaign_id: int, *, by: str, on: dt.date) -> int:
    """Re-assess every household of the campaign still pending; each gets a proposal to apply."""
    campaign = session.get(RecertCampaign, campaign_id)
    if campaign is None:
        raise CaseError(f"没有复核批次 {campaign_id}")
    act(session, by, f"{campaign.year}年度复核")
    check_date(on, "复核日期", campaign.opened_on, "复核开始日期")
    pending_items = select(RecertItem).where(
        RecertItem.campaign_id == campaign_id, RecertItem.result == "pending", RecertItem.change_report_id.is_(None)
    )
    pending = session.scalars(pending_items).all()
    # One engine run for the whole campaign: the rules are vectorized, a household at a time is ~100x slower.
    records = decide_many(session, [item.household_id for item in pending], on) if pending else {}
    # The items' enrollments in one query (a subquery, not an IN list: a county holds more ids than a driver's
    # 65,535 parameters), not one query per household.
    chosen = pending_items.with_only_columns(RecertItem.enrollment_id)
    enrollments = {e.id: e for e in session.scalars(select(Enrollment).where(Enrollment.id.in_(chosen)))}
    reports = []
    for item in pending:
        record = records.get(item.household_id)
        if record is None:
            continue  # not assessable (no standard for its region): stays pending, listed by `recert status`
        report = _report(
            item.household_id,
            record,
            enrollments.get(item.enrollment_id) if item.enrollment_id is not None else None,
            kind="review",
            description=f"{campaign.year}年度复核",
            on=on,
            by=by,
            campaign_id=campaign_id,
        )
        reports.append((item, report))
    session.add_all([report for _, report in reports])
    session.flush()  # one flush (and one audit append) for the whole campaign
    for item, report in reports:
        item.change_report_id = report.id
    session.flush()
    return len(reports)


def campaign_status(session: Session, campaign_id: int) -> dict[str, int]:
    items = session.scalars(select(RecertItem.result).where(RecertItem.campaign_id == campaign_id)).all()
    counts: dict[str, int] = {}
    for result in items:
        counts[result] = counts.get(result, 0) + 1
    return counts


def campaign_digest(session: Session, campaign_id: int) -> str:
    rows = session.execute(
        select(RecertItem.household_id, RecertItem.result)
        .where(RecertItem.campaign_id == campaign_id)
        .order_by(RecertItem.household_id)
    ).all()
    return hashlib.sha256(json.dumps([list(r) for r in rows], ensure_ascii=False).encode()).hexdigest()


def sign_off(session: Session, campaign_id: int, *, role: str, name: str, on: dt.date) -> Signoff:
    """PRO-6: the county and township heads sign off the list once every household has a result."""
    act(session, name, f"签字确认：{ROLES.get(role, role)}")
    if role not in ROLES:
        raise CaseError(f"签字人身份“{role}”无效，应为：{'、'.join(ROLES)}")
    check_date(on, "签字日期")
    campaign = session.get(RecertCampaign, campaign_id)
    if campaign is None:
        raise CaseError(f"没有复核批次 {campaign_id}")
    pending = campaign_status(session, campaign_id).get("pending", 0)
    if pending:
        raise CaseError(f"还有 {pending} 户未得出复核结果，名单不能签字确认（DYN-3、PRO-6）")
    if session.scalars(select(Signoff).where(Signoff.campaign_id == campaign_id, Signoff.role == role)).first():
        raise CaseError(f"{ROLES[role]}已签字确认过本批名单")
    signoff = Signoff(
        campaign_id=campaign_id, role=role, name=name, signed_on=on, list_digest=campaign_digest(session, campaign_id)
    )
    session.add(signoff)
    session.flush()
    return signoff
