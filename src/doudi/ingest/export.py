"""Writing the registry back out as ledgers with the headers counties use, via XlsxWriter (opens in Excel
and WPS; ID numbers stay text so they are not mangled into 2.2E+17)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import Engine, and_, select

from doudi.ingest.errors import ImportRejected
from doudi.registry.areas import household_in_area
from doudi.registry.bulk import fetch_frame
from doudi.registry.models import Enrollment, Household, Member, RosterMembership

KINDS = ("registry", "dibao", "poor")

_SEX = {"M": "男", "F": "女"}
_HEALTH = {"healthy": "健康", "chronic": "慢性病", "serious_illness": "重病"}

# Output column -> header text, in ledger order.
HEADERS: dict[str, str] = {
    "household_no": "户编号",
    "head_name": "户主姓名",
    "name": "家庭成员姓名",
    "id_number": "身份证号码",
    "relation": "与户主关系",
    "sex": "性别",
    "birth_date": "出生日期",
    "household_size": "家庭人口数",
    "address": "户籍所在地",
    "health": "健康状况",
    "disability_kind": "残疾类别",
    "disability_grade": "残疾等级",
    "dibao_class": "低保类别",
    "monthly_benefit_yuan": "保障金额",
    "since": "纳入时间",
    "poverty_status": "脱贫状态",
}


def ledger_frame(engine: Engine, kind: str, region_prefix: str | None = None) -> pl.DataFrame:
    """One row per person with Chinese headers: the whole registry, the dibao roll or the registered poor."""
    if kind not in KINDS:
        raise ImportRejected(f"未知的导出类型“{kind}”，应为：{'、'.join(KINDS)}")
    query = (
        select(
            Household.id.label("household_id"),
            Household.household_no,
            Household.address,
            Household.registered_poor,
            Household.escaped_poverty,
            Member.name,
            Member.id_number,
            Member.relation,
            Member.sex,
            Member.birth_date,
            Member.health,
            Member.disability_kind,
            Member.disability_grade,
            Enrollment.benefit_class.label("dibao_class"),
            Enrollment.monthly_benefit_fen,
            Enrollment.since,
        )
        .join(Member, Member.household_id == Household.id)
        .outerjoin(
            Enrollment,
            and_(
                Enrollment.household_id == Household.id,
                Enrollment.program == "dibao",
                Enrollment.status != "exited",
            ),
        )
        .where(Member.death_date.is_(None))
    )
    if region_prefix:
        query = query.where(household_in_area(region_prefix))
    if kind == "dibao":
        query = query.where(Enrollment.id.is_not(None))
    elif kind == "poor":
        query = query.where(Household.registered_poor.is_(True))
    kinds: dict[str, pl.DataType] = {
        "registered_poor": pl.Boolean(),
        "escaped_poverty": pl.Boolean(),
        "birth_date": pl.Date(),
        "since": pl.Date(),
        "monthly_benefit_fen": pl.Int64(),
        "disability_grade": pl.Int64(),
    }
    with engine.connect() as connection:
        people = fetch_frame(connection, query, kinds)
        # The department's own household numbers, so its ledger comes back under the numbers it knows.
        source = "poor" if kind == "poor" else "dibao"
        numbers = fetch_frame(
            connection,
            select(RosterMembership.id_number, RosterMembership.household_ref).where(RosterMembership.source == source),
            {},
        ).unique("id_number")
    people = people.join(numbers, on="id_number", how="left")
    is_head = (pl.col("relation") == "户主").fill_null(False)
    people = people.sort("household_id", is_head, "id_number", descending=[False, True, False])
    people = people.with_columns(
        pl.col("name").filter(is_head).first().over("household_id").alias("head_name"),
        pl.len().over("household_id").alias("household_size"),
        pl.coalesce(
            pl.col("household_ref").drop_nulls().first().over("household_id"), "household_no", "household_id"
        ).alias("household_no"),
        pl.col("sex").replace_strict(_SEX, default=None),
        pl.col("health").replace_strict(_HEALTH, default=None),
        pl.when(pl.col("disability_grade").is_not_null())
        .then(pl.format("{}级", pl.col("disability_grade")))
        .alias("disability_grade"),
        pl.when(pl.col("dibao_class").is_not_null())
        .then(pl.format("{}类", pl.col("dibao_class")))
        .alias("dibao_class"),
        pl.format(
            "{}.{}",
            pl.col("monthly_benefit_fen") // 100,
            (pl.col("monthly_benefit_fen") % 100).cast(pl.String).str.zfill(2),
        ).alias("monthly_benefit_yuan"),
        pl.when(~pl.col("registered_poor"))
        .then(None)
        .when(pl.col("escaped_poverty"))
        .then(pl.lit("已脱贫"))
        .otherwise(pl.lit("未脱贫"))
        .alias("poverty_status"),
    )
    left_out = {"dibao": {"poverty_status"}, "poor": {"dibao_class", "monthly_benefit_yuan", "since"}}
    columns = [c for c in HEADERS if c not in left_out.get(kind, set())]
    return people.select(pl.col(c).alias(HEADERS[c]) for c in columns)


def export_ledger(engine: Engine, kind: str, out: Path, region_prefix: str | None = None) -> int:
    """Write the ledger to `out` (.xlsx, or .csv with a BOM). Returns the number of persons written."""
    frame = ledger_frame(engine, kind, region_prefix)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        out.write_bytes(b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8"))
    else:
        title = {"registry": "家庭登记台账", "dibao": "农村低保台账", "poor": "建档立卡贫困户台账"}[kind]
        frame.write_excel(
            out,
            worksheet=title,
            autofit=True,
            header_format={"bold": True, "bg_color": "#DDEBF7", "border": 1},
            dtype_formats={pl.Date: "yyyy-mm-dd"},
            freeze_panes=(1, 0),
        )
    return frame.height
