"""monitoring: department feeds, runs, income snapshots, alerts and watch-list items

Revision ID: monitoring_0001
Revises: 0001
Create Date: 2026-11-23 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Loading this revision registers the models on Base.metadata for the model/migration parity check.
import doudi.monitoring.models  # noqa: F401

revision = "monitoring_0001"
down_revision = "0001"
branch_labels = ("monitoring",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_feed_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_duplicate", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_feed_batches")),
    )
    op.create_index(op.f("ix_monitor_feed_batches_sha256"), "monitor_feed_batches", ["sha256"], unique=False)
    op.create_table(
        "monitor_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("region_prefix", sa.String(length=12), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("alerts_raised", sa.Integer(), nullable=False),
        sa.Column("alerts_known", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_runs")),
    )
    op.create_index(op.f("ix_monitor_runs_on_date"), "monitor_runs", ["on_date"], unique=False)
    op.create_table(
        "monitor_watch_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_name", sa.String(length=16), nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("coverage", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("first_listed", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_watch_items")),
        sa.UniqueConstraint("list_name", "household_id", name=op.f("uq_monitor_watch_items_list_name_household_id")),
    )
    op.create_index(op.f("ix_monitor_watch_items_household_id"), "monitor_watch_items", ["household_id"], unique=False)
    op.create_index(op.f("ix_monitor_watch_items_village_code"), "monitor_watch_items", ["village_code"], unique=False)
    op.create_table(
        "monitor_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("person_key", sa.String(length=18), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("event_key", sa.String(length=40), nullable=False),
        sa.Column("policy_id", sa.String(length=20), nullable=False),
        sa.Column("clause", sa.String(length=40), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("risk_score", sa.SmallInteger(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("village_code", sa.String(length=12), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("handled_by", sa.String(length=60), nullable=True),
        sa.Column("handled_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["monitor_runs.id"], name=op.f("fk_monitor_alerts_run_id_monitor_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_alerts")),
        sa.UniqueConstraint(
            "household_id",
            "person_key",
            "rule",
            "event_key",
            name=op.f("uq_monitor_alerts_household_id_person_key_rule_event_key"),
        ),
    )
    op.create_index(op.f("ix_monitor_alerts_deadline"), "monitor_alerts", ["deadline"], unique=False)
    op.create_index(op.f("ix_monitor_alerts_household_id"), "monitor_alerts", ["household_id"], unique=False)
    op.create_index(op.f("ix_monitor_alerts_run_id"), "monitor_alerts", ["run_id"], unique=False)
    op.create_index(op.f("ix_monitor_alerts_township_code"), "monitor_alerts", ["township_code"], unique=False)
    op.create_index(op.f("ix_monitor_alerts_village_code"), "monitor_alerts", ["village_code"], unique=False)
    op.create_table(
        "monitor_feed_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=True),
        sa.Column("household_id", sa.String(length=40), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("grade", sa.SmallInteger(), nullable=True),
        sa.Column("severe", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("detail_key", sa.String(length=60), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["monitor_feed_batches.id"], name=op.f("fk_monitor_feed_events_batch_id_monitor_feed_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_feed_events")),
        sa.UniqueConstraint(
            "kind",
            "id_number",
            "event_date",
            "detail_key",
            name=op.f("uq_monitor_feed_events_kind_id_number_event_date_detail_key"),
        ),
    )
    op.create_index(op.f("ix_monitor_feed_events_batch_id"), "monitor_feed_events", ["batch_id"], unique=False)
    op.create_index(op.f("ix_monitor_feed_events_household_id"), "monitor_feed_events", ["household_id"], unique=False)
    op.create_index(op.f("ix_monitor_feed_events_id_number"), "monitor_feed_events", ["id_number"], unique=False)
    op.create_table(
        "monitor_income_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("counted_income_fen_e4", sa.BigInteger(), nullable=False),
        sa.Column("household_line_fen_e4", sa.BigInteger(), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("risk_score", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["monitor_runs.id"], name=op.f("fk_monitor_income_snapshots_run_id_monitor_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_income_snapshots")),
        sa.UniqueConstraint("household_id", "on_date", name=op.f("uq_monitor_income_snapshots_household_id_on_date")),
    )
    op.create_index(
        op.f("ix_monitor_income_snapshots_household_id"), "monitor_income_snapshots", ["household_id"], unique=False
    )
    op.create_index(op.f("ix_monitor_income_snapshots_run_id"), "monitor_income_snapshots", ["run_id"], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_table("monitor_income_snapshots")
    op.drop_table("monitor_feed_events")
    op.drop_table("monitor_alerts")
    op.drop_table("monitor_watch_items")
    op.drop_table("monitor_runs")
    op.drop_table("monitor_feed_batches")
