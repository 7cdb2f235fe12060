"""comparison runs, findings and confirmations

Revision ID: compare_0001
Revises: 0001
Create Date: 2026-11-23 10:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "compare_0001"
down_revision = "0001"
branch_labels = ("compare",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comparison_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("profile", sa.String(length=60), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comparison_runs")),
    )
    op.create_table(
        "comparison_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("township", sa.String(length=100), nullable=True),
        sa.Column("village", sa.String(length=100), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["comparison_runs.id"],
            name=op.f("fk_comparison_findings_run_id_comparison_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comparison_findings")),
    )
    op.create_index(op.f("ix_comparison_findings_run_id"), "comparison_findings", ["run_id"], unique=False)
    op.create_table(
        "comparison_confirmations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=20), nullable=False),
        sa.Column("confirmed_by", sa.String(length=60), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["comparison_runs.id"],
            name=op.f("fk_comparison_confirmations_run_id_comparison_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comparison_confirmations")),
        sa.UniqueConstraint("run_id", "department", name=op.f("uq_comparison_confirmations_run_id_department")),
    )


def downgrade() -> None:
    op.drop_table("comparison_confirmations")
    op.drop_index(op.f("ix_comparison_findings_run_id"), table_name="comparison_findings")
    op.drop_table("comparison_findings")
    op.drop_table("comparison_runs")
