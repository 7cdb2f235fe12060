"""Recognising a ledger's header: which row it is on, and which column holds which field.

Ledgers put a title (and sometimes a date line) above the header, and often merge a group label over two
header rows (保障情况 over 保障人口数 / 保障金额). We score the first rows by how many cells are known header
names and combine the best row with the one below it when that row carries headers too.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

from doudi.ingest.errors import ImportRejected

# field -> header texts county ledgers use for it (after spaces are removed).
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "household_no": ("户编号", "户号", "家庭编号", "低保证号", "户代码"),
    "head_name": ("户主姓名",),
    "name": ("家庭成员姓名", "姓名", "成员姓名", "人员姓名", "保障对象姓名"),
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "证件号码", "身份证件号码", "残疾人证号"),
    "relation": ("与户主关系", "与户主的关系", "家庭关系"),
    "sex": ("性别",),
    "birth_date": ("出生年月", "出生日期", "出生年月日"),
    "household_size": ("家庭人口数", "家庭人口", "户人口数"),
    "covered_size": ("保障人口数", "保障人数", "享受人口数"),
    "monthly_benefit_yuan": ("保障金额", "月保障金额", "保障金", "月救助金额", "救助金额"),
    "address": ("户籍所在地", "属地", "所在村", "家庭住址", "居住地址", "住址"),
    "village_code": ("村代码", "行政区划代码", "区划代码"),
    "disability_kind": ("残疾类别", "残疾类型"),
    "disability_grade": ("残疾等级",),
    "health": ("健康状况",),
    "dibao_class": ("低保类别", "保障类别", "分类施保类别"),
    "since": ("纳入时间", "纳入日期", "保障起始时间", "识别时间"),
    "poverty_status": ("脱贫状态", "贫困户状态", "脱贫属性"),
}

FIELD_LABELS: dict[str, str] = {field: names[0] for field, names in FIELD_HEADERS.items()}

# Every kind of roster needs a person and their ID number.
REQUIRED: dict[str, tuple[str, ...]] = {
    "dibao": ("name", "id_number"),
    "poor": ("name", "id_number"),
    "disabled": ("name", "id_number", "disability_kind"),
}

_SCAN_ROWS = 20


def compact(text: object) -> str:
    """A header cell as we compare it: no spaces (ASCII, full-width, line breaks) and no stars."""
    if text is None:
        return ""
    return "".join(str(text).split()).replace("\u3000", "").replace("*", "").replace("＊", "")


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file (YAML `表头: field` or CSV with columns 表头,字段) -> {header text: field}."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        loaded = yaml.safe_load(text) or {}
        pairs = loaded.get("columns", loaded) if isinstance(loaded, dict) else {}
        mapping = {compact(k): str(v) for k, v in pairs.items()}
    else:
        rows = list(csv.reader(io.StringIO(text)))
        mapping = {compact(r[0]): r[1].strip() for r in rows[1:] if len(r) >= 2 and r[0].strip()}
    unknown = sorted({v for v in mapping.values() if v not in FIELD_HEADERS})
    if unknown:
        known = "、".join(FIELD_HEADERS)
        raise ImportRejected(f"映射文件中有无法识别的字段：{'、'.join(unknown)}。可用字段：{known}")
    return mapping


@dataclass(frozen=True)
class Header:
    first_data_row: int  # index into the raw cells
    fields: dict[str, int]  # field -> column index
    labels: dict[str, str]  # field -> the header text as the ledger wrote it


def _lookup(extra: dict[str, str]) -> dict[str, str]:
    table = {compact(name): field for field, names in FIELD_HEADERS.items() for name in names}
    table.update(extra)
    return table


def _known(row: list[str], lookup: dict[str, str]) -> int:
    return sum(1 for cell in row if compact(cell) in lookup)


def _looks_like_data(cell: str | None) -> bool:
    return cell is not None and re.search(r"\d{6,}", cell) is not None


def detect_header(cells: pl.DataFrame, mapping: dict[str, str] | None = None) -> Header:
    """Find the header row(s) among the first rows of `cells` (all-string columns)."""
    lookup = _lookup(mapping or {})
    top = [list(row) for row in cells.head(_SCAN_ROWS).iter_rows()]
    scores = [_known(row, lookup) for row in top]
    if not scores or max(scores) < 2:
        raise ImportRejected("未找到表头行：前20行中没有识别出“姓名”“身份证号码”等列名，请检查文件或提供映射文件")
    best = scores.index(max(scores))
    rows = [top[best]]
    # A second header row below, under merged group labels (a data row never holds a long digit run).
    if best + 1 < len(top) and scores[best + 1] >= 1 and not any(_looks_like_data(c) for c in top[best + 1]):
        rows.append(top[best + 1])
    fields: dict[str, int] = {}
    labels: dict[str, str] = {}
    for column in range(cells.width):
        for row in reversed(rows):  # the lower, more specific label wins
            text = compact(row[column])
            field = lookup.get(text)
            if field and field not in fields:
                fields[field] = column
                labels[field] = text
                break
    return Header(first_data_row=best + len(rows), fields=fields, labels=labels)


def require(header: Header, source: str) -> None:
    missing = [FIELD_LABELS[field] for field in REQUIRED[source] if field not in header.fields]
    if missing:
        raise ImportRejected(f"缺少必需的列：{'、'.join(missing)}。未导入任何数据")
