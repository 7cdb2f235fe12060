"""Households written as JSON (the `doudi assess` and `POST /api/assess` contract) into the engine's frames.

Amounts are yuan (numbers or text, two decimals at most); everything is checked and every problem is
reported at once with the field's path and a reason in Chinese. See README "Household JSON".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from doudi.linkage import id_numbers
from doudi.policy.money import MoneyError, yuan_to_fen
from doudi.rules.schema import EXPENSE_KINDS, EXPENSES, HEALTH, HOUSEHOLDS, INCOME_KINDS, INCOMES, MEMBERS

SEX_WORDS = {"M": "M", "F": "F", "男": "M", "女": "F"}
HEALTH_WORDS = {**{k: k for k in HEALTH}, **{v: k for k, v in HEALTH.items()}}
INCOME_WORDS = {**{k: k for k in INCOME_KINDS}, **{v: k for k, v in INCOME_KINDS.items()}}
EXPENSE_WORDS = {**{k: k for k in EXPENSE_KINDS}, **{v: k for k, v in EXPENSE_KINDS.items()}}
LABOR_WORDS = {"full": "full", "partial": "partial", "none": "none"}
SCOPE_WORDS = {"household": "household", "single_person": "single_person"}
FLAGS = ("registered_poor", "escaped_poverty", "three_guarantees_unsolved", "long_return_industry")
MEMBER_FLAGS = ("bedridden", "in_school", "employed", "single_person_application")


class HouseholdInputError(ValueError):
    """Every problem found in a household, as (field path, reason in Chinese)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("；".join(f"{path}：{reason}" for path, reason in problems))


