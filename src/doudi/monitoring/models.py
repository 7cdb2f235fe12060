"""Monitoring tables (MON-1..6): department feeds, income snapshots per run, alerts and watch-list items.

Every table has a natural unique key so that importing a feed twice or re-running the monitor never stores
the same thing twice: a feed event is (kind, person, date, detail), an alert is (household, person, rule,
event), a watch item is (list, household).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from doudi.registry.models import Base, utc_now


class FeedBatch(Base):
    """One file (or API call) of another department's data (MON-3, DYN-6)."""

    __tablename__ = "monitor_feed_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # medical | disability | death | unemployment | education …
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())


class FeedEvent(Base):
    """One fact a department reported about one person: a hospital stay, a disability certificate, a death …"""

    __tablename__ = "monitor_feed_events"
    __table_args__ = (UniqueConstraint("kind", "id_number", "event_date", "detail_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("monitor_feed_batches.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str | None] = mapped_column(String(50))
    household_id: Mapped[str | None] = mapped_column(String(40), index=True)  # null: not in the registry
    event_date: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # self-paid cost, lost monthly income, loss
    grade: Mapped[int | None] = mapped_column(SmallInteger)  # disability grade 1..4
    severe: Mapped[bool] = mapped_column(Boolean, default=False)  # serious illness, grade 1-2, D-class housing …
    detail: Mapped[str | None] = mapped_column(String(200))  # diagnosis, school, disaster kind … as written
    detail_key: Mapped[str] = mapped_column(String(60), default="")  # what makes two same-day rows different
    row_number: Mapped[int | None] = mapped_column(Integer)


class MonitorRun(Base):
    """One `doudi monitor run` (MON-6: at least monthly)."""

    __tablename__ = "monitor_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    on_date: Mapped[dt.date] = mapped_column(Date, index=True)
    region_prefix: Mapped[str] = mapped_column(String(12), default="")
    households: Mapped[int] = mapped_column(Integer, default=0)
    alerts_raised: Mapped[int] = mapped_column(Integer, default=0)
    alerts_known: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())


class IncomeSnapshot(Base):
    """A household's counted income and line as the engine computed them on a run's date: the "before" of
    the next run's sudden-income-drop rule (MON-2)."""

    __tablename__ = "monitor_income_snapshots"
    __table_args__ = (UniqueConstraint("household_id", "on_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(String(40), index=True)
    on_date: Mapped[dt.date] = mapped_column(Date)
    run_id: Mapped[int] = mapped_column(ForeignKey("monitor_runs.id"), index=True)
    counted_income_fen_e4: Mapped[int] = mapped_column(BigInteger)  # yearly, fen × 10^4 (engine precision)
    household_line_fen_e4: Mapped[int] = mapped_column(BigInteger)
    household_size: Mapped[int] = mapped_column(Integer)
    risk_score: Mapped[int] = mapped_column(SmallInteger, default=0)  # the highest open alert score on that day


class Alert(Base):
    """An early warning (MON-2, MON-4, EXIT-4) assigned to a village and township (MON-5)."""

    __tablename__ = "monitor_alerts"
    __table_args__ = (UniqueConstraint("household_id", "person_key", "rule", "event_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(String(40), index=True)
    person_key: Mapped[str] = mapped_column(String(18), default="")  # the person's ID number, "" for households
    rule: Mapped[str] = mapped_column(String(40))
    event_key: Mapped[str] = mapped_column(String(40))  # the event's date, feed row or period
    policy_id: Mapped[str] = mapped_column(String(20))
    clause: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[str] = mapped_column(Text)  # Chinese, as shown to the township
    risk_score: Mapped[int] = mapped_column(SmallInteger)
    action: Mapped[str] = mapped_column(String(20))  # assess_dibao | temporary_assistance | refer_poverty_office
    region_code: Mapped[str] = mapped_column(String(12))
    township_code: Mapped[str | None] = mapped_column(String(12), index=True)
    village_code: Mapped[str | None] = mapped_column(String(12), index=True)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date, index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_runs.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | handled
    outcome: Mapped[str | None] = mapped_column(String(12))  # assisted | referred | no_action
    reason: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str | None] = mapped_column(String(60))
    handled_on: Mapped[dt.date | None] = mapped_column(Date)


class WatchItem(Base):
    """A household on a watch list (MON-1), open until it is reconciled (对帐销号)."""

    __tablename__ = "monitor_watch_items"
    __table_args__ = (UniqueConstraint("list_name", "household_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_name: Mapped[str] = mapped_column(String(16))  # remaining_poor | return_risk | edge
    household_id: Mapped[str] = mapped_column(String(40), index=True)
    region_code: Mapped[str] = mapped_column(String(12))
    village_code: Mapped[str | None] = mapped_column(String(12), index=True)
    persons: Mapped[int] = mapped_column(Integer)
    coverage: Mapped[str] = mapped_column(String(12))  # dibao | tekun | temporary | none
    reason: Mapped[str] = mapped_column(Text)  # why on the list and why (not) covered, Chinese
    first_listed: Mapped[dt.date] = mapped_column(Date)
    last_seen: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(60))
    closing_note: Mapped[str | None] = mapped_column(Text)
