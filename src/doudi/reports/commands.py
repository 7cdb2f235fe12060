"""`doudi report posting | quarterly | charts`: public posting lists, the quarterly report, charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from doudi.policy.money import format_yuan
from doudi.registry.commands import DatabaseUrl
from doudi.registry.database import open_registry
from doudi.reports.fonts import FontMissing

console = Console()


def _fail(message: str) -> None:
    console.print(f"[red]错误：{message}[/red]")
    raise typer.Exit(1)


def _day(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else dt.date.today()
    except ValueError:
        raise typer.BadParameter(f"日期应写作 YYYY-MM-DD，例如 2020-07-01，而不是“{text}”") from None


def register(app: typer.Typer) -> None:
    report = typer.Typer(name="report", help="公示名单、季度报表与图表（PRO-3、SUP-1）。")

    @report.command("posting")
    def posting_command(
        village: Annotated[str, typer.Option("--village", help="村代码（12 位）")],
        out: Annotated[Path, typer.Option("--out", help="输出文件：.pdf 或 .html")],
        on: Annotated[str | None, typer.Option("--on", help="公示开始日期，默认今天")] = None,
        days: Annotated[int, typer.Option("--days", help="公示天数")] = 7,
        channel: Annotated[str | None, typer.Option("--channel", help="异议反映渠道（电话、地址）")] = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """生成某村低保、特困和建档立卡贫困户公示名单（只含姓名、人数、金额）。"""
        from doudi.reports.posting import DEFAULT_CHANNEL, posting_list, render_html, write_pdf

        try:
            posting = posting_list(open_registry(database_url), village, _day(on), days, channel or DEFAULT_CHANNEL)
            if out.suffix.lower() == ".pdf":
                write_pdf(posting, out)
            else:
                out.write_text(render_html(posting), encoding="utf-8")
        except (ValueError, FontMissing) as error:
            _fail(str(error))
            return
        console.print(f"已生成 {posting.village_name} 公示名单：{posting.entries.height} 条，写入 {out}")

    @report.command("quarterly")
    def quarterly_command(
        quarter: Annotated[str, typer.Option("--quarter", help="季度，如 2020Q3")],
        out: Annotated[Path | None, typer.Option("--out", help="输出 .xlsx")] = None,
        region: Annotated[str, typer.Option("--region", help="地区代码前缀")] = "",
        database_url: DatabaseUrl = None,
    ) -> None:
        """季度报表（SUP-1）：按乡镇的低保户数、人数、新增、退出、渐退、覆盖建档立卡户、发放金额、预警处置。"""
        from doudi.reports.quarterly import COLUMNS, Quarter, quarterly_report, write_quarterly_workbook

        try:
            parsed = Quarter.parse(quarter)
        except ValueError as error:
            _fail(str(error))
            return
        result = quarterly_report(open_registry(database_url), parsed, region)
        table = Table(title=f"{parsed}季度报表")
        for label in COLUMNS.values():
            table.add_column(label)
        for row in result.by_township.iter_rows(named=True):
            table.add_row(*[format_yuan(row[k]) if k == "paid_fen" else str(row[k]) for k in COLUMNS])
        console.print(table)
        c = result.comparisons
        console.print(f"名单比对 {c['runs']} 次，发现问题 {c['findings']} 条，部门确认 {c['confirmations']} 次")
        if out:
            write_quarterly_workbook(result, out)
            console.print(f"已写入 {out}")

    @report.command("charts")
    def charts_command(
        out: Annotated[Path, typer.Option("--out", help="输出目录")],
        on: Annotated[str | None, typer.Option("--on", help="收入与标准对比的日期，默认今天")] = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """图表（SVG 与 PNG）：按月人数与金额、各乡镇金额、家庭人均收入与低保标准。"""
        from doudi.reports.charts import write_charts

        try:
            paths = write_charts(open_registry(database_url), out, _day(on))
        except FontMissing as error:
            _fail(str(error))
            return
        for path in paths:
            console.print(f"已写入 {path}")

    @report.command("case-form")
    def case_form_command(
        case_id: Annotated[int, typer.Argument(help="申请案件编号（数字）")],
        out: Annotated[Path, typer.Option("--out", help="输出 .pdf")],
        database_url: DatabaseUrl = None,
    ) -> None:
        """打印申请审核审批表：家庭、成员、收入、调查核实记录、审核意见及依据、签字栏。"""
        from doudi.reports.forms import FormError, case_form_record, write_case_form

        try:
            write_case_form(case_form_record(open_registry(database_url), case_id), out)
        except (FormError, FontMissing) as error:
            _fail(str(error))
            return
        console.print(f"已写入 {out}")

    @report.command("signoff")
    def signoff_command(
        campaign_id: Annotated[int, typer.Argument(help="年度复核批次编号")],
        out: Annotated[Path, typer.Option("--out", help="输出 .pdf")],
        database_url: DatabaseUrl = None,
    ) -> None:
        """打印年度复核名单签字确认表（PRO-6）：县、乡两级负责人签字。"""
        from doudi.reports.forms import FormError, signoff_record, write_signoff_list

        try:
            write_signoff_list(signoff_record(open_registry(database_url), campaign_id), out)
        except (FormError, FontMissing) as error:
            _fail(str(error))
            return
        console.print(f"已写入 {out}")

    app.add_typer(report)
