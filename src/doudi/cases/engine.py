"""Asking the rules engine about a household in the registry: the only way cases reach a decision."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from doudi.cases.errors import CaseError
from doudi.policy.money import yuan_to_fen
from doudi.policy.profile import load_profile
from doudi.registry.loader import load_frames
from doudi.rules.assess import AssessmentError, assess_frames, assess_one, decision_record
from doudi.rules.explain import explain, to_text


def decide(session: Session, household_id: str, profile_id: str, on: dt.date) -> dict[str, Any]:
    """The engine's decision JSON (with explanation) for one registry household on a date."""
    session.flush()  # the engine reads what this transaction has written so far
    frames = load_frames(session, [household_id], on=on)
    if frames["households"].height == 0:
        raise CaseError(f"户 {household_id} 不在登记库中")
    try:
        return assess_one(frames, load_profile(profile_id))
    except AssessmentError as error:
        raise CaseError(f"无法测算户 {household_id}：{error}") from None


def single_persons_covered(session: Session, household_id: str, profile_id: str, on: dt.date) -> list[str]:
    """ID numbers of the members the engine enrolls individually (COV-4, ASM-8), in the registry's order."""
    frames = load_frames(session, [household_id], on=on)
    members = assess_frames(frames, load_profile(profile_id)).evaluated.get("member")
    if members is None or "single_person_covered" not in members.columns:
        return []
    return members.filter(pl.col("single_person_covered"))["id_number"].to_list()


def decide_many(session: Session, household_ids: list[str], on: dt.date) -> dict[str, dict[str, Any]]:
    """Decision JSON per household for many registry households in one engine run (each under the profile in
    force for its region on `on`); households the engine cannot assess are left out."""
    session.flush()
    frames = load_frames(session, household_ids, on=on)
    result = assess_frames(frames)
    records = {}
    for row in result.decisions.iter_rows(named=True):
        explanation = explain(result.evaluated, load_profile(row["profile"]), row["household_id"])
        records[row["household_id"]] = decision_record(row, explanation)
    return records


def explanation_text(record: dict[str, Any]) -> str:
    return to_text(record)


def as_json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def fen(amount: str | None) -> int:
    return yuan_to_fen(amount) if amount is not None else 0
