"""Web app latency under concurrent users: household pages and search (p50/p95), and the dashboard's time.

Builds a synthetic county in a fresh PostgreSQL database (`doudi demo`'s generator and store), starts the app
under uvicorn on 127.0.0.1, logs 20 users in through the JSON API and has them open household pages and search
by name as fast as they can (httpx, asyncio). The baseline, measured in the same run under the same load, is
the login page (a template and no database): the ratios say what the registry and the engine add.

    .venv/bin/python bench/web_latency.py --households 100000
    .venv/bin/python bench/web_latency.py --households 1000000 --workers 2   # the issue's size (~20 min to build)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

SERVER = os.environ.get("DOUDI_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fresh_database(name: str) -> str:
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(SERVER).set(database=name).render_as_string(hide_password=False)


def build(url: str, households: int) -> float:
    from doudi.demo import store_county
    from doudi.registry.database import open_registry
    from doudi.synth import generate_county

    started = time.perf_counter()
    engine = open_registry(url)
    store_county(engine, generate_county(households=households, seed=2020))
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def samples(url: str, count: int) -> tuple[list[str], list[str]]:
    from doudi.registry.models import Household, Member

    engine = create_engine(url)
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(Household)) or 1
        fraction = min(1.0, 20 * count / total)
        ids = connection.scalars(select(Household.id).where(func.random() < fraction).limit(count)).all()
        names = connection.scalars(
            select(Member.name).where(Member.relation == "户主", func.random() < fraction).limit(count)
        ).all()
    engine.dispose()
    return list(ids), list(names)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"DOUDI_DATABASE_URL": url, "DOUDI_SECRET_KEY": "bench-secret", "DOUDI_WEB_ON": "2020-06-01"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "doudi.web.server:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the app did not start")


async def logged_in(base: str, account: tuple[str, str]) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    answer = await client.post("/api/session", json={"username": account[0], "password": account[1]})
    answer.raise_for_status()
    return client


async def user(client: httpx.AsyncClient, paths: list[str], until: float, out: dict[str, list[float]]) -> None:
    try:
        while time.perf_counter() < until:
            path = random.choice(paths)
            kind = "household" if path.startswith("/households/") else "search" if "q=" in path else "baseline"
            started = time.perf_counter()
            response = await client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
            out[kind].append(elapsed * 1000)
    finally:
        await client.aclose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--warm-sample", action="store_true", help="warm up on the measured households: their decisions are kept"
    )
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of unmeasured requests on other households")
    parser.add_argument("--database", default="doudi_web_bench")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument(
        "--build-only", action="store_true", help="build the database and stop (run later with --reuse)"
    )
    parser.add_argument(
        "--sample", type=int, default=400, help="households (and names) drawn; few means repeat visits (warm)"
    )
    args = parser.parse_args()

    from doudi.registry.database import open_registry
    from doudi.web.accounts import demo_accounts

    url = make_url(SERVER).set(database=args.database).render_as_string(hide_password=False)
    if not args.reuse:
        url = fresh_database(args.database)
        print(f"building {args.households:,} households in PostgreSQL: {build(url, args.households):.0f} s")
        if args.build_only:
            return
    engine = open_registry(url)
    accounts = {a.role: a for a in demo_accounts(engine)}
    with engine.begin() as connection:
        # Every run starts cold: no decision or dashboard kept from an earlier run.
        connection.execute(text("DELETE FROM web_decision_cache"))
        connection.execute(text("DELETE FROM web_dashboard_cache"))
    engine.dispose()
    county = accounts["county_civil_affairs"]
    drawn, names = samples(url, 2 * args.sample)
    # Half the drawn households only warm the workers up (imports, the engine's first plans): never measured.
    ids, warmup_ids, names = drawn[: args.sample], drawn[args.sample :], names[: args.sample]
    port = free_port()
    server = start_server(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            client.post("/api/session", json={"username": county.username, "password": county.password})
            timings = []
            for _ in range(4):  # the first computes the area's figures (caches emptied above), the rest read them
                started = time.perf_counter()
                assert client.get("/").status_code == 200
                timings.append(time.perf_counter() - started)
        paths = [f"/households/{i}" for i in ids] + [f"/households?q={n}" for n in names] + ["/login"] * (len(ids) // 4)
        out: dict[str, list[float]] = {"household": [], "search": [], "baseline": []}
        credentials = (county.username, county.password)
        timing: dict[str, float] = {}

        async def run() -> None:
            # Log every user in first (argon2 is deliberately slow), then measure.
            clients = [await logged_in(base, credentials) for _ in range(args.users)]
            if args.warmup > 0 and warmup_ids:
                discarded: dict[str, list[float]] = {"household": [], "search": [], "baseline": []}
                warm = [await logged_in(base, credentials) for _ in range(args.users)]
                until = time.perf_counter() + args.warmup
                warm_paths = [f"/households/{i}" for i in (ids if args.warm_sample else warmup_ids)]
                await asyncio.gather(*(user(client, warm_paths, until, discarded) for client in warm))
            timing["started"] = time.perf_counter()
            until = timing["started"] + args.seconds
            await asyncio.gather(*(user(client, paths, until, out) for client in clients))

        asyncio.run(run())
        elapsed = time.perf_counter() - timing["started"]
    finally:
        server.terminate()
        server.wait(10)
    total = sum(len(v) for v in out.values())
    print(
        f"{args.households:,} households ({len(ids)} sampled), {args.users} concurrent users, {args.workers} workers, "
        f"{elapsed:.0f} s: {total:,} requests, {total / elapsed:.0f} requests/s"
    )
    print(
        f"dashboard (county, {args.households:,} households): first view {timings[0] * 1000:,.0f} ms (computes), "
        f"then {statistics.median(timings[1:]) * 1000:,.0f} ms (median of 3, kept figures)"
    )
    floor = statistics.median(out["baseline"]) if out["baseline"] else float("nan")
    for kind, label in (("household", "household page"), ("search", "search by name"), ("baseline", "login page")):
        values = out[kind]
        if not values:
            continue
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(
            f"  {label:15s} n={len(values):6,}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p50/baseline {p50 / floor:5.1f}x"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
