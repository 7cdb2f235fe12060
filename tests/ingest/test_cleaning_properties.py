"""The importer cleans whole columns with Polars expressions; these properties hold it to the rules as
written for one value at a time (docs/ingest.md, GB 11643), on random columns with repeats."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from doudi.ingest import cleaning, importer
from doudi.ingest.headers import detect_header

_FULL = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " ", "\u00a0": " "}
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_SPACES = (" ", "\u3000", "\u00a0", "\t")


# ---- the rules, one value at a time ---------------------------------------------------------------


def half_width_one(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = "".join(_FULL.get(char, char) for char in text).strip()
    return cleaned or None


def without_spaces_one(text: str | None) -> str | None:
    cleaned = half_width_one(text)
    return re.sub(r"\s+", "", cleaned) or None if cleaned is not None else None


def _date(year: str, month: str, day: str | None) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day or 1))
    except ValueError:
        return None


def parse_date_one(text: str | None) -> dt.date | None:
    cleaned = without_spaces_one(text)
    if cleaned is None:
        return None
    cleaned = re.sub(r"T?\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", cleaned, count=1)
    separated = re.fullmatch(r"(\d{4})[年.\-/](\d{1,2})(?:[月.\-/](\d{1,2})日?)?月?", cleaned)
    if separated and (found := _date(*separated.groups())) is not None:
        return found
    if (m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", cleaned)) and (found := _date(*m.groups())) is not None:
        return found
    if (m := re.fullmatch(r"(\d{1,5})(?:\.0+)?", cleaned)) and 1 <= int(m.group(1)) <= 80_000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(m.group(1)))
    return None


def parse_fen_one(text: str | None) -> int | None:
    cleaned = without_spaces_one(text)
    if cleaned is None:
        return None
    m = re.fullmatch(r"(\d+)(?:\.(\d{0,2}))?", re.sub(r"[,，¥￥元]", "", cleaned))
    return int(m.group(1)) * 100 + int((m.group(2) or "").ljust(2, "0")) if m else None


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_outcome(text: str | None) -> tuple[str, str | None] | str:
    """(ID number stored, 15-digit original) or the Chinese reason of the error report."""
    cleaned = without_spaces_one(text)
    cleaned = cleaned.upper() if cleaned is not None else None
    if cleaned is None:
        return "身份证号码为空"
    if not re.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}", cleaned):
        return f"身份证号码应为18位（或15位旧号码），此处为{len(cleaned)}位或含非法字符"
    original = None
    if len(cleaned) == 15:
        original, cleaned = cleaned, cleaned[:6] + "19" + cleaned[6:]
        cleaned += check_char(cleaned)
    if cleaned[0] == "0":
        return "身份证号码地区码无效"
    born = _date(cleaned[6:10], cleaned[10:12], cleaned[12:14]) if cleaned[12:14] != "00" else None
    if born is None or born.year < 1900 or born > dt.date.today():
        return "身份证号码出生日期无效"
    if cleaned[17] != check_char(cleaned[:17]):
        return f"身份证号码校验位错误，应为{check_char(cleaned[:17])}"
    return cleaned, original


# ---- random ledger text -----------------------------------------------------------------------------


def _decorated(text: str, draw: st.DrawFn) -> str:
    """Typed as people type: some digits full-width, spaces anywhere, a lower-case x."""
    chars = [chr(ord(c) + 0xFEE0) if c.isalnum() and draw(st.booleans()) else c for c in text]
    for _ in range(draw(st.integers(0, 2))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(_SPACES)))
    decorated = "".join(chars)
    return decorated.replace("X", "x") if draw(st.booleans()) else decorated


@st.composite
def id_texts(draw: st.DrawFn) -> str | None:
    kind = draw(st.sampled_from(["valid", "valid", "wrong_check", "old15", "bad_date", "junk", "empty"]))
    if kind == "empty":
        return draw(st.sampled_from([None, "", " ", "\u3000"]))
    if kind == "junk":
        return draw(st.text(alphabet="0123456789Xx-# 年", max_size=20))
    region = draw(st.sampled_from(["220182", "110105", "440524", "012345"]))
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)))
    birth = f"{born:%Y%m%d}" if kind != "bad_date" else draw(st.sampled_from(["19501301", "19500230", "18991231"]))
    sequence = f"{draw(st.integers(0, 999)):03d}"
    if kind == "old15":
        return _decorated(region + birth[2:] + sequence, draw)
    first17 = region + birth + sequence
    check = check_char(first17)
    if kind == "wrong_check":
        check = draw(st.sampled_from([c for c in "0123456789X" if c != check]))
    return _decorated(first17 + check, draw)


@st.composite
def date_texts(draw: st.DrawFn) -> str | None:
    year = draw(st.integers(1900, 2030))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    text = draw(
        st.sampled_from(
            [
                f"{year}年{month}月",
                f"{year}年{month}月{day}日",
                f"{year}.{month:02d}",
                f"{year}.{month}.{day}",
                f"{year}{month:02d}",
                f"{year}{month:02d}{day:02d}",
                f"{year}-{month:02d}-{day:02d}",
                f"{year}/{month}/{day}",
                f"{year}-{month:02d}-{day:02d} 00:00:00",
                f"{draw(st.integers(0, 99_999))}",
                f"{draw(st.integers(0, 99_999))}.0",
                "不详",
                "",
            ]
        )
    )
    return None if draw(st.integers(0, 20)) == 0 else _decorated(text, draw)


@st.composite
def amount_texts(draw: st.DrawFn) -> str | None:
    whole, cents = draw(st.integers(0, 99_999)), draw(st.integers(0, 999))
    text = draw(
        st.sampled_from(
            [
                *(f"{whole}", f"{whole}.{cents % 10}", f"{whole}.{cents % 100:02d}", f"{whole}.{cents}"),
                *(f"¥{whole:,}.00", f"{whole}元", f"￥{whole}", f"{whole}，5", "约300", ""),
            ]
        )
    )
    return None if draw(st.integers(0, 20)) == 0 else _decorated(text, draw)


def _column(values: list[str | None], parser: Callable[[pl.Expr], pl.Expr]) -> list[object]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String()})
    return importer._parse_distinct(frame, "v", parser).to_list()


# ---- the properties ---------------------------------------------------------------------------------


@given(st.lists(st.text(alphabet="0９Ａａ！～x张 \u3000\u00a0\t,.", max_size=8), max_size=30))
def test_half_width_column_equals_the_one_value_rule(values: list[str]) -> None:
    cleaned = pl.DataFrame({"v": values}, schema={"v": pl.String()}).select(cleaning.half_width(pl.col("v")).alias("v"))
    assert cleaned["v"].to_list() == [half_width_one(v) for v in values]


@given(st.lists(date_texts(), max_size=40))
def test_date_column_equals_the_one_value_rule(values: list[str | None]) -> None:
    # Through the importer's distinct-value path: each text parsed once, joined back to every row in order.
    assert _column(values, cleaning.parse_date) == [parse_date_one(v) for v in values]


@given(st.lists(amount_texts(), max_size=40))
def test_amount_column_equals_the_one_value_rule(values: list[str | None]) -> None:
    assert _column(values, cleaning.parse_yuan_to_fen) == [parse_fen_one(v) for v in values]


@given(st.lists(id_texts(), min_size=1, max_size=40))
def test_id_column_is_stored_or_reported_as_the_one_value_rule_says(values: list[str | None]) -> None:
    cells = pl.DataFrame(
        {"c0": ["姓名", *[f"人{i}" for i in range(len(values))]], "c1": ["身份证号码", *values]},
        schema={"c0": pl.String(), "c1": pl.String()},
    )
    header = detect_header(cells, None)
    rows = importer.ledger_rows(cells, header, 1)
    valid, errors = importer._validate(rows, header, "poor")

    stored = {
        row: (id_number, original)
        for row, id_number, original in valid.select("row", "id_number", "original_id_number").iter_rows()
    }
    reasons = {row: reason for row, reason in errors.select("行号", "原因").iter_rows()}
    assert len(errors) == len(reasons)  # one reason per bad row here
    first_row_of: dict[str, int] = {}
    for row, text in enumerate(values, start=2):  # the header is spreadsheet row 1
        outcome = id_outcome(text)
        if isinstance(outcome, str):
            assert reasons.get(row) == outcome and row not in stored
        elif outcome[0] in first_row_of:
            first = first_row_of[outcome[0]]
            assert reasons.get(row) == f"同一人出现在两个家庭中（第{first}行已登记在另一家庭）"
        else:
            first_row_of[outcome[0]] = row
            assert stored.get(row) == outcome and row not in reasons
