"""`doudi serve` (the web app) and `doudi user` (accounts)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from doudi.cli import parse_day
from doudi.registry.commands import DatabaseUrl
from doudi.registry.database import open_registry
from doudi.web.accounts import DemoAccount, demo_accounts
from doudi.web.roles import ROLES

user_app = typer.Typer(help="管理网页系统的账号。", no_args_is_help=True)


def print_accounts(console: Console, accounts: list[DemoAccount]) -> None:
    table = Table(title="演示账号（每个角色一个；重新运行 doudi demo 或 doudi user demo 会重置密码）")
    for column in ("角色", "用户名", "密码", "辖区"):
        table.add_column(column)
    for account in accounts:
        table.add_row(
            account.role_name, account.username, account.password, f"{account.area_name}（{account.area_code}）"
        )
    console.print(table)


def show_demo_accounts(console: Console, engine: Engine, county_code: str | None = None) -> None:
    """For `doudi demo`: create (or reset) one account per role and print them."""
    print_accounts(console, demo_accounts(engine, county_code))


@user_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option(help="角色：" + "、".join(f"{k}={v.name}" for k, v in ROLES.items()))],
    area: Annotated[str, typer.Option(help="辖区代码：村 12 位、乡镇 9 位、县 6 位")],
    name: Annotated[str, typer.Option(help="显示的姓名")] = "",
    database_url_option: DatabaseUrl = None,
) -> None:
    """新增账号（密码在提示时输入，至少 8 位）。"""
    from sqlalchemy.orm import Session

    from doudi.web.auth import create_user

    password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    engine = open_registry(database_url_option)
    try:
        with Session(engine) as session, session.begin():
            create_user(session, username, password, role, area, name or username)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"已新增账号 {username}（{ROLES[role].name}，辖区 {area}）")


@user_app.command("demo")
def demo_users(database_url_option: DatabaseUrl = None) -> None:
    """为登记库中的县创建（或重置）每个角色一个演示账号，并打印用户名和密码。"""
    try:
        accounts = demo_accounts(open_registry(database_url_option))
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    print_accounts(Console(), accounts)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")

    @app.command("keep-decisions")
    def keep_decisions(
        on: Annotated[
            str | None, typer.Option(help="评估日期 YYYY-MM-DD（缺省为 DOUDI_WEB_ON 或当天，与网页系统一致）")
        ] = None,
        database_url_option: DatabaseUrl = None,
    ) -> None:
        """为登记库中每户预先计算并保存网页显示的决定（导入后、每天夜间运行；已是最新的户只核对不重算）。"""
        import os

        from doudi.web.prefill import keep_every_decision

        day = parse_day(on or os.environ.get("DOUDI_WEB_ON"))
        filled = keep_every_decision(open_registry(database_url_option), day)
        typer.echo(
            f"评估日 {day}：共 {filled.households:,} 户，送评估 {filled.evaluated:,} 户，"
            f"重新保存决定 {filled.assessed:,} 户，无法评估 {filled.not_assessable:,} 户，用时 {filled.seconds:.0f} 秒"
        )
        for reason, count in sorted(filled.reasons.items(), key=lambda item: -item[1])[:10]:
            typer.echo(f"  {count:,} 户：{reason}")

    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="监听地址（内网服务器上可用 0.0.0.0）")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="端口")] = 8000,
        workers: Annotated[int, typer.Option(help="工作进程数")] = 1,
        on: Annotated[str | None, typer.Option(help="评估日期 YYYY-MM-DD（缺省为当天）")] = None,
        database_url_option: DatabaseUrl = None,
    ) -> None:
        """启动网页系统（浏览器打开 http://127.0.0.1:8000 ，接口文档在 /docs）。"""
        import os

        import uvicorn

        if database_url_option:
            os.environ["DOUDI_DATABASE_URL"] = database_url_option
        if on:
            parse_day(on)  # a bad date fails here, not in every request
            os.environ["DOUDI_WEB_ON"] = on
        if workers > 1 and not os.environ.get("DOUDI_SECRET_KEY"):
            # Every worker must sign cookies with the same key.
            import secrets

            os.environ["DOUDI_SECRET_KEY"] = secrets.token_urlsafe(32)
        open_registry(database_url_option)  # migrate once, before the workers start
        typer.echo(f"兜底网页系统：http://{host}:{port}/ （接口文档 http://{host}:{port}/docs ，按 Ctrl+C 停止）")
        uvicorn.run("doudi.web.server:app", host=host, port=port, workers=workers, log_level="warning")
