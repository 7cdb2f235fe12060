"""`doudi pay roll | reconcile | budget | accounts`: monthly payment rolls, bank files, reconciliation, budget."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from doudi.payments.accounts import fill_synthetic_accounts, mask_account
from doudi.payments.approval import approve_roll, payment_roll
from doudi.payments.bank import reconcile, write_bank_file
from doudi.payments.budget import budget, budget_summary
from doudi.payments.months import PaymentError, parse_month
from doudi.payments.roll_workbook import region_names, totals, write_roll_workbook
from doudi.policy.money import format_yuan
from doudi.registry.commands import DatabaseUrl
from doudi.registry.database import open_registry
from doudi.rules.explain import chinese_month, mask_id

console = Console()
Region = Annotated[str, typer.Option("--region", help="地区代码前缀（县 6 位、乡镇 9 位、村 12 位），默认全部")]


def _fail(message: str) -> None:
    console.print(f"[red]错误：{message}[/red]")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    pay = typer.Typer(
        name="pay", help="救助资金发放：月度花名册、银行代发文件、对账、资金预算（COV-2、COV-3、COV-7）。"
    )

    @pay.command("roll")
    def roll_command(
        month: Annotated[str, typer.Option("--month", help="发放月份，如 2020-07")],
        region: Region = "",
        approve: Annotated[bool, typer.Option("--approve", help="审批并冻结本月花名册")] = False,
        by: Annotated[str, typer.Option("--by", help="审批人姓名（与 --approve 同用）")] = "",
        out: Annotated[Path | None, typer.Option("--out", help="导出花名册 .xlsx")] = None,
        bank_file: Annotated[Path | None, typer.Option("--bank-file", help="生成银行代发文件 .csv（须已审批）")] = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """生成某月发放花名册：保障金、分类施保金、渐退金额、补发、停发；可审批冻结、导出、生成银行文件。"""
        try:
            engine = open_registry(database_url)
            month = parse_month(month)
            roll = approve_roll(engine, month, region, by) if approve else payment_roll(engine, month, region)
            names = region_names(engine)
            if out:
                write_roll_workbook(roll, out, names)
            if bank_file:
                write_bank_file(roll, bank_file)
        except PaymentError as error:
            _fail(str(error))
            return
        state = f"已审批（{roll.approved_by}）" if roll.roll_id else "草稿（未审批）"
        table = Table(title=f"{chinese_month(month)}发放花名册 · {state}")
        for name in ("属地", "户数", "保障人数", "保障金", "分类施保金", "补发及重发", "发放合计"):
            table.add_column(name, justify="right" if name != "属地" else "left")
        for row in totals(roll.rows, ["township_code"]).sort("township_code").iter_rows(named=True):
            table.add_row(*_total_cells(names.get(row["township_code"] or "", row["township_code"] or "—"), row))
        county = totals(roll.rows, []).row(0, named=True)
        table.add_row(*_total_cells("合计", county), style="bold")
        console.print(table)
        for row in roll.rows.head(5).iter_rows(named=True):
            console.print(
                f"  {row['name']} {mask_id(row['id_number'])} {format_yuan(row['total_fen'])} "
                f"{row['bank'] or ''} {mask_account(row['account_number']) or '（无账户）'} {row['note'] or ''}"
            )
        if roll.stops.height:
            console.print(f"停发 {roll.stops.height} 户：")
            for (reason,), group in roll.stops.group_by(["reason"]):
                console.print(f"  {reason}：{group.height} 户")
        for path in (out, bank_file):
            if path:
                console.print(f"已写入 {path}")

    @pay.command("reconcile")
    def reconcile_command(
        result_file: Annotated[Path, typer.Argument(help="银行回盘文件 .csv（业务编号、结果、原因）")],
        month: Annotated[str, typer.Option("--month", help="发放月份，如 2020-07")],
        by: Annotated[str, typer.Option("--by", help="对账经办人姓名（记入审计记录）")] = "银行回盘",
        database_url: DatabaseUrl = None,
    ) -> None:
        """导入银行回盘结果，列出发放失败的名单；失败金额在下月花名册中重发。"""
        try:
            failed = reconcile(open_registry(database_url), month, result_file, by)
        except PaymentError as error:
            _fail(str(error))
            return
        console.print(f"对账完成：发放失败 {failed.height} 笔，合计 {format_yuan(int(failed['total_fen'].sum() or 0))}")
        for row in failed.iter_rows(named=True):
            console.print(
                f"  {row['household_id']} {row['name']} {format_yuan(row['total_fen'])} {row['bank_message'] or ''}"
            )
        if failed.height:
            console.print("这些金额将在下一个审批的月度花名册中重发。")

    @pay.command("budget")
    def budget_command(
        year: Annotated[int, typer.Option("--year", help="年度，如 2020")],
        region: Region = "",
        database_url: DatabaseUrl = None,
    ) -> None:
        """本年度按月、按项目的资金支出（已发放）和到年底的预计支出。"""
        try:
            table_data = budget(open_registry(database_url), year, region)
        except PaymentError as error:
            _fail(str(error))
            return
        programs = {"dibao": "低保", "tekun": "特困", "temporary": "临时救助"}
        table = Table(title=f"{year}年救助资金支出与预算")
        for name in ("月份", "项目", "户数", "人数", "金额", "类别"):
            table.add_column(name)
        for row in table_data.iter_rows(named=True):
            table.add_row(
                chinese_month(row["month"]),
                programs.get(row["program"], row["program"]),
                str(row["households"]),
                str(row["persons"]),
                format_yuan(row["amount_fen"]),
                row["kind"],
            )
        console.print(table)
        summary = budget_summary(table_data)
        console.print(
            f"已发放 {format_yuan(summary['paid_fen'])}；预计至年底还需 {format_yuan(summary['projected_fen'])}；"
            f"全年合计 {format_yuan(summary['year_fen'])}"
        )

    @pay.command("accounts")
    def accounts_command(
        synthetic: Annotated[bool, typer.Option("--synthetic", help="为没有账户的模拟户生成演示账户")] = False,
        database_url: DatabaseUrl = None,
    ) -> None:
        """为演示数据生成收款账户（真实账户应由乡镇按银行名单登记）。"""
        if not synthetic:
            _fail("目前只支持 --synthetic：为模拟县生成演示账户")
        added = fill_synthetic_accounts(open_registry(database_url))
        console.print(f"已为 {added} 户生成演示收款账户")

    app.add_typer(pay)


def _total_cells(label: str, row: dict[str, int]) -> list[str]:
    return [
        label,
        str(row["households"]),
        str(row["persons"] or 0),
        format_yuan(row["benefit_fen"] or 0),
        format_yuan(row["supplement_fen"] or 0),
        format_yuan(row["extra_fen"] or 0),
        format_yuan(row["total_fen"] or 0),
    ]
