"""`doudi demo`: a living synthetic county in the registry with one command."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, insert, select

from doudi.audit import record_import
from doudi.registry.commands import DatabaseUrl
from doudi.registry.database import database_url, open_registry
from doudi.registry.models import ImportBatch
from doudi.registry.store import store_frames
from doudi.rules.schema import HOUSEHOLDS, conform

if TYPE_CHECKING:
    from doudi.synth import SyntheticCounty

_STEPS = {
    "regions": "行政区划",
    "households": "家庭",
    "members": "家庭成员",
    "income_items": "收入",
    "expenses": "支出",
    "enrollments": "低保等保障记录",
    "roster_memberships": "部门名单",
}


GRADUAL_EXIT = ("gradual_exit_since", "gradual_exit_base_fen")


def county_tables(county: SyntheticCounty, batch_id: int) -> dict[str, pl.DataFrame]:
    """The synthetic county's frames under the registry's table and column names."""
    members = county.members
    if county.deaths.height:
        deaths = county.deaths.select("id_number", "death_date").unique("id_number")
        members = members.join(deaths, on="id_number", how="left")
    defaults = {"program": "dibao", "scope": "household", "status": "active"}
    enrollments = county.enrollments.with_columns(
        pl.lit(value).alias(name) for name, value in defaults.items() if name not in county.enrollments.columns
    )
    # The synthetic county keeps a running gradual exit on the household; the registry keeps it on the
    # household's dibao enrollment, where the engine's loader reads it.
    running = conform(county.households, {k: HOUSEHOLDS[k] for k in ("household_id", *GRADUAL_EXIT)})
    household_dibao = (pl.col("program") == "dibao") & (pl.col("scope") == "household")
    enrollments = enrollments.join(running, on="household_id", how="left", maintain_order="left").with_columns(
        pl.when(household_dibao).then(pl.col(c)).alias(c) for c in GRADUAL_EXIT
    )
    # A roster row needs an ID number, and the registry keeps one row per person and source; the synthetic
    # rosters carry deliberate damage (missing or repeated numbers) for the comparison to find.
    rosters = (
        county.rosters.filter(pl.col("id_number").is_not_null())
        .unique(["source", "id_number"], keep="first", maintain_order=True)
        .with_columns(pl.lit(batch_id).alias("batch_id"))
    )
    if "as_of" not in rosters.columns:
        rosters = rosters.with_columns(pl.lit(dt.date.today()).alias("as_of"))
    return {
        "regions": county.regions,
        "households": county.households.rename({"household_id": "id"}),
        "members": members,
        "income_items": county.incomes,
        "expenses": county.expenses,
        "enrollments": enrollments,
        "roster_memberships": rosters,
    }


def store_county(engine: Engine, county: SyntheticCounty, progress: Progress | None = None) -> dict[str, int]:
    """Store a whole synthetic county in one transaction; returns rows written per table."""
    with engine.begin() as connection:
        batch_id = connection.execute(
            insert(ImportBatch)
            .values(file_name=f"synthetic:{county.county_code}", sha256="-", source_kind="synthetic")
            .returning(ImportBatch.id)
        ).scalar_one()
        tables = county_tables(county, batch_id)
        task = None
        if progress is not None:
            task = progress.add_task("写入数据库", total=sum(frame.height for frame in tables.values()))

        def advance(table: str, rows: int) -> None:
            if progress is not None and task is not None:
                progress.update(task, advance=rows, description=f"写入数据库：{_STEPS.get(table, table)}")

        written = store_frames(connection, tables, advance)
        connection.execute(
            ImportBatch.__table__.update()  # type: ignore[attr-defined]
            .where(ImportBatch.id == batch_id)
            .values(rows_stored=written.get("members", 0))
        )
        record_import(connection, batch_id, why=f"生成模拟县 {county.county_code}")
    return written


def _summary(county: SyntheticCounty) -> dict[str, Any]:
    current = county.enrollments.filter((pl.col("program") == "dibao") & (pl.col("status") != "exited"))
    dibao_households = current["household_id"].unique()
    poor = county.households.filter(pl.col("registered_poor"))
    overlap = poor.filter(pl.col("household_id").is_in(dibao_households.implode()))
    sample = (overlap if overlap.height else county.households)["household_id"][0]
    return {
        "households": county.households.height,
        "persons": county.members.height,
        "dibao": dibao_households.len(),
        "poor": poor.height,
        "overlap": overlap.height,
        "sample": sample,
    }


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command(
        households: Annotated[int, typer.Option("--households", help="模拟家庭数")] = 20_000,
        seed: Annotated[int, typer.Option("--seed", help="随机种子（相同种子生成相同的县）")] = 2020,
        database_url_option: DatabaseUrl = None,
    ) -> None:
        """生成一个模拟县（家庭、成员、收入、低保与建档立卡名单）并存入数据库，便于上手试用。"""
        from doudi.synth import generate_county

        console = Console()
        url = database_url(database_url_option)
        started = time.perf_counter()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            generating = progress.add_task(f"生成模拟县（{households:,}户）", total=1)
            county = generate_county(households=households, seed=seed)
            progress.update(generating, completed=1)
            engine = open_registry(url)
            with engine.connect() as connection:
                existing = connection.execute(select(ImportBatch.id).limit(1)).first()
            if existing is not None:
                console.print(
                    "[yellow]提示：数据库中已有数据，模拟县将追加写入；如需全新演示请指定新的 --database-url。[/yellow]"
                )
            store_county(engine, county, progress)
        figures = _summary(county)
        seconds = time.perf_counter() - started
        console.print(
            f"\n[bold green]模拟县“{county.province_name}{county.county_name}”"
            f"（{county.county_code}）已就绪[/bold green]（用时 {seconds:.1f} 秒）\n"
            f"  家庭 {figures['households']:,} 户，人口 {figures['persons']:,} 人\n"
            f"  低保户 {figures['dibao']:,} 户，建档立卡户 {figures['poor']:,} 户，两者重合 {figures['overlap']:,} 户\n"
        )
        from doudi.web.commands import show_demo_accounts  # one account per role for the web app

        show_demo_accounts(console, engine, county.county_code)
        flag = "" if database_url_option is None else f" --database-url {database_url_option}"
        console.print("接下来可以试试：")
        console.print(f"  doudi serve{flag}    （网页系统 http://127.0.0.1:8000/ ，用上面的账号登录）", soft_wrap=True)
        console.print(f"  doudi assess --db --household {figures['sample']} --profile jilin-2020{flag}", soft_wrap=True)
        console.print(f"  doudi export dibao --out 低保台账.xlsx{flag}", soft_wrap=True)
        console.print(f"  doudi export poor --out 建档立卡台账.xlsx{flag}", soft_wrap=True)
        console.print(f"  doudi import dibao 低保台账.xlsx{flag}", soft_wrap=True)
        console.print("  （台账改动后重新导入，只更新有变化的内容，并记入变更日志）")


__all__ = ["county_tables", "register", "store_county"]
