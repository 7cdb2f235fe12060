"""`doudi db …`: create or upgrade the registry database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from doudi.registry.database import current_revision, database_url, make_engine, upgrade

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="数据库地址，默认取环境变量 DOUDI_DATABASE_URL，否则为 ./doudi.sqlite"),
]


def register(app: typer.Typer) -> None:
    db = typer.Typer(name="db", help="数据库：创建、升级表结构。", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade_command(database_url_option: DatabaseUrl = None) -> None:
        """创建数据库或将表结构升级到最新版本。"""
        engine = make_engine(database_url_option)
        upgrade(engine)
        Console().print(
            f"数据库已是最新版本（{current_revision(engine)}）：{_shown(database_url(database_url_option))}"
        )

    @db.command("current")
    def current_command(database_url_option: DatabaseUrl = None) -> None:
        """显示数据库当前的表结构版本。"""
        revision = current_revision(make_engine(database_url_option))
        Console().print(f"当前版本：{revision or '尚未创建'}")

    app.add_typer(db)


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
