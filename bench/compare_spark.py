"""The comparison's core SQL on PySpark local mode, beside DuckDB on the same rosters, with equal results.

    .venv/bin/pip install 'pyspark>=3.5'     # or: pip install -e '.[spark]'; needs Java 17
    .venv/bin/python bench/compare_spark.py [--dibao 1000000] [--poor 2000000]

The statements of doudi.linkage.person_links.PIPELINE run unchanged on both engines: each becomes a temporary
view (Spark, cached and counted so the time is spent) or a temporary table (DuckDB). The rosters are those of
bench/compare.py, written once to Parquet with their household sizes (person_links.household_sizes) so both
engines read the same files. Every step's row count and the
household status counts must agree; the SQL functions used are listed in person_links.py and each is checked
here by that agreement. Times are printed, never asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from compare import synthetic_persons
from doudi.linkage.person_links import PIPELINE, household_sizes


def run_duckdb(inputs: dict[str, Path]) -> tuple[float, dict[str, int], dict[str, int]]:
    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    started = time.perf_counter()
    for name, parquet in inputs.items():
        connection.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM read_parquet('{parquet}')")
    counts = {}
    for name, sql in PIPELINE:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        counts[name] = connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # type: ignore[index]
    seconds = time.perf_counter() - started
    statuses = dict(connection.execute("SELECT status, count(*) FROM household_status GROUP BY status").fetchall())
    return seconds, counts, statuses


def run_spark(inputs: dict[str, Path]) -> tuple[float, float, dict[str, int], dict[str, int]]:
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("doudi-compare-bench")
        .config("spark.driver.memory", "8g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    start_up = time.perf_counter() - started
    started = time.perf_counter()
    for name, parquet in inputs.items():
        spark.read.parquet(str(parquet)).cache().createOrReplaceTempView(name)
    counts = {}
    for name, sql in PIPELINE:
        frame = spark.sql(sql).cache()
        frame.createOrReplaceTempView(name)
        counts[name] = frame.count()
    seconds = time.perf_counter() - started
    statuses = {
        row["status"]: row["count"]
        for row in spark.sql("SELECT status, count(*) AS count FROM household_status GROUP BY status").collect()
    }
    spark.stop()
    return start_up, seconds, counts, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dibao", type=int, default=1_000_000)
    parser.add_argument("--poor", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        persons = synthetic_persons(args.dibao, args.poor)
        inputs = {}
        for name, table in {"persons": persons, **household_sizes(persons)}.items():
            inputs[name] = Path(folder) / f"{name}.parquet"
            pq.write_table(table, inputs[name])
        duck_seconds, duck_counts, duck_statuses = run_duckdb(inputs)
        duck_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        start_up, spark_seconds, spark_counts, spark_statuses = run_spark(inputs)
    print(f"rosters: {args.dibao:,} dibao persons vs {args.poor:,} registered-poor persons (Parquet)")
    print(
        f"  DuckDB {duckdb.__version__}, 2 threads: {duck_seconds:6.2f} s   (this process's peak {duck_peak:.2f} GiB)"
    )
    print(
        f"  Spark local[2]:        {spark_seconds:6.2f} s   (+ {start_up:.1f} s session start; JVM memory not counted)"
    )
    print(f"  Spark / DuckDB = {spark_seconds / duck_seconds:.1f}x")
    for name, _ in PIPELINE:
        agree = "same" if duck_counts[name] == spark_counts[name] else "DIFFERENT"
        print(f"  {name:18s} rows DuckDB {duck_counts[name]:>10,}  Spark {spark_counts[name]:>10,}  {agree}")
    print(f"  household status DuckDB {sorted(duck_statuses.items())}")
    print(f"  household status Spark  {sorted(spark_statuses.items())}")
    if duck_counts != spark_counts or duck_statuses != spark_statuses:
        raise SystemExit("DuckDB and Spark disagree: a SQL function behaves differently on the two engines")


if __name__ == "__main__":
    main()
