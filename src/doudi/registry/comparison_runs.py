"""Recorded roster comparisons (DYN-1 回头看, DYN-2 joint confirmation) as SQLAlchemy models.

A run keeps what it compared (each input's SHA-256), under which profile, the counts per category, and one
row per finding key, so the next run can say what is new and what was resolved. Confirmations record which
department confirmed a run, by whom and when; a run is confirmed when both departments have.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from doudi.registry.models import Base, utc_now


class ComparisonRun(Base):
    __tablename__ = "comparison_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile: Mapped[str] = mapped_column(String(60))
    on_date: Mapped[dt.date] = mapped_column(Date)
    inputs: Mapped[str] = mapped_column(Text)  # JSON: [{source, file, sha256, rows, as_of}]
    counts: Mapped[str] = mapped_column(Text)  # JSON: {category: households}
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())


class ComparisonFinding(Base):
    __tablename__ = "comparison_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("comparison_runs.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    item_key: Mapped[str] = mapped_column(String(200))
    township: Mapped[str | None] = mapped_column(String(100))
    village: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)  # names and detail, for the 回头看 sheet


class ComparisonConfirmation(Base):
    __tablename__ = "comparison_confirmations"
    __table_args__ = (UniqueConstraint("run_id", "department"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("comparison_runs.id", ondelete="CASCADE"))
    department: Mapped[str] = mapped_column(String(20))  # civil_affairs | poverty_office
    confirmed_by: Mapped[str] = mapped_column(String(60))
    confirmed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())
