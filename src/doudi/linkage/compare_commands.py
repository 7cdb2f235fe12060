"""`doudi compare …`: compare the dibao roster with the registered-poor roster, record the run, write the
workbook; `doudi compare confirm RUN --department … --by …` and `doudi compare runs`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from doudi.cli import parse_day
from doudi.ingest.errors import ImportRejected
from doudi.registry.commands import DatabaseUrl
from doudi.registry.database import open_registry

_FORMATS = "（.xlsx、.xls 或 .csv，UTF-8 / GBK）"


def _roster_option(what: str) -> object:
    return typer.Option(help=f"{what}{_FORMATS}")


def _dates(values: list[str]) -> dict[str, dt.date]:
    """--date dibao=2020-06-30 --date poor=2020-03-31 -> {source: date}."""
    dates: dict[str, dt.date] = {}
    for value in values:
        source, _, text = value.partition("=")
        try:
            dates[source.strip()] = dt.date.fromisoformat(text.strip())
        except ValueError:
            raise typer.BadParameter(
                f"名单日期应写作 名单=YYYY-MM-DD，例如 dibao=2020-06-30，而不是“{value}”"
            ) from None
    return dates


def register(app: typer.Typer) -> None:
    compare = typer.Typer(name="compare", help="低保与建档立卡名单比对（DYN-1、DYN-2）。", invoke_without_command=True)

    @compare.callback()
    def run(
        context: typer.Context,
        dibao: Annotated[Path | None, _roster_option("低保名单")] = None,
        poor: Annotated[Path | None, _roster_option("建档立卡贫困人口名单")] = None,
        tekun: Annotated[Path | None, _roster_option("特困人员名单")] = None,
        disabled: Annotated[Path | None, _roster_option("残疾人名单")] = None,
        deaths: Annotated[Path | None, _roster_option("死亡人员名单（含死亡日期）")] = None,
        officials: Annotated[Path | None, _roster_option("村干部名单（含职务、村）")] = None,
        registry: Annotated[bool, typer.Option("--registry", help="使用登记库中已导入的名单")] = False,
        profile: Annotated[str, typer.Option(help="政策配置，如 jilin-2020")] = "jilin-2020",
        on: Annotated[str | None, typer.Option(help="评估日期 YYYY-MM-DD，默认今天")] = None,
        region: Annotated[str | None, typer.Option(help="名单无村代码时使用的县级区划代码，如 220182")] = None,
        date: Annotated[list[str] | None, typer.Option(help="名单日期，如 dibao=2020-06-30（可多次）")] = None,
        out: Annotated[Path, typer.Option(help="结果工作簿 .xlsx")] = Path("比对结果.xlsx"),
        database_url: DatabaseUrl = None,
    ) -> None:
        """比对低保名单与建档立卡名单，按乡镇、村列出各类问题，并记录本次比对。"""
        if context.invoked_subcommand is not None:
            return
        from doudi.linkage.service import CompareRequest, run_comparison

        files = {
            "dibao": dibao,
            "poor": poor,
            "tekun": tekun,
            "disabled": disabled,
            "deaths": deaths,
            "officials": officials,
        }
        given = {source: path for source, path in files.items() if path is not None}
        if not registry and ("dibao" not in given or "poor" not in given):
            raise typer.BadParameter("请同时提供 --dibao 和 --poor 名单文件，或使用 --registry")
        request = CompareRequest(
            files=given,
            use_registry=registry,
            profile=profile,
            on=parse_day(on),
            region_code=region,
            dates=_dates(date or []),
            out=out,
        )
        console = Console()
        engine = open_registry(database_url)
        try:
            outcome = run_comparison(engine, request)
        except ImportRejected as rejected:
            console.print(f"[red]比对未进行：{rejected.message}[/red]")
            raise typer.Exit(1) from None
        finally:
            engine.dispose()  # SQLite in WAL mode: release the file for the next command in this process
        _print_outcome(console, outcome)

    @compare.command("confirm")
    def confirm_command(
        run_id: Annotated[int, typer.Argument(help="比对编号")],
        department: Annotated[str, typer.Option(help="civil_affairs（民政部门）或 poverty_office（扶贫部门）")],
        by: Annotated[str, typer.Option(help="确认人姓名")],
        database_url: DatabaseUrl = None,
    ) -> None:
        """由民政部门或扶贫部门确认一次比对结果（双方均确认后方为共同确认，DYN-2）。"""
        from doudi.linkage.runs import DEPARTMENTS, ConfirmationRejected, confirm

        console = Console()
        engine = open_registry(database_url)
        try:
            done = confirm(engine, run_id, department, by)
        except ConfirmationRejected as rejected:
            console.print(f"[red]{rejected}[/red]")
            raise typer.Exit(1) from None
        finally:
            engine.dispose()
        names = "、".join(f"{DEPARTMENTS[d]}（{who}）" for d, who in done.items())
        if set(done) == set(DEPARTMENTS):
            console.print(f"第{run_id}次比对已由{names}共同确认")
        else:
            missing = "、".join(DEPARTMENTS[d] for d in DEPARTMENTS if d not in done)
            console.print(f"第{run_id}次比对已由{names}确认，尚待{missing}确认")

    @compare.command("runs")
    def runs_command(database_url: DatabaseUrl = None) -> None:
        """列出已记录的比对及其确认情况。"""
        from sqlalchemy import select

        from doudi.linkage.runs import DEPARTMENTS, confirmations
        from doudi.registry.comparison_runs import ComparisonRun

        engine = open_registry(database_url)
        table = Table(title="名单比对记录")
        for header in ("编号", "时间", "政策配置", "问题数", "确认"):
            table.add_column(header)
        with engine.connect() as connection:
            query = select(ComparisonRun.id, ComparisonRun.created_at, ComparisonRun.profile, ComparisonRun.counts)
            for run_id, created_at, profile_id, counts_json in connection.execute(query.order_by(ComparisonRun.id)):
                counts = json.loads(counts_json)
                problems = sum(v for k, v in counts.items() if k not in ("overlap", "no_finding", "rejected"))
                done = confirmations(connection, run_id)
                state = (
                    "共同确认" if set(done) == set(DEPARTMENTS) else "、".join(DEPARTMENTS[d] for d in done) or "未确认"
                )
                table.add_row(str(run_id), f"{created_at:%Y-%m-%d %H:%M}", profile_id, str(problems), state)
        engine.dispose()
        Console().print(table)

    app.add_typer(compare)


def _print_outcome(console: Console, outcome: object) -> None:
    from doudi.linkage.categories import CATEGORIES, sheet_name
    from doudi.linkage.service import CompareOutcome

    assert isinstance(outcome, CompareOutcome)
    counts = outcome.result.counts()
    table = Table(title=f"第{outcome.run.run_id}次名单比对")
    table.add_column("类别")
    table.add_column("户（人）数", justify="right")
    table.add_column("较上次新增", justify="right")
    table.add_column("较上次解决", justify="right")
    changes = outcome.run.changes
    for category in CATEGORIES:
        new = changes.filter((changes["category"] == category) & (changes["change"] == "new")).height
        resolved = changes.filter((changes["category"] == category) & (changes["change"] == "resolved")).height
        table.add_row(sheet_name(category), str(counts.get(category, 0)), str(new), str(resolved))
    table.add_row("无法比对的行", str(counts["rejected"]), "", "")
    console.print(table)
    for warning in outcome.result.warnings:
        console.print(f"[yellow]提示：{warning}[/yellow]")
    console.print(f"结果已写入 {outcome.report}")
    console.print(
        f"确认：doudi compare confirm {outcome.run.run_id} --department civil_affairs|poverty_office --by 姓名"
    )
