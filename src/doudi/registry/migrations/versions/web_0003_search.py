"""web app search by name: an index on members (name, household_id) instead of (name), so a name's
households come from the index alone, already in household order

Revision ID: web_0003
Revises: web_0002
Create Date: 2026-11-23 15:45:00
"""

from __future__ import annotations

from alembic import op

revision = "web_0003"
down_revision = "web_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_members_name_household_id"), "members", ["name", "household_id"])
    op.drop_index(op.f("ix_members_name"), table_name="members")


def downgrade() -> None:
    op.create_index(op.f("ix_members_name"), "members", ["name"])
    op.drop_index(op.f("ix_members_name_household_id"), table_name="members")
