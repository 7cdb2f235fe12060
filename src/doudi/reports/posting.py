"""Public posting lists (公示, PRO-3): per village, the dibao, 特困 and registered-poor households.

Only what the public needs is shown: the head's name, the number of persons and the monthly amount. ID
numbers, health, disability, incomes and addresses are never selected, so no rendering can leak them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine, or_, select

from doudi.payments.roll_workbook import region_names
from doudi.policy.money import fen_to_yuan
from doudi.policy.references import cite
from doudi.registry.bulk import fetch_frame
from doudi.registry.models import IN_FORCE, Enrollment, Household, Member
from doudi.rules.explain import chinese_date

CATEGORIES = {"dibao": "农村最低生活保障对象", "tekun": "特困供养人员", "poor": "建档立卡贫困户"}
DEFAULT_POSTING_DAYS = 7
DEFAULT_CHANNEL = (
    "对公示对象有异议的，可在公示期内向村民委员会、乡镇人民政府（街道办事处）或县级民政部门反映，也可拨打12345热线。"
)


@dataclass
class PostingList:
    village_code: str
    village_name: str
    township_name: str
    start: dt.date
    end: dt.date
    channel: str
    entries: pl.DataFrame  # category, name, persons, monthly_fen (only these columns, by construction)

    @property
    def basis(self) -> str:
        return cite("PRO-3", "000")


def posting_list(
    engine: Engine,
    village_code: str,
    start: dt.date,
    days: int = DEFAULT_POSTING_DAYS,
    channel: str = DEFAULT_CHANNEL,
) -> PostingList:
    """The village's list on `start`: enrollments in force that day and registered-poor households."""
    names = region_names(engine)
    with engine.connect() as connection:
        households = fetch_frame(
            connection,
            select(Household.id.label("household_id"), Household.registered_poor).where(
                Household.village_code == village_code
            ),
            {"household_id": pl.String(), "registered_poor": pl.Boolean()},
        )
        in_village = select(Household.id).where(Household.village_code == village_code)
        enrollments = fetch_frame(
            connection,
            select(
                Enrollment.household_id,
                Enrollment.program,
                Enrollment.scope,
                Enrollment.id_number.label("person"),
                Enrollment.monthly_benefit_fen,
            ).where(
                Enrollment.household_id.in_(in_village),
                Enrollment.program.in_(("dibao", "tekun")),
                Enrollment.status.in_(IN_FORCE),
                or_(Enrollment.since.is_(None), Enrollment.since <= start),
                or_(Enrollment.until.is_(None), Enrollment.until > start),
            ),
            {
                "household_id": pl.String(),
                "program": pl.String(),
                "scope": pl.String(),
                "person": pl.String(),
                "monthly_benefit_fen": pl.Int64(),
            },
        )
        members = fetch_frame(
            connection,
            select(Member.household_id, Member.id_number, Member.name, Member.relation).where(
                Member.household_id.in_(in_village), or_(Member.death_date.is_(None), Member.death_date > start)
            ),
            {"household_id": pl.String(), "id_number": pl.String(), "name": pl.String(), "relation": pl.String()},
        )
    if households.height == 0:
        raise ValueError(f"村代码 {village_code} 下没有登记的家庭，请核对村代码（12 位）")
    heads = (
        members.sort(pl.col("relation") != "户主", maintain_order=True)
        .group_by("household_id", maintain_order=True)
        .agg(pl.col("name").first().alias("head"), pl.len().cast(pl.Int64).alias("size"))
    )
    single_names = members.select("household_id", pl.col("id_number").alias("person"), pl.col("name").alias("single"))
    enrolled = (
        enrollments.join(heads, on="household_id", how="left")
        .join(single_names, on=["household_id", "person"], how="left")
        .select(
            pl.col("program").alias("category"),
            pl.when(pl.col("scope") == "single_person").then("single").otherwise("head").alias("name"),
            pl.when(pl.col("scope") == "single_person").then(1).otherwise("size").cast(pl.Int64).alias("persons"),
            pl.col("monthly_benefit_fen").alias("monthly_fen"),
        )
    )
    poor = (
        households.filter("registered_poor")
        .join(heads, on="household_id", how="inner")
        .select(
            pl.lit("poor").alias("category"),
            pl.col("head").alias("name"),
            pl.col("size").alias("persons"),
            pl.lit(None, pl.Int64).alias("monthly_fen"),
        )
    )
    entries = (
        pl.concat([enrolled, poor])
        .filter(pl.col("name").is_not_null())
        .sort(pl.col("category").replace_strict({"dibao": 0, "tekun": 1, "poor": 2}), "name")
    )
    township = village_code[:9]
    return PostingList(
        village_code,
        names.get(village_code, village_code),
        names.get(township, township),
        start,
        start + dt.timedelta(days=days - 1),
        channel,
        entries,
    )


def _sections(posting: PostingList) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    for key, title in CATEGORIES.items():
        rows = posting.entries.filter(pl.col("category") == key)
        sections.append(
            {
                "title": title,
                "amount_header": "月保障金额（元）" if key != "poor" else "备注",
                "rows": [
                    (i + 1, r["name"], r["persons"], fen_to_yuan(r["monthly_fen"]) if r["monthly_fen"] else "")
                    for i, r in enumerate(rows.iter_rows(named=True))
                ],
                "persons": int(rows["persons"].sum() or 0),
                "total": fen_to_yuan(int(rows["monthly_fen"].sum() or 0)) if key != "poor" else "",
            }
        )
    return sections


def _context(posting: PostingList) -> dict[str, object]:
    return {
        "title": f"{posting.township_name}{posting.village_name}低保、特困及建档立卡贫困户公示",
        "period": f"公示期：{chinese_date(posting.start)}至{chinese_date(posting.end)}",
        "channel": posting.channel,
        "basis": f"依据：{posting.basis}",
        "sections": _sections(posting),
        "issuer": f"{posting.township_name}人民政府　{posting.village_name}村民委员会",
        "issued": chinese_date(posting.start),
    }


def render_html(posting: PostingList) -> str:
    environment = Environment(loader=PackageLoader("doudi.reports"), autoescape=select_autoescape())
    return environment.get_template("posting.html").render(**_context(posting))


def write_pdf(posting: PostingList, path: Path) -> None:
    """A4 pages for the village notice board, in a CJK TrueType font (see fonts.py)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from doudi.reports.fonts import register_pdf_font

    font = register_pdf_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    context = _context(posting)
    story: list[object] = [
        Paragraph(str(context["title"]), title),
        Paragraph(str(context["period"]), body),
        Paragraph(str(context["channel"]), body),
        Paragraph(str(context["basis"]), body),
    ]
    for section in context["sections"]:  # type: ignore[attr-defined]
        story.append(Paragraph(f"{section['title']}（{len(section['rows'])}户，{section['persons']}人）", heading))
        data = [["序号", "户主（对象）姓名", "保障人数", section["amount_header"]]]
        data += [[str(c) for c in row] for row in section["rows"]] or [["", "（无）", "", ""]]
        if section["total"]:
            data.append(["", "合计", str(section["persons"]), section["total"]])
        table = Table(data, colWidths=[18 * mm, 60 * mm, 30 * mm, 45 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 10.5),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
                    ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ]
            )
        )
        story.append(table)
    story += [Spacer(1, 10 * mm), Paragraph(f"{context['issuer']}　{context['issued']}", body)]
    document = SimpleDocTemplate(str(path), pagesize=A4, title=str(context["title"]), author="doudi")
    document.build(story)
