"""`doudi id check` and `doudi id upgrade`: ID numbers in a spreadsheet, checked or upgraded in one go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from doudi.ingest.errors import ImportRejected
from doudi.ingest.excel import decode_text
from doudi.linkage import id_numbers

FileArgument = Annotated[Path, typer.Argument(help="名单文件：.csv（UTF-8 或 GBK）或 .xlsx")]
ColumnOption = Annotated[str, typer.Option("--column", "-c", help="身份证号码所在列的列名")]
DEFAULT_COLUMN = "身份证号码"


class UnreadableFile(Exception):
    """The input file cannot be read; the message is for users, in Chinese."""


def read_table(path: Path) -> pl.DataFrame:
    """Read a .csv (UTF-8, UTF-8 with BOM or GBK, detected) or .xlsx/.xls file, every column as text."""
    if not path.exists():
        raise UnreadableFile(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pl.read_csv(decode_text(path.read_bytes()).encode("utf-8"), infer_schema=False)
        if suffix in (".xlsx", ".xls", ".xlsm"):
            # Read as text so long ID numbers never become floats.
            return pl.read_excel(path, engine="calamine", infer_schema_length=0)
    except ImportRejected as error:  # neither UTF-8 nor GBK
        raise UnreadableFile(f"无法识别文件编码（应为UTF-8或GBK）：{path}") from error
    except Exception as error:  # calamine and the CSV reader raise many kinds; users need one message
        raise UnreadableFile(f"无法读取文件 {path}：{error}") from error
    raise UnreadableFile(f"不支持的文件类型“{path.suffix}”：请使用 .csv 或 .xlsx")


def write_table(frame: pl.DataFrame, path: Path) -> None:
    if path.suffix.lower() == ".xlsx":
        frame.write_excel(path, autofit=True)
    else:
        # UTF-8 with BOM so that Excel on Windows opens the Chinese text correctly.
        path.write_bytes(b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8"))


def _load(path: Path, column: str, console: Console) -> pl.DataFrame:
    try:
        frame = read_table(path)
    except UnreadableFile as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    if column not in frame.columns:
        console.print(f"[red]文件中没有“{column}”列。现有列：{'、'.join(frame.columns)}[/red]")
        raise typer.Exit(2)
    return frame


def check_command(
    file: FileArgument,
    column: ColumnOption = DEFAULT_COLUMN,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="逐行结果写入 .csv 或 .xlsx")] = None,
) -> None:
    """逐行检查身份证号码（GB 11643-1999）：长度、出生日期、校验位。"""
    console = Console()
    frame = _load(file, column, console)
    normalized = id_numbers.normalize(frame[column])
    checked = id_numbers.check(normalized)
    report = frame.with_row_index("行号", offset=2).select(  # row 1 is the header, as users see it in Excel
        "行号",
        pl.col(column).alias("原始号码"),
        normalized.alias("规范化号码"),
        checked["valid"].alias("是否有效"),
        checked["reason"].alias("问题"),
    )
    valid = int(checked["valid"].sum())
    table = Table(title=f"身份证号码检查：{file.name}")
    table.add_column("项目")
    table.add_column("数量", justify="right")
    table.add_row("总行数", str(report.height))
    table.add_row("有效", str(valid))
    table.add_row("无效", str(report.height - valid))
    for reason, count in (
        report.filter(~pl.col("是否有效")).group_by("问题").len().sort("len", descending=True).iter_rows()
    ):
        table.add_row(f"  {reason}", str(count))
    console.print(table)
    if out is not None:
        write_table(report.with_columns(pl.col("是否有效").replace_strict({True: "是", False: "否"})), out)
        console.print(f"逐行结果已写入 {out}")


def upgrade_command(
    file: FileArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件 .csv 或 .xlsx")],
    column: ColumnOption = DEFAULT_COLUMN,
) -> None:
    """把15位旧身份证号码升级为18位，原号码保存在“原身份证号码”列。"""
    console = Console()
    frame = _load(file, column, console)
    normalized = id_numbers.normalize(frame[column])
    is_15 = (normalized.str.len_chars() == 15).fill_null(False)
    upgraded = id_numbers.upgrade_15_to_18(normalized)
    converted = upgraded.is_not_null() & is_15
    result = frame.with_columns(
        pl.when(converted).then(upgraded).otherwise(pl.col(column)).alias(column),
        pl.when(converted).then(pl.col(column)).alias("原身份证号码"),
    )
    write_table(result, out)
    failed = int((is_15 & ~converted).sum())
    console.print(f"共 {frame.height} 行，升级 {int(converted.sum())} 个15位号码，已写入 {out}")
    if failed:
        console.print(f"[yellow]{failed} 个15位号码含非数字字符，未升级[/yellow]")


def register(app: typer.Typer) -> None:
    id_app = typer.Typer(help="身份证号码：校验、15位升18位。", no_args_is_help=True)
    id_app.command("check")(check_command)
    id_app.command("upgrade")(upgrade_command)
    app.add_typer(id_app, name="id")
