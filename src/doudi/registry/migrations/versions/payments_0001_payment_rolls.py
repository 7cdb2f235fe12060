"""payee accounts and approved payment rolls

Revision ID: payments_0001
Revises: 0001
Create Date: 2026-11-23 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Loading this revision registers the models on Base.metadata for the model/migration parity check.
import doudi.payments.models  # noqa: F401

revision = "payments_0001"
down_revision = "0001"
branch_labels = ("payments",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payee_accounts",
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("account_name", sa.String(length=50), nullable=False),
        sa.Column("bank", sa.String(length=60), nullable=False),
        sa.Column("account_number", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_payee_accounts_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_payee_accounts")),
    )
    op.create_table(
        "payment_rolls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region_prefix", sa.String(length=12), nullable=False),
        sa.Column("approved_by", sa.String(length=60), nullable=False),
        sa.Column("approved_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_rolls")),
        sa.UniqueConstraint("month", "region_prefix", name=op.f("uq_payment_rolls_month_region_prefix")),
    )
    op.create_index(op.f("ix_payment_rolls_month"), "payment_rolls", ["month"], unique=False)
    op.create_table(
        "payment_roll_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("roll_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("program", sa.String(length=12), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("village_code", sa.String(length=12), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("persons", sa.SmallInteger(), nullable=False),
        sa.Column("first_month", sa.String(length=7), nullable=False),
        sa.Column("benefit_fen", sa.BigInteger(), nullable=False),
        sa.Column("supplement_fen", sa.BigInteger(), nullable=False),
        sa.Column("arrears_fen", sa.BigInteger(), nullable=False),
        sa.Column("carry_over_fen", sa.BigInteger(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("account_name", sa.String(length=50), nullable=True),
        sa.Column("bank", sa.String(length=60), nullable=True),
        sa.Column("account_number", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("bank_status", sa.String(length=10), nullable=True),
        sa.Column("bank_message", sa.String(length=200), nullable=True),
        sa.Column("carried_to_roll_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["roll_id"],
            ["payment_rolls.id"],
            name=op.f("fk_payment_roll_rows_roll_id_payment_rolls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_roll_rows")),
        sa.UniqueConstraint(
            "roll_id", "household_id", "program", name=op.f("uq_payment_roll_rows_roll_id_household_id_program")
        ),
    )
    op.create_index(op.f("ix_payment_roll_rows_household_id"), "payment_roll_rows", ["household_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_roll_rows_household_id"), table_name="payment_roll_rows")
    op.drop_table("payment_roll_rows")
    op.drop_index(op.f("ix_payment_rolls_month"), table_name="payment_rolls")
    op.drop_table("payment_rolls")
    op.drop_table("payee_accounts")
