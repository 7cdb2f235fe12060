"""The quarterly report upward (SUP-1): counts and money by township, comparisons and alerts handled.

Counted at the quarter's last day: households and persons on dibao (in force that day, persons alive), new
enrollments (`since` in the quarter), exits (`until` in the quarter), running gradual exits, registered-poor
households covered by dibao, 特困 persons; money is what approved payment rolls of the quarter's months paid.
Roster comparisons (DYN-1/2) and monitoring alerts (MON-*) are counted when those tables exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import xlsxwriter
from sqlalchemy import Engine, func, inspect, or_, select, text

from doudi.payments.models import PaymentRoll, PaymentRollRow
from doudi.payments.roll_workbook import region_names
from doudi.registry.areas import household_in_area
from doudi.registry.bulk import fetch_frame
from doudi.registry.models import IN_FORCE, Enrollment, Household, Member

COLUMNS = {
    "township": "乡镇",
    "dibao_households": "低保户数",
    "dibao_persons": "低保人数",
    "new_households": "本季新增户数",
    "exited_households": "本季退出户数",
    "gradual_exit_households": "渐退期户数",
    "poor_covered_households": "纳入低保的建档立卡户数",
    "tekun_persons": "特困人数",
    "paid_fen": "本季发放金额（元）",
    "alerts_raised": "本季预警数",
    "alerts_handled": "本季预警已处置",
}


@dataclass
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text_value: str) -> Quarter:
        match = re.fullmatch(r"(\d{4})\s*[Qq季]?\s*([1-4])", text_value.strip())
        if not match:
            raise ValueError(f"季度“{text_value}”格式不对，应写成 2020Q3")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        following = dt.date(self.year + (self.number == 4), (3 * self.number) % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    @property
    def months(self) -> list[str]:
        return [f"{self.year:04d}-{3 * self.number - 2 + i:02d}" for i in range(3)]

    def __str__(self) -> str:
        return f"{self.year}年第{self.number}季度"


@dataclass
class QuarterlyReport:
    quarter: Quarter
    by_township: pl.DataFrame  # township_code + COLUMNS keys, the county total last
    comparisons: dict[str, int]


def _enrollments(engine: Engine, region: str) -> pl.DataFrame:
    query = select(
        Enrollment.household_id,
        Enrollment.program,
        Enrollment.scope,
        Enrollment.since,
        Enrollment.until,
        Enrollment.status,
        Household.village_code,
        Household.registered_poor,
    ).join(Household, Household.id == Enrollment.household_id)
    if region:
        query = query.where(household_in_area(region))
    kinds: dict[str, pl.DataType] = {
        "household_id": pl.String(),
        "program": pl.String(),
        "scope": pl.String(),
        "since": pl.Date(),
        "until": pl.Date(),
        "status": pl.String(),
        "village_code": pl.String(),
        "registered_poor": pl.Boolean(),
    }
    with engine.connect() as connection:
        return fetch_frame(connection, query, kinds)


def _living_members(engine: Engine, on: dt.date) -> pl.DataFrame:
    enrolled = select(Enrollment.household_id)
    query = (
        select(Member.household_id, func.count().label("alive"))
        .where(Member.household_id.in_(enrolled), or_(Member.death_date.is_(None), Member.death_date > on))
        .group_by(Member.household_id)
    )
    with engine.connect() as connection:
        return fetch_frame(connection, query, {"household_id": pl.String(), "alive": pl.Int64()})


def _paid(engine: Engine, quarter: Quarter) -> pl.DataFrame:
    query = (
        select(PaymentRollRow.township_code, func.sum(PaymentRollRow.total_fen).label("paid_fen"))
        .join(PaymentRoll, PaymentRoll.id == PaymentRollRow.roll_id)
        .where(PaymentRoll.month.in_(quarter.months))
        .group_by(PaymentRollRow.township_code)
    )
    with engine.connect() as connection:
        return fetch_frame(connection, query, {"township_code": pl.String(), "paid_fen": pl.Int64()})


def _alerts(engine: Engine, quarter: Quarter) -> pl.DataFrame:
    schema = {"township_code": pl.String(), "alerts_raised": pl.Int64(), "alerts_handled": pl.Int64()}
    if "monitor_alerts" not in inspect(engine).get_table_names():
        return pl.DataFrame(schema=schema)
    sql = text(
        "SELECT township_code, COUNT(*), SUM(CASE WHEN status = 'handled' THEN 1 ELSE 0 END) FROM monitor_alerts "
        "WHERE raised_on BETWEEN :start AND :end GROUP BY township_code"
    )
    with engine.connect() as connection:
        rows = connection.execute(sql, {"start": quarter.start, "end": quarter.end}).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def _comparisons(engine: Engine, quarter: Quarter) -> dict[str, int]:
    tables = set(inspect(engine).get_table_names())
    counts = {"runs": 0, "findings": 0, "confirmations": 0}
    if "comparison_runs" not in tables:
        return counts
    window = {"start": quarter.start, "end": quarter.end}
    queries = {
        "runs": "SELECT COUNT(*) FROM comparison_runs WHERE on_date BETWEEN :start AND :end",
        "findings": "SELECT COUNT(*) FROM comparison_findings f JOIN comparison_runs r ON r.id = f.run_id "
        "WHERE r.on_date BETWEEN :start AND :end",
        "confirmations": "SELECT COUNT(*) FROM comparison_confirmations c JOIN comparison_runs r ON r.id = c.run_id "
        "WHERE r.on_date BETWEEN :start AND :end",
    }
    with engine.connect() as connection:
        for key, sql in queries.items():
            counts[key] = int(connection.execute(text(sql), window).scalar() or 0)
    return counts


def quarterly_report(engine: Engine, quarter: Quarter, region: str = "") -> QuarterlyReport:
    end, start = quarter.end, quarter.start
    enrollments = _enrollments(engine, region).join(_living_members(engine, end), on="household_id", how="left")
    in_force = (
        pl.col("status").is_in(IN_FORCE)
        & (pl.col("since").is_null() | (pl.col("since") <= end))
        & (pl.col("until").is_null() | (pl.col("until") > end))
    )
    persons = pl.when(pl.col("scope") == "single_person").then(1).otherwise(pl.col("alive").fill_null(0))
    dibao = pl.col("program") == "dibao"
    frame = enrollments.with_columns(
        township_code=pl.col("village_code").str.slice(0, 9),
        on_dibao=dibao & in_force & (persons > 0),
        persons=persons,
    )
    counts = frame.group_by("township_code").agg(
        pl.col("household_id").filter("on_dibao").n_unique().alias("dibao_households"),
        pl.col("persons").filter("on_dibao").sum().alias("dibao_persons"),
        pl.col("household_id")
        .filter(dibao & pl.col("since").is_between(start, end))
        .n_unique()
        .alias("new_households"),
        pl.col("household_id")
        .filter(dibao & pl.col("until").is_between(start, end))
        .n_unique()
        .alias("exited_households"),
        pl.col("household_id")
        .filter(pl.col("on_dibao") & (pl.col("status") == "gradual_exit"))
        .n_unique()
        .alias("gradual_exit_households"),
        pl.col("household_id")
        .filter(pl.col("on_dibao") & pl.col("registered_poor"))
        .n_unique()
        .alias("poor_covered_households"),
        pl.col("persons").filter((pl.col("program") == "tekun") & in_force).sum().alias("tekun_persons"),
    )
    table = (
        counts.join(_paid(engine, quarter), on="township_code", how="full", coalesce=True)
        .join(_alerts(engine, quarter), on="township_code", how="full", coalesce=True)
        .filter(pl.col("township_code").is_not_null())
        .with_columns(pl.exclude("township_code").fill_null(0).cast(pl.Int64))
    )
    if region:
        # A county prefix keeps its townships; a township or village code keeps its own township.
        table = table.filter(pl.col("township_code").str.starts_with(region[:9]))
    names = region_names(engine)
    table = table.sort("township_code").with_columns(
        township=pl.col("township_code").replace_strict(names, default=pl.col("township_code"))
    )
    total = table.select(
        pl.lit(None, pl.String).alias("township_code"), pl.exclude("township_code", "township").sum()
    ).with_columns(township=pl.lit("合计"))
    table = pl.concat([table, total.select(table.columns)], how="vertical_relaxed")
    return QuarterlyReport(quarter, table.select("township_code", *COLUMNS), _comparisons(engine, quarter))


def write_quarterly_workbook(report: QuarterlyReport, path: Path, place: str = "") -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("季度报表")
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = workbook.add_format({"bold": True, "border": 1, "text_wrap": True, "bg_color": "#E8EEF4"})
    cell = workbook.add_format({"border": 1})
    money = workbook.add_format({"border": 1, "num_format": "#,##0.00"})
    bold = workbook.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
    sheet.merge_range(
        0, 0, 0, len(COLUMNS) - 1, f"{place}{report.quarter}农村低保与扶贫开发衔接工作进展（SUP-1）", title
    )
    for col, label in enumerate(COLUMNS.values()):
        sheet.write(1, col, label, header)
        sheet.set_column(col, col, 14 if col else 16)
    rows = report.by_township.iter_rows(named=True)
    for line, row in enumerate(rows, start=2):
        last = row["township"] == "合计"
        for col, key in enumerate(COLUMNS):
            value = row[key]
            if key == "paid_fen":
                sheet.write_number(line, col, value / 100, bold if last else money)
            else:
                sheet.write(line, col, value, bold if last else cell)
    other = workbook.add_worksheet("比对与预警")
    other.set_column(0, 0, 30)
    facts = [
        ("本季开展名单比对次数（DYN-1）", report.comparisons["runs"]),
        ("比对发现问题条数", report.comparisons["findings"]),
        ("比对结果部门确认次数（DYN-2）", report.comparisons["confirmations"]),
        ("本季预警数", int(report.by_township.filter(pl.col("township") == "合计")["alerts_raised"].sum() or 0)),
        ("本季预警已处置", int(report.by_township.filter(pl.col("township") == "合计")["alerts_handled"].sum() or 0)),
    ]
    for line, (label, value) in enumerate(facts):
        other.write(line, 0, label)
        other.write(line, 1, value)
    workbook.close()
