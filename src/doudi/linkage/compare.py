"""Comparing the dibao roster with the registered-poor roster (DYN-1, DYN-2, COV-5, COV-6, SUP-2).

The steps:
 1. probable same-person pairs between unmatched dibao and poor rows (same_person.py); strong pairs take
    the partner's ID number as their `link_id`, so a mistyped number does not split a household;
 2. the core joins in SQL on DuckDB (person_links.py): households of the two rosters linked by the persons
    they share, on the households' numbers (household_seq); the units below name them by household_key;
 3. each compared household assessed by the rules engine (roster_assessment.py);
 4. findings per category (categories.py) as one long frame, one row per roster row and finding;
 5. the accounting: every input row in exactly one category, or rejected with its reason.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import duckdb
import polars as pl
from sqlalchemy import Engine

from doudi.linkage import patterns, person_links, same_person
from doudi.linkage.categories import CATEGORIES, PRIORITY
from doudi.linkage.patterns import FINDING_SCHEMA, finding_rows, household_key
from doudi.linkage.roster_assessment import assess_units
from doudi.linkage.rosters import Rosters
from doudi.policy.profile import Profile

log = logging.getLogger(__name__)

DECISION_NAMES = {
    "enroll": "纳入低保",
    "keep": "继续保障",
    "gradual_exit": "渐退",
    "exit": "退出低保",
    "deny": "不予纳入",
    "refer": "转介",
}


@dataclass
class ComparisonResult:
    findings: pl.DataFrame  # FINDING_SCHEMA
    accounting: pl.DataFrame  # row_key, source, row, name, id_text, township, village, category
    rejected: pl.DataFrame  # rosters.REJECTED_SCHEMA
    pairs: pl.DataFrame  # same_person.PAIR_SCHEMA
    persons: pl.DataFrame  # the compared rows (rosters.PERSON_SCHEMA) with the `link_id` they were joined on
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Households (distinct item keys) per category, and the rejected rows."""
        per = self.findings.group_by("category").agg(pl.col("item_key").n_unique())
        counted = {category: 0 for category in CATEGORIES} | dict(per.iter_rows())
        counted["rejected"] = self.rejected.height
        return counted


