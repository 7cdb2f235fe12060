"""Turning ledger text into typed values, vectorized over whole columns.

Each `parse_*` takes a String expression and returns the typed value, null where the text cannot be
read; the importer compares "had text" with "got a value" to report the row in Chinese.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# Full-width ASCII (！ to ～) and the ideographic space, as typed with a Chinese input method.
_FULL_WIDTH = [chr(code) for code in range(0xFF01, 0xFF5F)] + ["\u3000", "\u00a0"]
_HALF_WIDTH = [chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)] + [" ", " "]

_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "壹": "1", "贰": "2", "叁": "3", "肆": "4"}

DISABILITY_KINDS = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")


_FULL_WIDTH_CLASS = "[\uff01-\uff5e\u3000\u00a0]"


def has_full_width(column: pl.Expr) -> pl.Expr:
    """Whether any value of the column has a character half_width would replace (one cheap scan)."""
    return column.str.contains(_FULL_WIDTH_CLASS).any()


def half_width(column: pl.Expr, *, narrow: bool = False) -> pl.Expr:
    """Full-width digits, letters and spaces to ASCII, ends trimmed, empty text to null. `narrow`: the column
    is known to have no full-width character (has_full_width), so the 96-way replacement is skipped."""
    text = (column if narrow else column.str.replace_many(_FULL_WIDTH, _HALF_WIDTH)).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def no_spaces(column: pl.Expr) -> pl.Expr:
    """All whitespace removed, empty text to null; for text that half_width has already cleaned."""
    text = column.str.replace_all(r"\s+", "")
    return pl.when(text == "").then(None).otherwise(text)


def without_spaces(column: pl.Expr) -> pl.Expr:
    return no_spaces(half_width(column))


def _iso(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    return pl.concat_str(year, pl.lit("-"), month.str.zfill(2), pl.lit("-"), day.str.zfill(2)).str.to_date(
        "%Y-%m-%d", strict=False
    )


def parse_date(column: pl.Expr) -> pl.Expr:
    """1950年1月, 1950年1月1日, 1950.01, 1950.1.1, 1950-01-01, 1950/1/1, 195001, 19500101, or an Excel serial
    day number. A missing day means the 1st."""
    text = without_spaces(column).str.replace(r"[T ]?\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
    separated = text.str.extract_groups(r"^(\d{4})[年.\-/](\d{1,2})(?:[月.\-/](\d{1,2})日?)?月?$")
    compact = text.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})?$")
    serial = text.str.extract(r"^(\d{1,5})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
    from_separated = _iso(
        separated.struct.field("1"), separated.struct.field("2"), separated.struct.field("3").fill_null("1")
    )
    from_compact = _iso(compact.struct.field("1"), compact.struct.field("2"), compact.struct.field("3").fill_null("1"))
    # Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
    from_serial = pl.when(serial.is_between(1, 80_000)).then(pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=serial))
    return pl.coalesce(from_separated, from_compact, from_serial.cast(pl.Date))


def parse_yuan_to_fen(column: pl.Expr) -> pl.Expr:
    """'450', '450.5', '¥450.00', '450元', '1,200' -> fen as Int64, exactly (no float rounding)."""
    text = without_spaces(column).str.replace_all(r"[,，¥￥元]", "")
    parts = text.str.extract_groups(r"^(\d+)(?:\.(\d{0,2}))?$")
    whole = parts.struct.field("1").cast(pl.Int64, strict=False)
    cents = parts.struct.field("2").fill_null("").str.pad_end(2, "0").cast(pl.Int64, strict=False)
    return whole * 100 + cents.fill_null(0)


def parse_sex(column: pl.Expr) -> pl.Expr:
    text = without_spaces(column).str.to_uppercase()
    return text.replace_strict({"男": "M", "M": "M", "1": "M", "女": "F", "F": "F", "2": "F"}, default=None)


def parse_disability_grade(column: pl.Expr) -> pl.Expr:
    """一级 / 1级 / 1 / 壹级 / 四级 -> 1..4."""
    text = without_spaces(column).str.replace_many(list(_CHINESE_DIGITS), list(_CHINESE_DIGITS.values()))
    grade = text.str.extract(r"^([1-4])级?$", 1).cast(pl.Int8, strict=False)
    return grade


def parse_disability_kind(column: pl.Expr) -> pl.Expr:
    """肢体残疾 / 肢体 -> 肢体; anything outside the seven kinds of GB/T 26341 is null."""
    text = without_spaces(column).str.replace(r"(残疾|类)$", "")
    return pl.when(text.is_in(list(DISABILITY_KINDS))).then(text)


def parse_health(column: pl.Expr) -> pl.Expr:
    text = without_spaces(column)
    return (
        pl.when(text.str.contains("重病|大病|重大疾病"))
        .then(pl.lit("serious_illness"))
        .when(text.str.contains("慢性"))
        .then(pl.lit("chronic"))
        .when(text.str.contains("健康|良好"))
        .then(pl.lit("healthy"))
    )


def parse_class(column: pl.Expr) -> pl.Expr:
    """A类 / a / 一类 -> A (B, C likewise)."""
    text = without_spaces(column).str.to_uppercase().str.replace_many(["一", "二", "三"], ["A", "B", "C"])
    return text.str.extract(r"^([ABC])类?$", 1)


def parse_escaped_poverty(column: pl.Expr) -> pl.Expr:
    """已脱贫 / 脱贫 / 标注脱贫 -> True; 未脱贫 / 贫困 -> False."""
    text = without_spaces(column)
    return (
        pl.when(text.str.contains("未脱贫|未脱|贫困户$|^贫困"))
        .then(pl.lit(False))
        .when(text.str.contains("脱贫"))
        .then(pl.lit(True))
    )


def parse_count(column: pl.Expr) -> pl.Expr:
    return without_spaces(column).str.replace(r"人$", "").str.replace(r"\.0+$", "").cast(pl.Int32, strict=False)
