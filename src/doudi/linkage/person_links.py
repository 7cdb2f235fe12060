"""The core of the roster comparison, as SQL that runs unchanged on DuckDB and on Spark SQL.

Input: a `persons` table (source, household_key, link_id) holding every roster's person rows. Output:
 - `household_pairs`: the dibao/poor person join (full outer, on the ID number; a row without a number matches
   nothing and stays, once) counted per (dibao household, poor household); a person the other roster does not
   list counts against NULL on that side;
 - `household_links`: the dibao household and poor household that share persons, with how many;
 - `household_sizes`: persons per household per roster, as the join lists them;
 - `best_links`: each dibao household's poor household sharing most;
 - `household_status`: one row per linked pair or lone household, with both sizes: what `compare` labels.

The join is counted as it streams instead of being kept person by person: the household grouping is the
comparison's dominant cost, and doing it once, on the join's output, leaves the later steps a few million
household rows instead of the 12M person rows (bench/compare.py).

Only portable SQL is used (CASE, CAST, COUNT, SUM, ROW_NUMBER() OVER, UNION ALL, WITH, FULL OUTER JOIN);
each was run on both engines with equal results (bench/compare_spark.py).
"""

from __future__ import annotations

import duckdb

HOUSEHOLD_PAIRS_SQL = """
SELECT d.household_key AS dibao_household, p.household_key AS poor_household, COUNT(*) AS persons
FROM (SELECT household_key, link_id FROM persons WHERE source = 'dibao') d
FULL OUTER JOIN (SELECT household_key, link_id FROM persons WHERE source = 'poor') p
  ON d.link_id = p.link_id
GROUP BY d.household_key, p.household_key
"""

HOUSEHOLD_LINKS_SQL = """
SELECT dibao_household, poor_household, persons AS shared
FROM household_pairs
WHERE dibao_household IS NOT NULL AND poor_household IS NOT NULL
"""

# A household's size is its count of join rows: each of its rows once, or once per partner row when the other
# roster lists that ID number in more than one household. CAST: DuckDB widens SUM to HUGEINT, Spark keeps BIGINT.
HOUSEHOLD_SIZES_SQL = """
SELECT dibao_household AS household_key, 'dibao' AS source, CAST(SUM(persons) AS BIGINT) AS persons
FROM household_pairs WHERE dibao_household IS NOT NULL GROUP BY dibao_household
UNION ALL
SELECT poor_household, 'poor', CAST(SUM(persons) AS BIGINT)
FROM household_pairs WHERE poor_household IS NOT NULL GROUP BY poor_household
"""

# Each dibao household's best poor household: most shared persons, ties to the smaller key, so that DuckDB and
# Spark pick the same one (MAX_BY leaves ties to the engine).
BEST_LINKS_SQL = """
SELECT dibao_household, poor_household, shared
FROM (SELECT dibao_household, poor_household, shared,
             ROW_NUMBER() OVER (PARTITION BY dibao_household ORDER BY shared DESC, poor_household) AS rank
      FROM household_links) AS ranked
WHERE rank = 1
"""

# Two joins: each poor household with the dibao households that chose it (none: it stands alone), then each
# dibao household with its choice.
HOUSEHOLD_STATUS_SQL = """
WITH poor AS (
  SELECT b.dibao_household, ps.household_key AS poor_household, b.shared, ps.persons AS poor_persons
  FROM household_sizes ps LEFT JOIN best_links b ON b.poor_household = ps.household_key
  WHERE ps.source = 'poor')
SELECT ds.household_key AS dibao_household,
       p.poor_household,
       p.shared,
       ds.persons AS dibao_persons,
       p.poor_persons,
       CASE WHEN p.poor_household IS NULL THEN 'dibao_only'
            WHEN ds.persons = p.poor_persons AND p.shared = ds.persons THEN 'same'
            ELSE 'differs' END AS status
FROM household_sizes ds
LEFT JOIN poor p ON p.dibao_household = ds.household_key
WHERE ds.source = 'dibao'
UNION ALL
SELECT NULL, poor_household, 0, NULL, poor_persons, 'poor_only' FROM poor WHERE dibao_household IS NULL
"""

# In order: each statement's result becomes the table of that name for the ones after it.
PIPELINE: tuple[tuple[str, str], ...] = (
    ("household_pairs", HOUSEHOLD_PAIRS_SQL),
    ("household_links", HOUSEHOLD_LINKS_SQL),
    ("household_sizes", HOUSEHOLD_SIZES_SQL),
    ("best_links", BEST_LINKS_SQL),
    ("household_status", HOUSEHOLD_STATUS_SQL),
)


def run_duckdb(connection: duckdb.DuckDBPyConnection, persons: object) -> None:
    """Run the pipeline on a DuckDB connection over `persons` (a Polars frame or Arrow table); every step's
    result stays in the connection as a temporary table of the step's name."""
    connection.register("persons", persons)
    for name, sql in PIPELINE:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
