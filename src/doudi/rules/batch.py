"""Batch assessment from files: validate rows, assess the good households in chunks, report the bad ones.

A household with a bad row anywhere (an invalid ID number, an unknown income kind, a negative amount, an
income of a member who is not in it) is not assessed; each problem is reported with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl

from doudi.policy.profile import Profile
from doudi.rules.assess import assess_frames
from doudi.rules.schema import (
    ERROR_COLUMNS,
    EXPENSE_KINDS,
    EXPENSES,
    HOUSEHOLDS,
    INCOME_KINDS,
    INCOMES,
    MEMBERS,
    conform,
)


def _read(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise ValueError(f"找不到文件 {path}")
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    if path.suffix == ".csv":
        return pl.read_csv(path, try_parse_dates=True, infer_schema_length=10_000)
    raise ValueError(f"{path}：只支持 .parquet 和 .csv 文件")


def read_batch(
    households: Path, members: Path, incomes: Path | None, expenses: Path | None, on: dt.date | None
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    frames = {
        "households": _read(households),
        "members": _read(members),
        "incomes": _read(incomes) if incomes else pl.DataFrame(),
        "expenses": _read(expenses) if expenses else pl.DataFrame(),
    }
    if on is not None or "on" not in frames["households"].columns:
        frames["households"] = frames["households"].with_columns(on=pl.lit(on or dt.date.today()))
    missing = {"household_id", "region_code"} - set(frames["households"].columns)
    if missing:
        raise ValueError(f"{households} 缺少列：{'、'.join(sorted(missing))}")
    if not {"household_id", "id_number"} <= set(frames["members"].columns):
        raise ValueError(f"{members} 缺少列：household_id、id_number")
    return validate(frames)


def validate(frames: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Split the frames into the households that can be assessed and the problems of those that cannot."""
    from doudi.linkage import id_numbers

    h = conform(frames["households"], HOUSEHOLDS)
    m = conform(frames["members"], MEMBERS)
    i = conform(frames["incomes"], INCOMES)
    e = conform(frames["expenses"], EXPENSES)
    problems = [
        h.filter(pl.col("household_id").is_duplicated()).select(
            "household_id", field=pl.lit("household_id"), reason=pl.lit("家庭编号重复")
        ),
        h.filter(~pl.col("region_code").str.contains(r"^\d{6}").fill_null(False)).select(
            "household_id", field=pl.lit("region_code"), reason=pl.lit("行政区划代码缺失或不是6位数字")
        ),
        m.join(h, on="household_id", how="anti").select(
            "household_id", field=pl.lit("members.household_id"), reason=pl.lit("成员所属的家庭不在家庭表中")
        ),
    ]
    checked = id_numbers.check(m["id_number"].fill_null(""))
    problems.append(
        m.with_columns(valid=checked["valid"], why=checked["reason"])
        .filter(~pl.col("valid"))
        .select(
            "household_id",
            field=pl.lit("members.id_number"),
            reason=pl.format("身份证号码“{}”无效：{}", pl.col("id_number").fill_null(""), pl.col("why")),
        )
    )
    for name, frame, kinds in (("incomes", i, INCOME_KINDS), ("expenses", e, EXPENSE_KINDS)):
        problems += [
            frame.filter(~pl.col("kind").is_in(list(kinds)).fill_null(False)).select(
                "household_id",
                field=pl.lit(f"{name}.kind"),
                reason=pl.format("未知的类型“{}”", pl.col("kind").fill_null("")),
            ),
            frame.filter((pl.col("yearly_fen") < 0) | pl.col("yearly_fen").is_null()).select(
                "household_id",
                field=pl.lit(f"{name}.yearly_fen"),
                reason=pl.format("金额缺失或为负数：{}", pl.col("yearly_fen")),
            ),
            frame.filter(pl.col("id_number").is_not_null())
            .join(m, on=["household_id", "id_number"], how="anti")
            .select(
                "household_id",
                field=pl.lit(f"{name}.id_number"),
                reason=pl.format("成员“{}”不在该家庭中", pl.col("id_number")),
            ),
        ]
    rejected = pl.concat([p.cast(ERROR_COLUMNS) for p in problems], how="vertical")  # type: ignore[arg-type]
    bad = rejected.select("household_id").unique()
    good = {
        "households": h.join(bad, on="household_id", how="anti").unique("household_id", keep="first"),
        "members": m.join(bad, on="household_id", how="anti"),
        "incomes": i.join(bad, on="household_id", how="anti"),
        "expenses": e.join(bad, on="household_id", how="anti"),
    }
    return good, rejected


def run_batch(
    frames: dict[str, pl.DataFrame],
    profile: Profile | None,
    standards: pl.DataFrame,
    chunk: int,
    advance: Callable[[int], None] = lambda n: None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Assess in chunks of households (bounded memory, a progress bar); the same result as one call."""
    ids = frames["households"]["household_id"]
    decisions, errors = [], []
    for start in range(0, max(len(ids), 1), chunk):
        part_ids = ids.slice(start, chunk).to_frame()
        part = {k: f.join(part_ids, on="household_id", how="semi") for k, f in frames.items()}
        result = assess_frames(part, profile, standards)
        decisions.append(result.decisions)
        errors.append(result.errors)
        advance(part_ids.height)
    return pl.concat(decisions, how="vertical_relaxed"), pl.concat(errors, how="vertical_relaxed")
