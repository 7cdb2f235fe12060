"""The core of the roster comparison, as SQL that runs unchanged on DuckDB and on Spark SQL.

Input: a `persons` table (source, household_key, link_id) holding every roster's person rows. Output:
 - `person_links`: per dibao/poor person, the dibao household and the poor household that list them
   (full outer join on the ID number; a row without a number matches nothing and stays, once);
 - `household_links`: the dibao household and poor household that share persons, with how many;
 - `household_sizes`: persons per household per roster.

Only portable SQL is used (COALESCE, CASE, COUNT, ROW_NUMBER() OVER, UNION ALL, FULL OUTER JOIN); each was run on
both engines with equal results (bench/compare_spark.py).
"""

from __future__ import annotations

import duckdb

PERSON_LINKS_SQL = """
SELECT COALESCE(d.link_id, p.link_id) AS link_id,
       d.household_key AS dibao_household,
       p.household_key AS poor_household
FROM (SELECT household_key, link_id FROM persons WHERE source = 'dibao') d
FULL OUTER JOIN (SELECT household_key, link_id FROM persons WHERE source = 'poor') p
  ON d.link_id = p.link_id
"""

HOUSEHOLD_LINKS_SQL = """
SELECT dibao_household, poor_household, COUNT(*) AS shared
FROM person_links
WHERE dibao_household IS NOT NULL AND poor_household IS NOT NULL
GROUP BY dibao_household, poor_household
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

# From person_links, not persons: every dibao and poor row is there once (a row without an ID number joins
# nothing and stays as an unmatched row), and a second scan of the input is saved.
HOUSEHOLD_SIZES_SQL = """
SELECT household_key, source, COUNT(*) AS persons
FROM (SELECT dibao_household AS household_key, 'dibao' AS source FROM person_links WHERE dibao_household IS NOT NULL
      UNION ALL
      SELECT poor_household, 'poor' FROM person_links WHERE poor_household IS NOT NULL) AS listed
GROUP BY household_key, source
"""

# One row per household pair or lone household, with both sizes: what `compare` labels.
HOUSEHOLD_STATUS_SQL = """
SELECT COALESCE(b.dibao_household, ds.household_key) AS dibao_household,
       b.poor_household,
       b.shared,
       ds.persons AS dibao_persons,
       ps.persons AS poor_persons,
       CASE WHEN b.poor_household IS NULL THEN 'dibao_only'
            WHEN ds.persons = ps.persons AND b.shared = ds.persons THEN 'same'
            ELSE 'differs' END AS status
FROM (SELECT * FROM household_sizes WHERE source = 'dibao') ds
LEFT JOIN best_links b ON b.dibao_household = ds.household_key
LEFT JOIN (SELECT * FROM household_sizes WHERE source = 'poor') ps ON ps.household_key = b.poor_household
UNION ALL
SELECT NULL, ps.household_key, 0, NULL, ps.persons, 'poor_only'
FROM (SELECT * FROM household_sizes WHERE source = 'poor') ps
LEFT JOIN (SELECT DISTINCT poor_household FROM best_links) used ON used.poor_household = ps.household_key
WHERE used.poor_household IS NULL
"""

# In order: each statement's result becomes the table of that name for the ones after it.
PIPELINE: tuple[tuple[str, str], ...] = (
    ("person_links", PERSON_LINKS_SQL),
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