class _Reader:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, reason: str) -> None:
        self.problems.append((path, reason))

    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{path}{key}", "必填")
            return None
        if not isinstance(value, str | int):
            self.fail(f"{path}{key}", "应为文字")
            return None
        return str(value).strip()

    def flag(self, data: dict[str, Any], key: str, path: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{path}{key}", "应为 true 或 false")
            return default
        return value

    def date(self, data: dict[str, Any], key: str, path: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{path}{key}", f"日期“{value}”应为 YYYY-MM-DD 格式")
            return None

    def money(self, data: dict[str, Any], key: str, path: str, *, required: bool = False) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{path}{key}", "必填")
            return None
        try:
            fen = yuan_to_fen(value)
        except MoneyError as error:
            self.fail(f"{path}{key}", str(error))
            return None
        if fen < 0:
            self.fail(f"{path}{key}", f"金额不能为负数：{value}")
            return None
        return fen

    def choice(self, data: dict[str, Any], key: str, path: str, words: dict[str, str], what: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if str(value) not in words:
            allowed = "、".join(sorted({w for w in words if not w.isascii()} or set(words)))
            self.fail(f"{path}{key}", f"未知的{what}“{value}”，可用：{allowed}")
            return None
        return words[str(value)]


def read_household(data: Any, on: dt.date) -> dict[str, pl.DataFrame]:
    """One household as the four engine frames; raises HouseholdInputError listing every problem."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise HouseholdInputError([("(根)", "家庭数据应为 JSON 对象")])
    household_id = reader.text(data, "household_id", "", required=True) or "?"
    region = reader.text(data, "region_code", "", required=True)
    if region is not None and not (region.isdigit() and len(region) in (6, 9, 12)):
        reader.fail("region_code", f"“{region}”不是6位（或9、12位）行政区划代码")
        region = None
    enrollment = data.get("enrollment") or {}
    if not isinstance(enrollment, dict):
        reader.fail("enrollment", "应为 JSON 对象")
        enrollment = {}
    household = {
        "household_id": household_id,
        "region_code": region[:6] if region else None,
        "on": on,
        **{flag: reader.flag(data, flag, "") for flag in FLAGS},
        "property_within_rules": reader.flag(data, "property_within_rules", "", default=True),
        "enrolled": bool(enrollment),
        "enrolled_since": reader.date(enrollment, "since", "enrollment."),
        "enrolled_scope": reader.choice(enrollment, "scope", "enrollment.", SCOPE_WORDS, "保障范围"),
        "enrolled_class": reader.choice(enrollment, "class", "enrollment.", {"A": "A", "B": "B", "C": "C"}, "类别"),
        "current_benefit_fen": reader.money(enrollment, "monthly_benefit", "enrollment.", required=bool(enrollment)),
        "gradual_exit_since": reader.date(enrollment, "gradual_exit_since", "enrollment."),
        "gradual_exit_base_fen": reader.money(enrollment, "gradual_exit_base", "enrollment."),
    }
    members = _members(reader, data.get("members"), household_id)
    known = {m["id_number"] for m in members if m["id_number"]}
    incomes = _items(reader, data.get("incomes"), "incomes", household_id, known, INCOME_WORDS, "收入类型")
    expenses = _items(reader, data.get("expenses"), "expenses", household_id, known, EXPENSE_WORDS, "支出类型")
    if reader.problems:
        raise HouseholdInputError(reader.problems)
    return {
        "households": pl.DataFrame([household], schema=HOUSEHOLDS),
        "members": pl.DataFrame(members, schema=MEMBERS),
        "incomes": pl.DataFrame([{k: i.get(k) for k in INCOMES} for i in incomes], schema=INCOMES),
        "expenses": pl.DataFrame([{k: e.get(k) for k in EXPENSES} for e in expenses], schema=EXPENSES),
    }


def _members(reader: _Reader, raw: Any, household_id: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        reader.fail("members", "至少要有一名家庭成员")
        return []
    members = []
    seen: set[str] = set()
    for index, person in enumerate(raw):
        path = f"members[{index}]."
        if not isinstance(person, dict):
            reader.fail(path.rstrip("."), "应为 JSON 对象")
            continue
        id_number = _id_number(reader, person.get("id_number"), f"{path}id_number")
        if id_number and id_number in seen:
            reader.fail(f"{path}id_number", "同一身份证号码在家庭中出现两次")
        if id_number:
            seen.add(id_number)
        grade = person.get("disability_grade")
        if grade is not None and grade not in (1, 2, 3, 4):
            reader.fail(f"{path}disability_grade", f"残疾等级应为1至4级，而不是“{grade}”")
            grade = None
        sex = reader.choice(person, "sex", path, SEX_WORDS, "性别")
        birth = reader.date(person, "birth_date", path)
        if id_number:
            sex = sex or id_numbers.sex(pl.Series([id_number]))[0]
            birth = birth or id_numbers.birth_date(pl.Series([id_number]))[0]
        members.append(
            {
                "household_id": household_id,
                "id_number": id_number,
                "name": reader.text(person, "name", path),
                "relation": reader.text(person, "relation", path),
                "sex": sex,
                "birth_date": birth,
                "health": reader.choice(person, "health", path, HEALTH_WORDS, "健康状况") or "healthy",
                "disability_kind": reader.text(person, "disability_kind", path),
                "disability_grade": grade,
                "labor_capacity": reader.choice(person, "labor_capacity", path, LABOR_WORDS, "劳动能力"),
                **{flag: reader.flag(person, flag, path) for flag in MEMBER_FLAGS},
            }
        )
    return members


def _id_number(reader: _Reader, raw: Any, path: str) -> str | None:
    if raw is None or not str(raw).strip():
        reader.fail(path, "必填")
        return None
    value = id_numbers.normalize(pl.Series([str(raw)]))[0]
    if len(value) == 15:
        value = id_numbers.upgrade_15_to_18(pl.Series([value]))[0]
    checked = id_numbers.check(pl.Series([value]))
    if not checked["valid"][0]:
        reader.fail(path, f"身份证号码“{raw}”无效：{checked['reason'][0]}")
        return None
    return str(value)


def _items(
    reader: _Reader,
    raw: Any,
    section: str,
    household_id: str,
    known: set[str],
    kinds: dict[str, str],
    what: str,
) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        reader.fail(section, "应为列表")
        return []
    items = []
    for index, item in enumerate(raw):
        path = f"{section}[{index}]."
        if not isinstance(item, dict):
            reader.fail(path.rstrip("."), "应为 JSON 对象")
            continue
        member = item.get("member")
        if member is not None:
            member = id_numbers.normalize(pl.Series([str(member)]))[0]
            if len(member) == 15:
                member = id_numbers.upgrade_15_to_18(pl.Series([member]))[0]
            if member not in known:
                reader.fail(f"{path}member", f"成员“{item.get('member')}”不在家庭成员中")
        kind = reader.choice(item, "kind", path, kinds, what)
        if item.get("kind") is None:
            reader.fail(f"{path}kind", "必填")
        items.append(
            {
                "household_id": household_id,
                "id_number": member,
                "kind": kind,
                "yearly_fen": reader.money(item, "yearly", path, required=True),
                "poverty_project": reader.flag(item, "poverty_project", path),
            }
        )
    return items
