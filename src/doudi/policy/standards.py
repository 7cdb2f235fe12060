"""Standards tables (STD-2): dibao standards, poverty line, minimum wage and 特困 standards by region and date.

Read from a CSV in yuan (the county's own, or the one shipped with doudi); held in fen. A region without
its own value takes its city's, then its province's, then the national row (000000): a county code
220182 looks in 220182, 220100, 220000, 000000 in turn, each measure on its own. Dates are as-of: the
newest row whose effective_from is on or before the day asked.
"""

from __future__ import annotations

import bisect
import datetime as dt
from importlib import resources
from pathlib import Path

import polars as pl

from doudi.policy.money import yuan_column_to_fen

NATIONAL = "000000"

# measure column in the CSV (yuan) -> column in the engine (fen)
MEASURES: dict[str, str] = {
    "rural_dibao_yearly": "rural_dibao_yearly_fen",
    "urban_dibao_monthly": "urban_dibao_monthly_fen",
    "poverty_line_yearly": "poverty_line_yearly_fen",
    "min_wage_monthly": "min_wage_monthly_fen",
    "tekun_basic_monthly": "tekun_basic_monthly_fen",
    "tekun_care_full_monthly": "tekun_care_full_monthly_fen",
    "tekun_care_half_monthly": "tekun_care_half_monthly_fen",
    "tekun_care_self_monthly": "tekun_care_self_monthly_fen",
}
FEN_COLUMNS = list(MEASURES.values())

LABELS = {
    "rural_dibao_yearly_fen": "农村低保标准（年）",
    "urban_dibao_monthly_fen": "城市低保标准（月）",
    "poverty_line_yearly_fen": "国家扶贫标准（年）",
    "min_wage_monthly_fen": "最低工资标准（月）",
    "tekun_basic_monthly_fen": "特困人员基本生活标准（月）",
    "tekun_care_full_monthly_fen": "全护理特困人员照料护理标准（月）",
    "tekun_care_half_monthly_fen": "半护理特困人员照料护理标准（月）",
    "tekun_care_self_monthly_fen": "全自理特困人员照料护理标准（月）",
}


class StandardsError(ValueError):
    """A standards file that cannot be used; the message is for the user (Chinese)."""


def default_standards_path() -> Path:
    return Path(str(resources.files("doudi.policy") / "data" / "standards.csv"))


def load_standards(path: str | Path | None = None) -> pl.DataFrame:
    """The standards table in fen, one row per region and effective date, later values carried forward."""
    source = Path(path) if path else default_standards_path()
    try:
        raw = pl.read_csv(source, infer_schema=False, encoding="utf8-lossy")
    except (OSError, pl.exceptions.PolarsError) as error:
        raise StandardsError(f"无法读取标准文件 {source}：{error}") from None
    missing = {"region_code", "effective_from"} - set(raw.columns)
    if missing:
        raise StandardsError(f"标准文件 {source} 缺少列：{'、'.join(sorted(missing))}")
    if "rural_dibao_monthly" in raw.columns:
        # A monthly rural standard is kept as its exact yearly amount, so the top-up rounds only once.
        monthly_as_yearly = yuan_column_to_fen(raw, "rural_dibao_monthly", source) * 12
        yearly = (
            yuan_column_to_fen(raw, "rural_dibao_yearly", source)
            if "rural_dibao_yearly" in raw.columns
            else pl.Series([None] * raw.height, dtype=pl.Int64)
        )
        raw = raw.with_columns(pl.Series("rural_dibao_yearly_fen", yearly).fill_null(pl.Series(monthly_as_yearly)))
    columns: list[pl.Series | pl.Expr] = []
    for measure, fen_name in MEASURES.items():
        if fen_name in raw.columns:
            columns.append(pl.col(fen_name))
        elif measure in raw.columns:
            columns.append(yuan_column_to_fen(raw, measure, source).alias(fen_name))
        else:
            columns.append(pl.lit(None, dtype=pl.Int64).alias(fen_name))
    dates = raw["effective_from"].str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    bad_dates = raw.filter(dates.is_null())
    if bad_dates.height:
        raise StandardsError(f"标准文件 {source}：effective_from 须为 YYYY-MM-DD 日期，第 {_rows(dates)} 行不是")
    codes = raw["region_code"].str.strip_chars()
    bad_codes = ~codes.str.contains(r"^\d{6}$")
    if bad_codes.any():
        raise StandardsError(f"标准文件 {source}：region_code 须为6位行政区划代码，第 {_rows(~bad_codes)} 行不是")
    table = raw.select(columns).with_columns(region_code=codes, effective_from=dates)
    return (
        table.sort("region_code", "effective_from")
        .with_columns(pl.col(FEN_COLUMNS).forward_fill().over("region_code"))
        .select("region_code", "effective_from", *FEN_COLUMNS)
    )


def _rows(ok: pl.Series) -> str:
    # Row numbers as the user sees them in a spreadsheet: header is row 1.
    return "、".join(str(i + 2) for i, good in enumerate(ok) if not good)


def region_chain(code: str | None) -> list[str]:
    """The region codes to look in, most specific first: county, city, province, nation."""
    if code is None:
        return [NATIONAL]
    return [code[:6], code[:4] + "00", code[:2] + "0000", NATIONAL]


def attach_standards(frame: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Add the standard columns (fen) in force for each row's `region_code` on its date `on`.

    The lookups run in Python over the distinct (region, day) pairs: there are few of them, and a batch of one
    household then costs well under a millisecond instead of a dozen Polars joins."""
    by_region: dict[str, tuple[list[dt.date], list[tuple[int | None, ...]]]] = {}
    ordered = table.select("region_code", "effective_from", *FEN_COLUMNS).sort("effective_from")
    for region, day, *values in ordered.iter_rows():
        dates, rows = by_region.setdefault(region, ([], []))
        dates.append(day)
        rows.append(tuple(values))

    def in_force(region: str | None, day: dt.date | None) -> tuple[int | None, ...]:
        found: list[int | None] = [None] * len(FEN_COLUMNS)
        if day is None:
            return tuple(found)
        for code in region_chain(region):
            dates, rows = by_region.get(code, ([], []))
            newest = bisect.bisect_right(dates, day) - 1
            if newest >= 0:
                found = [mine if mine is not None else theirs for mine, theirs in zip(found, rows[newest], strict=True)]
        return tuple(found)

    keys = frame.select("region_code", "on").unique()
    looked_up = pl.DataFrame(
        [(region, day, *in_force(region, day)) for region, day in keys.iter_rows()],
        schema={"region_code": pl.String, "on": pl.Date, **dict.fromkeys(FEN_COLUMNS, pl.Int64)},
        orient="row",
    )
    return frame.join(looked_up, on=["region_code", "on"], how="left", maintain_order="left")


def standards_on(table: pl.DataFrame, region_code: str, on: dt.date) -> dict[str, int | None]:
    """The standards for one region on one day, as a plain dict (for explanations and forms)."""
    one = attach_standards(pl.DataFrame({"region_code": [region_code], "on": [on]}), table)
    return {name: one[name][0] for name in FEN_COLUMNS}
