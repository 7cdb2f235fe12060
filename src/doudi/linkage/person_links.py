"""The core of the roster comparison, as SQL that runs unchanged on DuckDB and on Spark SQL.

Input: a `persons` table (source, household_seq, link_id) holding every roster's person rows; `household_seq` is
the household's number (rosters.household_numbers, unique across the rosters compared). Output:
 - `household_links`: the dibao household and the poor household that list the same ID number, with how many
   such pairs of rows they have (`shared`);
 - `best_links`: each dibao household's poor household sharing most;
 - `household_sizes`: roster rows per household per roster;
 - `household_status`: one row per household pair or lone household, what `compare` labels.
Households are numbers throughout: grouping and joining integers costs less than the keys' strings, and the
caller maps the numbers back to `household_key` (compare.py). No step keeps the person-level join: only its
counts per household pair are read.

Only portable SQL is used (COALESCE, CASE, COUNT, ROW_NUMBER() OVER, UNION ALL, inner and left joins); each was
run on both engines with equal results (bench/compare_spark.py).
"""

from __future__ import annotations

import duckdb

# Rows without an ID number match nothing; a number listed twice in a household counts once per row listed.
HOUSEHOLD_LINKS_SQL = """
SELECT d.household_seq AS dibao_household, p.household_seq AS poor_household, COUNT(*) AS shared
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

# Every roster row once, with or without an ID number. Two GROUP BYs, one per roster, measured faster than one
# grouped by household and source.
HOUSEHOLD_SIZES_SQL = """
SELECT household_seq, 'dibao' AS source, COUNT(*) AS persons FROM persons WHERE source = 'dibao' GROUP BY household_seq
UNION ALL
SELECT household_seq, 'poor' AS source, COUNT(*) AS persons FROM persons WHERE source = 'poor' GROUP BY household_seq
"""

# One row per household pair or lone household, with both sizes.
HOUSEHOLD_STATUS_SQL = """
SELECT COALESCE(b.dibao_household, ds.household_seq) AS dibao_household,
       b.poor_household,
       b.shared,
       ds.persons AS dibao_persons,
       ps.persons AS poor_persons,
       CASE WHEN b.poor_household IS NULL THEN 'dibao_only'
            WHEN ds.persons = ps.persons AND b.shared = ds.persons THEN 'same'
            ELSE 'differs' END AS status
FROM (SELECT * FROM household_sizes WHERE source = 'dibao') ds
LEFT JOIN best_links b ON b.dibao_household = ds.household_seq
LEFT JOIN (SELECT * FROM household_sizes WHERE source = 'poor') ps ON ps.household_seq = b.poor_household
UNION ALL
SELECT NULL, ps.household_seq, 0, NULL, ps.persons, 'poor_only'
FROM (SELECT * FROM household_sizes WHERE source = 'poor') ps
LEFT JOIN (SELECT DISTINCT poor_household FROM best_links) used ON used.poor_household = ps.household_seq
WHERE used.poor_household IS NULL
"""

# In order: each statement's result becomes the table of that name for the ones after it.
PIPELINE: tuple[tuple[str, str], ...] = (
    ("household_links", HOUSEHOLD_LINKS_SQL),
    ("best_links", BEST_LINKS_SQL),
    ("household_sizes", HOUSEHOLD_SIZES_SQL),
    ("household_status", HOUSEHOLD_STATUS_SQL),
)


def run_duckdb(connection: duckdb.DuckDBPyConnection, persons: object) -> None:
    """Run the pipeline on a DuckDB connection over `persons` (a Polars frame or Arrow table); every step's
    result stays in the connection as a temporary table of the step's name."""
    connection.register("persons", persons)
    for name, sql in PIPELINE:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
