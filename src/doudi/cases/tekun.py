"""特困 support on a case (TK-1, STD-4, STD-5): the findings recorded per person, and the approval's decision.

The seeds say all who qualify are covered and self-care ability is assessed (TK-1), and give the standards
(STD-4, STD-5), but not who qualifies. doudi applies the national rule (国务院《社会救助暂行办法》第十四条):
无劳动能力、无生活来源、无法定赡养抚养扶养义务人或者其法定义务人无履行义务能力 — all three, recorded by the
investigation for the person applied for (特困 is individual: the enrollment's scope is that one person).
The monthly amount is the basic living standard plus the care standard of the person's self-care level, from
the standards table for the household's region on the approval date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from doudi.cases.errors import CaseError
from doudi.cases.models import Case, TekunFinding
from doudi.policy.money import fen_to_yuan, format_yuan, yuan_to_fen
from doudi.policy.profile import load_profile
from doudi.policy.references import cite
from doudi.policy.standards import LABELS, load_standards, standards_on
from doudi.registry.models import Enrollment, Household, Member
from doudi.rules.explain import chinese_date, mask_id

# self-care level (TK-1 生活自理能力评估) -> its care standard (STD-5)
SELF_CARE = {
    "全自理": "tekun_care_self_monthly_fen",
    "半护理": "tekun_care_half_monthly_fen",
    "全护理": "tekun_care_full_monthly_fen",
}
CARE_FORMS = ("分散供养", "集中供养")
CONDITIONS = {
    "no_work_capacity": "无劳动能力",
    "no_income_source": "无生活来源",
    "no_supporter": "无法定赡养、抚养、扶养义务人或者其法定义务人无履行义务能力",
}
BASIS = "国务院《社会救助暂行办法》第十四条"
RULES = ("TK-1", "STD-4", "STD-5", "COV-7")
# local_choice: the seeds give no review cycle for 特困; yearly, like the dibao A class.
REVIEW_INTERVAL_MONTHS = 12


@dataclass(frozen=True)
class Findings:
    """What the investigation found about the person applied for (TK-1): the three conditions of CONDITIONS,
    the assessed self-care ability, the care form, and the basis in words."""

    no_work_capacity: bool
    no_income_source: bool
    no_supporter: bool
    self_care: str
    care_form: str
    findings: str


def living_member(session: Session, household_id: str, id_number: str | None) -> Member | None:
    if not id_number:
        return None
    return session.scalars(
        select(Member).where(
            Member.household_id == household_id, Member.id_number == id_number, Member.death_date.is_(None)
        )
    ).first()


def new_finding(
    session: Session,
    case: Case,
    *,
    id_number: str,
    on: dt.date,
    found: Findings,
    by: str,
) -> TekunFinding:
    """A checked (not yet added) findings record for one person of the case's household."""
    if case.program != "tekun":
        raise CaseError(f"案件 {case.case_no} 不是特困人员救助供养案件，不能登记特困认定情况")
    if found.self_care not in SELF_CARE:
        raise CaseError(f"生活自理能力“{found.self_care}”无效，应为：{'、'.join(SELF_CARE)}（TK-1）")
    if found.care_form not in CARE_FORMS:
        raise CaseError(f"供养方式“{found.care_form}”无效，应为：{'、'.join(CARE_FORMS)}")
    if living_member(session, case.household_id, id_number) is None:
        raise CaseError(f"{mask_id(id_number)} 不是户 {case.household_id} 的在世成员，不能登记特困认定情况")
    if not found.findings.strip():
        raise CaseError("请写明调查认定的依据（如入户调查所见、残疾证、有无赡养人）")
    record = asdict(found) | {"findings": found.findings.strip()}
    return TekunFinding(case_id=case.id, id_number=id_number, on=on, recorded_by=by, **record)


def latest_finding(session: Session, case: Case, id_number: str | None) -> TekunFinding | None:
    return session.scalars(
        select(TekunFinding)
        .where(TekunFinding.case_id == case.id, TekunFinding.id_number == id_number)
        .order_by(TekunFinding.on.desc(), TekunFinding.id.desc())
    ).first()


def check_not_supported_elsewhere(session: Session, case: Case) -> None:
    """One person, one 特困 enrollment: in any household, as that person or as a member of a whole household."""
    person = case.applicant_id_number
    households_of_person = select(Member.household_id).where(Member.id_number == person)
    found = session.execute(
        select(Enrollment.household_id).where(
            Enrollment.program == "tekun",
            Enrollment.status != "exited",
            (Enrollment.id_number == person)
            | ((Enrollment.scope == "household") & Enrollment.household_id.in_(households_of_person)),
        )
    ).first()
    if found:
        raise CaseError(
            f"{case.applicant_name}（{mask_id(person)}）已在户 {found.household_id} 享受特困人员救助供养，不能重复纳入"
        )
    # The payment roll pays one enrollment per household and program.
    if session.scalar(
        select(Enrollment.id).where(
            Enrollment.household_id == case.household_id, Enrollment.program == "tekun", Enrollment.status != "exited"
        )
    ):
        raise CaseError(
            f"户 {case.household_id} 已有一人享受特困人员救助供养；同户第二人纳入 doudi 尚不支持"
            "（发放花名册每户每项目一条）"
        )


