"""The web app's own tables: users (role + area), signed sessions, and an access log of sensitive reads.

A user's area is a region-code prefix: 12 digits for a village, 9 for a township, 6 for a county; every
registry query of the app is filtered by it (doudi.web.scope).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from doudi.registry.models import Base, utc_now


class WebUser(Base):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(30))  # doudi.web.roles.ROLES
    area_code: Mapped[str] = mapped_column(String(12))  # region-code prefix the user may see and change
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())


class WebSession(Base):
    __tablename__ = "web_sessions"

    # The cookie carries this id signed (itsdangerous); the row makes logout and expiry server-side facts.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class WebAccessLog(Base):
    __tablename__ = "web_access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), index=True)
    action: Mapped[str] = mapped_column(String(40))  # login, login_failed, locked, reveal_id, import, export, compare
    target: Mapped[str | None] = mapped_column(String(200), index=True)  # a household's access trail
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())


class RegistryChange(Base):
    """One row per registry write, kept by database triggers (migration web_0002), so caches of figures drawn
    from the registry know cheaply whether anything changed since they were computed (doudi.web.caching).

    PostgreSQL: one row per transaction that wrote to a watched table (statement-level triggers, id = the
    transaction id): the count only grows, and it grows exactly when such a transaction commits.
    SQLite (one writer at a time): row 0 counts updated and deleted rows; inserts show in the tables' max(rowid).
    """

    __tablename__ = "registry_changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    changes: Mapped[int] = mapped_column(BigInteger, default=1)


class WebDecisionCache(Base):
    """The engine's decision shown on a household page, kept per household for the exact data it was computed
    from (`fingerprint`: the household's rows, the assessment date and the rules and profiles in use)."""

    __tablename__ = "web_decision_cache"

    household_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(Text)  # JSON
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())


class WebDashboardCache(Base):
    """An area's dashboard figures for a day, valid while the registry version they were computed at holds."""

    __tablename__ = "web_dashboard_cache"

    area_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    on_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    version: Mapped[str] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(Text)  # JSON
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, server_default=func.now())
