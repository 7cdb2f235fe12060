"""Keeping every household's decision ahead of its page (`doudi keep-decisions`): one engine run per few
thousand households instead of one per first visit.

A page visit that finds its household's decision kept under the fingerprint of the rows it reads now never
runs the engine (doudi.web.services.current_decision); a household changed since (any write, by the app or
an import) no longer matches its fingerprint and is assessed again on its next visit, alone. So the fill is
an optimisation only: run it after an import, and each night when the app assesses on today's date.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from doudi.registry.loader import load_frames
from doudi.registry.models import Household
from doudi.rules.assess import assess_frames
from doudi.web.caching import keep_decisions, kept_fingerprints
from doudi.web.decision_form import kept_forms
from doudi.web.decisions import read_household_range

CHUNK = 20_000  # households per engine run: its fixed cost spread thin, its frames small
MOSTLY = 4  # more than a quarter of a batch stale: reading its whole key range is cheaper than a list of ids


@dataclass
class Filled:
    households: int = 0
    evaluated: int = 0  # households the engine ran on
    assessed: int = 0  # had no kept decision for their current rows
    not_assessable: int = 0  # the engine refused them (no standard, no profile): their pages say why
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)


def keep_every_decision(
    engine: Engine, on: dt.date, chunk: int = CHUNK, progress: Callable[[Filled], None] | None = None
) -> Filled:
    """Keep the decision of every household whose kept one is missing or was computed from other rows, date
    or rules; households already current cost only the reading of their rows.

    Households are taken in id order, `chunk` at a time, each batch read by key ranges (low < id <= high in
    the database's own order, the same for every table) in one snapshot with its fingerprints."""
    started = time.perf_counter()
    filled = Filled()
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")  # fingerprints and frames: one snapshot
    low = ""
    while True:
        with Session(engine) as session:
            batch = select(Household.id).where(Household.id > low).order_by(Household.id).limit(chunk).subquery()
            high = session.scalar(select(func.max(batch.c.id)))
            if high is None:
                break
            rows = read_household_range(session, low, high)
            fingerprints = {household_id: found.fingerprint(on) for household_id, found in rows.items()}
            kept = kept_fingerprints(session, low, high)
            stale = [household_id for household_id, found in fingerprints.items() if kept.get(household_id) != found]
            frames = None
            if len(stale) * MOSTLY > len(rows):  # a new day, new rules, a first fill: the batch by its key range
                frames = load_frames(session, on=on, id_range=(low, high))
            elif stale:  # a few changed, or the engine refused them last time: those alone
                frames = load_frames(session, household_ids=stale, on=on)
        filled.households += len(rows)
        if frames is not None:
            filled.evaluated += frames["households"].height
            result = assess_frames(frames)
            for reason in result.errors["reason"]:
                filled.reasons[reason] = filled.reasons.get(reason, 0) + 1
            changed = set(stale)
            forms = [
                (household_id, fingerprints[household_id], form)
                for household_id, form in kept_forms(result).iter_rows()
                if household_id in changed
            ]
            keep_decisions(engine, forms)
            filled.assessed += len(forms)
            filled.not_assessable += result.errors["household_id"].n_unique()
        if progress is not None:
            progress(filled)
        low = high
    filled.seconds = time.perf_counter() - started
    return filled
