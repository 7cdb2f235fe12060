"""`doudi profile …` and `doudi standards …`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from doudi.policy.profile import ProfileError, builtin_profiles, builtin_text, load_profile
from doudi.policy.standards import StandardsError, load_standards

out = Console()
err = Console(stderr=True, soft_wrap=True)

profile_app = typer.Typer(help="政策配置：查看内置配置，复制后修改为本地配置。", no_args_is_help=True)
standards_app = typer.Typer(help="低保标准、扶贫标准、最低工资等标准表。", no_args_is_help=True)


@profile_app.command("list")
def list_profiles() -> None:
    """列出内置政策配置。"""
    table = Table("id", "文件", "发文机关", "生效", "适用地区")
    for p in builtin_profiles():
        period = f"{p.effective_from} 起" + (f"至 {p.effective_until}" if p.effective_until else "")
        table.add_row(p.id, p.document, p.issuer, period, "、".join(p.region_prefixes))
    out.print(table)


@profile_app.command("show")
def show_profile(profile_id: str) -> None:
    """打印内置配置的 YAML（可重定向到文件，修改后用 --profile 路径 加载）。"""
    try:
        typer.echo(builtin_text(profile_id), nl=False)
    except ProfileError as error:
        err.print(f"[red]错误：[/red]{error}")
        raise typer.Exit(2) from None


@profile_app.command("check")
def check_profile(path: Path) -> None:
    """检查一个本地政策配置文件是否有效。"""
    try:
        p = load_profile(path)
    except ProfileError as error:
        err.print(f"[red]错误：[/red]{error}")
        raise typer.Exit(2) from None
    out.print(f"政策配置 {p.id} 有效（{p.document}）")


@standards_app.command("check")
def check_standards_command(
    standards: Annotated[Path | None, typer.Option(help="标准表 CSV；缺省检查内置标准")] = None,
    profile: Annotated[str | None, typer.Option(help="按此政策配置检查；缺省按地区和日期自动选择")] = None,
) -> None:
    """检查标准表是否符合 STD-1（不低于扶贫标准）、STD-4、STD-5（特困标准）。"""
    from doudi.policy.checks import check_standards

    try:
        table = load_standards(standards)
        chosen = load_profile(profile) if profile else None
    except (StandardsError, ProfileError, ValueError) as error:
        err.print(f"[red]错误：[/red]{error}")
        raise typer.Exit(2) from None
    findings = check_standards(table, chosen)
    if not findings:
        out.print(f"标准表 {standards or '（内置）'} 共 {table.height} 行，未发现违反 STD-1、STD-4、STD-5 的情况")
        return
    report = Table("规则", "地区", "生效日期", "问题")
    for f in findings:
        report.add_row(f.rule, f.region_code, f.effective_from.isoformat(), f.message)
    out.print(report)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(profile_app, name="profile")
    app.add_typer(standards_app, name="standards")
