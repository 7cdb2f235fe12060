"""A small synthetic county in a fresh registry, the web app on it, and one logged-in client per role."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

ON = dt.date(2020, 6, 1)


@dataclass
class WebCounty:
    app: FastAPI
    county: object  # doudi.synth.SyntheticCounty
    accounts: dict[str, object]  # role -> DemoAccount

    @staticmethod
    def login(client: TestClient, username: str, password: str) -> Any:
        return login(client, username, password)

    @staticmethod
    def csrf(client: TestClient) -> str:
        return csrf_of(client)

    def enrollable_household(self, role: str, outside: str | None = None) -> str:
        """A household in `role`'s area (and not in `outside`'s) that the engine would enroll on ON."""
        import polars as pl

        from doudi.registry.loader import load_frames
        from doudi.rules.assess import assess_frames

        area = self.accounts[role].area_code  # type: ignore[attr-defined]
        with self.app.state.web.engine.connect() as connection:
            decisions = assess_frames(load_frames(connection, region_prefix=area, on=ON)).decisions
        chosen = decisions.filter(pl.col("decision") == "enroll")
        if outside is not None:
            other = self.accounts[outside].area_code  # type: ignore[attr-defined]
            households = self.county.households.filter(~pl.col("village_code").str.starts_with(other))  # type: ignore[attr-defined]
            chosen = chosen.join(households.select("household_id"), on="household_id", how="semi")
        assert chosen.height, f"the synthetic county has a household to enroll in {area}"
        household_id: str = chosen["household_id"][0]
        return household_id

    def client(self, role: str | None = None) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        if role is not None:
            login(client, self.accounts[role].username, self.accounts[role].password)  # type: ignore[attr-defined]
        return client


def login(client: TestClient, username: str, password: str) -> object:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )


def csrf_of(client: TestClient) -> str:
    token: str = client.get("/api/session").json()["csrf_token"]
    return token


def build(database_url: str, files: Path, households: int = 250) -> WebCounty:
    from doudi.demo import store_county
    from doudi.synth import generate_county
    from doudi.web.accounts import demo_accounts
    from doudi.web.app import create_app

    app = create_app(database_url, secret="test-secret", on=ON, files=files)
    county = generate_county(households=households, seed=11, on=ON)
    store_county(app.state.web.engine, county)
    accounts = {account.role: account for account in demo_accounts(app.state.web.engine)}
    return WebCounty(app, county, accounts)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production argon2 costs ~0.5 s a hash on a loaded CI machine; the tests check behaviour, not cost.
    from argon2 import PasswordHasher

    from doudi.web import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def web(database_url: str, tmp_path: Path) -> Iterator[WebCounty]:
    county = build(database_url, tmp_path / "files")
    yield county
    county.app.state.web.engine.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebCounty]]:
    """The app under uvicorn on 127.0.0.1 and a free port, over a 300-household county on SQLite."""
    import threading
    import time

    import uvicorn
    from argon2 import PasswordHasher

    from doudi.web import auth

    original = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    folder = tmp_path_factory.mktemp("browser")
    web = build(f"sqlite:///{folder / 'doudi.sqlite'}", folder / "files", households=300)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", web
    finally:
        server.should_exit = True
        thread.join(10)
        auth._hasher = original
        web.app.state.web.engine.dispose()
