"""Other departments' data feeds (MON-3, DYN-6): medical costs, disability certificates, deaths, lost income,
school enrollment, housing and disasters, read like a ledger import.

A feed file is read with doudi.ingest (any sheet layout, header detection, GBK/UTF-8 CSV), every row is
validated (ID number by GB 11643, dates, amounts, grades) and bad rows go to the Chinese error report.
Good rows are stored as feed events, one transaction per file; the unique key (kind, ID number, date,
detail) means a file imported twice stores nothing new. Persons are linked to their registry household by
ID number; persons not (yet) in the registry are kept all the same (nothing lost) and counted as unmatched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, func, insert, select, update

from doudi.audit import record_bulk
from doudi.ingest import cleaning
from doudi.ingest.error_report import COLUMNS as ERROR_COLUMNS
from doudi.ingest.error_report import default_report_path, write_error_report
from doudi.ingest.errors import ImportRejected
from doudi.ingest.excel import read_sheet
from doudi.ingest.headers import compact, detect_header
from doudi.linkage import id_numbers
from doudi.monitoring.models import FeedBatch, FeedEvent
from doudi.monitoring.storage import insert_new
from doudi.registry.models import Member
from doudi.rules.explain import mask_id
from doudi.rules.schema import SEVERE_DISABILITY_GRADES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedKind:
    label: str  # Chinese, as the department calls it
    headers: dict[str, tuple[str, ...]]  # field -> header texts (first is the documented one)
    required: tuple[str, ...]
    severe: Callable[[pl.DataFrame], pl.Expr] = field(default=lambda rows: pl.lit(False))


_PERSON = {
    "name": ("姓名", "患者姓名", "人员姓名", "死者姓名"),
    "id_number": ("身份证号码", "身份证号", "公民身份号码"),
}

FEEDS: dict[str, FeedKind] = {
    "medical": FeedKind(
        "医疗救助与住院自付费用",
        {
            **_PERSON,
            "event_date": ("结算日期", "出院日期", "就诊日期", "费用发生日期"),
            "amount": ("个人自付金额", "个人自付", "自付金额", "个人负担金额", "个人自负费用"),
            "detail": ("疾病名称", "诊断", "诊断名称", "病种"),
            "severe_text": ("是否重特大疾病", "是否大病", "重特大疾病"),
        },
        ("name", "id_number", "event_date", "amount"),
        lambda rows: pl.col("severe_text").str.contains("^(是|Y|y|1)"),
    ),
    "disability": FeedKind(
        "残疾人证（新办或等级变更）",
        {
            **_PERSON,
            "event_date": ("发证日期", "办证日期", "等级变更日期", "评定日期"),
            "grade": ("残疾等级", "等级"),
            "detail": ("残疾类别", "残疾类型"),
        },
        ("name", "id_number", "event_date", "grade"),
        lambda rows: pl.col("grade_value").is_in(SEVERE_DISABILITY_GRADES),
    ),
    "death": FeedKind(
        "死亡（注销）",
        {**_PERSON, "event_date": ("死亡日期", "死亡时间", "注销日期"), "detail": ("死亡原因",)},
        ("name", "id_number", "event_date"),
        lambda rows: pl.lit(True),
    ),
    "unemployment": FeedKind(
        "失业或收入中断",
        {
            **_PERSON,
            "event_date": ("失业日期", "失业登记日期", "停工日期", "收入减少日期"),
            "amount": ("原月收入", "减少月收入", "月收入减少额"),
            "detail": ("原因", "失业原因"),
        },
        ("name", "id_number", "event_date"),
    ),
    "education": FeedKind(
        "教育（入学、在读）",
        {
            **_PERSON,
            "event_date": ("入学日期", "入学时间", "学籍日期"),
            "detail": ("学段", "就读学段", "学校名称", "学校"),
        },
        ("name", "id_number", "event_date"),
    ),
    "housing": FeedKind(
        "住房（危房鉴定）",
        {
            **_PERSON,
            "event_date": ("鉴定日期", "评定日期"),
            "detail": ("危房等级", "鉴定等级", "房屋等级"),
        },
        ("name", "id_number", "event_date", "detail"),
        lambda rows: pl.col("detail").str.contains("D"),  # D级危房: 整体危险
    ),
    "disaster": FeedKind(
        "自然灾害受灾",
        {
            **_PERSON,
            "event_date": ("受灾日期", "灾害发生日期"),
            "amount": ("损失金额", "直接经济损失", "经济损失"),
            "detail": ("灾害种类", "灾种", "受灾情况"),
        },
        ("name", "id_number", "event_date"),
        lambda rows: pl.col("detail").str.contains("倒塌|倒损|全倒"),
    ),
}

_LABELS = {"name": "姓名", "id_number": "身份证号码"}


@dataclass
class FeedResult:
    batch_id: int
    kind: str
    file_name: str
    rows_read: int
    rows_stored: int
    rows_duplicate: int  # valid rows already stored by an earlier file (or twice in this one)
    rows_rejected: int
    unmatched: int  # stored, but the person is not (yet) in the registry
    errors: pl.DataFrame  # 行号, 列, 值, 原因
    error_report: Path | None


def feed_kind(kind: str) -> FeedKind:
    if kind not in FEEDS:
        raise ImportRejected(f"未知的部门数据类型“{kind}”，应为：{'、'.join(FEEDS)}")
    return FEEDS[kind]


def import_feed(
    engine: Engine, kind: str, path: Path, *, error_report: Path | None = None, by: str = "系统"
) -> FeedResult:
    """Import one department file as one transaction; raises ImportRejected (nothing written) when the file
    as a whole is unusable, reports bad rows otherwise."""
    spec = feed_kind(kind)
    sheet = read_sheet(path)
    result = _import_cells(
        engine,
        kind,
        spec,
        sheet.cells,
        sheet.first_row_number,
        path.name,
        hashlib.sha256(path.read_bytes()).hexdigest(),
        by,
    )
    if result.errors.height:
        result.error_report = write_error_report(result.errors, error_report or default_report_path(path))
    return result


def import_feed_records(
    engine: Engine, kind: str, records: Sequence[dict[str, Any]], source: str = "API", by: str = "系统"
) -> FeedResult:
    """The same import for rows pushed through the API: dicts keyed by the feed's Chinese headers."""
    spec = feed_kind(kind)
    headers = sorted({str(k) for record in records for k in record})
    if not records:
        raise ImportRejected("没有收到任何数据行")
    cells = pl.DataFrame(
        [headers] + [[None if r.get(h) is None else str(r.get(h)) for h in headers] for r in records],
        schema=[f"c{i}" for i in range(len(headers))],
        orient="row",
    )
    digest = hashlib.sha256(repr(records).encode("utf-8")).hexdigest()
    return _import_cells(engine, kind, spec, cells, 1, source, digest, by)


