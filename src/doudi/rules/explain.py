"""Explanations: the evaluation of one household kept step by step, each step citing its rule and clause.

Nothing is computed here that the evaluator did not compute: the steps are the values of the named
variables for that household, formatted for people, with the POLICY.md ids and the profile's clauses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from doudi.policy.money import fen_to_yuan, format_yuan, yuan_to_fen
from doudi.policy.profile import Profile
from doudi.policy.references import RULES, cite
from doudi.rules.decision import ROUTES
from doudi.rules.evaluator import Frames
from doudi.rules.schema import HEALTH, INCOME_KINDS, LABOR_CAPACITY
from doudi.rules.variables import REGISTRY, param_clause, param_value

STEPS = [
    "household_size",
    "gross_income_fen",
    "counted_items_fen_e4",
    "rigid_deduction_fen_e4",
    "counted_income_fen_e4",
    "standard_yearly_fen",
    "household_line_fen_e4",
    "income_below_standard",
    "income_eligible",
    "medical_self_paid_fen",
    "expense_route",
    "without_verification_route",
    "household_eligible",
    "single_person_count",
    "scope",
    "top_up_fen",
    "supplements_fen",
    "assessed_benefit_fen",
    "in_gradual_exit",
    "below_gradual_exit_ceiling",
    "gradual_exit_income_source_ok",
    "gradual_exit_qualifies",
    "gradual_exit_months",
    "fall_back_risk_high",
    "decision_route",
    "monthly_benefit_fen",
    "temporary_assistance_advised",
    "escape_keep_dibao",
    "poverty_registration_candidate",
    "assessed_class",
    "review_interval_months",
    "next_review",
]

# Steps about leaving dibao are shown only for households on it.
ENROLLED_ONLY = {
    "in_gradual_exit",
    "below_gradual_exit_ceiling",
    "gradual_exit_income_source_ok",
    "gradual_exit_qualifies",
    "gradual_exit_months",
    "fall_back_risk_high",
}

SCOPES = {"household": "整户纳入", "single_person": "单人户（分户）纳入", None: "不纳入"}
DECISIONS = {
    "enroll": "纳入低保",
    "keep": "继续保障",
    "gradual_exit": "渐退",
    "exit": "退出低保",
    "deny": "不予纳入",
    "refer": "转介扶贫部门",
}


def format_value(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "fen":
        return format_yuan(int(value))
    if unit == "fen_e4":
        return format_yuan(int(Decimal(int(value)) / 10_000))
    if unit == "bool":
        return "是" if value else "否"
    if unit == "months":
        return f"{value}个月"
    if unit == "persons":
        return f"{value}人"
    if unit == "scope":
        return SCOPES.get(value, str(value))
    if unit == "route":
        return ROUTES[value][1]
    if unit == "date":
        return chinese_date(value)
    if unit == "class":
        return f"{value}类"
    return str(value)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def step_sources(profile: Profile, name: str) -> list[dict[str, Any]]:
    """The POLICY.md rules and the profile parameters (value, clause, local choice) behind a step."""
    variable = REGISTRY[name]
    sources: list[dict[str, Any]] = [
        {"rule": rule_id, "cite": cite(rule_id, profile.seed)} for rule_id in variable.policy if rule_id in RULES
    ]
    for path in variable.params:
        clause = param_clause(profile, path)
        node_value = param_value(profile, path)
        local = bool(_param(profile, path).local_choice)
        sources.append(
            {
                "parameter": path,
                "value": _plain(node_value),
                "clause": None if clause == "—" else profile.cite(clause),
                "local_choice": local,
            }
        )
    return sources


def _param(profile: Profile, path: str) -> Any:
    node: Any = profile
    for part in path.split("."):
        node = getattr(node, part)
    return node


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _enabled(profile: Profile, name: str) -> bool:
    flag = REGISTRY[name].enabled_by
    return flag is None or bool(param_value(profile, flag))


def explain(evaluated: Frames, profile: Profile, household_id: str) -> dict[str, Any]:
    """The steps, members and incomes behind one household's decision."""
    household = evaluated["household"].filter(pl.col("household_id") == household_id).row(0, named=True)
    members = evaluated["member"].filter(pl.col("household_id") == household_id)
    incomes = evaluated["income"].filter(pl.col("household_id") == household_id)
    return explain_rows(profile, household, list(members.iter_rows(named=True)), list(incomes.iter_rows(named=True)))


