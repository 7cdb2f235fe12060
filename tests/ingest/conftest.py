"""Helpers that build county ledgers as real .xlsx / .csv files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from doudi.linkage.id_numbers import check_digit


def make_id(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.fixture
def person_id() -> Callable[[str], str]:
    """A valid 18-digit ID from its first 17 digits."""
    return make_id


LedgerWriter = Callable[..., Path]


@pytest.fixture
def write_ledger(tmp_path: Path) -> LedgerWriter:
    """Write an .xlsx ledger: an optional merged title, the header rows, then data rows.

    `merges` are (first_row, first_col, last_row, last_col, text) ranges relative to the header's first row.
    """

    def write(
        name: str,
        header_rows: Sequence[Sequence[Any]],
        rows: Sequence[Sequence[Any]],
        title: str | None = "XX县农村低保台账",
        merges: Sequence[tuple[int, int, int, int, str]] = (),
    ) -> Path:
        path = tmp_path / name
        workbook = xlsxwriter.Workbook(path)
        sheet = workbook.add_worksheet("台账")
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        top = 0
        if title:
            sheet.merge_range(0, 0, 0, max(len(r) for r in header_rows) - 1, title)
            sheet.write(1, 0, "填报单位：XX乡")
            top = 2
        for offset, header in enumerate(header_rows):
            for column, text in enumerate(header):
                if text is not None:
                    sheet.write_string(top + offset, column, text)
        for first_row, first_col, last_row, last_col, text in merges:
            sheet.merge_range(top + first_row, first_col, top + last_row, last_col, text)
        start = top + len(header_rows)
        for index, row in enumerate(rows):
            for column, value in enumerate(row):
                if value is None:
                    continue
                if hasattr(value, "year"):
                    sheet.write_datetime(start + index, column, value, date_format)
                elif isinstance(value, int | float):
                    sheet.write_number(start + index, column, value)
                else:
                    sheet.write_string(start + index, column, value)
        workbook.close()
        return path

    return write
