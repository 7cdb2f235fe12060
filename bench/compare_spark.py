"""The comparison's core SQL on PySpark local mode, beside DuckDB on the same rosters, with equal results.

    .venv/bin/pip install 'pyspark>=3.5'     # or: pip install -e '.[spark]'; needs Java 17
    .venv/bin/python bench/compare_spark.py [--dibao 1000000] [--poor 2000000]
    .venv/bin/python bench/compare_spark.py --spark-only --dibao 36000000 --poor 100000000   # national scale

The statements of doudi.linkage.person_links.PIPELINE run unchanged on both engines: each becomes a temporary
view (Spark, cached and counted so the time is spent) or a temporary table (DuckDB). The rosters are those of
bench/compare.py, written once to Parquet with their household sizes (person_links.household_sizes) so both
engines read the same files. Every step's row count and the
household status counts must agree; the SQL functions used are listed in person_links.py and each is checked
here by that agreement. Times are printed, never asserted.

`--spark-only` is for national scale, which does not fit beside the JVM when made as one Arrow table: the
rosters are written to Parquet in slices straight from numpy (ID numbers and household numbers as integers;
no household key strings, which the SQL does not read), DuckDB is not run, and Spark is timed alone.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from compare import roster_numbers, synthetic_persons
from doudi.linkage.person_links import PIPELINE, count_households, household_sizes


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


def write_national(dibao: int, poor: int, folder: Path, rows_per_slice: int = 10_000_000) -> dict[str, Path]:
    """The rosters of bench/compare.py written in slices: persons (source, link_id, household_seq) and the two
    size tables. Household numbers: the dibao households', then the poor households' after them."""
    ids, dibao_households, poor_households = roster_numbers(dibao, poor)
    first_poor = int(dibao_households.max()) + 1 if dibao else 0  # the poor households' numbers start here
    numbers = np.concatenate([dibao_households, poor_households + first_poor])
    del dibao_households, poor_households
    sources = pa.array(["dibao", "poor"])
    inputs = {"persons": folder / "persons.parquet"}
    schema = pa.schema([("source", pa.string()), ("link_id", pa.string()), ("household_seq", pa.int64())])
    with pq.ParquetWriter(inputs["persons"], schema) as writer:
        for start in range(0, len(ids), rows_per_slice):
            end = min(start + rows_per_slice, len(ids))
            codes = pa.array((np.arange(start, end) >= dibao).astype(np.int8))
            source = pa.DictionaryArray.from_arrays(codes, sources).cast(pa.string())
            link_id = pc.cast(pa.array(ids[start:end]), pa.string())
            writer.write_table(pa.table([source, link_id, pa.array(numbers[start:end])], schema=schema))
    rows = np.arange(len(numbers))
    for name, table in count_households(numbers, {"dibao": rows < dibao, "poor": rows >= dibao}).items():
        inputs[name] = folder / f"{name}.parquet"
        pq.write_table(table, inputs[name])
    return inputs


def run_spark(inputs: dict[str, Path], rows: int) -> tuple[float, float, dict[str, int], dict[str, int]]:
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("doudi-compare-bench")
        .config("spark.driver.memory", "8g")
        # 8 up to 16M rows, then one per 2M rows: national-scale partitions stay small enough to sort in memory
        .config("spark.sql.shuffle.partitions", str(max(8, rows // 2_000_000)))
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
    parser.add_argument("--spark-only", action="store_true", help="national scale: Spark alone, rosters in slices")
    args = parser.parse_args()
    if args.spark_only:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            inputs = write_national(args.dibao, args.poor, Path(folder))
            written = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
            start_up, spark_seconds, spark_counts, spark_statuses = run_spark(inputs, args.dibao + args.poor)
        print(
            f"rosters: {args.dibao:,} dibao persons vs {args.poor:,} registered-poor persons "
            f"(Parquet written in {written:.0f} s, Python peak {peak:.2f} GiB)"
        )
        print(f"  Spark local[2]: {spark_seconds:6.1f} s   (+ {start_up:.1f} s session start)")
        print(f"  rows {spark_counts}; household status {sorted(spark_statuses.items())}")
        return
    with tempfile.TemporaryDirectory() as folder:
        persons = synthetic_persons(args.dibao, args.poor)
        inputs = {}
        for name, table in {"persons": persons, **household_sizes(persons)}.items():
            inputs[name] = Path(folder) / f"{name}.parquet"
            pq.write_table(table, inputs[name])
        duck_seconds, duck_counts, duck_statuses = run_duckdb(inputs)
        duck_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        start_up, spark_seconds, spark_counts, spark_statuses = run_spark(inputs, args.dibao + args.poor)
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
