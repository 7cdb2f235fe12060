"""Capturing ORM changes for the audit trail with SQLAlchemy session events.

After each flush (when the rows are written but the transaction is still open) every new, changed or
deleted Household, Member, IncomeItem, Expense, Enrollment and case-table row becomes one audit record
with its values before and after. Who acts and why come from `session.info` ("who", "why"), which the
service layer and the CLI's `--by NAME` set, or from the `acting` context.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from doudi.audit.chain import Change, append

# Tables whose every ORM change is audited; capabilities add theirs with `audit_table`.
AUDITED_TABLES: set[str] = {"households", "members", "income_items", "expenses", "enrollments", "property_notes"}

_acting: contextvars.ContextVar[tuple[str, str | None] | None] = contextvars.ContextVar("doudi_acting", default=None)
UNKNOWN_ACTOR = "系统"


def audit_table(name: str) -> None:
    AUDITED_TABLES.add(name)


@contextmanager
def acting(who: str, why: str | None = None) -> Iterator[None]:
    """Attribute every audited change made in this context (any session) to `who`, for `why`."""
    token = _acting.set((who, why))
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> tuple[str, str | None]:
    """Who acts in this context (see `acting`), or the system."""
    return _acting.get() or (UNKNOWN_ACTOR, None)


def _actor(session: Session) -> tuple[str, str | None]:
    if "who" in session.info:
        return session.info["who"], session.info.get("why")
    return current_actor()


def _key(state: Any) -> str:
    identity = state.identity or state.mapper.primary_key_from_instance(state.obj())
    return "/".join(str(part) for part in identity)


def _values(state: Any, *, before: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if before:
            if history.deleted:
                values[attr.key] = history.deleted[0]
            elif history.unchanged:
                values[attr.key] = history.unchanged[0]
        else:
            current = history.added or history.unchanged
            values[attr.key] = current[0] if current else None
    return values


def _changed(state: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.added or history.deleted:
            before[attr.key] = history.deleted[0] if history.deleted else None
            after[attr.key] = history.added[0] if history.added else None
    return before, after


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, _flush: UOWTransaction) -> None:
    changes: list[Change] = []
    who, why = _actor(session)
    for obj in session.new:
        state = inspect(obj)
        if state.mapper.local_table.name in AUDITED_TABLES:
            changes.append(
                Change(
                    who, state.mapper.local_table.name, _key(state), "insert", None, _values(state, before=False), why
                )
            )
    for obj in session.dirty:
        state = inspect(obj)
        if state.mapper.local_table.name in AUDITED_TABLES:
            before, after = _changed(state)  # empty when nothing changed: no record
            if before or after:
                changes.append(Change(who, state.mapper.local_table.name, _key(state), "update", before, after, why))
    for obj in session.deleted:
        state = inspect(obj)
        if state.mapper.local_table.name in AUDITED_TABLES:
            changes.append(
                Change(
                    who, state.mapper.local_table.name, _key(state), "delete", _values(state, before=True), None, why
                )
            )
    if changes:
        append(session.connection(), changes)
