"""Payment tables: payee bank accounts, approved (frozen) monthly rolls and their rows.

A roll is stored only when it is approved; from then on it is the record of what was paid and never changes
except for the bank's result per row (reconciliation). Money is BIGINT fen.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, SmallInteger, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from doudi.registry.models import Base, utc_now


class PayeeAccount(Base):
    """The bank account a household's benefit is paid into (账户名称, 开户银行, 账号)."""

    __tablename__ = "payee_accounts"

    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), primary_key=True)
    account_name: Mapped[str] = mapped_column(String(50))
    bank: Mapped[str] = mapped_column(String(60))
    account_number: Mapped[str] = mapped_column(String(32))


class PaymentRoll(Base):
    """One approved month's roll for a region (a county, township or village code prefix; '' for all)."""

    __tablename__ = "payment_rolls"
    __table_args__ = (UniqueConstraint("month", "region_prefix"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # 2020-07
    region_prefix: Mapped[str] = mapped_column(String(12), default="")
    approved_by: Mapped[str] = mapped_column(String(60))
    approved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())
    households: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(BigInteger)


class PaymentRollRow(Base):
    """One household's payment in an approved roll: the frozen copy of what was computed and paid."""

    __tablename__ = "payment_roll_rows"
    __table_args__ = (UniqueConstraint("roll_id", "household_id", "program"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    roll_id: Mapped[int] = mapped_column(ForeignKey("payment_rolls.id", ondelete="CASCADE"))
    household_id: Mapped[str] = mapped_column(String(40), index=True)
    program: Mapped[str] = mapped_column(String(12))  # dibao | tekun
    township_code: Mapped[str | None] = mapped_column(String(12))
    village_code: Mapped[str | None] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(50))  # the household head (户主) or the single person
    id_number: Mapped[str | None] = mapped_column(String(18))
    persons: Mapped[int] = mapped_column(SmallInteger)
    first_month: Mapped[str] = mapped_column(String(7))  # arrears: the row pays first_month .. the roll's month
    benefit_fen: Mapped[int] = mapped_column(BigInteger)  # 保障金 for the roll's month
    supplement_fen: Mapped[int] = mapped_column(BigInteger)  # 分类施保金 for the roll's month
    arrears_fen: Mapped[int] = mapped_column(BigInteger)  # 补发 for months missed on earlier approved rolls
    carry_over_fen: Mapped[int] = mapped_column(BigInteger)  # failed bank payments of earlier rolls, paid again
    total_fen: Mapped[int] = mapped_column(BigInteger)  # 发放合计
    account_name: Mapped[str | None] = mapped_column(String(50))
    bank: Mapped[str | None] = mapped_column(String(60))
    account_number: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(200))
    bank_status: Mapped[str | None] = mapped_column(String(10))  # None (not yet known) | paid | failed
    bank_message: Mapped[str | None] = mapped_column(String(200))
    carried_to_roll_id: Mapped[int | None] = mapped_column(Integer)  # the later roll that paid a failed row again