def _import_cells(
    engine: Engine,
    kind: str,
    spec: FeedKind,
    cells: pl.DataFrame,
    first_row: int,
    file_name: str,
    digest: str,
    by: str,
) -> FeedResult:
    mapping = {compact(text): name for name, texts in spec.headers.items() for text in texts}
    header = detect_header(cells, mapping)
    missing = [spec.headers[f][0] for f in spec.required if f not in header.fields]
    if missing:
        raise ImportRejected(f"{spec.label}数据缺少必需的列：{'、'.join(missing)}。未导入任何数据")
    rows = (
        cells.with_row_index("row", offset=first_row)
        .slice(header.first_data_row)
        .select(
            pl.col("row").cast(pl.Int64),
            *[
                cleaning.half_width(pl.col(f"c{index}")).alias(name)
                for name, index in header.fields.items()
                if name in spec.headers
            ],
        )
    )
    fields = [f for f in header.fields if f in spec.headers]
    rows = rows.filter(pl.any_horizontal(pl.col(f).is_not_null() for f in fields))
    rows, errors = _validate(rows, spec, header.labels)

    with engine.begin() as connection:
        batch_id = connection.execute(
            insert(FeedBatch).values(kind=kind, file_name=file_name, sha256=digest).returning(FeedBatch.id)
        ).scalar_one()
        households = _households_of(connection, rows["id_number"].unique().to_list())
        rows = rows.join(households, on="id_number", how="left")
        records = [
            {
                "batch_id": batch_id,
                "kind": kind,
                "id_number": r["id_number"],
                "name": r["name"],
                "household_id": r["household_id"],
                "event_date": r["event_date"],
                "amount_fen": r["amount_fen"],
                "grade": r["grade_value"],
                "severe": r["severe"],
                "detail": r["detail"],
                "detail_key": r["detail_key"],
                "row_number": r["row"],
            }
            for r in rows.iter_rows(named=True)
        ]
        insert_new(connection, FeedEvent.__table__, records)  # type: ignore[arg-type]
        stored = connection.execute(select(func.count()).where(FeedEvent.batch_id == batch_id)).scalar_one()
        rejected = errors["行号"].n_unique()
        connection.execute(
            update(FeedBatch)
            .where(FeedBatch.id == batch_id)
            .values(
                rows_read=rows.height + rejected,
                rows_stored=stored,
                rows_duplicate=rows.height - stored,
                rows_rejected=rejected,
            )
        )
        summary = {"batch_id": batch_id, "kind": kind, "file": file_name, "sha256": digest, "stored": stored}
        record_bulk(connection, by, "monitor_feed_batches", "bulk", summary)
    unmatched = rows.filter(pl.col("household_id").is_null()).height
    log.info(
        "feed %s from %s: %d stored, %d duplicate, %d rejected, %d unmatched (e.g. %s)",
        kind,
        file_name,
        stored,
        rows.height - stored,
        rejected,
        unmatched,
        mask_id(rows["id_number"][0]) if rows.height else "-",
    )
    return FeedResult(
        batch_id=batch_id,
        kind=kind,
        file_name=file_name,
        rows_read=rows.height + rejected,
        rows_stored=stored,
        rows_duplicate=rows.height - stored,
        rows_rejected=rejected,
        unmatched=unmatched,
        errors=errors.sort("行号"),
        error_report=None,
    )


