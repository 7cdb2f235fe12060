"""Opening the registry database: URL from the environment, SQLite pragmas, migrations on first use."""

from __future__ import annotations

import logging
import os
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///doudi.sqlite"


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("DOUDI_DATABASE_URL") or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL makes this safe against corruption
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB: index pages of a million-row import stay cached
    cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    engine = create_engine(database_url(url), **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("doudi.registry") / "migrations"))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


# Each capability that keeps tables adds its models module here and its migrations as a branch off "0001"
# (down_revision = "0001", its own branch_label), so capabilities built side by side never fight over one
# linear chain: the schema is up to date when every branch is at its head ("heads").
MODEL_MODULES = (
    "doudi.registry.models",
    "doudi.registry.comparison_runs",
    "doudi.web.models",
    "doudi.payments.models",
    "doudi.audit.models",
    "doudi.cases.models",
    "doudi.monitoring.models",
)


def load_all_models() -> None:
    """Import every models module so `Base.metadata` holds every table (for comparisons and create_all)."""
    import importlib

    for name in MODEL_MODULES:
        importlib.import_module(name)


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to `revision`; works from an installed package (migrations ship inside it)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The applied revisions (one per branch), as 'rev1+rev2', or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return "+".join(sorted(heads)) or None


def open_registry(url: str | None = None) -> Engine:
    """An engine on an up-to-date schema: migrations run automatically the first time."""
    engine = make_engine(url)
    if "alembic_version" not in inspect(engine).get_table_names() or current_revision(engine) is None:
        log.info("creating the registry schema at %s", engine.url.render_as_string(hide_password=True))
    upgrade(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
