"""web app speed: indexes for a household's history and access trail, the decision and dashboard caches, and
the registry change counter the caches are checked against (triggers)

Revision ID: web_0002
Revises: web_0001
Create Date: 2026-11-23 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import doudi.web.models  # noqa: F401  (registers the models for the model/migration parity check)

revision = "web_0002"
down_revision = "web_0001"
branch_labels = None
depends_on = "cases_0001"  # review_schedule (due reviews on the dashboard) is watched too

# The registry tables the app's cached figures are drawn from (the engine's frames, the dashboard's counts).
WATCHED = ("households", "members", "income_items", "expenses", "enrollments", "regions", "review_schedule")


def upgrade() -> None:
    op.create_index(
        op.f("ix_change_log_record_key"),
        "change_log",
        ["record_key"],
        postgresql_ops={"record_key": "varchar_pattern_ops"},
    )
    op.create_index(op.f("ix_web_access_log_target"), "web_access_log", ["target"])
    op.create_table(
        "registry_changes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_changes")),
    )
    op.create_table(
        "web_decision_cache",
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_web_decision_cache")),
    )
    op.create_table(
        "web_dashboard_cache",
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("version", sa.String(length=200), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("area_code", "on_date", name=op.f("pk_web_dashboard_cache")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Once per statement (a COPY of a million rows is one row here); keyed by transaction, so concurrent
        # writers never wait for each other on it, and the count grows when a writing transaction commits.
        op.execute(
            """
            CREATE FUNCTION doudi_registry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO registry_changes (id, changes) VALUES (pg_current_xact_id()::text::bigint, 1)
                ON CONFLICT (id) DO NOTHING;
                RETURN NULL;
            END $$
            """
        )
        for name in WATCHED:
            op.execute(
                f"CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION doudi_registry_changed()"
            )
    else:
        # SQLite has row triggers only: counting inserts that way would slow bulk imports by half, and with one
        # writer at a time max(rowid) already shows them, so only updates and deletes are counted.
        op.execute("INSERT INTO registry_changes (id, changes) VALUES (0, 0)")
        for name in WATCHED:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER registry_changed_{name}_{event.lower()} AFTER {event} ON {name} "
                    "BEGIN UPDATE registry_changes SET changes = changes + 1 WHERE id = 0; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS registry_changed ON {name}")
        op.execute("DROP FUNCTION IF EXISTS doudi_registry_changed()")
    else:
        for name in WATCHED:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS registry_changed_{name}_{event}")
    op.drop_table("web_dashboard_cache")
    op.drop_table("web_decision_cache")
    op.drop_table("registry_changes")
    op.drop_index(op.f("ix_web_access_log_target"), table_name="web_access_log")
    op.drop_index(op.f("ix_change_log_record_key"), table_name="change_log")
