"""The core of the roster comparison, as SQL that runs unchanged on DuckDB and on Spark SQL.

Input: a `persons` table (source, household_seq, link_id) holding every roster's person rows, `household_seq`
being the household's number (rosters.household_numbers: dense, unique across the rosters compared), and
`dibao_sizes` and `poor_sizes` (household_seq, persons): each household's count of roster rows, with or without
an ID number (`household_sizes`). Output:
 - `household_links`: the dibao household and the poor household that list the same ID numbers, with how many
   they both list (`shared`, each number once however often listed);
 - `best_links`: each dibao household's poor household sharing most;
 - `household_status`: one row per household pair or lone household, what `compare` labels.
Households are numbers throughout: grouping and joining integers costs less than the keys' strings, and the
caller maps the numbers back to `household_key` (compare.py). No step keeps the person-level join: only its
counts per household pair are read. Because the numbers are dense, the sizes are counted by number (a bincount)
rather than by a GROUP BY, which cost nearly as much as the join; on Spark at national scale the same two
tables are `SELECT household_seq, COUNT(*) … GROUP BY household_seq` per roster.

Only portable SQL is used (COALESCE, CASE, COUNT, COUNT(DISTINCT), ROW_NUMBER() OVER, UNION ALL, inner and left
joins); each was run on both engines with equal results (bench/compare_spark.py).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Rows without an ID number match nothing; a number listed twice in a household is shared once (DISTINCT costs
# 0.3 s at 5M x 10M; counting pairs of rows called a household listing x twice and one listing x and y "same").
HOUSEHOLD_LINKS_SQL = """
SELECT d.household_seq AS dibao_household, p.household_seq AS poor_household, COUNT(DISTINCT d.link_id) AS shared
FROM (SELECT household_seq, link_id FROM persons WHERE source = 'dibao' AND link_id IS NOT NULL) d
JOIN (SELECT household_seq, link_id FROM persons WHERE source = 'poor' AND link_id IS NOT NULL) p
  ON d.link_id = p.link_id
GROUP BY d.household_seq, p.household_seq
"""

# Each dibao household's best poor household: most shared persons, ties to the smaller number — the household
# read first — so that DuckDB and Spark pick the same one (MAX_BY leaves ties to the engine).
BEST_LINKS_SQL = """
SELECT dibao_household, poor_household, shared
FROM (SELECT dibao_household, poor_household, shared,
             ROW_NUMBER() OVER (PARTITION BY dibao_household ORDER BY shared DESC, poor_household) AS rank
      FROM household_links) AS ranked
WHERE rank = 1
"""

# One row per household pair or lone household, with both sizes.
HOUSEHOLD_STATUS_SQL = """
SELECT ds.household_seq AS dibao_household,
       b.poor_household,
       b.shared,
       ds.persons AS dibao_persons,
       ps.persons AS poor_persons,
       CASE WHEN b.poor_household IS NULL THEN 'dibao_only'
            WHEN ds.persons = ps.persons AND b.shared = ds.persons THEN 'same'
            ELSE 'differs' END AS status
FROM dibao_sizes ds
LEFT JOIN best_links b ON b.dibao_household = ds.household_seq
LEFT JOIN poor_sizes ps ON ps.household_seq = b.poor_household
UNION ALL
SELECT NULL, ps.household_seq, 0, NULL, ps.persons, 'poor_only'
FROM poor_sizes ps
LEFT JOIN (SELECT DISTINCT poor_household FROM best_links) used ON used.poor_household = ps.household_seq
WHERE used.poor_household IS NULL
"""

# In order: each statement's result becomes the table of that name for the ones after it.
PIPELINE: tuple[tuple[str, str], ...] = (
    ("household_links", HOUSEHOLD_LINKS_SQL),
    ("best_links", BEST_LINKS_SQL),
    ("household_status", HOUSEHOLD_STATUS_SQL),
)


def household_sizes(persons: pa.Table) -> dict[str, pa.Table]:
    """`dibao_sizes` and `poor_sizes`: each household of the roster with its count of rows (household_seq,
    persons)."""
    rows_of = {source: pc.equal(persons["source"], source).fill_null(False).to_numpy() for source in ("dibao", "poor")}
    return count_households(persons["household_seq"].to_numpy(), rows_of)


def count_households(numbers: np.ndarray, rows_of: dict[str, np.ndarray]) -> dict[str, pa.Table]:
    """`{source}_sizes` for each roster: the households numbered in its rows (`rows_of[source]`, a mask over
    `numbers`) with their count of rows."""
    counts = np.bincount(numbers) if len(numbers) else np.zeros(0, dtype=np.int64)
    tables = {}
    for source, rows in rows_of.items():
        listed = np.zeros(len(counts), dtype=bool)
        listed[numbers[rows]] = True
        households = np.flatnonzero(listed)
        tables[f"{source}_sizes"] = pa.table({"household_seq": households, "persons": counts[households]})
    return tables


def register_inputs(connection: duckdb.DuckDBPyConnection, persons: pa.Table) -> None:
    """`persons` and the two size tables, as the pipeline reads them."""
    connection.register("persons", persons)
    for name, table in household_sizes(persons).items():
        connection.register(name, table)


def run_duckdb(connection: duckdb.DuckDBPyConnection, persons: pa.Table) -> None:
    """Run the pipeline on a DuckDB connection over `persons` (an Arrow table); every step's result stays in the
    connection as a temporary table of the step's name."""
    register_inputs(connection, persons)
    for name, sql in PIPELINE:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
