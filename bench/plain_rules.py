"""Every rule the engine runs, written plainly: one household at a time over dicts (the baseline of issue 2).

This is the program a competent county programmer would write without doudi's engine: read the rows once,
group members, incomes and expenses by household once up front, then walk the households in plain Python,
taking every parameter from the loaded Profile (hoisted into locals once) and the standards from the same
table. It fills the same fields as the engine's decision rows (`DECISION_SCHEMA` in doudi.rules.assess), so
bench/assess.py can time both on the same work and tests/rules/test_plain_loop_agrees.py can hold the
engine to it. It shares no code with doudi.rules, so a changed engine rule shows up as a disagreement
(POLICY.md ids in the comments).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl

from doudi.policy.profile import Profile

BASIS = 10_000  # shares as basis points, counted income in fen × 10,000, as the policy's exact arithmetic needs

# decision route -> decision (EXIT-3, EXIT-4, EXIT-5, COV-6)
DECISIONS = {
    "gradual_exit_ended": "keep",
    "gradual_exit_continues": "gradual_exit",
    "gradual_exit_completed": "exit",
    "keep": "keep",
    "gradual_exit_income": "gradual_exit",
    "gradual_exit_risk": "gradual_exit",
    "exit": "exit",
    "enroll": "enroll",
    "refer": "refer",
    "deny": "deny",
}


def divide(numerator: int, denominator: int, rounding: str) -> int:
    """numerator / denominator (numerator ≥ 0) rounded once by the profile's money.rounding."""
    if rounding == "fen_half_up":
        return (numerator * 2 + denominator) // (denominator * 2)
    if rounding == "fen_up":
        return (numerator + denominator - 1) // denominator
    if rounding == "yuan_half_up":
        return (numerator * 2 + denominator * 100) // (denominator * 200) * 100
    if rounding == "yuan_up":
        return (numerator + denominator * 100 - 1) // (denominator * 100) * 100
    raise ValueError(f"unknown rounding mode {rounding!r}")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (next review, DYN-4)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def standards_lookup(standards: pl.DataFrame) -> Callable[[str, dt.date], tuple[int | None, int | None]]:
    """A function (region, day) -> (rural dibao yearly fen, poverty line yearly fen) or None: county, then city,
    province and nation, each measure on its own, newest row on or before the day (STD-2)."""
    by_region: dict[str, tuple[list[dt.date], list[tuple[int | None, int | None]]]] = {}
    rows = standards.select("region_code", "effective_from", "rural_dibao_yearly_fen", "poverty_line_yearly_fen")
    for region, day, rural, poverty in rows.sort("effective_from").iter_rows():
        dates, values = by_region.setdefault(region, ([], []))
        dates.append(day)
        values.append((rural, poverty))
    memo: dict[tuple[str, dt.date], tuple[int | None, int | None]] = {}

    def in_force(region: str, day: dt.date) -> tuple[int | None, int | None]:
        key = (region, day)
        if key not in memo:
            rural = poverty = None
            for code in (region[:6], region[:4] + "00", region[:2] + "0000", "000000"):
                dates, values = by_region.get(code, ([], []))
                newest = bisect.bisect_right(dates, day) - 1
                if newest >= 0:
                    rural = values[newest][0] if rural is None else rural
                    poverty = values[newest][1] if poverty is None else poverty
            memo[key] = (rural, poverty)
        return memo[key]

    return in_force


