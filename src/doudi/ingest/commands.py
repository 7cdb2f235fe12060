"""`doudi import dibao|poor|disabled FILE` and `doudi export registry|dibao|poor --out FILE`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from doudi.ingest.errors import ImportRejected
from doudi.registry.commands import DatabaseUrl
from doudi.registry.database import open_registry

_SOURCE_NAMES = {"dibao": "低保", "poor": "建档立卡贫困户", "disabled": "残疾人"}

FileArgument = Annotated[Path, typer.Argument(help="台账文件：.xlsx、.xls 或 .csv（UTF-8 / GBK）")]
MappingOption = Annotated[
    Path | None, typer.Option("--mapping", help="表头映射文件（YAML 或 CSV：表头 → 字段），用于非标准表头")
]
ErrorsOption = Annotated[
    Path | None, typer.Option("--errors", help="错误报告保存位置（.xlsx 或 .csv），默认与原文件同目录")
]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="名单日期（YYYY-MM-DD），默认今天")]
RegionOption = Annotated[
    str | None, typer.Option("--region", help="无村代码时使用的县级区划代码，默认取户主身份证号前6位")
]


def _run_import(
    source: str,
    file: Path,
    mapping: Path | None,
    errors: Path | None,
    as_of: str | None,
    region: str | None,
    database_url: str | None,
) -> None:
    from doudi.ingest.importer import import_roster

    console = Console()
    try:
        engine = open_registry(database_url)
        result = import_roster(
            engine,
            file,
            source,
            mapping=mapping,
            error_report=errors,
            as_of=dt.date.fromisoformat(as_of) if as_of else None,
            region_code=region,
        )
    except ImportRejected as rejected:
        console.print(f"[red]导入失败：{rejected.message}[/red]")
        raise typer.Exit(1) from None
    table = Table(title=f"{_SOURCE_NAMES[source]}名单导入：{file.name}")
    table.add_column("项目")
    table.add_column("数量", justify="right")
    table.add_row("读取行数", str(result.rows_read))
    table.add_row("已保存", str(result.rows_stored))
    table.add_row("有错误未导入", str(result.rows_rejected))
    table.add_row("内容有变化的记录", str(result.rows_changed))
    table.add_row("新增家庭", str(result.households_added))
    table.add_row("新增人员", str(result.members_added))
    console.print(table)
    if result.error_report:
        console.print(f"[yellow]错误报告：{result.error_report}[/yellow]")


def register(app: typer.Typer) -> None:
    importer = typer.Typer(name="import", help="导入各部门台账（Excel / CSV）。", no_args_is_help=True)

    def command(source: str) -> None:
        def run(
            file: FileArgument,
            mapping: MappingOption = None,
            errors: ErrorsOption = None,
            as_of: AsOfOption = None,
            region: RegionOption = None,
            database_url: DatabaseUrl = None,
        ) -> None:
            _run_import(source, file, mapping, errors, as_of, region, database_url)

        run.__doc__ = f"导入{_SOURCE_NAMES[source]}台账。"
        importer.command(source)(run)

    for source in _SOURCE_NAMES:
        command(source)
    app.add_typer(importer)

    @app.command("export")
    def export_command(
        kind: Annotated[str, typer.Argument(help="registry（全部家庭）、dibao（低保）或 poor（建档立卡）")],
        out: Annotated[Path, typer.Option("--out", help="输出文件（.xlsx 或 .csv）")],
        region: Annotated[str | None, typer.Option("--region", help="只导出此区划代码开头的家庭")] = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """按台账格式导出（中文表头，Excel 与 WPS 可直接打开）。"""
        from doudi.ingest.export import export_ledger

        try:
            count = export_ledger(open_registry(database_url), kind, out, region)
        except ImportRejected as rejected:
            Console().print(f"[red]导出失败：{rejected.message}[/red]")
            raise typer.Exit(1) from None
        Console().print(f"已导出 {count} 人到 {out}")
