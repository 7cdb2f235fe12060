"""Reading a ledger file into raw string cells, whatever it is: .xlsx/.xls via calamine, or CSV in
UTF-8, UTF-8 with BOM or GBK. Nothing is interpreted here; every cell stays text."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from doudi.ingest.errors import ImportRejected

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


@dataclass(frozen=True)
class RawSheet:
    cells: pl.DataFrame  # all columns String, named c0, c1, …
    first_row_number: int  # the spreadsheet row number (1-based) of cells' first row


def read_sheet(path: Path) -> RawSheet:
    if not path.exists():
        raise ImportRejected(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        return _read_workbook(path)
    raise ImportRejected(f"不支持的文件类型“{path.suffix}”：请提供 .xlsx、.xls 或 .csv 文件")


def _named(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({old: f"c{i}" for i, old in enumerate(frame.columns)})


def _read_workbook(path: Path) -> RawSheet:
    with path.open("rb") as handle:
        magic = handle.read(8)
    if not (magic.startswith(_ZIP_MAGIC) or magic == _OLE_MAGIC):
        raise ImportRejected(
            f"文件“{path.name}”不是有效的Excel文件（可能是改了扩展名的其他文件），请在Excel或WPS中另存为.xlsx后重新导入"
        )
    try:
        sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string")
        cells = sheet.to_polars()
    except Exception as error:
        raise ImportRejected(f"无法读取Excel文件“{path.name}”：文件已损坏或格式不受支持（{error}）") from error
    first_row = _first_row_number(path) if magic.startswith(_ZIP_MAGIC) else 1
    return RawSheet(_named(cells), first_row)


def _first_row_number(path: Path) -> int:
    """calamine drops empty rows above the first filled cell; read the first cell reference to know how many."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            first_id = re.search(r"<sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
            relations = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            target = "worksheets/sheet1.xml"
            if first_id:
                found = re.search(rf"<Relationship\b[^>]*Id=\"{first_id.group(1)}\"[^>]*>", relations)
                if found and (t := re.search(r"Target=\"([^\"]+)\"", found.group(0))):
                    target = t.group(1).lstrip("/").removeprefix("xl/")
            with archive.open(f"xl/{target}") as sheet:
                head = sheet.read(1 << 20).decode("utf-8", "ignore")
    except (KeyError, zipfile.BadZipFile):
        return 1
    for cell in re.finditer(r"<c\b[^>]*\br=\"[A-Z]+(\d+)\"[^>]*?(/>|>(.*?)</c>)", head, re.S):
        if cell.group(3) and ("<v>" in cell.group(3) or "<is>" in cell.group(3) or "<v " in cell.group(3)):
            return int(cell.group(1))
    return 1


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (GBK's superset)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise ImportRejected("无法识别CSV文件的编码：请保存为UTF-8或GBK编码") from error


def _first_lines(data: bytes, count: int) -> str:
    end = 0
    for _ in range(count):
        found = data.find(b"\n", end)
        if found < 0:
            return data.decode("utf-8")
        end = found + 1
    return data[:end].decode("utf-8")


def _read_csv(path: Path) -> RawSheet:
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        return _parse_csv(path, data)
    except _NotUtf8:
        # County PCs save CSV as GBK, read as its superset GB18030.
        return _parse_csv(path, decode_text(data).encode("utf-8"))


class _NotUtf8(Exception):
    pass


def _parse_csv(path: Path, data: bytes) -> RawSheet:
    """UTF-8 `data` as a frame of String cells; _NotUtf8 for other bytes (Polars checks every cell it reads,
    so a UTF-8 file is not decoded into Python text first)."""
    # Title lines above the header have fewer fields; size the frame by the widest of the first lines.
    try:
        head = list(csv.reader(io.StringIO(_first_lines(data, 50))))
    except UnicodeDecodeError as error:
        raise _NotUtf8 from error
    width = max((len(fields) for fields in head), default=0)
    if width == 0:
        raise ImportRejected(f"文件“{path.name}”是空的")
    try:
        cells = pl.read_csv(
            data,
            has_header=False,
            schema={f"c{i}": pl.String() for i in range(width)},
            truncate_ragged_lines=True,
            missing_columns="insert",
        )
    except pl.exceptions.NoDataError as error:
        raise ImportRejected(f"文件“{path.name}”是空的") from error
    except Exception as error:
        if "utf-8" in str(error).lower():
            raise _NotUtf8 from error
        raise ImportRejected(f"无法读取CSV文件“{path.name}”（{error}）") from error
    return RawSheet(_named(cells), 1)