def _with_links(persons: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """persons with `link_id` (valid ID, or a strong same-person partner's), and the listed pairs."""
    dibao = persons.filter(pl.col("source") == "dibao")
    poor = persons.filter(pl.col("source") == "poor")
    unmatched_dibao = dibao.filter(
        ~pl.col("id_number").is_in(poor["id_number"].drop_nulls().implode()).fill_null(False)
    )
    unmatched_poor = poor.filter(~pl.col("id_number").is_in(dibao["id_number"].drop_nulls().implode()).fill_null(False))
    pairs = same_person.probable_pairs(unmatched_dibao, unmatched_poor)
    # A strong pair: both rows take one number, the valid one (the dibao row's when both are valid).
    ids = persons.select("row_key", "id_number")
    strong = (
        pairs.filter(pl.col("score") >= same_person.LINK_SCORE)
        .join(ids.rename({"row_key": "left_key", "id_number": "left_id"}), on="left_key")
        .join(ids.rename({"row_key": "right_key", "id_number": "right_id"}), on="right_key")
        .with_columns(pl.coalesce("left_id", "right_id").alias("shared_id"))
        .filter(pl.col("shared_id").is_not_null())
    )
    relinked = pl.concat(
        [
            strong.select(pl.col("left_key").alias("row_key"), "shared_id"),
            strong.select(pl.col("right_key").alias("row_key"), "shared_id"),
        ]
    )
    linked = persons.join(relinked, on="row_key", how="left").with_columns(
        pl.coalesce("shared_id", "id_number").alias("link_id")
    )
    return linked.drop("shared_id"), pairs


def compare_rosters(
    rosters: Rosters,
    profile: Profile,
    on: dt.date,
    *,
    region_code: str | None = None,
    engine: Engine | None = None,
) -> ComparisonResult:
    """Compare the rosters as of `on` under `profile`; `engine` is the registry to take household data from."""
    persons, pairs = _with_links(rosters.persons)
    with duckdb.connect() as connection:
        person_links.run_duckdb(connection, persons.to_arrow())
        status = _frame(connection, "SELECT * FROM household_status")
        links = _frame(connection, "SELECT * FROM household_links")
    units = _unit_keys(_units(status, links), persons)
    unit_persons = persons.join(units, on="household_seq")
    unit_flags = _unit_flags(unit_persons)
    decisions, unassessed = assess_units(unit_persons, unit_flags, profile, on, region_code, engine)
    findings = _findings(persons, unit_persons, unit_flags, decisions, unassessed, pairs, rosters, on, profile)
    accounting = _accounting(persons, findings)
    result = ComparisonResult(findings, accounting, rosters.rejected, pairs, persons, _date_warnings(rosters, profile))
    log.info("compared %d rows: %s", persons.height, {k: v for k, v in result.counts().items() if v})
    return result


def _frame(connection: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    result = connection.sql(sql).pl()
    assert isinstance(result, pl.DataFrame)
    return result


def _units(status: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """household_seq -> unit (the dibao household's number when linked, else the poor household's), status.

    A poor household that shares persons with a dibao household but is not its best match (the dibao household
    is split over two poor households) joins the dibao household it shares most with: its members are on dibao
    there, so it is not a poor household "not on dibao". Ties go to the smaller number (the household read
    first), as in the SQL's best_links."""
    dibao_side = status.filter(pl.col("dibao_household").is_not_null()).select(
        pl.col("dibao_household").alias("household_seq"), pl.col("dibao_household").alias("unit"), "status"
    )
    strongest = (
        links.sort(["shared", "dibao_household"], descending=[True, False])
        .unique("poor_household", keep="first")
        .select("poor_household", pl.col("dibao_household").alias("strongest"))
    )
    # Sorted so that a poor household several dibao households chose goes to the one sharing most (ties: the
    # smaller number) whatever order the SQL engine returned the rows in, and reruns agree (回头看).
    poor_side = (
        status.filter(pl.col("poor_household").is_not_null())
        .sort(["shared", "dibao_household"], descending=[True, False], nulls_last=True)
        .join(strongest, on="poor_household", how="left", maintain_order="left")
        .select(
            pl.col("poor_household").alias("household_seq"),
            pl.coalesce("dibao_household", "strongest", "poor_household").alias("unit"),
            pl.when(pl.col("dibao_household").is_null() & pl.col("strongest").is_not_null())
            .then(pl.lit("differs"))
            .otherwise(pl.col("status"))
            .alias("status"),
        )
    )
    # A poor household best-linked by two dibao households belongs to the first (sorted above).
    units = pl.concat([dibao_side, poor_side]).unique("household_seq", keep="first", maintain_order=True)
    # A unit whose poor households differ from its dibao household is "differs" throughout.
    return units.with_columns(
        pl.when((pl.col("status") == "differs").any().over("unit"))
        .then(pl.lit("differs"))
        .otherwise(pl.col("status"))
        .alias("status")
    )


def _unit_keys(units: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """The units with the unit named by its household's key, as findings and item keys show it."""
    keys = persons.select(pl.col("household_seq").alias("unit"), pl.col("household_key").alias("unit_key"))
    named = units.join(keys.unique("unit"), on="unit", how="left")
    return named.select("household_seq", pl.col("unit_key").alias("unit"), "status")


def _unit_flags(unit_persons: pl.DataFrame) -> pl.DataFrame:
    dibao = pl.col("source") == "dibao"
    return unit_persons.group_by("unit", maintain_order=True).agg(
        dibao.any().alias("on_dibao"),
        (pl.col("source") == "poor").any().alias("registered_poor"),
        pl.col("escaped_poverty").filter(pl.col("source") == "poor").drop_nulls().first().alias("escaped_poverty"),
        pl.col("since").filter(dibao).drop_nulls().min().alias("since"),
        pl.col("monthly_benefit_fen").filter(dibao).drop_nulls().first().alias("benefit_fen"),
        pl.col("single_person").filter(dibao).drop_nulls().any().alias("single_person"),
        pl.col("status").first(),
    )


def _findings(
    persons: pl.DataFrame,
    unit_persons: pl.DataFrame,
    flags: pl.DataFrame,
    decisions: pl.DataFrame,
    unassessed: pl.DataFrame,
    pairs: pl.DataFrame,
    rosters: Rosters,
    on: dt.date,
    profile: Profile,
) -> pl.DataFrame:
    parts: list[pl.DataFrame] = [pl.DataFrame(schema=FINDING_SCHEMA)]
    roster_rows = unit_persons.filter(pl.col("source").is_in(["dibao", "poor"]))
    decided = roster_rows.join(flags.select("unit", "on_dibao", "registered_poor"), on="unit").join(
        decisions, on="unit", how="left"
    )
    decision_text = pl.format(
        "评估结论：{}（家庭月人均收入{}元，低保标准{}元/人/月）",
        pl.col("decision").replace_strict(DECISION_NAMES, default=pl.col("decision")),
        (pl.col("per_capita_income_monthly_fen") / 100).round(2),
        (pl.col("standard_monthly_fen") / 100).round(2),
    )

    def household_finding(condition: pl.Expr, category: str, detail: pl.Expr) -> None:
        rows = decided.filter(condition)
        parts.append(finding_rows(rows, category, household_key(category), detail))

    on_both = pl.col("on_dibao") & pl.col("registered_poor")
    exiting = pl.col("decision").is_in(["exit", "gradual_exit", "deny"]).fill_null(False)
    # 1. registered-poor households on dibao, naming the 特困 and disabled members.
    special = persons.filter(pl.col("source").is_in(["tekun", "disabled"]) & pl.col("link_id").is_not_null())
    special_note = special.group_by("link_id").agg(
        pl.col("source").replace_strict({"tekun": "特困人员", "disabled": "残疾人"}).unique().sort().str.join("、")
    )
    overlap = decided.filter(on_both).join(special_note.rename({"source": "special"}), on="link_id", how="left")
    parts.append(
        finding_rows(
            overlap,
            "overlap",
            household_key("overlap"),
            pl.when(pl.col("special").is_not_null())
            .then(pl.format("建档立卡户在低保中；本人为{}", "special"))
            .otherwise(pl.lit("建档立卡户在低保中")),
        )
    )
    specials_in_overlap = special.join(overlap.select("link_id", "unit").unique("link_id"), on="link_id")
    parts.append(
        finding_rows(
            specials_in_overlap,
            "overlap",
            household_key("overlap"),
            pl.format(
                "{}，所在建档立卡户在低保中",
                pl.col("source").replace_strict({"tekun": "特困人员", "disabled": "残疾人"}),
            ),
        )
    )
    # 2. registered poor, not on dibao: eligible (应保未保) or referred back (COV-6).
    poor_only = pl.col("registered_poor") & ~pl.col("on_dibao") & pl.col("decision").is_not_null()
    household_finding(poor_only & pl.col("decision").is_in(["enroll", "keep"]), "poor_eligible", decision_text)
    household_finding(poor_only & ~pl.col("decision").is_in(["enroll", "keep"]), "poor_refer", decision_text)
    # 3. dibao, not registered, meeting the registration criteria (应扶未扶).
    household_finding(
        pl.col("on_dibao") & ~pl.col("registered_poor") & pl.col("poverty_registration_candidate").fill_null(False),
        "dibao_register",
        pl.lit("符合建档立卡条件（有发展能力或“三保障”未解决）；") + decision_text,
    )
    # 4. dibao households that should leave or enter gradual exit (应退未退).
    household_finding(pl.col("on_dibao") & exiting, "should_exit", decision_text)
    # Not assessed, with the reason.
    not_assessed = roster_rows.join(unassessed, on="unit")
    parts.append(finding_rows(not_assessed, "not_assessed", household_key("not_assessed"), pl.col("reason")))
    # 5. the same household described differently; persons in two households; dibao after death.
    parts.append(patterns.household_differences(roster_rows))
    parts.append(patterns.two_households(persons))
    parts.append(patterns.dead_on_dibao(persons, _as_of(rosters, "dibao", on)))
    # 6. probable same-person pairs.
    parts.append(patterns.pair_findings(persons, pairs))
    # 7. 保人不保户 / 按年龄纳入 / officials' relatives.
    parts.append(patterns.partial_coverage(roster_rows, on, profile))
    parts.append(patterns.official_relatives(persons, roster_rows))
    findings = pl.concat(parts, how="vertical_relaxed")
    return findings.unique(["category", "row_key"], keep="first", maintain_order=True)


def _as_of(rosters: Rosters, source: str, on: dt.date) -> dt.date:
    dates = [given.as_of for given in rosters.inputs if given.source == source and given.as_of]
    return max(dates) if dates else on


def _accounting(persons: pl.DataFrame, findings: pl.DataFrame) -> pl.DataFrame:
    """Every person row in exactly one category: its first finding in PRIORITY order, else no_finding."""
    order = {category: index for index, category in enumerate(PRIORITY)}
    first = (
        findings.with_columns(pl.col("category").replace_strict(order, return_dtype=pl.Int32).alias("rank"))
        .sort("rank")
        .unique("row_key", keep="first")
        .select("row_key", "category")
    )
    rows = persons.select("row_key", "source", "row", "name", "id_text", "township", "village")
    return rows.join(first, on="row_key", how="left").with_columns(pl.col("category").fill_null("no_finding"))


def _date_warnings(rosters: Rosters, profile: Profile) -> list[str]:
    """Rosters of different dates: say so when they are further apart than the comparison interval (DYN-1)."""
    dated = {given.source: given.as_of for given in rosters.inputs if given.as_of}
    if "dibao" not in dated or "poor" not in dated:
        return []
    months = abs((dated["dibao"].year - dated["poor"].year) * 12 + dated["dibao"].month - dated["poor"].month)
    every = profile.comparison.every_months.value
    if months > every:
        return [
            f"低保名单日期为{dated['dibao']}，建档立卡名单日期为{dated['poor']}，相差{months}个月，"
            f"超过比对周期（{every}个月），两名单之间的变动可能被计为差异"
        ]
    return []
