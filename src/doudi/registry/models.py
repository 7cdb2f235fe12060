"""The registry's tables as SQLAlchemy 2 typed models.

Money is BIGINT fen everywhere. Household ids are strings (the engine frames key on strings), member and
other row ids are integers assigned by the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utc_now() -> dt.datetime:
    """Now in UTC without a time zone: what both databases store exactly (the audit hash re-computes on it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)  # GB/T 2260 (6) or village code (12)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))  # province | city | county | township | village
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)


class Household(Base):
    __tablename__ = "households"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    household_no: Mapped[str | None] = mapped_column(String(40), index=True)  # 户编号 in the ledger
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    village_code: Mapped[str | None] = mapped_column(String(12), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    registered_poor: Mapped[bool] = mapped_column(Boolean, default=False)
    escaped_poverty: Mapped[bool] = mapped_column(Boolean, default=False)
    property_within_rules: Mapped[bool] = mapped_column(Boolean, default=True)
    three_guarantees_unsolved: Mapped[bool] = mapped_column(Boolean, default=False)
    long_return_industry: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utc_now, onupdate=utc_now, server_default=func.now()
    )

    # Concurrent edits of one household fail loudly instead of overwriting each other.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Member(Base):
    __tablename__ = "members"
    # The unique index also serves lookups by household (its first column); search by name reads the
    # households of a name from the name index alone (migration web_0003).
    __table_args__ = (
        UniqueConstraint("household_id", "id_number"),
        Index("ix_members_name_household_id", "name", "household_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    original_id_number: Mapped[str | None] = mapped_column(String(18))  # the 15-digit form it came as
    name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str | None] = mapped_column(String(10))
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    health: Mapped[str | None] = mapped_column(String(20))
    disability_kind: Mapped[str | None] = mapped_column(String(10))
    disability_grade: Mapped[int | None] = mapped_column(SmallInteger)
    bedridden: Mapped[bool] = mapped_column(Boolean, default=False)
    in_school: Mapped[bool] = mapped_column(Boolean, default=False)
    labor_capacity: Mapped[str | None] = mapped_column(String(10))
    employed: Mapped[bool] = mapped_column(Boolean, default=False)
    single_person_application: Mapped[bool] = mapped_column(Boolean, default=False)
    death_date: Mapped[dt.date | None] = mapped_column(Date)


class IncomeItem(Base):
    __tablename__ = "income_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(20))
    yearly_fen: Mapped[int] = mapped_column(BigInteger)
    poverty_project: Mapped[bool] = mapped_column(Boolean, default=False)


class Expense(Base):
    __tablename__ = "expenses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(20))
    yearly_fen: Mapped[int] = mapped_column(BigInteger)


class PropertyNote(Base):
    __tablename__ = "property_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # e.g. 机动车, 商品房, 存款
    description: Mapped[str | None] = mapped_column(Text)
    value_fen: Mapped[int | None] = mapped_column(BigInteger)


# Enrollment statuses in force (still paid): a gradual exit is paid on its schedule (EXIT-1/3).
IN_FORCE = ("active", "gradual_exit")


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (Index(None, "household_id", "program"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    program: Mapped[str] = mapped_column(String(12))  # dibao | tekun | temporary
    scope: Mapped[str] = mapped_column(String(16), default="household")  # household | single_person
    id_number: Mapped[str | None] = mapped_column(String(18))  # the person, for single_person scope
    since: Mapped[dt.date | None] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)
    benefit_class: Mapped[str | None] = mapped_column("class", String(1))  # A | B | C
    monthly_benefit_fen: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | gradual_exit | exited
    gradual_exit_since: Mapped[dt.date | None] = mapped_column(Date)
    gradual_exit_base_fen: Mapped[int | None] = mapped_column(BigInteger)


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_kind: Mapped[str] = mapped_column(String(12))  # dibao | poor | tekun | disabled | synthetic
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())


class RosterMembership(Base):
    __tablename__ = "roster_memberships"
    __table_args__ = (UniqueConstraint("source", "id_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(12))  # dibao | poor | tekun | disabled
    household_ref: Mapped[str | None] = mapped_column(String(40))  # the department's own household number
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(50))
    as_of: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)


class ChangeLogEntry(Base):
    __tablename__ = "change_log"
    # A household's history: its own key and the "household id/ID number" keys of its members (a prefix).
    __table_args__ = (Index(None, "record_key", postgresql_ops={"record_key": "varchar_pattern_ops"}),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(30))
    record_key: Mapped[str] = mapped_column(String(80))  # household id, or household id/ID number
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())