def _by_household(frame: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    if frame.height:
        for row in frame.iter_rows(named=True):
            grouped.setdefault(row["household_id"], []).append(row)
    return grouped


def plain_assess(frames: dict[str, pl.DataFrame], profile: Profile, standards: pl.DataFrame) -> list[dict[str, Any]]:
    """One decision dict per household that has a rural standard, with the engine's decision-row fields."""
    # The profile's parameters, once.
    rounding = profile.money.rounding.value
    inc = profile.income
    exclude_pension = inc.exclude_basic_pension.value
    dividend_kept = BASIS - int(inc.project_dividend_excluded_share.value * BASIS)
    wage_kept = BASIS - int(inc.project_wage_cost_share.value * BASIS)
    rigid = inc.rigid_expense_deduction.value
    rigid_kinds = set(inc.rigid_expense_kinds.value)
    rigid_share = int(inc.rigid_expense_share.value * BASIS)
    campaign_end = inc.campaign_end.value
    working_min = profile.labor.working_age_min.value
    working_max_female = profile.labor.working_age_max_female.value
    working_max_male = profile.labor.working_age_max_male.value
    expense_route_on = profile.expense_route.enabled.value
    major_medical_fen = int(profile.expense_route.major_medical_min_yearly_yuan.value * 100)
    expense_route_months = profile.expense_route.enrollment_months.value
    without_verification_on = profile.without_verification.enabled.value
    sp = profile.single_person
    sp_on = sp.enabled.value
    sp_severe = "severe_disability" in sp.conditions.value
    sp_bedridden_ill = "bedridden_serious_illness" in sp.conditions.value
    sp_min_age = sp.min_age.value
    sp_application = sp.requires_application.value
    sp_unemployed = sp.requires_unemployed.value
    sp_registered = sp.requires_registered_poor.value
    sp_ceiling = sp.household_income_ceiling_multiple.value
    sp_ceiling_bp = None if sp_ceiling is None else int(sp_ceiling * BASIS)
    supplement_fen = {category: int(yuan * 100) for category, yuan in profile.supplements.monthly_yuan.value.items()}
    for_disabled = supplement_fen.get("disabled", 0)  # a category the profile does not pay is worth 0
    for_severe = supplement_fen.get("severe_disability", 0)
    for_ill = supplement_fen.get("serious_illness", 0)
    for_elderly = supplement_fen.get("elderly", 0)
    for_minor = supplement_fen.get("minor", 0)
    for_preschool = supplement_fen.get("preschool", 0)
    for_student = supplement_fen.get("student", 0)
    elderly_age = profile.supplements.elderly_age.value
    preschool_age = profile.supplements.preschool_age.value
    ge = profile.gradual_exit
    ge_on = ge.enabled.value
    ge_ceiling_bp = None if ge.ceiling_multiple.value is None else int(ge.ceiling_multiple.value * BASIS)
    ge_needs_project = ge.requires_poverty_project_income.value
    ge_kinds = set(ge.qualifying_income_kinds.value)
    ge_months = ge.months.value
    ge_months_disabled = ge.months_with_disabled_member.value
    ge_months_long = ge.months_long_return_industry.value
    ge_decrement = ge.decrement.value
    ge_yearly_share = int(ge.yearly_decrement_share.value * BASIS)
    risk_on = profile.exit_risk.enabled.value
    near_bp = int(profile.exit_risk.near_standard_multiple.value * BASIS)
    medical_bp = int(profile.exit_risk.medical_share_of_income.value * BASIS)
    referral_on = profile.referral.enabled.value
    keep_on_escape = profile.keep_on_escape.enabled.value
    interval_by_class: dict[Any, int] = dict(profile.review.interval_months.value)

    in_force = standards_lookup(standards)
    people = _by_household(frames["members"])
    incomes = _by_household(frames.get("incomes", pl.DataFrame()))
    expenses = _by_household(frames.get("expenses", pl.DataFrame()))
    out = []
    for h in frames["households"].iter_rows(named=True):
        hid = h["household_id"]
        on = h["on"]
        standard, poverty_line = in_force(h["region_code"], on)
        if standard is None:
            continue  # no standard: the engine reports the household instead of assessing it
        registered = bool(h.get("registered_poor"))
        escaped = bool(h.get("escaped_poverty"))
        property_ok = h.get("property_within_rules") is not False
        enrolled = bool(h.get("enrolled"))

        # Members (ASM-1): age, disability, illness, labour capacity.
        members = people.get(hid, [])
        size = len(members)
        by_id: dict[str, dict[str, Any]] = {}
        has_disabled = has_incapable = has_priority = has_lost = has_capacity = False
        all_elderly = size > 0
        for p in members:
            born = p["birth_date"]
            age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
            grade = p.get("disability_grade")
            severe = grade in (1, 2)
            ill = p.get("health") == "serious_illness"
            capacity = p.get("labor_capacity")
            if capacity is None:
                if (
                    severe
                    or ill
                    or p.get("bedridden")
                    or age < working_min
                    or age >= (working_max_female if p.get("sex") == "F" else working_max_male)
                ):
                    capacity = "none"
                elif grade in (3, 4) or p.get("health") == "chronic":
                    capacity = "partial"
                else:
                    capacity = "full"
            # ASM-8: capacity lost wholly or partly to disability or illness (not to age); a recorded one wins.
            recorded = p.get("labor_capacity")
            partly = bool(p.get("bedridden") or grade in (3, 4) or p.get("health") == "chronic")
            working_age = working_min <= age < (working_max_female if p.get("sex") == "F" else working_max_male)
            lost = severe or ill or recorded == "partial" or (recorded == "none" and working_age)
            lost = lost or (recorded != "full" and partly)
            # The rows are this call's own dicts: keep what later rules read on them.
            p["age"], p["severe"], p["ill"], p["priority"], p["lost"] = age, severe, ill, severe or ill, lost
            p["incapable"], p["own"], p["alone"] = capacity == "none", 0, False
            by_id[p["id_number"]] = p
            has_disabled = has_disabled or grade is not None
            has_incapable = has_incapable or p["incapable"]
            has_priority = has_priority or p["priority"]
            has_lost = has_lost or p["lost"]
            has_capacity = has_capacity or capacity == "full"
            all_elderly = all_elderly and age >= elderly_age

        # Counted income (ASM-2, ASM-3, ASM-4), fen × 10,000.
        counted_items = gross = 0
        project_income = qualifying_income = False
        for i in incomes.get(hid, []):
            kind, amount = i["kind"], i["yearly_fen"]
            earner = by_id.get(i.get("id_number") or "")  # an item of nobody in the household is the household's
            incapable = earner["incapable"] if earner is not None else has_incapable
            if kind == "basic_pension" and exclude_pension:
                counted = 0
            elif kind == "project_dividend" and incapable and on <= campaign_end:
                counted = amount * dividend_kept
            elif kind == "wage" and i.get("poverty_project"):
                counted = amount * wage_kept
            else:
                counted = amount * BASIS
            counted_items += counted
            gross += amount
            if earner is not None:
                earner["own"] += counted
            project_income = project_income or (bool(i.get("poverty_project")) and counted > 0)
            qualifying_income = qualifying_income or (kind in ge_kinds and amount > 0)
        deduction = medical = 0
        for e in expenses.get(hid, []):
            if rigid and e["kind"] in rigid_kinds:
                deduction += e["yearly_fen"] * rigid_share  # ASM-5
            if e["kind"] == "medical":
                medical += e["yearly_fen"]
        counted_income = max(counted_items - deduction, 0)

        # Eligibility (ASM-1, COV-1, COV-2) and the two special routes (ASM-6, ASM-8).
        line = standard * size * BASIS
        below = counted_income < line
        income_eligible = below and property_ok
        expense_route = (
            expense_route_on
            and not income_eligible
            and registered
            and not escaped
            and medical >= major_medical_fen
            and medical > 0
            and counted_income - medical * BASIS < line
            and property_ok
        )
        without_verification = (
            without_verification_on and registered and not escaped and has_lost and on <= campaign_end
        )
        household_eligible = income_eligible or expense_route or (without_verification and below)
        benefit_income = max(counted_income - medical * BASIS, 0) if expense_route else counted_income

        # Single-person enrollment (COV-4, ASM-8) when the household is not enrolled whole.
        sp_household_ok = (not sp_registered or registered) and (
            sp_ceiling_bp is None or counted_income * BASIS <= line * sp_ceiling_bp
        )
        single_count = single_top_up = 0
        for p in by_id.values():
            if household_eligible or p["own"] >= standard * BASIS:
                continue
            by_rule = (
                sp_on
                and sp_household_ok
                and ((sp_severe and p["severe"]) or (sp_bedridden_ill and p["ill"] and bool(p.get("bedridden"))))
                and p["age"] >= sp_min_age
                and (not sp_application or bool(p.get("single_person_application")))
                and (not sp_unemployed or not p.get("employed"))
            )
            if by_rule or (without_verification and p["priority"]):
                p["alone"] = True
                single_count += 1
                single_top_up += divide(standard * BASIS - p["own"], 12 * BASIS, rounding)
        scope = "household" if household_eligible else ("single_person" if single_count else None)

        # Classified supplements (COV-3): the highest category of each covered person.
        supplements = 0
        for p in by_id.values():
            if scope == "household" or p["alone"]:
                age, school = p["age"], bool(p.get("in_school"))
                best = 0
                if p.get("disability_grade") is not None and for_disabled > best:
                    best = for_disabled
                if p["severe"] and for_severe > best:
                    best = for_severe
                if p["ill"] and for_ill > best:
                    best = for_ill
                if age >= elderly_age and for_elderly > best:
                    best = for_elderly
                if age < 18 and for_minor > best:
                    best = for_minor
                if age < preschool_age and not school and for_preschool > best:
                    best = for_preschool
                if school and for_student > best:
                    best = for_student
                supplements += best
        if scope == "household":
            top_up = divide(max(line - benefit_income, 0), 12 * BASIS, rounding)  # COV-2
        else:
            top_up = single_top_up
        assessed = top_up + supplements

        # Gradual exit (EXIT-1, EXIT-2, EXIT-3).
        since = h.get("gradual_exit_since")
        in_gradual_exit = enrolled and since is not None
        next_month = 1  # the month after `on` is month 1 of a new gradual exit, month k of a running one
        if enrolled and since is not None:
            next_month = (on.year * 12 + on.month) - (since.year * 12 + since.month) + 2
        if h.get("long_return_industry") and ge_months_long > ge_months:
            months = ge_months_long
        else:
            months = ge_months_disabled if has_disabled else ge_months
        remaining = max(months - next_month + 1, 0)
        qualifies = (
            ge_on
            and enrolled
            and not in_gradual_exit
            and scope is None
            and not below
            and property_ok
            and (ge_ceiling_bp is None or counted_income * BASIS < line * ge_ceiling_bp)
            and (not ge_needs_project or project_income)
            and (not ge_kinds or qualifying_income)
        )

        # Fall-back risk before an exit (EXIT-4).
        risk = risk_on and (
            has_priority
            or all_elderly
            or counted_income * BASIS < line * near_bp
            or (medical > 0 and medical * BASIS >= gross * medical_bp)
        )

        # The decision (EXIT-3, EXIT-4, EXIT-5, COV-6).
        eligible = scope is not None
        if enrolled and in_gradual_exit:
            if eligible:
                route = "gradual_exit_ended"
            elif remaining > 0:
                route = "gradual_exit_continues"
            else:
                route = "gradual_exit_completed"
        elif enrolled:
            if eligible:
                route = "keep"
            elif qualifies:
                route = "gradual_exit_income"
            elif risk and ge_on and property_ok:
                route = "gradual_exit_risk"
            else:
                route = "exit"
        elif eligible:
            route = "enroll"
        elif registered and referral_on:
            route = "refer"
        else:
            route = "deny"
        decision = DECISIONS[route]

        schedule = None
        if decision == "gradual_exit":
            if in_gradual_exit:
                base = h.get("gradual_exit_base_fen")
                base = h.get("current_benefit_fen") if base is None else base
            else:
                base = h.get("current_benefit_fen")
            base = base or 0
            schedule = []
            for k in range(next_month, months + 1):
                if ge_decrement == "monthly":  # month k of N pays (N − k + 1)/N
                    schedule.append(divide(base * (months - k + 1), months, rounding))
                elif ge_decrement == "quarterly":  # quarter q of Q pays (Q − q + 1)/Q
                    quarters = (months + 2) // 3
                    schedule.append(divide(base * (quarters - (k + 2) // 3 + 1), quarters, rounding))
                elif ge_decrement == "yearly_share":  # year y pays 1 − share × (y − 1)
                    kept = max(BASIS - ge_yearly_share * ((k + 11) // 12 - 1), 0)
                    schedule.append(divide(base * kept, BASIS, rounding))
                else:
                    schedule.append(base)

        if decision in ("enroll", "keep"):
            benefit = assessed
        elif decision == "gradual_exit":
            benefit = schedule[0] if schedule else 0
        else:
            benefit = 0
        on_dibao = decision in ("enroll", "keep", "gradual_exit")
        poverty_line_total = None if poverty_line is None else poverty_line * size * BASIS

        # Class and review (DYN-4, DYN-3; ASM-6 enrollments are reviewed after their year).
        assessed_class = h.get("enrolled_class")
        if assessed_class is None:
            assessed_class = "A" if not has_capacity else ("B" if has_priority else "C")
        interval = expense_route_months if expense_route else interval_by_class.get(assessed_class, 12)

        out.append(
            {
                "household_id": hid,
                "profile": profile.id,
                "on": on,
                "decision": decision,
                "decision_route": route,
                "scope": scope,
                "household_size": size,
                "covered_persons": size if scope == "household" else single_count,
                "per_capita_income_monthly_fen": (counted_income * 2 + size * 120_000) // (size * 240_000)
                if size
                else None,
                "standard_monthly_fen": (standard * 2 + 12) // 24,
                "top_up_fen": top_up,
                "supplements_fen": supplements,
                "monthly_benefit_fen": benefit,
                "gradual_exit_schedule_fen": schedule,
                "gradual_exit_first_month": add_months(on.replace(day=1), 1) if decision == "gradual_exit" else None,
                "assessed_class": assessed_class,
                "review_interval_months": interval if on_dibao else None,
                "next_review": add_months(on, interval) if on_dibao else None,
                "fall_back_risk_high": risk,
                "temporary_assistance_advised": decision == "exit" and risk,
                # COV-8: 脱贫不脱保
                "escape_keep_dibao": keep_on_escape
                and registered
                and not escaped
                and decision in ("enroll", "keep")
                and poverty_line_total is not None
                and counted_income >= poverty_line_total,
                # COV-5: a dibao household with capacity to develop, unsolved 三保障 or under the poverty line
                "poverty_registration_candidate": not registered
                and on_dibao
                and has_capacity
                and (
                    bool(h.get("three_guarantees_unsolved"))
                    or (poverty_line_total is not None and counted_income < poverty_line_total)
                ),
            }
        )
    return out


def compare(engine: pl.DataFrame, looped: list[dict[str, Any]]) -> tuple[int, int, dict[str, list[tuple[Any, ...]]]]:
    """How many households the engine's decision rows and the loop agree on in every field, out of how many,
    and per field the disagreements as (household, engine's value, loop's value)."""
    by_id = {row["household_id"]: row for row in looped}
    fields = engine.columns
    agree = 0
    differ: dict[str, list[tuple[Any, ...]]] = {}
    for row in engine.iter_rows(named=True):
        mine = by_id.get(row["household_id"], {})
        same = True
        for name in fields:
            if row[name] != mine.get(name):
                differ.setdefault(name, []).append((row["household_id"], row[name], mine.get(name)))
                same = False
        agree += same
    missing = len(by_id.keys() - set(engine["household_id"]))
    if missing:
        differ["household_id"] = [(f"{missing} households assessed by the loop only", None, None)]
    return agree, max(engine.height, len(by_id)), differ
