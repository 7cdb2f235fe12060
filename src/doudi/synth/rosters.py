"""Department rosters (台账) as the offices hold them, with the recording errors real rosters have.

Each office keeps its own household numbers and types IDs and names by hand, so the same person can
look different in two rosters. Every error put in is also listed in `roster_errors`, so detection
can be measured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from doudi.synth import names

ROSTER_PREFIX = {"dibao": "MZ", "poor": "FP", "tekun": "TK", "disabled": "CL"}


@dataclass(frozen=True)
class RosterErrorRates:
    """Share of roster rows carrying each recording error (each row gets at most one)."""

    digit_mistyped: float = 0.01  # one ID digit typed wrong
    digits_swapped: float = 0.005  # two different adjacent ID digits swapped
    old_15_digit: float = 0.005  # the pre-1999 15-digit number still on file
    id_missing: float = 0.005  # ID left empty
    name_variant: float = 0.01  # a homophone or variant character in the name
    member_missing: float = 0.01  # a member left out of this roster
    two_households: float = 0.003  # the person also listed under a second household
    deceased: float = 0.005  # died, still on the dibao roster (dibao only)

    def kinds(self) -> dict[str, float]:
        return {k: v for k, v in self.__dict__.items() if k != "deceased"}


def _id_bytes(ids: pl.Series) -> np.ndarray:
    """(n, 18) uint8 matrix of valid 18-character IDs (the truth is always well-formed)."""
    return np.frombuffer(ids.str.join("").item().encode("ascii"), dtype=np.uint8).reshape(-1, 18).copy()


def _from_bytes(matrix: np.ndarray, width: int) -> pl.Series:
    return pl.Series(np.ascontiguousarray(matrix[:, :width]).view(f"S{width}").ravel()).cast(pl.String)


def _damaged_ids(rng: np.random.Generator, ids: pl.Series) -> dict[str, pl.Series]:
    """For every ID: a one-digit typo, an adjacent swap, and the old 15-digit form (null if born ≥ 2000)."""
    n = len(ids)
    matrix = _id_bytes(ids) if n else np.zeros((0, 18), np.uint8)
    rows = np.arange(n)
    typo = matrix.copy()
    position = rng.integers(0, 17, n)
    typo[rows, position] = (typo[rows, position] - 48 + rng.integers(1, 10, n)) % 10 + 48  # always a new digit
    swapped = matrix.copy()
    differs = swapped[:, 0:16] != swapped[:, 1:17]  # only a swap of two different digits changes the number
    first = np.argmax(differs * rng.random((n, 16)), axis=1)
    swapped[rows, first], swapped[rows, first + 1] = matrix[rows, first + 1], matrix[rows, first]
    old = np.concatenate([matrix[:, :6], matrix[:, 8:17]], axis=1)
    born_1900s = (matrix[:, 6] == ord("1")) & (matrix[:, 7] == ord("9"))
    return {
        "digit_mistyped": _from_bytes(typo, 18),
        "digits_swapped": _from_bytes(swapped, 18),
        "old_15_digit": pl.select(pl.when(pl.Series(born_1900s)).then(_from_bytes(old, 15))).to_series(),
    }


def build_rosters(
    rng: np.random.Generator, listed: pl.DataFrame, on: dt.date, rates: RosterErrorRates
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Rosters, their recorded errors, and deaths, from the true listing of persons per source.

    `listed` has source, household_id, id_number, name, sex, birth_date, relation, village_code.
    """
    n = listed.height
    # Each office numbers households its own way: a prefix and a running number.
    household_ref = pl.col("source").replace_strict(ROSTER_PREFIX, return_dtype=pl.String) + pl.col(
        "household_id"
    ).rank("dense").over("source").cast(pl.String).str.zfill(7)
    base = listed.with_columns(household_ref=household_ref, id_true=pl.col("id_number"), name_true=pl.col("name"))

    # One uniform draw per row decides which error (if any) it carries.
    kinds = rates.kinds()
    bounds = np.cumsum(list(kinds.values()))
    draw = rng.random(n)
    kind_index = np.searchsorted(bounds, draw, side="right")
    error = pl.Series([*list(kinds), None], dtype=pl.String).gather(kind_index)
    damaged = _damaged_ids(rng, base["id_true"])
    variant = names.homophone_variant(base["name_true"])
    base = base.with_columns(error=error, **{f"_{k}": v for k, v in damaged.items()}, _variant=variant)
    base = base.with_columns(
        # A name with no replaceable character or an ID with no 15-digit form carries no error after all.
        error=pl.when((pl.col("error") == "name_variant") & (pl.col("_variant") == pl.col("name_true")))
        .then(None)
        .when((pl.col("error") == "old_15_digit") & pl.col("_old_15_digit").is_null())
        .then(None)
        .otherwise(pl.col("error"))
    )
    base = base.with_columns(
        id_number=pl.when(pl.col("error") == "id_missing")
        .then(None)
        .when(pl.col("error") == "digit_mistyped")
        .then("_digit_mistyped")
        .when(pl.col("error") == "digits_swapped")
        .then("_digits_swapped")
        .when(pl.col("error") == "old_15_digit")
        .then("_old_15_digit")
        .otherwise("id_true"),
        name=pl.when(pl.col("error") == "name_variant").then("_variant").otherwise("name_true"),
    )
    # A person listed twice: the extra row sits under another household of the same roster.
    doubled = base.filter(pl.col("error") == "two_households")
    second_refs = []
    for source in doubled["source"].unique(maintain_order=True):  # at most four sources
        refs = base.filter(pl.col("source") == source)["household_ref"].unique(maintain_order=True)
        these = doubled.filter(pl.col("source") == source)
        second_refs.append(these.with_columns(household_ref=refs.gather(rng.integers(0, len(refs), these.height))))
    doubled = pl.concat(second_refs) if second_refs else doubled
    kept = base.filter((pl.col("error") != "member_missing").fill_null(True))
    rosters = pl.concat([kept, doubled.select(kept.columns)]).with_columns(as_of=pl.lit(on, pl.Date))

    # Deaths: some dibao persons died in the last year, and the ledger still lists them.
    dibao = base.filter((pl.col("source") == "dibao") & pl.col("error").is_null()).unique(
        "id_true", keep="first", maintain_order=True
    )
    died = dibao.filter(pl.Series(rng.random(dibao.height) < rates.deceased))
    death_date = np.datetime64(on, "D") - rng.integers(1, 365, died.height).astype("timedelta64[D]")
    deaths = (
        died.select("id_true", "name_true")
        .rename({"id_true": "id_number", "name_true": "name"})
        .with_columns(death_date=pl.Series(death_date, dtype=pl.Date))
    )
    errors = pl.concat(
        [
            base.filter(pl.col("error").is_not_null()),
            died.with_columns(error=pl.lit("deceased")),
        ]
    ).select(
        "source",
        "household_ref",
        id_number_recorded=pl.when(pl.col("error") == "member_missing").then(None).otherwise("id_number"),
        id_number_true="id_true",
        name_recorded="name",
        name_true="name_true",
        error_kind="error",
    )
    columns = ["source", "household_ref", "id_number", "name", "sex", "birth_date", "relation", "village_code", "as_of"]
    return rosters.select(columns), errors, deaths
