"""Web app latency under concurrent users: household pages and search (p50/p95), and the dashboard's time.

Builds a synthetic county in a fresh PostgreSQL database (`doudi demo`'s generator and store), starts the app
under uvicorn on 127.0.0.1, logs 20 users in through the JSON API and has them open household pages and search
by name as fast as they can (httpx2, asyncio; a stress test: 20 users with no pause on a 2-core machine that
also runs PostgreSQL and this load generator), then again as users who pause 1-3 s between clicks (`--think`,
uniformly random, as load tools model people). The baseline, measured in the same run under the same load, is
the login page (a template and no database): the ratios say what the registry and the engine add.

Before the app starts, `doudi keep-decisions` keeps every household's decision (timed and printed: it is
work the app does that a plain page does not); `--cold` empties the kept decisions instead, so first visits
run the engine as they did before the fill existed.

    .venv/bin/python bench/web_latency.py --households 100000
    .venv/bin/python bench/web_latency.py --households 1000000 --workers 2   # the issue's size (~20 min to build)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ON = dt.date(2020, 6, 1)  # the app's assessment date (DOUDI_WEB_ON) and the kept decisions'
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
    env = os.environ | {"DOUDI_DATABASE_URL": url, "DOUDI_SECRET_KEY": "bench-secret", "DOUDI_WEB_ON": ON.isoformat()}
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
            # Users log in one after another (argon2) and wait for the warm-up: longer than uvicorn's 5 s
            # default, so an idle connection is not closed under a request that is being sent on it.
            "--timeout-keep-alive",
            "120",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return process
        except httpx2.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the app did not start")


async def logged_in(base: str, account: tuple[str, str]) -> httpx2.AsyncClient:
    client = httpx2.AsyncClient(base_url=base, timeout=60)
    answer = await client.post("/api/session", json={"username": account[0], "password": account[1]})
    answer.raise_for_status()
    return client


async def user(
    client: httpx2.AsyncClient,
    paths: list[str],
    until: float,
    out: dict[str, list[float]],
    think: tuple[float, float] = (0.0, 0.0),
) -> None:
    try:
        while time.perf_counter() < until:
            if think[1] > 0:
                await asyncio.sleep(random.uniform(*think))
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
        "--cold", action="store_true", help="no kept decisions: first visits run the engine (as before the fill)"
    )
    parser.add_argument(
        "--kept-as-is",
        action="store_true",
        help="skip doudi keep-decisions (a run right after one): pages check every kept decision anyway",
    )
    parser.add_argument(
        "--think", default="1-3", help="seconds a user pauses between clicks in the second run, 'low-high' (0 = skip)"
    )
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
        # No dashboard kept from an earlier run; kept decisions only as `doudi keep-decisions` leaves them.
        connection.execute(text("DELETE FROM web_dashboard_cache"))
        if args.cold:
            connection.execute(text("DELETE FROM web_decision_cache"))
    if args.kept_as_is and not args.cold:
        with engine.connect() as connection:
            kept = connection.scalar(text("SELECT count(*) FROM web_decision_cache"))
        print(f"doudi keep-decisions not run (--kept-as-is): {kept:,} decisions kept by an earlier run")
    elif not args.cold:
        from doudi.web.prefill import keep_every_decision

        filled = keep_every_decision(engine, ON)
        print(
            f"doudi keep-decisions: {filled.households:,} households, {filled.assessed:,} assessed "
            f"({filled.households - filled.assessed - filled.not_assessable:,} already kept), {filled.seconds:.0f} s"
        )
    engine.dispose()
    county = accounts["county_civil_affairs"]
    drawn, names = samples(url, 2 * args.sample)
    # Half the drawn households only warm the workers up (imports, the engine's first plans): never measured.
    ids, warmup_ids, names = drawn[: args.sample], drawn[args.sample :], names[: args.sample]
    port = free_port()
    server = start_server(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx2.Client(base_url=base, timeout=600) as client:
            client.post("/api/session", json={"username": county.username, "password": county.password})
            timings = []
            for _ in range(4):  # the first computes the area's figures (caches emptied above), the rest read them
                started = time.perf_counter()
                assert client.get("/").status_code == 200
                timings.append(time.perf_counter() - started)
        paths = [f"/households/{i}" for i in ids] + [f"/households?q={n}" for n in names] + ["/login"] * (len(ids) // 4)
        credentials = (county.username, county.password)
        phases: list[tuple[str, tuple[float, float]]] = [("no think time (stress)", (0.0, 0.0))]
        if args.think != "0":
            low, high = (float(part) for part in args.think.split("-"))
            phases.append((f"think time {low:g}-{high:g} s", (low, high)))
        results = []

        async def run(think: tuple[float, float], warm: bool) -> tuple[dict[str, list[float]], float]:
            out: dict[str, list[float]] = {"household": [], "search": [], "baseline": []}
            # Log every user in first (argon2 is deliberately slow), then measure.
            clients = [await logged_in(base, credentials) for _ in range(args.users)]
            if warm and args.warmup > 0 and warmup_ids:
                discarded: dict[str, list[float]] = {"household": [], "search": [], "baseline": []}
                warmers = [await logged_in(base, credentials) for _ in range(args.users)]
                until = time.perf_counter() + args.warmup
                warm_paths = [f"/households/{i}" for i in (ids if args.warm_sample else warmup_ids)]
                await asyncio.gather(*(user(client, warm_paths, until, discarded) for client in warmers))
            started = time.perf_counter()
            until = started + args.seconds
            await asyncio.gather(*(user(client, paths, until, out, think) for client in clients))
            return out, time.perf_counter() - started

        for number, (label, think) in enumerate(phases):
            if args.cold and number:  # the first phase has kept the sampled households' decisions
                with open_registry(url).begin() as connection:
                    connection.execute(text("DELETE FROM web_decision_cache"))
            results.append((label, *asyncio.run(run(think, warm=number == 0))))
            print(f"  ({label}: load average {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"dashboard (county, {args.households:,} households): first view {timings[0] * 1000:,.0f} ms (computes), "
        f"then {statistics.median(timings[1:]) * 1000:,.0f} ms (median of 3, kept figures)"
    )
    decisions = "cold: first visits run the engine" if args.cold else "decisions kept by doudi keep-decisions"
    for label, out, elapsed in results:
        total = sum(len(v) for v in out.values())
        print(
            f"{args.households:,} households ({len(ids)} sampled, {decisions}), {args.users} users, {label}, "
            f"{args.workers} workers, {elapsed:.0f} s: {total:,} requests, {total / elapsed:.0f} requests/s"
        )
        floor = statistics.median(out["baseline"]) if out["baseline"] else float("nan")
        for kind, name in (("household", "household page"), ("search", "search by name"), ("baseline", "login page")):
            values = out[kind]
            if not values:
                continue
            p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
            print(
                f"  {name:15s} n={len(values):6,}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"p50/baseline {p50 / floor:5.1f}x"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
