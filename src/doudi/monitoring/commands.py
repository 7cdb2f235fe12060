"""`doudi feed import`, `doudi monitor run|schedule|alerts|handle|history`, `doudi watch list|reconcile`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from doudi.cli import parse_day
from doudi.ingest.errors import ImportRejected
from doudi.policy.money import format_yuan
from doudi.registry.commands import DatabaseUrl
from doudi.registry.database import open_registry
from doudi.rules.explain import chinese_date

OnOption = Annotated[str | None, typer.Option("--on", help="比对日期（YYYY-MM-DD），默认今天")]
RegionOption = Annotated[str | None, typer.Option("--region", help="区划代码前缀（县、乡镇或村）")]
ByOption = Annotated[str, typer.Option("--by", help="经办人（记入审计记录）")]


def _fail(message: str) -> None:
    Console().print(f"[red]{message}[/red]")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    feed = typer.Typer(
        help="导入民政以外部门推送的数据（医疗、残联、死亡、失业、教育、住房、灾害）。", no_args_is_help=True
    )
    monitor = typer.Typer(help="监测预警：运行预警规则、查看和处理预警、家庭风险记录。", no_args_is_help=True)
    watch = typer.Typer(help="“三个一万人”监测名单与对帐销号。", no_args_is_help=True)
    app.add_typer(feed, name="feed")
    app.add_typer(monitor, name="monitor")
    app.add_typer(watch, name="watch")

    @feed.command("import")
    def feed_import(
        kind: Annotated[str, typer.Argument(help="medical|disability|death|unemployment|education|housing|disaster")],
        file: Annotated[Path, typer.Argument(help="部门数据文件：.xlsx、.xls 或 .csv")],
        errors: Annotated[Path | None, typer.Option("--errors", help="错误报告保存位置")] = None,
        by: ByOption = "系统",
        database_url: DatabaseUrl = None,
    ) -> None:
        """导入一份部门数据；逐行校验，错误行写入错误报告，重复导入不会重复保存。"""
        from doudi.monitoring.feeds import FEEDS, import_feed

        try:
            result = import_feed(open_registry(database_url), kind, file, error_report=errors, by=by)
        except ImportRejected as rejected:
            _fail(f"导入失败：{rejected.message}")
            return
        table = Table(title=f"{FEEDS[kind].label}：{file.name}")
        table.add_column("项目")
        table.add_column("数量", justify="right")
        for label, count in (
            ("读取行数", result.rows_read),
            ("新保存", result.rows_stored),
            ("此前已导入（未重复保存）", result.rows_duplicate),
            ("错误行（未导入）", result.rows_rejected),
            ("登记系统中未找到此人（已保存，待核实）", result.unmatched),
        ):
            table.add_row(label, str(count))
        Console().print(table)
        if result.error_report:
            Console().print(f"错误报告：{result.error_report}")

    @monitor.command("run")
    def monitor_run(
        on: OnOption = None, region: RegionOption = None, by: ByOption = "系统", database_url: DatabaseUrl = None
    ) -> None:
        """对登记系统和部门数据运行全部预警规则（MON-2、MON-4、EXIT-4），更新监测名单（MON-1）。"""
        from doudi.monitoring.run import run_monitor
        from doudi.monitoring.watch_lists import LISTS

        result = run_monitor(open_registry(database_url), parse_day(on), region, by)
        console = Console()
        console.print(
            f"{chinese_date(result.on)} 监测比对：{result.households} 户，新预警 {result.alerts_raised} 条，"
            f"已有预警再次命中 {result.alerts_known} 条（未重复生成）"
        )
        console.print("；".join(f"{LISTS[k]} {v} 户" for k, v in result.watch.items()))
        if result.errors.height:
            console.print(f"[yellow]{result.errors.height} 户无法评估（缺少标准或政策配置）[/yellow]")

    @monitor.command("schedule")
    def monitor_schedule(on: OnOption = None, region: RegionOption = None, database_url: DatabaseUrl = None) -> None:
        """按政策配置的比对周期（MON-6，吉林2020：至少每月一次）检查是否到期，到期则运行。供每日定时任务调用。"""
        from doudi.monitoring.schedule import run_if_due

        due, result = run_if_due(open_registry(database_url), parse_day(on), region)
        console = Console()
        if due.every_months is None:
            console.print("当前适用的政策配置均未启用监测预警")
        elif result is None:
            assert due.next_run is not None
            last = chinese_date(due.last_run) if due.last_run else "—"
            console.print(f"未到比对时间：上次 {last}，下次 {chinese_date(due.next_run)}")
        else:
            console.print(f"已运行监测比对：新预警 {result.alerts_raised} 条（每 {due.every_months} 个月至少一次）")

    @monitor.command("alerts")
    def monitor_alerts(
        village: Annotated[str | None, typer.Option("--village", help="村代码")] = None,
        township: Annotated[str | None, typer.Option("--township", help="乡镇代码")] = None,
        region: RegionOption = None,
        overdue: Annotated[bool, typer.Option("--overdue", help="只看逾期未办（上报县级）的预警")] = False,
        all_: Annotated[bool, typer.Option("--all", help="包括已办结的预警")] = False,
        on: OnOption = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """列出预警：风险分从高到低，逾期未办的标为“县级督办”。"""
        from doudi.monitoring.alerts import AlertFilter, list_alerts
        from doudi.rules.explain import mask_id

        day = parse_day(on)
        rows = list_alerts(
            open_registry(database_url),
            AlertFilter(
                village=village,
                township=township,
                region_prefix=region,
                overdue_on=day if overdue else None,
                status=None if all_ else "open",
            ),
        )
        table = Table(title=f"监测预警（{len(rows)} 条）")
        for column in ("编号", "家庭", "人员", "预警", "依据", "风险分", "建议措施", "期限", "状态", "证据"):
            table.add_column(column)
        for a in rows:
            overdue_now = a["status"] == "open" and a["deadline"] < day
            state = "县级督办（逾期）" if overdue_now else ("待处理" if a["status"] == "open" else a["outcome_label"])
            table.add_row(
                str(a["id"]),
                a["household_id"],
                mask_id(a["person_key"]) or "",
                a["rule_label"],
                f"{a['policy_id']} {a['clause']}",
                str(a["risk_score"]),
                a["action_label"],
                chinese_date(a["deadline"]),
                state,
                a["evidence"],
            )
        Console().print(table)

    @monitor.command("handle")
    def monitor_handle(
        alert: Annotated[int, typer.Argument(help="预警编号")],
        outcome: Annotated[
            str, typer.Option("--outcome", help="assisted（已救助）|referred（已转介）|no_action（无需救助）")
        ],
        by: Annotated[str, typer.Option("--by", help="经办人")],
        reason: Annotated[str | None, typer.Option("--reason", help="处理情况或理由（无需救助时必填）")] = None,
        on: OnOption = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """登记预警的处理结果（MON-5）。"""
        from doudi.monitoring.alerts import AlertError, handle_alert

        try:
            row = handle_alert(open_registry(database_url), alert, outcome, by, reason, parse_day(on))
        except AlertError as error:
            _fail(str(error))
            return
        Console().print(
            f"预警 {row['id']} 已办结：{row['outcome_label']}（{row['handled_by']}，{chinese_date(row['handled_on'])}）"
        )

    @monitor.command("history")
    def monitor_history(
        household: Annotated[str, typer.Argument(help="家庭编号")],
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
        database_url: DatabaseUrl = None,
    ) -> None:
        """一户家庭的风险记录：历次比对的收入与风险分、预警及处理、部门数据、监测名单。"""
        from doudi.monitoring.history import household_history

        history = household_history(open_registry(database_url), household)
        console = Console()
        if as_json:
            console.print_json(json.dumps(history, default=str, ensure_ascii=False))
            return
        if not (history["runs"] or history["alerts"] or history["events"]):
            _fail(f"没有家庭 {household} 的监测记录")
        runs = Table(title=f"家庭 {household} 历次监测比对")
        for column in ("日期", "月人均收入", "低保标准（月人均）", "风险分"):
            runs.add_column(column)
        for r in history["runs"]:
            runs.add_row(
                chinese_date(r["on"]),
                format_yuan(r["per_capita_monthly_fen"]),
                format_yuan(r["standard_monthly_fen"]),
                str(r["risk_score"]),
            )
        console.print(runs)
        alerts = Table(title="预警与处理")
        for column in ("日期", "预警", "依据", "风险分", "证据", "处理结果"):
            alerts.add_column(column)
        for a in history["alerts"]:
            done = (
                f"{a['outcome_label']}：{a['reason'] or ''}（{a['handled_by']}）"
                if a["status"] == "handled"
                else "待处理"
            )
            alerts.add_row(
                chinese_date(a["raised_on"]),
                a["rule_label"],
                f"{a['policy_id']} {a['clause']}",
                str(a["risk_score"]),
                a["evidence"],
                done,
            )
        console.print(alerts)
        for e in history["events"]:
            console.print(f"{chinese_date(e['on'])} {e['kind_label']}：{e['name']}（{e['person']}）{e['detail'] or ''}")
        for w in history["watch"]:
            state = f"已销号（{chinese_date(w['closed_on'])}，{w['closed_by']}）" if w["closed_on"] else "未销号"
            console.print(f"{w['list_label']}：{w['reason']}；{state}")

    @watch.command("list")
    def watch_list_command(
        name: Annotated[
            str, typer.Argument(help="remaining_poor（剩余贫困人口）|return_risk（返贫风险）|edge（边缘人口）")
        ],
        region: RegionOption = None,
        all_: Annotated[bool, typer.Option("--all", help="包括已销号的")] = False,
        database_url: DatabaseUrl = None,
    ) -> None:
        """列出监测名单：每户是否已保障（低保、特困、临时救助）及原因（MON-1）。"""
        from doudi.monitoring.watch_lists import COVERAGE, LISTS, WatchError, watch_list

        try:
            rows = watch_list(open_registry(database_url), name, region, open_only=not all_)
        except WatchError as error:
            _fail(str(error))
            return
        covered = sum(1 for r in rows if r["coverage"] != "none")
        table = Table(title=f"{LISTS[name]}：{len(rows)} 户，已保障 {covered} 户，未保障 {len(rows) - covered} 户")
        for column in ("家庭", "村", "人数", "保障情况", "原因", "状态"):
            table.add_column(column)
        for r in rows:
            state = f"已销号 {chinese_date(r['closed_on'])}" if r["closed_on"] else "未销号"
            table.add_row(
                r["household_id"],
                r["village_code"] or "",
                str(r["persons"]),
                COVERAGE[r["coverage"]],
                r["reason"],
                state,
            )
        Console().print(table)

    @watch.command("reconcile")
    def watch_reconcile(
        name: Annotated[str, typer.Argument(help="remaining_poor|return_risk|edge")],
        by: Annotated[str, typer.Option("--by", help="经办人")],
        household: Annotated[list[str] | None, typer.Option("--household", help="逐户销号的家庭编号（可多次）")] = None,
        note: Annotated[str | None, typer.Option("--note", help="核实情况（逐户销号时必填）")] = None,
        on: OnOption = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """对帐销号：不指定家庭时，已保障或已不在名单内的自动销号；其余逐户填写核实情况后销号。"""
        from doudi.monitoring.watch_lists import LISTS, WatchError, reconcile

        try:
            counts = reconcile(
                open_registry(database_url), name, by, household_ids=household, note=note, on=parse_day(on)
            )
        except WatchError as error:
            _fail(str(error))
            return
        Console().print(f"{LISTS[name]}：本次销号 {counts['closed']} 户，尚未销号 {counts['open']} 户")
