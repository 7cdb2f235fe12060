"""Temporary assistance on a case (PRO-5): approved by the township from its reserve fund, paid once.

The seeds move the approval of both types (急难型, 支出型) to the township and give no amount: the officer
decides the type, the reason and the amount, and doudi records them. The approval closes the case (no posting,
no county step). The payment is recorded as an enrollment in force for exactly one month — the month after
approval (COV-7) — so the monthly payment roll pays it once and then lists it as ended.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from doudi.cases.errors import CaseError
from doudi.cases.models import Case
from doudi.cases.workdays import first_of_next_month
from doudi.policy.money import fen_to_yuan, format_yuan
from doudi.policy.profile import load_profile
from doudi.policy.references import cite
from doudi.registry.models import Enrollment
from doudi.rules.explain import chinese_date, mask_id

KINDS = ("急难型", "支出型")
RULES = ("PRO-5", "COV-7")


def decide(case: Case, on: dt.date, *, amount_fen: int | None, kind: str | None, reason: str | None) -> dict[str, Any]:
    """The decision record of the officer's approval, or CaseError naming what is missing."""
    if amount_fen is None or amount_fen <= 0:
        raise CaseError(f"案件 {case.case_no}：临时救助金额须大于零（--amount，单位元）")
    if not kind or kind not in KINDS:
        raise CaseError(f"案件 {case.case_no}：请选择临时救助类型：{'、'.join(KINDS)}（--kind，PRO-5）")
    if not reason or not reason.strip():
        raise CaseError(f"案件 {case.case_no}：请写明临时救助事由（--reason）")
    seed = load_profile(case.profile_id).seed
    return {
        "program": "temporary",
        "decision": "grant",
        "decision_name": f"给予{kind}临时救助",
        "household_id": case.household_id,
        "person": f"{case.applicant_name}（{mask_id(case.applicant_id_number)}）",
        "profile": case.profile_id,
        "on": on.isoformat(),
        "kind": kind,
        "reason": reason.strip(),
        "rules": list(RULES),
        "cites": {rule: cite(rule, seed) for rule in RULES},
        "amount_fen": amount_fen,
        "amount": fen_to_yuan(amount_fen),
        "scope": "household",
    }


def pay_once(session: Session, case: Case, record: dict[str, Any], month_start: dt.date) -> Enrollment:
    """The one-off payment: an enrollment in force on `month_start` only, paid by that month's roll."""
    month_end = first_of_next_month(month_start) - dt.timedelta(days=1)
    # The roll pays one enrollment per household, program and month.
    same_month = session.scalar(
        select(Enrollment.id).where(
            Enrollment.household_id == case.household_id,
            Enrollment.program == "temporary",
            Enrollment.since == month_start,
        )
    )
    if same_month:
        raise CaseError(
            f"户 {case.household_id} 已有一笔临时救助列入{month_start.year}年{month_start.month}月发放花名册，"
            "同一户同一个月只能发放一笔临时救助"
        )
    enrollment = Enrollment(
        household_id=case.household_id,
        program="temporary",
        scope="household",
        since=month_start,
        until=month_end,
        monthly_benefit_fen=record["amount_fen"],
        status="active",
    )
    session.add(enrollment)
    session.flush()
    case.enrollment_id = enrollment.id
    return enrollment


def explanation_text(record: dict[str, Any], month_start: dt.date) -> str:
    day = chinese_date(dt.date.fromisoformat(record["on"]))
    lines = [
        f"临时救助 户 {record['household_id']}，申请人 {record['person']}"
        f"（政策配置 {record['profile']}，审批日 {day}）",
        f"决定：{record['decision_name']} {format_yuan(record['amount_fen'])}，一次性发放，"
        f"列入{month_start.year}年{month_start.month}月发放花名册（COV-7）",
        f"救助事由：{record['reason']}",
        "乡镇（街道）审批，从乡镇临时救助备用金支出，无需公示和县级确认（PRO-5）",
        "",
        "依据：",
        *(f"  {record['cites'][rule]}" for rule in record["rules"]),
    ]
    return "\n".join(lines)