def decide(session: Session, case: Case, on: dt.date) -> dict[str, Any]:
    """The approval's decision record for the case's person, or CaseError naming what is missing."""
    household = session.get(Household, case.household_id)
    assert household is not None
    person = case.applicant_id_number
    who = f"{case.applicant_name}（{mask_id(person)}）"
    if living_member(session, case.household_id, person) is None:
        raise CaseError(f"案件 {case.case_no}：{who} 不是户 {case.household_id} 的在世成员，不能认定为特困人员")
    finding = latest_finding(session, case, person)
    if finding is None:
        raise CaseError(
            f"案件 {case.case_no}：调查尚未记录 {who} 的特困认定情况（无劳动能力、无生活来源、无法定义务人或"
            "义务人无履行义务能力，生活自理能力，供养方式；TK-1），不能审批"
        )
    if finding.on > on:
        raise CaseError(f"案件 {case.case_no}：特困认定记录日期（{chinese_date(finding.on)}）晚于审批日期")
    missing = [label for name, label in CONDITIONS.items() if not getattr(finding, name)]
    if missing:
        raise CaseError(
            f"案件 {case.case_no}：调查未认定 {who}“{'”“'.join(missing)}”，不符合特困人员条件（TK-1，{BASIS}），"
            "不能批准，请作不予批准处理"
        )
    standards = standards_on(load_standards(), household.region_code, on)
    basic_name, care_name = "tekun_basic_monthly_fen", SELF_CARE[finding.self_care]
    for name, rule in ((basic_name, "STD-4"), (care_name, "STD-5")):
        if standards[name] is None:
            raise CaseError(
                f"地区 {household.region_code} 在 {chinese_date(on)} 没有{LABELS[name]}（{rule}），"
                "无法计算特困供养金额：请先在标准表中补录"
            )
    basic, care = standards[basic_name] or 0, standards[care_name] or 0
    living = session.scalars(
        select(Member.id).where(Member.household_id == case.household_id, Member.death_date.is_(None))
    ).all()
    seed = load_profile(case.profile_id).seed
    return {
        "program": "tekun",
        "decision": "support",
        "decision_name": "纳入特困人员救助供养",
        "household_id": case.household_id,
        "person": who,
        "profile": case.profile_id,
        "on": on.isoformat(),
        "reason": "、".join(CONDITIONS.values()),
        "rules": list(RULES),
        "cites": {rule: cite(rule, seed) for rule in RULES},
        "basis": BASIS,
        "findings_on": finding.on.isoformat(),
        "findings": finding.findings,
        "self_care": finding.self_care,
        "care_form": finding.care_form,
        "scope": "single_person",
        "covered_persons": 1,
        "household_size": len(living),
        "class": None,
        "basic_monthly": fen_to_yuan(basic),
        "care_monthly": fen_to_yuan(care),
        "standard_monthly": fen_to_yuan(basic),
        "monthly_benefit": fen_to_yuan(basic + care),
        "review_interval_months": REVIEW_INTERVAL_MONTHS,
    }


def explanation_text(record: dict[str, Any]) -> str:
    """The decision in Chinese for a person to read, each figure with its rule and seed clause."""
    day = chinese_date(dt.date.fromisoformat(record["on"]))
    found = chinese_date(dt.date.fromisoformat(record["findings_on"]))
    cites = record["cites"]
    care_label = LABELS[SELF_CARE[record["self_care"]]].removesuffix("（月）")
    lines = [
        f"特困人员 {record['person']}，户 {record['household_id']}（政策配置 {record['profile']}，审批日 {day}）",
        f"决定：{record['decision_name']}（{record['care_form']}），审批后下一个月起按月发放（COV-7）",
        f"认定条件（{record['basis']}）：{record['reason']}，均经调查认定（{found}：{record['findings']}）",
        f"生活自理能力评估：{record['self_care']}",
        f"月供养金 {_yuan(record['monthly_benefit'])} = 基本生活标准 {_yuan(record['basic_monthly'])}（STD-4）"
        f" + {care_label} {_yuan(record['care_monthly'])}（STD-5）",
        f"每{record['review_interval_months']}个月复核（地方自定，默认值）",
        "",
        "依据：",
        *(f"  {cites[rule]}" for rule in record["rules"]),
    ]
    return "\n".join(lines)


def _yuan(text: str | None) -> str:
    return format_yuan(yuan_to_fen(text) if text is not None else None)
