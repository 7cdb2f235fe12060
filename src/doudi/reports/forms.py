"""Printable forms for signatures: the application-approval form of a case, and the yearly sign-off list (PRO-6).

Both are internal documents kept in the case file, so members' ID numbers are printed in full (the applicant
checks them before signing); public lists are in posting.py and never carry them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from doudi.cases.dynamic import ROLES, campaign_digest
from doudi.cases.models import Case, Investigation, RecertCampaign, RecertItem, Signoff
from doudi.cases.service import PROGRAMS
from doudi.policy.money import fen_to_yuan
from doudi.registry.models import Enrollment, Household, IncomeItem, Member, Region
from doudi.rules.explain import chinese_date
from doudi.rules.schema import HEALTH, INCOME_KINDS, LABOR_CAPACITY

RESULTS = {"pending": "待复核", "keep": "继续保障", "adjust": "调整保障金", "gradual_exit": "渐退", "exit": "退出"}


class FormError(ValueError):
    pass


def case_form_record(engine: Engine, case_id: int) -> dict[str, Any]:
    """What the approval form shows: the case, its household, members, incomes, investigations, decision."""
    with Session(engine) as session:
        case = session.get(Case, case_id)
        if case is None:
            raise FormError(f"没有编号为 {case_id} 的申请案件")
        household = session.get(Household, case.household_id)
        members = session.scalars(
            select(Member).where(Member.household_id == case.household_id, Member.death_date.is_(None))
        ).all()
        names = {m.id_number: m.name for m in members}
        incomes = session.scalars(select(IncomeItem).where(IncomeItem.household_id == case.household_id)).all()
        investigations = session.scalars(
            select(Investigation).where(Investigation.case_id == case.id).order_by(Investigation.on)
        ).all()
        place = session.get(Region, (household.village_code or household.region_code) if household else "")
        return {
            "title": f"{PROGRAMS.get(case.program, case.program)}申请审核审批表",
            "case_no": case.case_no,
            "received_on": chinese_date(case.received_on),
            "place": (place.name if place else "")
            + (f" {household.address}" if household and household.address else ""),
            "applicant": case.applicant_name,
            "registered_poor": "是" if household and household.registered_poor else "否",
            "members": [
                [
                    m.name,
                    m.relation or "",
                    m.id_number,
                    HEALTH.get(m.health or "", m.health or ""),
                    LABOR_CAPACITY.get(m.labor_capacity or "", "待评估"),
                ]
                for m in members
            ],
            "incomes": [
                [
                    names.get(i.id_number or "", "家庭"),
                    INCOME_KINDS.get(i.kind, i.kind),
                    fen_to_yuan(i.yearly_fen) or "",
                ]
                for i in incomes
            ],
            "investigations": [
                [i.kind, chinese_date(i.on), "、".join(json.loads(i.people)), i.findings] for i in investigations
            ],
            "decision": case.explanation_text or "（尚未作出审核意见）",
        }


def _styles() -> tuple[str, Any, Any, Any]:
    from reportlab.lib.styles import ParagraphStyle

    from doudi.reports.fonts import register_pdf_font

    font = register_pdf_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=8)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    heading = ParagraphStyle("heading", fontName=font, fontSize=11.5, leading=17, spaceBefore=8, spaceAfter=3)
    return font, title, body, heading


def _table(rows: list[list[str]], widths: list[float], font: str, body: Any) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    cells = [[Paragraph(str(value), body) for value in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _signature_boxes(labels: list[str], font: str, body: Any) -> Any:
    from reportlab.lib.units import mm

    rows = [[label, "意见：\n\n\n签字（盖章）：　　　　　　　　　年　　月　　日"] for label in labels]
    return _table([["签字栏", ""], *rows], [40 * mm, 130 * mm], font, body)


def write_case_form(record: dict[str, Any], path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    font, title, body, heading = _styles()
    story: list[Any] = [
        Paragraph(record["title"], title),
        Paragraph(f"案件编号：{record['case_no']}　受理日期：{record['received_on']}", body),
        Paragraph(
            f"申请人：{record['applicant']}　住址：{record['place']}　建档立卡贫困户：{record['registered_poor']}", body
        ),
        Paragraph("家庭成员", heading),
        _table(
            [["姓名", "与户主关系", "身份证号", "健康状况", "劳动能力"], *record["members"]],
            [25 * mm, 25 * mm, 50 * mm, 35 * mm, 35 * mm],
            font,
            body,
        ),
        Paragraph("家庭收入（年）", heading),
        _table(
            [["成员", "类别", "金额（元）"], *record["incomes"]]
            if record["incomes"]
            else [["成员", "类别", "金额（元）"], ["—", "无收入", "0.00"]],
            [50 * mm, 60 * mm, 60 * mm],
            font,
            body,
        ),
        Paragraph("调查核实记录", heading),
        _table(
            [["方式", "日期", "参加人员", "结论"], *record["investigations"]],
            [40 * mm, 30 * mm, 45 * mm, 55 * mm],
            font,
            body,
        ),
        Paragraph("审核意见及依据", heading),
    ]
    story += [Paragraph(line, body) for line in str(record["decision"]).splitlines() if line.strip()]
    story += [
        Paragraph("签字", heading),
        _signature_boxes(["申请人", "村民委员会", "乡镇人民政府（审核确认）", "县级民政部门（备案）"], font, body),
    ]
    SimpleDocTemplate(str(path), pagesize=A4, title=record["title"], author="doudi").build(story)


def signoff_record(engine: Engine, campaign_id: int) -> dict[str, Any]:
    """The yearly recertification list of a campaign and who signed it (PRO-6, DYN-3)."""
    with Session(engine) as session:
        campaign = session.get(RecertCampaign, campaign_id)
        if campaign is None:
            raise FormError(f"没有复核批次 {campaign_id}")
        items = session.execute(
            select(RecertItem.household_id, RecertItem.result, Enrollment.monthly_benefit_fen)
            .outerjoin(Enrollment, Enrollment.id == RecertItem.enrollment_id)
            .where(RecertItem.campaign_id == campaign_id)
            .order_by(RecertItem.household_id)
        ).all()
        heads = dict(
            session.execute(
                select(Member.household_id, Member.name).where(
                    Member.household_id.in_([i.household_id for i in items]), Member.relation == "户主"
                )
            ).all()
        )
        signed = session.scalars(select(Signoff).where(Signoff.campaign_id == campaign_id)).all()
        region = session.get(Region, campaign.region_code)
        return {
            "title": f"{region.name if region else campaign.region_code}{campaign.year}年度低保对象复核名单签字确认表",
            "rows": [
                [
                    str(n),
                    i.household_id,
                    heads.get(i.household_id, ""),
                    RESULTS.get(i.result, i.result),
                    fen_to_yuan(i.monthly_benefit_fen) or "",
                ]
                for n, i in enumerate(items, start=1)
            ],
            "digest": campaign_digest(session, campaign_id),
            "signed": [
                [ROLES.get(s.role, s.role), s.name, chinese_date(s.signed_on), s.list_digest[:16]] for s in signed
            ],
        }


def write_signoff_list(record: dict[str, Any], path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    font, title, body, heading = _styles()
    story: list[Any] = [
        Paragraph(record["title"], title),
        Paragraph(
            f"依据：PRO-6 年度名单由县、乡两级负责人签字确认。名单摘要（SHA-256）：{record['digest'][:32]}…", body
        ),
        _table(
            [["序号", "户编号", "户主", "复核结果", "月保障金（元）"], *record["rows"]],
            [15 * mm, 50 * mm, 30 * mm, 35 * mm, 40 * mm],
            font,
            body,
        ),
    ]
    if record["signed"]:
        story += [
            Paragraph("已在系统中签字确认", heading),
            _table(
                [["身份", "姓名", "日期", "名单摘要"], *record["signed"]],
                [45 * mm, 35 * mm, 40 * mm, 50 * mm],
                font,
                body,
            ),
        ]
    story += [Paragraph("签字", heading), _signature_boxes(list(ROLES.values()), font, body)]
    SimpleDocTemplate(str(path), pagesize=A4, title=record["title"], author="doudi").build(story)
