"""`doudi audit verify` and `doudi audit log`: check the hash chain; read the trail of one record."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from doudi.audit.chain import verify
from doudi.audit.models import AuditRecord
from doudi.registry.database import open_registry

console = Console()
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="数据库地址，默认取 DOUDI_DATABASE_URL 或 ./doudi.sqlite")
]


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(name="audit", help="审计记录：逐条哈希链接，任何改动或删除都能查出。", no_args_is_help=True)

    @audit_app.command("verify")
    def verify_command(database_url: DatabaseUrl = None) -> None:
        """校验审计链；发现被改动或删除的记录时以非零状态退出，并指出第一条有问题的记录。"""
        engine = open_registry(database_url)
        with engine.connect() as connection:
            result = verify(connection)
        engine.dispose()
        if result.ok:
            console.print(f"审计链完整：共 {result.records} 条记录，逐条校验通过")
            return
        console.print(f"[red]审计链被破坏：{result.problem}（此前 {result.records} 条完好）[/red]")
        raise typer.Exit(2)

    @audit_app.command("log")
    def log_command(
        table: Annotated[str | None, typer.Option("--table", help="表名，如 cases、enrollments、households")] = None,
        key: Annotated[str | None, typer.Option("--key", help="记录主键，如案件 ID 或户 ID")] = None,
        limit: Annotated[int, typer.Option("--limit")] = 50,
        database_url: DatabaseUrl = None,
    ) -> None:
        """查看审计记录（最新在后）：谁、何时、改了什么、为什么。"""
        engine = open_registry(database_url)
        query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
        if table:
            query = query.where(AuditRecord.table_name == table)
        if key:
            query = query.where(AuditRecord.record_key == key)
        with engine.connect() as connection:
            rows = list(reversed(connection.execute(query).all()))
        engine.dispose()
        shown = Table("序号", "时间(UTC)", "经办人", "表", "主键", "操作", "改前", "改后", "原因")
        for row in rows:
            shown.add_row(
                str(row.seq),
                f"{row.at:%Y-%m-%d %H:%M:%S}",
                row.who,
                row.table_name,
                row.record_key,
                row.action,
                row.before or "",
                row.after or "",
                row.why or "",
            )
        console.print(shown)

    app.add_typer(audit_app)
