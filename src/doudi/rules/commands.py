"""`doudi assess` and `doudi assess-batch`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, NoReturn

import polars as pl
import typer
from rich.console import Console
from rich.progress import Progress

from doudi.cli import parse_day
from doudi.policy.profile import ProfileError, load_profile
from doudi.policy.standards import StandardsError, load_standards

err = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    err.print(f"[red]错误：[/red]{message}")
    raise typer.Exit(2)


def assess(
    household: Annotated[Path | None, typer.Argument(help="家庭 JSON 文件（见 README）")] = None,
    db: Annotated[bool, typer.Option("--db", help="从登记库读取家庭（配合 --household）")] = False,
    household_id: Annotated[str | None, typer.Option("--household", help="登记库中的家庭编号")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="数据库地址；缺省用 DOUDI_DATABASE_URL 或 doudi.sqlite")
    ] = None,
    profile: Annotated[str | None, typer.Option(help="政策配置 id 或文件路径；缺省按地区和日期自动选择")] = None,
    on: Annotated[str | None, typer.Option(help="评估日期 YYYY-MM-DD，缺省为今天")] = None,
    standards: Annotated[Path | None, typer.Option(help="标准表 CSV；缺省用内置标准")] = None,
    output_format: Annotated[str, typer.Option("--format", help="json 或 text")] = "json",
) -> None:
    """评估一户家庭：决定、保障金和逐条依据。"""
    from doudi.ingest.household_json import HouseholdInputError, read_household
    from doudi.rules.assess import AssessmentError, assess_one
    from doudi.rules.explain import to_text

    day = parse_day(on)
    try:
        chosen = load_profile(profile) if profile else None
        table = load_standards(standards)
        if db:
            frames = _from_registry(household_id, database_url, day)
        else:
            frames = read_household(_json(household), day)
        record = assess_one(frames, chosen, table)
    except HouseholdInputError as error:
        for path, reason in error.problems:
            err.print(f"[red]错误：[/red]{path}：{reason}")
        raise typer.Exit(2) from None
    except (ProfileError, StandardsError, AssessmentError) as error:
        _fail(str(error))
    if output_format == "text":
        typer.echo(to_text(record))
    else:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))


def _json(path: Path | None) -> object:
    if path is None:
        _fail("请给出家庭 JSON 文件，或用 --db --household 编号 从登记库读取")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"无法读取家庭文件 {path}：{error}")
    except json.JSONDecodeError as error:
        _fail(f"家庭文件 {path} 不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列，{error.msg}")


def _from_registry(household_id: str | None, url: str | None, day: dt.date) -> dict[str, pl.DataFrame]:
    from doudi.registry.database import open_registry
    from doudi.registry.loader import load_frames

    if not household_id:
        _fail("用 --db 时请用 --household 给出家庭编号")
    frames = load_frames(open_registry(url), household_ids=[str(household_id)], on=day)
    if frames["households"].height == 0:
        _fail(f"登记库中没有家庭“{household_id}”")
    return frames


def assess_batch(
    out: Annotated[Path, typer.Option(help="决定输出文件 .parquet 或 .csv")],
    households: Annotated[Path | None, typer.Argument(help="家庭表（.parquet 或 .csv，引擎字段，金额为分）")] = None,
    members: Annotated[Path | None, typer.Option(help="成员表")] = None,
    db: Annotated[bool, typer.Option("--db", help="评估登记库中的家庭（可用 --region 限定地区）")] = False,
    region: Annotated[str | None, typer.Option(help="与 --db 同用：行政区划代码前缀，如 220182 或某村代码")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="数据库地址；缺省用 DOUDI_DATABASE_URL 或 doudi.sqlite")
    ] = None,
    incomes: Annotated[Path | None, typer.Option(help="收入表")] = None,
    expenses: Annotated[Path | None, typer.Option(help="支出表")] = None,
    profile: Annotated[str | None, typer.Option(help="政策配置；缺省按地区和日期自动选择")] = None,
    on: Annotated[str | None, typer.Option(help="评估日期；缺省用家庭表的 on 列或今天")] = None,
    standards: Annotated[Path | None, typer.Option(help="标准表 CSV")] = None,
    errors: Annotated[Path | None, typer.Option(help="无法评估的家庭及原因，缺省为 <out>.errors.csv")] = None,
    chunk: Annotated[int, typer.Option(help="每批评估的家庭数")] = 200_000,
) -> None:
    """批量评估：好的行照常评估，坏的行写入错误文件并说明原因。"""
    from doudi.rules.batch import read_batch, run_batch

    try:
        chosen = load_profile(profile) if profile else None
        table = load_standards(standards)
        if db:
            frames, rejected = _registry_batch(region, database_url, parse_day(on))
        elif households is None or members is None:
            _fail("请给出家庭表和 --members 成员表，或用 --db 评估登记库中的家庭")
        else:
            frames, rejected = read_batch(households, members, incomes, expenses, parse_day(on) if on else None)
    except (ProfileError, StandardsError, ValueError) as error:
        _fail(str(error))
    total = frames["households"].height
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("评估中", total=total)
        decisions, failed = run_batch(frames, chosen, table, chunk, lambda n: progress.advance(task, n))
    failed = pl.concat([rejected, failed], how="vertical_relaxed")
    _write(decisions, out)
    error_path = errors or out.with_suffix(".errors.csv")
    failed.write_csv(error_path)
    err.print(f"已评估 {decisions.height} 户，写入 {out}；{failed.height} 条无法评估，原因见 {error_path}")


def _registry_batch(region: str | None, url: str | None, day: dt.date) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    from doudi.registry.database import open_registry
    from doudi.registry.loader import load_frames
    from doudi.rules.batch import validate

    # Rows in the registry passed import validation already; validating again costs little and guards edits.
    return validate(load_frames(open_registry(url), region_prefix=region, on=day))


def _write(frame: pl.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        frame.with_columns(pl.col(pl.List(pl.Int64)).list.eval(pl.element().cast(pl.String)).list.join(";")).write_csv(
            path
        )
    else:
        frame.write_parquet(path)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
    app.command("assess-batch")(assess_batch)
