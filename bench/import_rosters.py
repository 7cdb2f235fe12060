"""Import speed of a large dibao ledger, as .csv and as .xlsx, against a bare read of the same file.

    .venv/bin/python bench/import_rosters.py --rows 1000000 [--xlsx-rows N] [--database-url URL]

Writes a ledger of N member rows (~3 per household, a title row above the header), then for each format:
a bare read (calamine for .xlsx, Polars' CSV reader for .csv), the import into a fresh registry with its
phases (read, clean, diff, write, commit), and a second import of the same file (nothing changes). Then the
write floor: the rows the import stored, read back and written again into a fresh registry's same tables
with the same indexes by the same bulk path (executemany on SQLite, COPY on PostgreSQL), one transaction.
No import can write its rows faster than that, so it is the honest bound next to the bare read.

--database-url PostgreSQL: the bench empties that database (DROP SCHEMA public CASCADE) before each run.
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
from sqlalchemy import DateTime, Engine, insert, select

from doudi.ingest.importer import import_roster
from doudi.linkage.id_numbers import upgrade_15_to_18
from doudi.registry.bulk import fetch_frame, insert_frame
from doudi.registry.database import make_engine, open_registry
from doudi.registry.models import ImportBatch
from doudi.registry.store import column_type, fit_to_table, table

# What an import of a dibao ledger writes, parents first.
WRITTEN = ("households", "members", "enrollments", "roster_memberships")

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


def fresh_registry(url: str | None, folder: Path, name: str) -> Engine:
    if url is None:
        return open_registry(f"sqlite:///{folder / f'{name}.sqlite'}")
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return open_registry(url)


def stored_rows(engine: Engine) -> dict[str, pl.DataFrame]:
    """The imported rows as the tables hold them, without database-numbered ids and the batch reference."""
    frames = {}
    with engine.connect() as connection:
        for name in WRITTEN:
            columns = [c for c in table(name).columns if not (c.primary_key and c.autoincrement is True)]
            # Timestamps are set anew when written, as the import does.
            columns = [c for c in columns if c.name != "batch_id" and not isinstance(c.type, DateTime)]
            kinds = {c.name: column_type(c) for c in columns}
            frames[name] = fetch_frame(connection, select(*columns).order_by(*table(name).primary_key), kinds)
    return frames


def write_floor(engine: Engine, frames: dict[str, pl.DataFrame]) -> float:
    """Seconds to write `frames` into `engine`'s (empty) tables in one transaction, commit included."""
    started = time.perf_counter()
    with engine.begin() as connection:
        batch = connection.execute(
            insert(ImportBatch).values(file_name="floor", sha256="", source_kind="dibao").returning(ImportBatch.id)
        ).scalar_one()
        for name in WRITTEN:
            frame = fit_to_table(name, frames[name])
            insert_frame(
                connection,
                name,
                frame.with_columns(pl.lit(batch).alias("batch_id")) if name == "roster_memberships" else frame,
            )
    return time.perf_counter() - started


def phases(seconds: dict[str, float]) -> str:
    return " ".join(f"{phase} {value:.1f}" for phase, value in seconds.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=None, help="rows for the .xlsx run (default: --rows)")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per format")
    parser.add_argument("--formats", nargs="+", default=[".csv", ".xlsx"], choices=[".csv", ".xlsx"])
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for suffix in arguments.formats:
            rows = arguments.rows if suffix == ".csv" else arguments.xlsx_rows or arguments.rows
            frame = ledger(rows)
            path = folder / f"ledger{suffix}"
            started = time.perf_counter()
            (write_csv if suffix == ".csv" else write_xlsx)(frame, path)
            written = time.perf_counter() - started
            bare = bare_read(path)
            engine = fresh_registry(arguments.database_url, folder, f"bench{suffix}")
            started = time.perf_counter()
            result = import_roster(engine, path, "dibao")
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = import_roster(engine, path, "dibao")
            second = time.perf_counter() - started
            frames = stored_rows(engine)
            engine.dispose()
            engine = fresh_registry(arguments.database_url, folder, f"floor{suffix}")
            floor = write_floor(engine, frames)
            engine.dispose()
            print(
                f"{suffix:5s} {rows:>9,} rows ({path.stat().st_size / 1e6:.0f} MB, written in {written:.0f} s) on "
                f"{engine.dialect.name} | bare read {bare:6.2f} s | import {first:6.2f} s = {rows / first:>9,.0f} "
                f"rows/s ({first / bare:4.1f}x bare read) [{phases(result.seconds)}] | stored {result.rows_stored:,}, "
                f"rejected {result.rows_rejected:,}\n"
                f"      write floor (same rows, same tables, bare bulk insert) {floor:6.2f} s; "
                f"bare read + floor {bare + floor:6.2f} s = {(bare + floor) / bare:4.1f}x bare read; "
                f"import / (bare read + floor) {first / (bare + floor):4.2f}\n"
                f"      re-import {second:6.2f} s ({second / bare:4.1f}x bare read) [{phases(again.seconds)}], "
                f"changed {again.rows_changed}",
                flush=True,
            )


if __name__ == "__main__":
    main()
