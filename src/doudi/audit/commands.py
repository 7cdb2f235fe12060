"""`doudi audit verify` and `doudi audit log`: check the hash chain; read the trail of one record."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from doudi.audit.chain import verify
from doudi.audit.models import AuditHead, AuditRecord
from doudi.registry.database import open_registry
from doudi.rules.explain import mask_id

# Long Chinese lines stay whole (copyable case numbers); user text is never read as Rich markup.
console = Console(soft_wrap=True, markup=False, highlight=False)
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="数据库地址，默认取 DOUDI_DATABASE_URL 或 ./doudi.sqlite")
]


ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除", "bulk": "批量写入"}
ID_NUMBER = re.compile(r"\b\d{17}[\dXx]\b")


def _masked(text: str) -> str:
    return ID_NUMBER.sub(lambda m: mask_id(m.group(0)) or "", text)


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
        console.print(f"审计链被破坏：{result.problem}（此前 {result.records} 条完好）", style="red")
        raise typer.Exit(2)

    @audit_app.command("head")
    def head_command(database_url: DatabaseUrl = None) -> None:
        """审计链末端（序号和哈希）：定期在库外公布（签章报告、打印件），日后可证明整条链未被重写。"""
        engine = open_registry(database_url)
        with engine.connect() as connection:
            seq, digest = connection.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
        engine.dispose()
        console.print(f"审计链末端：第 {seq} 条，哈希 {digest}")

    @audit_app.command("log")
    def log_command(
        table: Annotated[str | None, typer.Option("--table", help="表名，如 cases、enrollments、households")] = None,
        key: Annotated[str | None, typer.Option("--key", help="记录主键，如案件 ID 或户 ID")] = None,
        limit: Annotated[int, typer.Option("--limit")] = 50,
        database_url: DatabaseUrl = None,
    ) -> None:
        """查看审计记录（最新在后）：谁、何时、改了什么、为什么；身份证号显示时脱敏。"""
        engine = open_registry(database_url)
        query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
        if table:
            query = query.where(AuditRecord.table_name == table)
        if key:
            query = query.where(AuditRecord.record_key == key)
        with engine.connect() as connection:
            rows = list(reversed(connection.execute(query).all()))
        engine.dispose()
        for row in rows:
            # The record keeps ID numbers (it is the record); the screen shows them masked.
            console.print(
                f"#{row.seq} {row.at:%Y-%m-%d %H:%M:%S} UTC {row.who} {ACTIONS.get(row.action, row.action)} "
                f"{row.table_name}/{_masked(row.record_key)}：{_masked(row.why or '')}"
            )
            if row.before:
                console.print(f"    改前 {_masked(row.before)}")
            if row.after:
                console.print(f"    改后 {_masked(row.after)}")

    app.add_typer(audit_app)
