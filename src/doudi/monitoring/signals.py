"""Early-warning rules (MON-2, MON-4, EXIT-4, MON-1): vectorized Polars expressions over one frame of
households and one frame of department events, the same way for one household or a million.

The household frame carries the engine's named variables (`counted_income_fen_e4`, `household_line_fen_e4`,
`gross_income_fen`, `medical_self_paid_fen`, `household_eligible`, `fall_back_risk_high`, …: see
doudi.rules; nothing here recomputes them), the previous run's counted income (`previous_income_fen_e4`),
what the household is covered by (`coverage`: dibao | tekun | temporary | none) and the feeds' sums over the
look-back window (`feed_medical_fen`, `feed_medical_on`). The event frame holds one row per department event
of the household's members (see feeds.py) with `main_earner` (from the registry's incomes) and `registry_grade`
(the disability grade the registry holds) set by the caller.

Each rule yields rows (household_id, person_key, rule, event_key): that tuple is the alert's identity, so a
re-run finds the same keys and stores nothing new. Household rules that describe a state rather than an
event take the year as their event: one alert per household, rule and year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from doudi.policy.money import BASIS, per_capita_monthly_fen, share_to_basis_points
from doudi.policy.profile import Profile

ALERT_KEYS = ["household_id", "person_key", "rule", "event_key"]


@dataclass(frozen=True)
class Signal:
    rule: str
    label: str  # Chinese
    policy_id: str  # POLICY.md id
    param: str  # the profile parameter whose clause the alert cites
    weight: int  # base risk score, 0..100
    emergency: bool  # a sudden event: temporary assistance first when not on dibao (PRO-5)


SIGNALS: dict[str, Signal] = {
    s.rule: s
    for s in (
        Signal("income_drop", "收入骤减", "MON-2", "monitoring.income_drop_share", 45, True),
        Signal("expense_spike", "支出骤增（自负医疗费用）", "MON-2", "monitoring.expense_share_of_income", 45, True),
        Signal(
            "unstable_after_escape",
            "脱贫后收入不稳定、返贫风险较高",
            "EXIT-4",
            "exit_risk.near_standard_multiple",
            35,
            False,
        ),
        Signal(
            "refused_in_difficulty", "不符合救助条件但存在困难", "MON-4", "monitoring.edge_income_multiple", 30, False
        ),
        Signal("eligible_not_covered", "符合低保条件但未纳入", "MON-1", "monitoring.enabled", 55, False),
        Signal("severe_disability", "新增重度残疾", "MON-2", "monitoring.enabled", 50, False),
        Signal("serious_illness", "新发重特大疾病", "MON-2", "monitoring.enabled", 50, True),
        Signal("main_earner_death", "主要劳动力（收入来源）死亡", "MON-2", "monitoring.enabled", 60, True),
        Signal("income_loss", "失业或收入中断", "MON-2", "monitoring.enabled", 40, True),
        Signal("disaster", "因灾受损", "MON-2", "monitoring.enabled", 45, True),
        Signal("unsafe_housing", "住房鉴定为D级危房", "MON-3", "monitoring.enabled", 35, False),
    )
}

# Suggested actions (MON-5): civil affairs assists (dibao, temporary assistance) or refers to the poverty office.
ACTIONS = {
    "assess_dibao": "入户核查，评估纳入低保",
    "reassess_benefit": "重新核定低保待遇",
    "temporary_assistance": "给予临时救助",
    "refer_poverty_office": "转介扶贫部门落实帮扶措施",
}


def _bp(share: object) -> int:
    return share_to_basis_points(share)  # type: ignore[arg-type]


def _year_key() -> pl.Expr:
    return pl.col("on").dt.year().cast(pl.String)


def _medical_fen() -> pl.Expr:
    """Self-paid medical cost: the larger of the registry's and the medical feed's look-back sum."""
    return pl.max_horizontal(pl.col("medical_self_paid_fen"), pl.col("feed_medical_fen").fill_null(0))


def _vulnerable() -> pl.Expr:
    """A member who cannot work for severe disability or serious illness, or all members elderly."""
    return pl.col("has_incapable_priority_member") | pl.col("all_members_elderly")


def income_drop(p: Profile) -> pl.Expr:
    """MON-2 收入骤减 (004 二(二)): counted income fell below the household's line since the last run, or fell by
    at least `monitoring.income_drop_share` of what it was."""
    keep_bp = BASIS - _bp(p.monitoring.income_drop_share.value)
    now, before, line = (
        pl.col("counted_income_fen_e4"),
        pl.col("previous_income_fen_e4"),
        pl.col("household_line_fen_e4"),
    )
    fell_below_line = (before >= line) & (now < line)
    fell_by_share = (before > 0) & (now * BASIS <= before * keep_bp)
    return before.is_not_null() & (fell_below_line | fell_by_share)


def expense_spike(p: Profile) -> pl.Expr:
    """MON-2 支出骤增 (004 二(二)): self-paid medical cost (the larger of the registry's and the medical feed's
    sum over the look-back window) reaches `monitoring.expense_share_of_income` of the household's gross
    income."""
    share_bp = _bp(p.monitoring.expense_share_of_income.value)
    medical = _medical_fen()
    return (medical > 0) & (medical * BASIS >= pl.col("gross_income_fen") * share_bp)


def unstable_after_escape(p: Profile) -> pl.Expr:
    """EXIT-4 with MON-2 (004 二(三) 收入不稳定、返贫风险较高的已脱贫人口): escaped poverty, the engine's
    fall-back risk is high, and neither dibao nor 特困 covers the household."""
    return pl.col("escaped_poverty") & pl.col("fall_back_risk_high") & ~pl.col("coverage").is_in(["dibao", "tekun"])


def below_edge(p: Profile) -> pl.Expr:
    """Per-capita counted income below `monitoring.edge_income_multiple` × the standard (004 二(二) 边缘人口)."""
    edge_bp = int(p.monitoring.edge_income_multiple.value * BASIS)
    return pl.col("counted_income_fen_e4") * BASIS < pl.col("household_line_fen_e4") * edge_bp


def refused_in_difficulty(p: Profile) -> pl.Expr:
    """MON-4 (004 二(三)三 不符合救助条件但存在一定困难): not covered, the engine refuses dibao, per-capita income
    below the edge line, and a member who cannot work for severe disability or serious illness, or all members
    elderly (004 二(二) 老年人、重病患者、重度残疾人等特殊困难群体)."""
    refused = pl.col("decision").is_in(["deny", "refer", "exit"])
    return (pl.col("coverage") == "none") & refused & below_edge(p) & _vulnerable()


def eligible_not_covered(p: Profile) -> pl.Expr:
    """MON-1 (004 二(二) 未纳入救助范围且符合条件的，及时给予救助): the engine finds the household eligible and no
    program covers it."""
    return (pl.col("coverage") == "none") & pl.col("household_eligible")


HOUSEHOLD_RULES: dict[str, Callable[[Profile], pl.Expr]] = {
    "income_drop": income_drop,
    "expense_spike": expense_spike,
    "unstable_after_escape": unstable_after_escape,
    "refused_in_difficulty": refused_in_difficulty,
    "eligible_not_covered": eligible_not_covered,
}


def _event_key(rule: str) -> pl.Expr:
    if rule == "income_drop":
        return pl.col("on").cast(pl.String)  # the comparison that saw the drop
    if rule == "expense_spike":
        return pl.coalesce(pl.col("feed_medical_on").cast(pl.String), _year_key())
    return _year_key()


def _yuan(fen: pl.Expr) -> pl.Expr:
    """¥1,234.56 from integer fen, vectorized: the thousands groups by integer division (string regexes over
    a million rows took seconds)."""
    whole = fen.abs() // 100

    def group(power: int, padded: bool) -> pl.Expr:
        digits = ((whole // 10**power) % 1000).cast(pl.String)
        return digits.str.zfill(3) if padded else digits

    text = (
        pl.when(whole >= 10**9)
        .then(
            pl.concat_str(
                (whole // 10**9).cast(pl.String), group(6, True), group(3, True), group(0, True), separator=","
            )
        )
        .when(whole >= 10**6)
        .then(pl.concat_str(group(6, False), group(3, True), group(0, True), separator=","))
        .when(whole >= 10**3)
        .then(pl.concat_str(group(3, False), group(0, True), separator=","))
        .otherwise(group(0, False))
    )
    cents = (fen.abs() % 100).cast(pl.String).str.zfill(2)
    sign = pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(pl.lit("¥"), sign, text, pl.lit("."), cents)


def _per_capita_monthly_fen(income_e4: pl.Expr) -> pl.Expr:
    return per_capita_monthly_fen(income_e4, pl.col("household_size").clip(lower_bound=1))


def _evidence(rule: str) -> pl.Expr:
    per_capita = _yuan(_per_capita_monthly_fen(pl.col("counted_income_fen_e4")))
    standard = _yuan(_per_capita_monthly_fen(pl.col("household_line_fen_e4")))
    if rule == "income_drop":
        before = _yuan(_per_capita_monthly_fen(pl.col("previous_income_fen_e4")))
        return pl.format("月人均收入由{}降至{}（低保标准{}）", before, per_capita, standard)
    if rule == "expense_spike":
        return pl.format("年自负医疗费用{}，家庭年收入{}", _yuan(_medical_fen()), _yuan(pl.col("gross_income_fen")))
    if rule == "unstable_after_escape":
        return pl.format("已脱贫，月人均收入{}（低保标准{}），退出后返贫风险较大", per_capita, standard)
    if rule == "refused_in_difficulty":
        return pl.format("未纳入救助，月人均收入{}（低保标准{}），存在困难", per_capita, standard)
    return pl.format("月人均收入{}低于低保标准{}，符合条件但未纳入低保、特困", per_capita, standard)


def _context() -> list[pl.Expr]:
    """What scoring and the suggested action read about the household."""
    return [
        pl.col("coverage"),
        pl.col("household_eligible"),
        pl.col("registered_poor"),
        pl.col("escaped_poverty"),
        _vulnerable().alias("_vulnerable"),
        (pl.col("counted_income_fen_e4") < pl.col("household_line_fen_e4")).alias("_below"),
    ]


def household_signals(households: pl.DataFrame, p: Profile) -> pl.DataFrame:
    """One row per (household, rule) that fires, with its identity and evidence (and the household's context
    for scoring, so a million-row frame is not joined again)."""
    if not p.monitoring.enabled.value:
        return _empty()
    fired = households.select(
        "household_id", *[rule(p).fill_null(False).alias(name) for name, rule in HOUSEHOLD_RULES.items()]
    )
    parts = []
    for name in HOUSEHOLD_RULES:
        rows = households.filter(fired[name])
        parts.append(
            rows.select(
                "household_id",
                pl.lit("").alias("person_key"),
                pl.lit(name).alias("rule"),
                _event_key(name).alias("event_key"),
                _evidence(name).alias("evidence"),
                *_context(),
            )
        )
    if not parts or all(part.is_empty() for part in parts):
        return _empty()
    return pl.concat(parts, how="vertical_relaxed")


EVENT_RULES: dict[str, pl.Expr] = {
    # New or worse than the registry knows: a renewed certificate of the same grade is not news.
    "severe_disability": (pl.col("kind") == "disability")
    & pl.col("severe")
    & (pl.col("registry_grade").is_null() | (pl.col("registry_grade") > pl.col("grade"))),
    "serious_illness": (pl.col("kind") == "medical") & pl.col("severe"),
    "main_earner_death": (pl.col("kind") == "death") & pl.col("main_earner"),
    "income_loss": pl.col("kind") == "unemployment",
    "disaster": pl.col("kind") == "disaster",
    "unsafe_housing": (pl.col("kind") == "housing") & pl.col("severe"),
}


def _chinese_date(day: pl.Expr) -> pl.Expr:
    return pl.format("{}年{}月{}日", day.dt.year(), day.dt.month(), day.dt.day())


_DAY = _chinese_date(pl.col("event_date"))
_EVENT_EVIDENCE: dict[str, pl.Expr] = {
    "severe_disability": pl.format("{}办证：{}级{}残疾", _DAY, pl.col("grade"), pl.col("detail").fill_null("")),
    "serious_illness": pl.format(
        "{}：{}，个人自付{}", _DAY, pl.col("detail").fill_null("重特大疾病"), _yuan(pl.col("amount_fen").fill_null(0))
    ),
    "main_earner_death": pl.format("{}死亡，系家庭主要收入来源", _DAY),
    "income_loss": pl.format("{}失业或收入中断，原月收入{}", _DAY, _yuan(pl.col("amount_fen").fill_null(0))),
    "disaster": pl.format(
        "{}受灾（{}），损失{}", _DAY, pl.col("detail").fill_null("未注明"), _yuan(pl.col("amount_fen").fill_null(0))
    ),
    "unsafe_housing": pl.format("{}住房鉴定为{}", _DAY, pl.col("detail").fill_null("D级危房")),
}


def event_signals(events: pl.DataFrame, p: Profile) -> pl.DataFrame:
    """One row per department event that is an early warning: a person's event keyed by kind and date."""
    if not p.monitoring.enabled.value or events.is_empty():
        return _empty()
    parts = []
    for name, condition in EVENT_RULES.items():
        rows = events.filter(condition.fill_null(False))
        parts.append(
            rows.select(
                "household_id",
                pl.col("id_number").alias("person_key"),
                pl.lit(name).alias("rule"),
                pl.concat_str(pl.col("kind"), pl.lit(":"), pl.col("event_date").cast(pl.String)).alias("event_key"),
                _EVENT_EVIDENCE[name].alias("evidence"),
            )
        )
    return pl.concat([_empty(), *parts], how="vertical_relaxed").unique(ALERT_KEYS, keep="first", maintain_order=True)


