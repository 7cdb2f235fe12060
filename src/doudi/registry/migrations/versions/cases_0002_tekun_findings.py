"""case_tekun_findings: the 特困 conditions, self-care ability and care form found per person (TK-1)

Revision ID: cases_0002
Revises: cases_0001
Create Date: 2026-11-23 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Loading this revision registers the models on Base.metadata for the model/migration parity check.
import doudi.cases.models  # noqa: F401

revision = "cases_0002"
down_revision = "cases_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_tekun_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("no_work_capacity", sa.Boolean(), nullable=False),
        sa.Column("no_income_source", sa.Boolean(), nullable=False),
        sa.Column("no_supporter", sa.Boolean(), nullable=False),
        sa.Column("self_care", sa.String(length=8), nullable=False),
        sa.Column("care_form", sa.String(length=8), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_tekun_findings_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_tekun_findings")),
    )
    op.create_index(op.f("ix_case_tekun_findings_case_id"), "case_tekun_findings", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_tekun_findings_case_id"), table_name="case_tekun_findings")
    op.drop_table("case_tekun_findings")
