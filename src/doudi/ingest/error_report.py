"""The per-row error report county staff open in Excel/WPS: 行号, 列, 值, 原因."""

from __future__ import annotations

from pathlib import Path

import polars as pl

COLUMNS = {"行号": pl.Int64(), "列": pl.String(), "值": pl.String(), "原因": pl.String()}


def empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMNS)


def default_report_path(source_file: Path) -> Path:
    return source_file.with_name(f"{source_file.stem}_错误报告.xlsx")


def write_error_report(errors: pl.DataFrame, path: Path) -> Path:
    """Write `errors` sorted by row; .csv gets a BOM so Excel opens it as UTF-8, anything else is .xlsx."""
    ordered = errors.select(list(COLUMNS)).sort("行号", "列")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        path.write_bytes(b"\xef\xbb\xbf" + ordered.write_csv().encode("utf-8"))
    else:
        ordered.write_excel(path, worksheet="错误报告", autofit=True, header_format={"bold": True})
    return path
