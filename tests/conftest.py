"""Database fixtures shared by the registry and ingest tests: every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards, so parallel runs never collide."""
    server_url = os.environ.get("DOUDI_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # unreachable server, bad credentials, missing driver
        reason = f"PostgreSQL unreachable at {make_url(server_url).render_as_string()}: {error}"
        if os.environ.get("DOUDI_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"doudi_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'doudi.sqlite'}"
    else:
        yield from _postgres_database(request)


@pytest.fixture
def registry_engine(database_url: str) -> Iterator[object]:
    from doudi.registry.database import open_registry

    engine = open_registry(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


# Hypothesis's per-example deadline measures the machine's load as much as the code: CI and the developers'
# machines share two cores, so examples are judged by their results, never by their time.
settings.register_profile("doudi", deadline=None)
settings.load_profile("doudi")
