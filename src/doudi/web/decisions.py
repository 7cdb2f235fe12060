"""The engine's decision for household pages: kept per fingerprint, and computed in batches.

Assessing one household costs the engine ~50-100 ms whatever its size (Polars plans and runs the whole rule
graph for one row), while a batch of twenty costs hardly more than one. So household pages that miss the kept
decisions (doudi.web.caching) do not each run the engine: they queue their household, and one thread per
worker process assesses everything queued meanwhile in one `assess_frames` call, explains each household from
that one evaluation (as `assess_one` does for one) and hands each page its decision. An idle queue adds no
wait: a lone request is a batch of one.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, select
from sqlalchemy.orm import Session

from doudi.registry.loader import load_frames
from doudi.registry.models import Enrollment, Expense, Household, IncomeItem, Member
from doudi.rules.assess import AssessmentError, assess_frames
from doudi.web.caching import keep_decisions, row_fingerprint, side_engine
from doudi.web.decision_form import decision_of, kept_forms

log = logging.getLogger(__name__)

MOST_IN_A_BATCH = 16  # a batch of 16 costs ~2.5x one household; bigger ones lengthen the wait of the next


@dataclass
class HouseholdRows:
    """A household's own rows in every registry table the engine reads (Core rows, in id order: the
    fingerprint)."""

    household: Row[Any]
    members: list[Row[Any]]
    incomes: list[Row[Any]]
    expenses: list[Row[Any]]
    enrollments: list[Row[Any]]

    def fingerprint(self, on: dt.date) -> str:
        return row_fingerprint(
            (Household.__tablename__, [self.household]),
            (Member.__tablename__, self.members),
            (IncomeItem.__tablename__, self.incomes),
            (Expense.__tablename__, self.expenses),
            (Enrollment.__tablename__, self.enrollments),
            on=on,
        )


_CHILDREN: tuple[tuple[Any, str], ...] = (
    (Member, "members"),
    (IncomeItem, "incomes"),
    (Expense, "expenses"),
    (Enrollment, "enrollments"),
)


def read_households(session: Session | Connection, households: Sequence[Row[Any]]) -> dict[str, HouseholdRows]:
    """The rows of these households (household_rows): four queries whatever their
    number and size, Core rows rather than ORM objects (a page reads them, it never changes them)."""
    ids = [h.id for h in households]
    return _with_children(session, households, lambda model: model.household_id.in_(ids))


def read_household_range(session: Session | Connection, low: str, high: str) -> dict[str, HouseholdRows]:
    """read_households for the households low < id <= high, by key ranges (a long run over the registry)."""
    households = household_rows(session, and_(Household.id > low, Household.id <= high))
    return _with_children(session, households, lambda model: and_(model.household_id > low, model.household_id <= high))


def _with_children(
    session: Session | Connection, households: Sequence[Row[Any]], belongs: Callable[[Any], Any]
) -> dict[str, HouseholdRows]:
    """The households with their rows of every child table, each table read once with `belongs(model)`."""
    found = {h.id: HouseholdRows(h, [], [], [], []) for h in households}
    for model, field in _CHILDREN:
        for row in session.execute(select(*columns(model)).where(belongs(model)).order_by(model.id)):
            getattr(found[row.household_id], field).append(row)
    return found


def columns(model: Any) -> list[Any]:
    """Every column of a model, named as its attributes (a Core row then reads like the ORM object)."""
    return [getattr(model, attribute.key) for attribute in model.__mapper__.column_attrs]


def household_rows(session: Session | Connection, condition: Any) -> list[Row[Any]]:
    """The households' own rows (the table's every column, as the fingerprint reads them)."""
    return list(session.execute(select(*columns(Household)).where(condition).order_by(Household.id)))


@dataclass
class _Wanted:
    household_id: str
    on: dt.date
    answer: Future[dict[str, Any]]


class DecisionBatcher:
    """Assesses the households queued by concurrent page requests together (one per engine and process)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = side_engine(engine)  # never waits on the pool the waiting pages hold
        self._queue: queue.SimpleQueue[_Wanted] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False

    def decide(self, household_id: str, on: dt.date) -> dict[str, Any]:
        """The decision for the household as the registry holds it now (AssessmentError when it cannot be
        assessed); kept under the fingerprint of the rows it was computed from."""
        wanted = _Wanted(household_id, on, Future())
        with self._lock:
            self._queue.put(wanted)
            if not self._running:
                self._running = True
                threading.Thread(target=self._work, name="doudi-decisions", daemon=True).start()
        return wanted.answer.result()

    def _work(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=1.0)]
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():  # idle: end the thread (a new request starts another)
                        self._running = False
                        return
                continue
            while len(batch) < MOST_IN_A_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            by_day: dict[dt.date, list[_Wanted]] = defaultdict(list)
            for wanted in batch:
                by_day[wanted.on].append(wanted)
            for on, group in by_day.items():
                self._assess(on, group)

    def _assess(self, on: dt.date, group: list[_Wanted]) -> None:
        try:
            answers = assess_households(self._engine, sorted({w.household_id for w in group}), on)
        except Exception as error:  # every page waiting on this batch gets the error, none hangs
            for wanted in group:
                wanted.answer.set_exception(error)
            return
        for wanted in group:
            answer = answers[wanted.household_id]
            if isinstance(answer, Exception):
                wanted.answer.set_exception(answer)
            else:
                wanted.answer.set_result(answer)


def assess_households(engine: Engine, household_ids: list[str], on: dt.date) -> dict[str, dict[str, Any] | Exception]:
    """Each household's decision with its explanation, from one engine run over all of them, each kept under
    the fingerprint of the rows read in the same transaction as the engine's frames."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")  # rows and frames: one snapshot
    answers: dict[str, dict[str, Any] | Exception] = {}
    with Session(engine) as session:
        rows = read_households(session, household_rows(session, Household.id.in_(household_ids)))
        frames = load_frames(session, household_ids=household_ids, on=on)
    result = assess_frames(frames)
    reasons: dict[str, list[str]] = defaultdict(list)
    for household_id, reason in result.errors.select("household_id", "reason").iter_rows():
        reasons[household_id].append(reason)
    # The page shows what it will read back later: the kept form, made into the decision JSON.
    forms = dict(kept_forms(result).iter_rows())
    kept = []
    for household_id in household_ids:
        if household_id not in rows:
            answers[household_id] = AssessmentError("登记库中没有该家庭")
        elif household_id in reasons or household_id not in forms:
            answers[household_id] = AssessmentError("；".join(reasons.get(household_id, ["规则引擎未给出决定"])))
        else:
            kept.append((household_id, rows[household_id].fingerprint(on), forms[household_id]))
            answers[household_id] = decision_of(forms[household_id])
    keep_decisions(engine, kept)
    return answers


_BATCHERS: weakref.WeakKeyDictionary[Engine, DecisionBatcher] = weakref.WeakKeyDictionary()
_BATCHERS_LOCK = threading.Lock()


def batcher(engine: Engine) -> DecisionBatcher:
    with _BATCHERS_LOCK:
        found = _BATCHERS.get(engine)
        if found is None:
            found = _BATCHERS[engine] = DecisionBatcher(engine)
        return found
