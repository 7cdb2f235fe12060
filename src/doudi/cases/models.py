"""Cases and dynamic management as SQLAlchemy models (PRO-1..6, ASM-7, COV-6/7/9, DYN-3..5, EXIT-1..5).

A case carries one application (or referral) from the township's one window to county confirmation or
refusal; `version` makes two officers acting on one case at once conflict instead of overwriting. Every
table here is audited (doudi.audit) on each ORM change.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from doudi.audit import audit_table
from doudi.registry.models import Base, utc_now


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    program: Mapped[str] = mapped_column(String(12))  # dibao | tekun | temporary
    channel: Mapped[str] = mapped_column(String(12))  # application | referral | fast_track
    referred_by: Mapped[str | None] = mapped_column(String(40))  # the referring department
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    applicant_name: Mapped[str] = mapped_column(String(50))
    applicant_id_number: Mapped[str | None] = mapped_column(String(18))
    profile_id: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    documents_received: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of document names
    documents_missing: Mapped[str] = mapped_column(Text, default="[]")  # told once (一次性告知)
    written_commitment: Mapped[bool] = mapped_column(Boolean, default=False)  # PRO-4 个人承诺
    village_reviewed_on: Mapped[dt.date | None] = mapped_column(Date)
    township_approved_on: Mapped[dt.date | None] = mapped_column(Date)
    posting_start: Mapped[dt.date | None] = mapped_column(Date)
    posting_end: Mapped[dt.date | None] = mapped_column(Date)
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(16))  # the engine's decision at approval
    decision_json: Mapped[str | None] = mapped_column(Text)  # decision JSON with its explanation
    explanation_text: Mapped[str | None] = mapped_column(Text)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id"))
    temporary_assistance_fen: Mapped[int | None] = mapped_column(BigInteger)  # PRO-4: one month, urban standard
    created_by: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utc_now, onupdate=utc_now, server_default=func.now()
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Investigation(Base):
    __tablename__ = "case_investigations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # 入户调查 | 邻里访问 | 信函索证 | 民主评议 | 家庭经济状况信息核对
    on: Mapped[dt.date] = mapped_column(Date)
    people: Mapped[str] = mapped_column(Text)  # JSON list of names
    findings: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(60))


class TekunFinding(Base):
    """TK-1: what the investigation found about one person applied for as 特困: the three conditions of
    《社会救助暂行办法》 (no work capacity, no means of living, no supporter able to support), the assessed
    self-care ability and the care form asked for. The latest record per person counts."""

    __tablename__ = "case_tekun_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    id_number: Mapped[str] = mapped_column(String(18))
    on: Mapped[dt.date] = mapped_column(Date)
    no_work_capacity: Mapped[bool] = mapped_column(Boolean)  # 无劳动能力
    no_income_source: Mapped[bool] = mapped_column(Boolean)  # 无生活来源
    no_supporter: Mapped[bool] = mapped_column(Boolean)  # 无法定义务人，或其法定义务人无履行义务能力
    self_care: Mapped[str] = mapped_column(String(8))  # 全自理 | 半护理 | 全护理
    care_form: Mapped[str] = mapped_column(String(8))  # 分散供养 | 集中供养
    findings: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(60))


class Objection(Base):
    __tablename__ = "case_objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    raised_by: Mapped[str | None] = mapped_column(String(50))
    content: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(60))


class Referral(Base):
    """COV-6: a household the civil-affairs side cannot help, handed to the poverty office with its list."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    to_department: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    created_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(60))


class PoorCardEntry(Base):
    """COV-9: what the registered-poor household's card records: why dibao/特困, the standard, the amount."""

    __tablename__ = "poor_card_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    program: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    standard_monthly_fen: Mapped[int] = mapped_column(BigInteger)
    monthly_benefit_fen: Mapped[int] = mapped_column(BigInteger)
    since: Mapped[dt.date] = mapped_column(Date)


class ReviewSchedule(Base):
    """DYN-4: each enrollment's next review, from its class; moved on by every review."""

    __tablename__ = "review_schedule"

    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True)
    household_id: Mapped[str] = mapped_column(String(40), index=True)
    benefit_class: Mapped[str | None] = mapped_column(String(1))
    interval_months: Mapped[int] = mapped_column(Integer)
    last_reviewed: Mapped[dt.date | None] = mapped_column(Date)
    next_review: Mapped[dt.date] = mapped_column(Date, index=True)


class ChangeReport(Base):
    """DYN-5: a reported change (income, members, death, property) and the engine's proposal for it."""

    __tablename__ = "change_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # income | member | death | property | review
    reported_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str] = mapped_column(String(16))  # keep | adjust | gradual_exit | exit | enroll | none
    decision_json: Mapped[str] = mapped_column(Text)
    fall_back_risk_high: Mapped[bool | None] = mapped_column(Boolean)  # EXIT-4, recorded before any exit
    applied_on: Mapped[dt.date | None] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(60))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("recert_campaigns.id"))


class RecertCampaign(Base):
    """DYN-3: a yearly recertification of every dibao household in a region."""

    __tablename__ = "recert_campaigns"
    __table_args__ = (UniqueConstraint("region_code", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(60))


class RecertItem(Base):
    __tablename__ = "recert_items"
    __table_args__ = (UniqueConstraint("campaign_id", "household_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("recert_campaigns.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id"))
    result: Mapped[str] = mapped_column(String(16), default="pending")  # pending | keep | adjust | gradual_exit | exit
    change_report_id: Mapped[int | None] = mapped_column(ForeignKey("change_reports.id"))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)


class Signoff(Base):
    """PRO-6 / DYN-3: a list signed off by a responsible head (county and township)."""

    __tablename__ = "signoffs"
    __table_args__ = (UniqueConstraint("campaign_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("recert_campaigns.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # county_head | township_head
    name: Mapped[str] = mapped_column(String(60))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    list_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the list as signed


for _table in (
    "cases",
    "case_investigations",
    "case_tekun_findings",
    "case_objections",
    "referrals",
    "poor_card_entries",
    "review_schedule",
    "change_reports",
    "recert_campaigns",
    "recert_items",
    "signoffs",
):
    audit_table(_table)