def _households_of(connection: Any, id_numbers_: list[str]) -> pl.DataFrame:
    """ID number -> registry household (a person in two households takes the first, by household id)."""
    found: dict[str, str] = {}
    for start in range(0, len(id_numbers_), 5_000):
        chunk = id_numbers_[start : start + 5_000]
        query = select(Member.id_number, Member.household_id).where(Member.id_number.in_(chunk))
        for id_number, household_id in connection.execute(query.order_by(Member.household_id)):
            found.setdefault(id_number, household_id)
    return pl.DataFrame(
        {"id_number": list(found), "household_id": list(found.values())},
        schema={"id_number": pl.String, "household_id": pl.String},
    )


def _problem(rows: pl.DataFrame, condition: pl.Expr, column: str, label: str, reason: str | pl.Expr) -> pl.DataFrame:
    return rows.filter(condition).select(
        pl.col("row").alias("行号"),
        pl.lit(label).alias("列"),
        (pl.col(column).cast(pl.String) if column in rows.columns else pl.lit(None, pl.String)).alias("值"),
        (reason if isinstance(reason, pl.Expr) else pl.lit(reason)).alias("原因"),
    )


def _validate(rows: pl.DataFrame, spec: FeedKind, labels: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed valid rows (name, id_number, event_date, amount_fen, grade_value, severe, detail, detail_key)
    and the error rows."""

    def label(name: str) -> str:
        return labels.get(name) or _LABELS.get(name) or spec.headers.get(name, (name,))[0]

    for name in ("name", "id_number", "event_date", "amount", "grade", "detail", "severe_text"):
        if name not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(name))
    text = pl.Series(id_numbers.normalize(rows["id_number"]), dtype=pl.String)
    eighteen = pl.Series(id_numbers.upgrade_15_to_18(text), dtype=pl.String)
    # A number that cannot be upgraded (a wrong length, letters in an old one) is checked as typed, so its
    # reason says what is wrong with it instead of "empty".
    checked = id_numbers.check(eighteen.fill_null(text).fill_null(""))
    rows = rows.with_columns(
        cleaning.without_spaces(pl.col("name")).alias("name"),
        text.alias("id_text"),
        eighteen.alias("id_number"),
        checked["valid"].fill_null(False).alias("_valid_id"),
        checked["reason"].alias("_id_reason"),
        cleaning.parse_date(pl.col("event_date")).alias("_date"),
        cleaning.parse_yuan_to_fen(pl.col("amount")).alias("amount_fen"),
        cleaning.parse_disability_grade(pl.col("grade")).alias("grade_value"),
    )
    today = dt.date.today()
    problems = [
        _problem(rows, pl.col("name").is_null(), "name", label("name"), "姓名为空"),
        _problem(rows, pl.col("id_text").is_null(), "id_text", label("id_number"), "身份证号码为空"),
        _problem(
            rows,
            pl.col("id_text").is_not_null() & ~pl.col("_valid_id"),
            "id_text",
            label("id_number"),
            pl.lit("身份证号码") + pl.col("_id_reason").fill_null("应为18位（或15位旧号码）"),
        ),
        _problem(rows, pl.col("event_date").is_null(), "event_date", label("event_date"), "日期为空"),
        _problem(
            rows,
            pl.col("event_date").is_not_null() & pl.col("_date").is_null(),
            "event_date",
            label("event_date"),
            "无法识别的日期，应如 2020-06-01 或 2020年6月1日",
        ),
        _problem(rows, pl.col("_date") > today, "event_date", label("event_date"), "日期晚于今天"),
    ]
    if "amount" in spec.required:
        problems.append(_problem(rows, pl.col("amount").is_null(), "amount", label("amount"), "金额为空"))
    if "amount" in spec.headers:
        problems.append(
            _problem(
                rows,
                pl.col("amount").is_not_null() & pl.col("amount_fen").is_null(),
                "amount",
                label("amount"),
                "无法识别的金额，应为元，最多两位小数",
            )
        )
    if "grade" in spec.required:
        problems.append(
            _problem(rows, pl.col("grade_value").is_null(), "grade", label("grade"), "残疾等级应为一级至四级")
        )
    if "detail" in spec.required:
        problems.append(_problem(rows, pl.col("detail").is_null(), "detail", label("detail"), "不能为空"))
    errors = pl.concat([pl.DataFrame(schema=ERROR_COLUMNS), *problems], how="vertical_relaxed")
    bad = errors["行号"].unique()
    good = rows.filter(~pl.col("row").is_in(bad.implode()))
    good = good.with_columns(
        pl.col("_date").alias("event_date"),
        spec.severe(good).fill_null(False).alias("severe"),
        # What tells two same-day rows apart: two hospital settlements differ in amount or diagnosis.
        pl.concat_str(pl.col("amount_fen").cast(pl.String).fill_null(""), pl.lit("|"), pl.col("detail").fill_null(""))
        .str.slice(0, 60)
        .alias("detail_key"),
    )
    columns = ["row", "name", "id_number", "event_date", "amount_fen", "grade_value", "severe", "detail", "detail_key"]
    return good.select(columns), errors.cast(ERROR_COLUMNS)  # type: ignore[arg-type]
