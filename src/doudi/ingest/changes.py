"""Comparing rows read from a ledger with what the registry holds: which to insert, which to update, and
the field-by-field change log. A ledger cell left empty never erases stored data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

CHANGE_LOG_COLUMNS = ("table_name", "record_key", "field", "old_value", "new_value")


@dataclass(frozen=True)
class Diff:
    inserts: pl.DataFrame  # rows of `new` with no stored row
    updates: pl.DataFrame  # key, merged compared columns and the stored extras (row id, version)
    changes: pl.DataFrame  # CHANGE_LOG_COLUMNS, one row per changed field


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String)


def diff(
    table: str,
    new: pl.DataFrame,
    stored: pl.DataFrame,
    key: Sequence[str],
    compared: Sequence[str],
    record_key: pl.Expr,
) -> Diff:
    keys = list(key)
    fields = [c for c in compared if c in new.columns]
    stored = stored.select(keys + [c for c in stored.columns if c not in keys]).with_columns(
        pl.lit(True).alias("__stored")
    )
    renamed = {c: f"{c}__old" for c in fields}
    joined = new.join(stored.rename(renamed), on=keys, how="left", nulls_equal=False)
    present = pl.col("__stored").fill_null(False)
    inserts = joined.filter(~present).select(new.columns)

    existing = joined.filter(present)
    changed_flags = [
        (pl.col(c).is_not_null() & (pl.col(f"{c}__old").is_null() | (pl.col(c) != pl.col(f"{c}__old")))).alias(
            f"{c}__changed"
        )
        for c in fields
    ]
    existing = existing.with_columns(changed_flags).with_columns(record_key.alias("__record_key"))
    any_change = pl.any_horizontal([pl.col(f"{c}__changed") for c in fields]) if fields else pl.lit(False)
    changed_rows = existing.filter(any_change)

    changes = pl.concat(
        [
            changed_rows.filter(pl.col(f"{c}__changed")).select(
                pl.lit(table).alias("table_name"),
                pl.col("__record_key").alias("record_key"),
                pl.lit(c).alias("field"),
                _text(f"{c}__old").alias("old_value"),
                _text(c).alias("new_value"),
            )
            for c in fields
        ]
        or [pl.DataFrame(schema=dict.fromkeys(CHANGE_LOG_COLUMNS, pl.String()))],
        how="vertical_relaxed",
    )
    extras = [c for c in stored.columns if c not in keys and c not in fields and c != "__stored"]
    updates = changed_rows.select(
        *keys,
        *[pl.coalesce(pl.col(c), pl.col(f"{c}__old")).alias(c) for c in fields],
        *extras,
    )
    return Diff(inserts=inserts, updates=updates, changes=changes)
