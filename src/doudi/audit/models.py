"""The audit trail's tables: append-only records chained by hash, and the chain's head.

Each record holds who did what to which row, the row's values before and after (canonical JSON) and why;
`hash` covers the previous record's hash, so editing or deleting any record breaks the chain from there on.
The single `audit_head` row holds the last sequence number and hash: appending locks it, so concurrent
writers queue instead of forking the chain, and deleting the newest records is caught too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from doudi.registry.models import Base


class AuditRecord(Base):
    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(60))
    table_name: Mapped[str] = mapped_column(String(40), index=True)
    record_key: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(16))  # insert | update | delete | bulk
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON of the changed fields, or null
    after: Mapped[str | None] = mapped_column(Text)
    why: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