def score_and_action(signals: pl.DataFrame, households: pl.DataFrame, p: Profile) -> pl.DataFrame:
    """Add the rule's policy id and clause, the risk score and the suggested action (MON-5).

    Score: the rule's base weight, +15 when no program covers the household, +10 when a member cannot work
    for severe disability or serious illness or all are elderly, +10 when per-capita income is below the
    standard; at most 100. Action: not covered and eligible → assess for dibao; on dibao → re-assess the
    benefit; a sudden event otherwise → temporary assistance; else, for registered or escaped poor households
    → the poverty office (004 二(三)), for others → temporary assistance."""
    if "_vulnerable" not in signals.columns:  # event signals: bring the household's context in
        signals = signals.join(households.select("household_id", *_context()), on="household_id", how="inner")
    table = pl.DataFrame(
        {
            "rule": list(SIGNALS),
            "policy_id": [s.policy_id for s in SIGNALS.values()],
            "clause": [_clause(p, s.param) for s in SIGNALS.values()],
            "_weight": [s.weight for s in SIGNALS.values()],
            "_emergency": [s.emergency for s in SIGNALS.values()],
        }
    )
    joined = signals.join(table, on="rule", how="left")
    covered = pl.col("coverage") != "none"
    score = (
        pl.col("_weight")
        + pl.when(covered).then(0).otherwise(15)
        + pl.when(pl.col("_vulnerable")).then(10).otherwise(0)
        + pl.when(pl.col("_below")).then(10).otherwise(0)
    ).clip(upper_bound=100)
    action = (
        pl.when(~covered & pl.col("household_eligible"))
        .then(pl.lit("assess_dibao"))
        .when(pl.col("coverage") == "dibao")
        .then(pl.lit("reassess_benefit"))
        .when(pl.col("_emergency"))
        .then(pl.lit("temporary_assistance"))
        .when(pl.col("registered_poor") | pl.col("escaped_poverty"))
        .then(pl.lit("refer_poverty_office"))
        .otherwise(pl.lit("temporary_assistance"))
    )
    return joined.select(
        *ALERT_KEYS, "policy_id", "clause", "evidence", score.cast(pl.Int64).alias("risk_score"), action.alias("action")
    )


def _clause(p: Profile, path: str) -> str:
    section, name = path.split(".")
    return p.cite(getattr(getattr(p, section), name).clause)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "household_id": pl.String,
            "person_key": pl.String,
            "rule": pl.String,
            "event_key": pl.String,
            "evidence": pl.String,
        }
    )
