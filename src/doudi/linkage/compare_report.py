"""The comparison result as a workbook to hand to a township: a summary, one sheet per category, the
rejected rows, the accounting (every input row's one category) and what changed since the last run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import xlsxwriter

from doudi.linkage.categories import CATEGORIES, REJECTED_SHEET, sheet_name
from doudi.linkage.compare import ComparisonResult
from doudi.linkage.rosters import SOURCES, RosterInput

FINDING_HEADERS = {
    "township": "乡镇",
    "village": "村",
    "source": "名单",
    "row": "行号",
    "household_no": "户编号",
    "head_name": "户主姓名",
    "name": "姓名",
    "id_text": "身份证号码",
    "relation": "与户主关系",
    "detail": "说明",
}
_WIDTHS = {
    "乡镇": 14,
    "村": 14,
    "名单": 14,
    "行号": 7,
    "户编号": 12,
    "户主姓名": 10,
    "姓名": 10,
    "身份证号码": 21,
    "与户主关系": 10,
    "说明": 70,
    "原因": 50,
    "类别": 22,
    "摘要": 70,
    "变化": 8,
}


def _source_names(column: pl.Expr) -> pl.Expr:
    return column.replace_strict(SOURCES, default=column)


def _write_table(book: xlsxwriter.Workbook, name: str, frame: pl.DataFrame) -> None:
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    text = book.add_format({"num_format": "@"})  # ID numbers stay text, not 2.20182E+17
    for column, header in enumerate(frame.columns):
        sheet.write_string(0, column, header, bold)
        sheet.set_column(column, column, _WIDTHS.get(header, 12), text)
    for row_index, row in enumerate(frame.iter_rows(), start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row_index, column, value)
            else:
                sheet.write_string(row_index, column, str(value))
    sheet.freeze_panes(1, 0)
    if frame.height:
        sheet.autofilter(0, 0, frame.height, max(frame.width - 1, 0))


def _summary_rows(result: ComparisonResult) -> pl.DataFrame:
    """Households (finding items) per township and category, with a county total."""
    items = result.findings.unique(["category", "item_key"]).with_columns(pl.col("township").fill_null("（未填乡镇）"))
    table = items.group_by("township", "category").len().pivot(on="category", index="township", values="len")
    present = [c for c in CATEGORIES if c in table.columns]
    table = table.select("township", *present).fill_null(0).sort("township")
    total = table.select(pl.lit("全县合计").alias("township"), *[pl.col(c).sum() for c in present])
    table = pl.concat([table, total])
    return table.rename({"township": "乡镇", **{c: sheet_name(c) for c in present}})


def write_report(
    result: ComparisonResult,
    out: Path,
    *,
    inputs: list[RosterInput],
    profile: str,
    on: dt.date,
    run_id: int | None = None,
    changes: pl.DataFrame | None = None,
) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(out))
    try:
        _write_summary(book, result, inputs, profile, on, run_id)
        for category in CATEGORIES:
            rows = result.findings.filter(pl.col("category") == category).sort("township", "village", "item_key", "row")
            shown = rows.with_columns(_source_names(pl.col("source")).alias("source")).select(list(FINDING_HEADERS))
            _write_table(book, sheet_name(category), shown.rename(FINDING_HEADERS))
        rejected = result.rejected.select(
            _source_names(pl.col("source")).alias("名单"),
            pl.col("row").alias("行号"),
            pl.col("name").alias("姓名"),
            pl.col("id_text").alias("身份证号码"),
            pl.col("reason").alias("原因"),
        )
        _write_table(book, REJECTED_SHEET, rejected)
        accounting = result.accounting.sort("source", "row").select(
            _source_names(pl.col("source")).alias("名单"),
            pl.col("row").alias("行号"),
            pl.col("name").alias("姓名"),
            pl.col("id_text").alias("身份证号码"),
            pl.col("township").alias("乡镇"),
            pl.col("village").alias("村"),
            pl.col("category").replace_strict({c: sheet_name(c) for c in CATEGORIES}).alias("类别"),
        )
        _write_table(book, "核对表", accounting)
        if changes is not None:
            shown_changes = changes.sort("change", "category", "township").select(
                pl.col("change").replace_strict({"new": "新增", "resolved": "已解决"}).alias("变化"),
                pl.col("category").replace_strict({c: sheet_name(c) for c in CATEGORIES}).alias("类别"),
                pl.col("township").alias("乡镇"),
                pl.col("village").alias("村"),
                pl.col("summary").alias("摘要"),
            )
            _write_table(book, "回头看", shown_changes)
    finally:
        book.close()
    return out


def _write_summary(
    book: xlsxwriter.Workbook,
    result: ComparisonResult,
    inputs: list[RosterInput],
    profile: str,
    on: dt.date,
    run_id: int | None,
) -> None:
    sheet = book.add_worksheet("汇总")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 20, 14)
    sheet.write_string(0, 0, "低保与建档立卡名单比对结果", title)
    lines = [
        ("比对编号", str(run_id) if run_id is not None else "未记录"),
        ("政策配置", profile),
        ("评估日期", on.isoformat()),
    ]
    for given in inputs:
        as_of = f"，名单日期{given.as_of}" if given.as_of else ""
        file_name = given.path.name if given.path else "登记库"
        lines.append(
            (SOURCES.get(given.source, given.source), f"{file_name}（{given.rows}行{as_of}）SHA-256 {given.sha256}")
        )
    lines.extend(("提示", warning) for warning in result.warnings)
    row = 2
    for label, value in lines:
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, "各乡镇问题户（人）数", bold)
    row += 1
    table = _summary_rows(result)
    for column, header in enumerate(table.columns):
        sheet.write_string(row, column, header, bold)
    for values in table.iter_rows():
        row += 1
        for column, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, column, value)
            else:
                sheet.write_string(row, column, str(value))
    row += 2
    # The accounting closes: every input row is in one category or rejected.
    sheet.write_string(row, 0, "行数核对（每一输入行只计入一个类别）", bold)
    per = result.accounting.group_by("category").len()
    counted = dict(per.iter_rows())
    for category in CATEGORIES:
        row += 1
        sheet.write_string(row, 0, sheet_name(category))
        sheet.write_number(row, 1, counted.get(category, 0))
    row += 1
    sheet.write_string(row, 0, REJECTED_SHEET)
    sheet.write_number(row, 1, result.rejected.height)
    row += 1
    sheet.write_string(row, 0, "合计（等于各名单输入行数之和）", bold)
    sheet.write_number(row, 1, result.accounting.height + result.rejected.height)
    row += 2
    sheet.write_string(row, 0, "各类别含义", bold)
    for _key, (name, meaning, rules) in CATEGORIES.items():
        row += 1
        sheet.write_string(row, 0, name)
        sheet.write_string(row, 1, f"{meaning}（{rules}）")
