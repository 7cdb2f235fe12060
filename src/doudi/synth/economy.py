"""Incomes, expenses and enrollments (dibao, 特困) of synthetic households.

Incomes are drawn from a latent per-capita income relative to the county's dibao standard, lower for
households without labor or with serious illness, so that ~5–10% fall below the standard and the
gradual-exit band (1–2 × standard) is well populated. Money is integer fen.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

FEN_PER_YUAN = 100


def household_profile(members: pl.DataFrame) -> pl.DataFrame:
    """Per household: size, working members, elderly, illness and severe disability flags, first earner."""
    working = (
        (pl.col("age") >= 18) & (pl.col("age") < 60) & ~pl.col("in_school") & (pl.col("health") != "serious_illness")
    )
    return (
        members.group_by("household_index")
        .agg(
            size=pl.len(),
            working=working.sum(),
            elderly=(pl.col("age") >= 60).sum(),
            serious=(pl.col("health") == "serious_illness").any(),
            severe=(pl.col("disability_grade") <= 2).fill_null(False).any(),
            disabled=pl.col("disability_kind").is_not_null().any(),
            earner=pl.col("id_number").filter(working).first(),
            head=pl.col("id_number").first(),
        )
        .sort("household_index")
    )


def latent_income(rng: np.random.Generator, profile: pl.DataFrame, standard_fen: int) -> np.ndarray:
    """Counted per-capita yearly income in fen, log-normal around ~3 × the standard."""
    no_labor = (profile["working"] == 0).to_numpy()
    mean = np.log(3.2) - 0.7 * no_labor - 0.35 * profile["serious"].to_numpy() - 0.2 * profile["severe"].to_numpy()
    return (standard_fen * np.exp(rng.normal(mean, 0.6))).astype(np.int64)


def incomes(
    rng: np.random.Generator,
    profile: pl.DataFrame,
    elderly: pl.DataFrame,
    per_capita_fen: np.ndarray,
    registered_poor: np.ndarray,
    pension_month_yuan: int,
) -> pl.DataFrame:
    """Income items by kind; amounts split the household's counted income, plus pension and dividends."""
    n = profile.height
    total = per_capita_fen * profile["size"].to_numpy()
    has_labor = (profile["working"] > 0).to_numpy()
    wage_share = np.where(has_labor, rng.uniform(0.35, 0.8, n), 0.0)
    business = ((total * (1 - wage_share)) * 0.8).astype(np.int64)
    transfer = total - (total * wage_share).astype(np.int64) - business  # support from relatives, remittances
    wage = total - business - transfer
    # Some registered-poor households earn part of their wage on poverty-project jobs (公益岗位, 扶贫车间).
    project_job = registered_poor & has_labor & (rng.random(n) < 0.2)
    project_wage = np.where(project_job, (wage * rng.uniform(0.2, 0.6, n)).astype(np.int64), 0)
    dividend = np.where(registered_poor & (rng.random(n) < 0.4), rng.integers(300, 1500, n) * FEN_PER_YUAN, 0)
    ids = profile["household_index"]
    frames = [
        pl.DataFrame(
            {
                "household_index": ids,
                "id_number": profile["earner"],
                "kind": "wage",
                "yearly_fen": wage - project_wage,
                "poverty_project": False,
            }
        ),
        pl.DataFrame(
            {
                "household_index": ids,
                "id_number": profile["earner"],
                "kind": "wage",
                "yearly_fen": project_wage,
                "poverty_project": True,
            }
        ),
        pl.DataFrame(
            {
                "household_index": ids,
                "id_number": None,
                "kind": "business",
                "yearly_fen": business,
                "poverty_project": False,
            }
        ),
        pl.DataFrame(
            {
                "household_index": ids,
                "id_number": None,
                "kind": "transfer",
                "yearly_fen": transfer,
                "poverty_project": False,
            }
        ),
        pl.DataFrame(
            {
                "household_index": ids,
                "id_number": profile["head"],
                "kind": "project_dividend",
                "yearly_fen": dividend,
                "poverty_project": True,
            }
        ),
        elderly.select(
            "household_index",
            "id_number",
            kind=pl.lit("basic_pension"),
            yearly_fen=pl.lit(pension_month_yuan * 12 * FEN_PER_YUAN, pl.Int64),
            poverty_project=pl.lit(False),
        ),
    ]
    typed = [f.with_columns(pl.col("id_number").cast(pl.String), pl.col("yearly_fen").cast(pl.Int64)) for f in frames]
    return pl.concat(typed).filter(pl.col("yearly_fen") > 0)


def expenses(rng: np.random.Generator, members: pl.DataFrame) -> pl.DataFrame:
    """Self-paid medical costs for the ill, rehabilitation for the severely disabled, schooling costs."""
    n = members.height
    health = members["health"].to_numpy()
    medical = np.where(
        health == "serious_illness",
        rng.integers(5_000, 40_000, n),
        np.where((health == "chronic") & (rng.random(n) < 0.5), rng.integers(300, 3_000, n), 0),
    )
    severe = (members["disability_grade"].fill_null(9) <= 2).to_numpy()
    disability = np.where(severe, rng.integers(1_000, 5_000, n), 0)
    schooling = np.where(
        members["in_school"].to_numpy() & (members["age"].to_numpy() >= 15), rng.integers(1_000, 8_000, n), 0
    )
    base = members.select("household_index", "id_number")
    frames = [
        base.with_columns(kind=pl.lit(kind), yearly_fen=pl.Series(amount * FEN_PER_YUAN, dtype=pl.Int64))
        for kind, amount in (("medical", medical), ("disability", disability), ("schooling", schooling))
    ]
    return pl.concat(frames).filter(pl.col("yearly_fen") > 0)


def months_before(on: dt.date, months: np.ndarray) -> np.ndarray:
    """First day of the month `months` months before `on`, as datetime64[D]."""
    first = np.datetime64(on, "M") - months.astype("timedelta64[M]")
    return first.astype("datetime64[D]")
