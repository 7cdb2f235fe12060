"""Import speed of a large dibao ledger, as .csv and as .xlsx, against a bare read of the same file.

    .venv/bin/python bench/import_rosters.py --rows 1000000 [--database-url sqlite:///x.sqlite]

Writes a ledger of N member rows (~2.5 per household, a title row above the header), then for each format:
a bare read (calamine for .xlsx, Polars' CSV reader for .csv), the import into a fresh registry, and a
second import of the same file (nothing changes). Prints rows/s and the import/bare-read ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import fastexcel
import polars as pl
import xlsxwriter

from doudi.ingest.importer import import_roster
from doudi.linkage.id_numbers import upgrade_15_to_18
from doudi.registry.database import open_registry

HEADER = [
    "户编号",
    "户主姓名",
    "家庭成员姓名",
    "身份证号码",
    "与户主关系",
    "性别",
    "出生年月",
    "保障金额",
    "低保类别",
    "纳入时间",
    "所在村",
]
FIRST_BIRTH = dt.date(1930, 1, 1)
RELATIONS = ["配偶", "子女", "子女", "父母", "孙子女"]


def ledger(rows: int, seed: int = 11) -> pl.DataFrame:
    rng = random.Random(seed)
    records: list[list[str]] = []
    old_numbers: list[str] = []
    household = 0
    while len(records) < rows:
        household += 1
        size = min(rng.choice([1, 2, 3, 4, 5]), rows - len(records))
        head_name = f"户主{household}"
        benefit = f"{rng.randrange(200, 700)}.{rng.randrange(100):02d}"
        klass = rng.choice("ABC")
        for position in range(size):
            # Distinct (birth date, sequence) per row, so every person is a different one; born 1930-1998.
            born = FIRST_BIRTH + dt.timedelta(days=(len(records) // 1000) * 29 % 25_000)
            old_numbers.append(f"220182{born:%y%m%d}{len(records) % 1000:03d}")
            records.append(
                [
                    f"{household:07d}",
                    head_name,
                    head_name if position == 0 else f"成员{len(records)}",
                    "",
                    "户主" if position == 0 else rng.choice(RELATIONS),
                    rng.choice("男女"),
                    f"{born.year}年{born.month}月",
                    benefit,
                    f"{klass}类",
                    "2020-05-01",
                    f"第{household % 300}村",
                ]
            )
    # The 15-digit form upgraded by the linkage module gives valid 18-digit numbers, vectorized.
    ids = upgrade_15_to_18(pl.Series(old_numbers))
    return pl.DataFrame(records, schema=HEADER, orient="row").with_columns(ids.alias("身份证号码"))


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    path.write_bytes(("XX县农村低保台账" + "," * (len(HEADER) - 1) + "\n").encode() + frame.write_csv().encode())


def write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["XX县农村低保台账"])
    sheet.write_row(1, 0, HEADER)
    for index, row in enumerate(frame.iter_rows(), start=2):
        sheet.write_row(index, 0, row)
    workbook.close()


def bare_read(path: Path) -> float:
    started = time.perf_counter()
    if path.suffix == ".csv":
        pl.read_csv(path, skip_rows=1, infer_schema=False)
    else:
        fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_polars()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=None, help="rows for the .xlsx run (default: --rows)")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per format")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for suffix, rows in ((".csv", arguments.rows), (".xlsx", arguments.xlsx_rows or arguments.rows)):
            frame = ledger(rows)
            path = folder / f"ledger{suffix}"
            started = time.perf_counter()
            (write_csv if suffix == ".csv" else write_xlsx)(frame, path)
            written = time.perf_counter() - started
            bare = bare_read(path)
            engine = open_registry(arguments.database_url or f"sqlite:///{folder / f'bench{suffix}.sqlite'}")
            started = time.perf_counter()
            result = import_roster(engine, path, "dibao")
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = import_roster(engine, path, "dibao")
            second = time.perf_counter() - started
            print(
                f"{suffix:5s} {rows:>9,} rows ({path.stat().st_size / 1e6:.0f} MB, written in {written:.0f} s) | "
                f"bare read {bare:6.2f} s | import {first:6.2f} s = {rows / first:>9,.0f} rows/s "
                f"({first / bare:4.1f}x bare) | stored {result.rows_stored:,}, rejected {result.rows_rejected:,} | "
                f"re-import {second:6.2f} s, changed {again.rows_changed}"
            )
            engine.dispose()


if __name__ == "__main__":
    main()