def explain_rows(
    profile: Profile,
    household: dict[str, Any],
    members: list[dict[str, Any]],
    incomes: list[dict[str, Any]],
) -> dict[str, Any]:
    """explain() from one household's evaluated rows (dicts of the frames' columns)."""
    enrolled = bool(household.get("enrolled"))
    steps = []
    for name in STEPS:
        if name not in household or not _enabled(profile, name):
            continue
        if name in ENROLLED_ONLY and not enrolled:
            continue
        variable = REGISTRY[name]
        value = household[name]
        steps.append(
            {
                "variable": name,
                "label": variable.label,
                "value": _plain(value),
                "shown": format_value(value, variable.unit),
                "sources": step_sources(profile, name),
            }
        )
    return {
        "steps": steps,
        "members": [_member(row) for row in members],
        "incomes": [_income(row) for row in incomes],
    }


def mask_id(id_number: str | None) -> str | None:
    """Public lists and logs show 220182********1234, never the whole number."""
    if not id_number or len(id_number) < 10:
        return id_number
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def _member(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id_number": mask_id(row.get("id_number")),
        "name": row.get("name"),
        "relation": row.get("relation"),
        "age": row.get("age"),
        "health": HEALTH.get(row.get("health") or "", row.get("health")),
        "disability_grade": row.get("disability_grade"),
        "labor_capacity": LABOR_CAPACITY.get(row.get("labor_capacity_assessed") or "", None),
        "covered": row.get("covered"),
        "single_person": row.get("single_person_covered"),
        "supplement": fen_to_yuan(row.get("supplement_fen")),
    }


def _income(row: dict[str, Any]) -> dict[str, Any]:
    counted = row.get("counted_income_item_fen_e4")
    return {
        "member": mask_id(row.get("id_number")),
        "kind": INCOME_KINDS.get(row.get("kind") or "", row.get("kind")),
        "yearly": fen_to_yuan(row.get("yearly_fen")),
        "counted": None if counted is None else str(Decimal(int(counted)) / 1_000_000),
        "poverty_project": row.get("poverty_project"),
    }


def _yuan(amount: str | None) -> str:
    """A yuan string from the JSON record ('1234.50') as people read it ('¥1,234.50')."""
    return format_yuan(None if amount is None else yuan_to_fen(amount))


def chinese_month(month: str) -> str:
    """'2020-07' as '2020年7月'."""
    year, number = month.split("-")[:2]
    return f"{int(year)}年{int(number)}月"


def to_text(record: dict[str, Any]) -> str:
    """The decision and its explanation, in Chinese, for a person to read."""
    day = chinese_date(dt.date.fromisoformat(record["on"]))
    parts = record["benefit_parts"]
    lines = [
        f"家庭 {record['household_id']}（政策配置 {record['profile']}，评估日 {day}）",
        f"决定：{DECISIONS[record['decision']]}（{record['reason']}；{'、'.join(record['rules'])}）",
        f"保障范围：{SCOPES.get(record['scope'])}，"
        f"保障人数 {record['covered_persons']} / 家庭人口 {record['household_size']}",
        f"家庭月人均收入 {_yuan(record['per_capita_income_monthly'])}，"
        f"低保标准 {_yuan(record['standard_monthly'])}/人/月",
        f"月保障金 {_yuan(record['monthly_benefit'])}（补差 {_yuan(parts['top_up'])}，"
        f"分类施保 {_yuan(parts['supplements'])}，渐退 {_yuan(parts['gradual_exit'])}）",
    ]
    if record["gradual_exit_schedule"]:
        schedule = record["gradual_exit_schedule"]
        months = "，".join(f"{chinese_month(m['month'])} {_yuan(m['amount'])}" for m in schedule)
        lines.append(f"渐退安排：{months}")
    if record["review_interval_months"]:
        due = record["next_review"]
        due_text = f"，下次复核 {chinese_date(dt.date.fromisoformat(due))}" if due else ""
        lines.append(f"{record['class']}类，每{record['review_interval_months']}个月复核{due_text}")
    if record["temporary_assistance_advised"]:
        lines.append("退出后返贫风险较大：建议给予临时救助（EXIT-4）")
    explanation = record.get("explanation")
    if explanation:
        lines.append("")
        lines.append("计算过程：")
        for number, step in enumerate(explanation["steps"], 1):
            lines.append(f"{number:>2}. {step['label']}：{step['shown']}")
            for source in step["sources"]:
                if "rule" in source:
                    lines.append(f"      依据 {source['cite']}")
                elif source["clause"] or source["local_choice"]:
                    where = source["clause"] or "本文件未规定"
                    local = "（地方自定，默认值）" if source["local_choice"] else ""
                    lines.append(f"      参数 {source['parameter']} = {source['value']}，{where}{local}")
        lines.append("")
        lines.append("家庭成员：")
        for m in explanation["members"]:
            lines.append(
                f"  {m['name'] or ''} {m['id_number']} {m['relation'] or ''} {m['age']}岁 {m['health']} "
                f"{m['labor_capacity']}{'，纳入保障' if m['covered'] else ''}"
                f"{'，分类施保 ' + _yuan(m['supplement']) if m['supplement'] not in (None, '0.00') else ''}"
            )
    return "\n".join(lines)
