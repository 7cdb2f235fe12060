"""cases, investigations, objections, referrals, poor cards, reviews, recertification, sign-offs

Revision ID: cases_0001
Revises: 0001
Create Date: 2026-11-23 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Loading this revision registers the models on Base.metadata for the model/migration parity check.
import doudi.cases.models  # noqa: F401

revision = "cases_0001"
down_revision = "0001"
branch_labels = ("cases",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recert_campaigns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recert_campaigns")),
        sa.UniqueConstraint("region_code", "year", name=op.f("uq_recert_campaigns_region_code_year")),
    )
    op.create_table(
        "change_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("proposal", sa.String(length=16), nullable=False),
        sa.Column("decision_json", sa.Text(), nullable=False),
        sa.Column("fall_back_risk_high", sa.Boolean(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("reported_by", sa.String(length=60), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["recert_campaigns.id"], name=op.f("fk_change_reports_campaign_id_recert_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_change_reports_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_reports")),
    )
    op.create_index(op.f("ix_change_reports_household_id"), "change_reports", ["household_id"], unique=False)
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("list_digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["recert_campaigns.id"],
            name=op.f("fk_signoffs_campaign_id_recert_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoffs")),
        sa.UniqueConstraint("campaign_id", "role", name=op.f("uq_signoffs_campaign_id_role")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_no", sa.String(length=32), nullable=False),
        sa.Column("program", sa.String(length=12), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("referred_by", sa.String(length=40), nullable=True),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("applicant_name", sa.String(length=50), nullable=False),
        sa.Column("applicant_id_number", sa.String(length=18), nullable=True),
        sa.Column("profile_id", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("documents_received", sa.Text(), nullable=False),
        sa.Column("documents_missing", sa.Text(), nullable=False),
        sa.Column("written_commitment", sa.Boolean(), nullable=False),
        sa.Column("village_reviewed_on", sa.Date(), nullable=True),
        sa.Column("township_approved_on", sa.Date(), nullable=True),
        sa.Column("posting_start", sa.Date(), nullable=True),
        sa.Column("posting_end", sa.Date(), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_json", sa.Text(), nullable=True),
        sa.Column("explanation_text", sa.Text(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("temporary_assistance_fen", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollments.id"], name=op.f("fk_cases_enrollment_id_enrollments")),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_cases_household_id_households")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_no", name=op.f("uq_cases_case_no")),
    )
    op.create_index(op.f("ix_cases_household_id"), "cases", ["household_id"], unique=False)
    op.create_index(op.f("ix_cases_region_code"), "cases", ["region_code"], unique=False)
    op.create_index(op.f("ix_cases_state"), "cases", ["state"], unique=False)
    op.create_table(
        "recert_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("change_report_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["recert_campaigns.id"],
            name=op.f("fk_recert_items_campaign_id_recert_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["change_report_id"], ["change_reports.id"], name=op.f("fk_recert_items_change_report_id_change_reports")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"], ["enrollments.id"], name=op.f("fk_recert_items_enrollment_id_enrollments")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_recert_items_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recert_items")),
        sa.UniqueConstraint("campaign_id", "household_id", name=op.f("uq_recert_items_campaign_id_household_id")),
    )
    op.create_index(op.f("ix_recert_items_campaign_id"), "recert_items", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_recert_items_household_id"), "recert_items", ["household_id"], unique=False)
    op.create_table(
        "review_schedule",
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("benefit_class", sa.String(length=1), nullable=True),
        sa.Column("interval_months", sa.Integer(), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("next_review", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_review_schedule_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_review_schedule")),
    )
    op.create_index(op.f("ix_review_schedule_household_id"), "review_schedule", ["household_id"], unique=False)
    op.create_index(op.f("ix_review_schedule_next_review"), "review_schedule", ["next_review"], unique=False)
    op.create_table(
        "case_investigations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("people", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_investigations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_investigations")),
    )
    op.create_index(op.f("ix_case_investigations_case_id"), "case_investigations", ["case_id"], unique=False)
    op.create_table(
        "case_objections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("raised_by", sa.String(length=50), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_objections_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_objections")),
    )
    op.create_index(op.f("ix_case_objections_case_id"), "case_objections", ["case_id"], unique=False)
    op.create_table(
        "poor_card_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("program", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("standard_monthly_fen", sa.BigInteger(), nullable=False),
        sa.Column("monthly_benefit_fen", sa.BigInteger(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_poor_card_entries_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_poor_card_entries_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poor_card_entries")),
    )
    op.create_index(op.f("ix_poor_card_entries_household_id"), "poor_card_entries", ["household_id"], unique=False)
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("to_department", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_referrals_household_id_households")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(op.f("ix_referrals_case_id"), "referrals", ["case_id"], unique=False)
    op.create_index(op.f("ix_referrals_household_id"), "referrals", ["household_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_referrals_household_id"), table_name="referrals")
    op.drop_index(op.f("ix_referrals_case_id"), table_name="referrals")
    op.drop_table("referrals")
    op.drop_index(op.f("ix_poor_card_entries_household_id"), table_name="poor_card_entries")
    op.drop_table("poor_card_entries")
    op.drop_index(op.f("ix_case_objections_case_id"), table_name="case_objections")
    op.drop_table("case_objections")
    op.drop_index(op.f("ix_case_investigations_case_id"), table_name="case_investigations")
    op.drop_table("case_investigations")
    op.drop_index(op.f("ix_review_schedule_next_review"), table_name="review_schedule")
    op.drop_index(op.f("ix_review_schedule_household_id"), table_name="review_schedule")
    op.drop_table("review_schedule")
    op.drop_index(op.f("ix_recert_items_household_id"), table_name="recert_items")
    op.drop_index(op.f("ix_recert_items_campaign_id"), table_name="recert_items")
    op.drop_table("recert_items")
    op.drop_index(op.f("ix_cases_state"), table_name="cases")
    op.drop_index(op.f("ix_cases_region_code"), table_name="cases")
    op.drop_index(op.f("ix_cases_household_id"), table_name="cases")
    op.drop_table("cases")
    op.drop_table("signoffs")
    op.drop_index(op.f("ix_change_reports_household_id"), table_name="change_reports")
    op.drop_table("change_reports")
    op.drop_table("recert_campaigns")
