from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from doudi.registry.database import current_revision, load_all_models, open_registry, upgrade
from doudi.registry.models import Base


def test_migrations_match_the_models(registry_engine: Engine) -> None:
    load_all_models()
    with registry_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    engine = open_registry(database_url)
    first = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == first is not None
    engine.dispose()
