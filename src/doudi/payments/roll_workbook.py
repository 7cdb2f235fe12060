"""The payment roll as counties print it: one .xlsx sheet, subtotals per village and township, county total."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter
from sqlalchemy import Engine, select

from doudi.payments.roll import Roll
from doudi.registry.models import Region
from doudi.rules.explain import chinese_month

COLUMNS = (
    "属地",
    "姓名",
    "身份证号",
    "保障人数",
    "保障金（元）",
    "分类施保金（元）",
    "补发及重发（元）",
    "发放合计（元）",
    "账户名称",
    "开户银行",
    "账号",
    "备注",
)
WIDTHS = (22, 10, 21, 9, 13, 15, 15, 14, 10, 16, 22, 24)


def region_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return {code: name for code, name in connection.execute(select(Region.code, Region.name))}


def totals(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Households, persons and money summed by the given columns (village, township, or nothing: county)."""
    sums = [
        pl.len().alias("households"),
        pl.col("persons").sum(),
        pl.col("benefit_fen").sum(),
        pl.col("supplement_fen").sum(),
        (pl.col("arrears_fen") + pl.col("carry_over_fen")).sum().alias("extra_fen"),
        pl.col("total_fen").sum(),
    ]
    if not by:
        return rows.select(sums)
    return rows.group_by(by, maintain_order=True).agg(sums)


def write_roll_workbook(roll: Roll, path: Path, names: dict[str, str], title_place: str = "") -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("发放花名册")
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = workbook.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#E8EEF4"})
    text = workbook.add_format({"border": 1, "num_format": "@"})
    money = workbook.add_format({"border": 1, "num_format": "#,##0.00"})
    count = workbook.add_format({"border": 1})
    subtotal = workbook.add_format({"border": 1, "bold": True, "bg_color": "#F4F4F4", "num_format": "#,##0.00"})
    state = "（已审批，审批人：" + roll.approved_by + "）" if roll.approved_by else "（草稿，未审批）"
    sheet.merge_range(
        0, 0, 0, len(COLUMNS) - 1, f"{title_place}{chinese_month(roll.month)}救助资金发放花名册{state}", title
    )
    for col, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
        sheet.write(1, col, name, header)
        sheet.set_column(col, col, width)
    line = 2

    def write_total(label: str, sums: dict[str, int]) -> None:
        nonlocal line
        sheet.write(line, 0, label, subtotal)
        sheet.write(line, 1, f"{sums['households']}户", subtotal)
        sheet.write(line, 2, "", subtotal)
        sheet.write(line, 3, sums["persons"], subtotal)
        for col, key in ((4, "benefit_fen"), (5, "supplement_fen"), (6, "extra_fen"), (7, "total_fen")):
            sheet.write_number(line, col, (sums[key] or 0) / 100, subtotal)
        for col in range(8, len(COLUMNS)):
            sheet.write(line, col, "", subtotal)
        line += 1

    rows = roll.rows
    for (township,), in_township in rows.group_by(["township_code"], maintain_order=True):
        for (village,), in_village in in_township.group_by(["village_code"], maintain_order=True):
            place = f"{names.get(str(township), township or '')}{names.get(str(village), village or '')}"
            for row in in_village.iter_rows(named=True):
                values = (
                    place,
                    row["name"],
                    row["id_number"] or "",
                    row["persons"],
                    row["benefit_fen"],
                    row["supplement_fen"],
                    row["arrears_fen"] + row["carry_over_fen"],
                    row["total_fen"],
                    row["account_name"] or "",
                    row["bank"] or "",
                    row["account_number"] or "",
                    row["note"] or "",
                )
                for col, value in enumerate(values):
                    if col in (4, 5, 6, 7):
                        sheet.write_number(line, col, value / 100, money)
                    elif col == 3:
                        sheet.write_number(line, col, value, count)
                    else:
                        sheet.write_string(line, col, str(value), text)
                line += 1
            write_total(f"{names.get(str(village), village)} 小计", totals(in_village, []).row(0, named=True))
        write_total(f"{names.get(str(township), township)} 合计", totals(in_township, []).row(0, named=True))
    write_total("全县合计" if not roll.region_prefix else "总计", totals(rows, []).row(0, named=True))
    line += 1
    sheet.write(line, 0, "经办人（签字）：", bold)
    sheet.write(line, 4, "审核人（签字）：", bold)
    sheet.write(line, 8, "审批人（签字）：", bold)
    sheet.freeze_panes(2, 0)
    sheet.repeat_rows(1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    workbook.close()
