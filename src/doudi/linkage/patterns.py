"""Row-level findings of the comparison that need no assessment: the patterns the seeds call errors.

 - the same household described differently in the two rosters (members, sizes, incomes);
 - one person listed in two households of one roster;
 - a person on dibao after a recorded death;
 - probable same-person pairs (mistyped ID numbers);
 - 保人不保户 (only some members covered; a single-person enrollment under COV-4 is not one) and
   按年龄纳入 (the old members covered, the working-age ones not);
 - village officials' relatives on dibao (SUP-2), by the rule documented in `official_relatives`.

Each function returns rows of FINDING_SCHEMA.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from doudi.policy.profile import Profile
from doudi.rules.calendar import whole_years
from doudi.rules.people import of_working_age, retirement_age, seriously_ill, severely_disabled

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "category": pl.String(),
    "item_key": pl.String(),  # stable across runs: what 回头看 compares
    "township": pl.String(),
    "village": pl.String(),
    "row_key": pl.String(),
    "source": pl.String(),
    "row": pl.Int64(),
    "household_no": pl.String(),
    "head_name": pl.String(),
    "name": pl.String(),
    "id_text": pl.String(),
    "relation": pl.String(),
    "detail": pl.String(),
}
# Columns a finding row copies from a person row.
_ROW_COLUMNS = tuple(c for c in FINDING_SCHEMA if c not in ("category", "item_key", "detail"))


def finding_rows(frame: pl.DataFrame, category: str, item_key: pl.Expr, detail: pl.Expr) -> pl.DataFrame:
    """`frame`'s person rows as findings of `category` (FINDING_SCHEMA)."""
    return frame.select(
        pl.lit(category).alias("category"), item_key.alias("item_key"), *_ROW_COLUMNS, detail.alias("detail")
    ).cast(FINDING_SCHEMA)  # type: ignore[arg-type]


def _person_key(category: str) -> pl.Expr:
    return pl.format("{}|{}", pl.lit(category), pl.coalesce("link_id", pl.format("{}{}", "name", "village")))


def household_differences(rows: pl.DataFrame) -> pl.DataFrame:
    """Linked dibao and poor households described differently: a person the dibao roster lists in the household
    and the poor roster does not, a stated 家庭人口数 other than the poor roster's count, one ID number under two
    names, or different yearly incomes. (Members the poor roster lists and dibao does not are 保人不保户: see
    `partial_coverage`.)"""
    linked = rows.filter(pl.col("status") == "differs")
    in_poor = pl.col("link_id").is_in(pl.col("link_id").filter(pl.col("source") == "poor").implode()).over("unit")
    per_unit = linked.group_by("unit").agg(
        (pl.col("source") == "poor").sum().alias("poor_n"),
        pl.col("household_size").filter(pl.col("source") == "dibao").drop_nulls().first().alias("stated"),
    )
    marked = linked.with_columns(in_poor.fill_null(False).alias("in_poor")).join(per_unit, on="unit")
    not_in_poor = marked.filter((pl.col("source") == "dibao") & ~pl.col("in_poor"))
    size_differs = marked.filter(
        (pl.col("source") == "dibao") & pl.col("in_poor") & (pl.col("stated") != pl.col("poor_n")).fill_null(False)
    )
    key = household_key("household_differs")
    parts = [
        finding_rows(not_in_poor, "household_differs", key, pl.lit("此人在低保名单该户中，不在建档立卡名单的该户中")),
        finding_rows(
            size_differs,
            "household_differs",
            key,
            pl.format("低保名单填家庭人口{}人，建档立卡名单该户{}人", "stated", "poor_n"),
        ),
    ]
    # One dibao household, two or more households in the poor roster.
    split = linked.with_columns(
        pl.col("household_key").filter(pl.col("source") == "poor").n_unique().over("unit").alias("poor_households")
    ).filter((pl.col("poor_households") > 1) & (pl.col("source") == "poor"))
    parts.append(
        finding_rows(
            split, "household_differs", key, pl.format("低保名单的同一户在建档立卡名单中分为{}户", "poor_households")
        )
    )
    # One ID number, two names: a variant character or a homophone typed in one roster.
    named = (
        rows.filter(pl.col("link_id").is_not_null())
        .group_by("link_id")
        .agg(
            pl.col("name").filter(pl.col("source") == "dibao").first().alias("dibao_name"),
            pl.col("name").filter(pl.col("source") == "poor").first().alias("poor_name"),
        )
    )
    renamed = rows.filter(pl.col("source") == "dibao").join(
        named.filter(pl.col("dibao_name") != pl.col("poor_name")), on="link_id"
    )
    name_detail = pl.format("姓名不同：低保名单“{}”，建档立卡名单“{}”", "dibao_name", "poor_name")
    parts.append(finding_rows(renamed, "household_differs", key, name_detail))
    # Both rosters state a yearly income and they disagree.
    incomes = (
        rows.filter(pl.col("yearly_income_fen").is_not_null())
        .group_by("unit")
        .agg(
            pl.col("yearly_income_fen").filter(pl.col("source") == "dibao").first().alias("dibao_income"),
            pl.col("yearly_income_fen").filter(pl.col("source") == "poor").first().alias("poor_income"),
        )
    )
    income_rows = rows.join(incomes.filter(pl.col("dibao_income") != pl.col("poor_income")), on="unit")
    income_detail = pl.format(
        "家庭年收入不同：低保名单{}元，建档立卡名单{}元", pl.col("dibao_income") / 100, pl.col("poor_income") / 100
    )
    parts.append(finding_rows(income_rows.filter(pl.col("source") == "dibao"), "household_differs", key, income_detail))
    return pl.concat(parts)


def household_key(category: str) -> pl.Expr:
    """A household finding's key across runs: the category and the smallest ID number in the household."""
    return pl.format("{}|{}", pl.lit(category), pl.col("link_id").min().over("unit").fill_null(pl.col("unit")))


def two_households(persons: pl.DataFrame) -> pl.DataFrame:
    """One valid ID number in two households of the same roster."""
    twice = persons.filter(
        pl.col("link_id").is_not_null() & (pl.col("household_key").n_unique().over("source", "link_id") > 1)
    )
    detail = pl.format(
        "同一身份证号码在本名单{}个家庭中（户编号：{}）",
        pl.col("household_key").n_unique().over("source", "link_id"),
        pl.col("household_no").fill_null("无").unique().sort().str.join("、").over("source", "link_id"),
    )
    return finding_rows(twice, "two_households", _person_key("two_households"), detail)


def dead_on_dibao(persons: pl.DataFrame, dibao_as_of: dt.date) -> pl.DataFrame:
    """Dibao rows of persons in the deaths roster who died before the dibao roster's date."""
    deaths = (
        persons.filter((pl.col("source") == "deaths") & pl.col("link_id").is_not_null())
        .group_by("link_id")
        .agg(pl.col("death_date").min(), pl.col("row_key").first().alias("death_row"))
    )
    dibao = persons.filter(pl.col("source") == "dibao").drop("death_date").join(deaths, on="link_id")
    dead = dibao.filter(pl.col("death_date").is_null() | (pl.col("death_date") <= dibao_as_of))
    detail = pl.format(
        "死亡名单记载死亡日期{}，仍在低保名单中（低保名单日期{}）", pl.col("death_date"), pl.lit(dibao_as_of)
    )
    listed = finding_rows(dead, "dead_on_dibao", _person_key("dead_on_dibao"), detail)
    # The deaths-roster row that found it belongs to the same finding.
    death_rows = persons.join(dead.select(pl.col("death_row").alias("row_key"), "death_date"), on="row_key")
    return pl.concat(
        [
            listed,
            finding_rows(death_rows, "dead_on_dibao", _person_key("dead_on_dibao"), pl.lit("死亡人员仍在低保名单中")),
        ]
    )


def pair_findings(persons: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Both rows of each probable same-person pair, the partner and the evidence in the detail."""
    if pairs.is_empty():
        return finding_rows(persons.head(0), "same_person", pl.lit(""), pl.lit(""))
    partner = persons.select(
        "row_key", pl.col("name").alias("p_name"), pl.col("id_text").alias("p_id"), pl.col("source").alias("p_source")
    )
    sides = pl.concat(
        [
            pairs.select(
                pl.col("left_key").alias("row_key"),
                pl.col("right_key").alias("partner"),
                "score",
                "evidence",
                pl.col("left_key").alias("pair"),
            ),
            pairs.select(
                pl.col("right_key").alias("row_key"),
                pl.col("left_key").alias("partner"),
                "score",
                "evidence",
                pl.col("left_key").alias("pair"),
            ),
        ]
    )
    rows = persons.join(sides, on="row_key").join(partner.rename({"row_key": "partner"}), on="partner")
    detail = pl.format(
        "疑似与{}“{}”（{}）为同一人，得分{}：{}",
        pl.col("p_source").replace_strict({"dibao": "低保名单", "poor": "建档立卡名单"}, default=pl.col("p_source")),
        "p_name",
        pl.col("p_id").fill_null("无号码"),
        "score",
        "evidence",
    )
    key = pl.format("same_person|{}|{}", pl.col("name"), pl.coalesce("link_id", "id_text", "village"))
    return finding_rows(rows, "same_person", key.min().over("pair"), detail)


def partial_coverage(rows: pl.DataFrame, on: dt.date, profile: Profile) -> pl.DataFrame:
    """保人不保户: a dibao household whose members are not all covered, seen from the linked poor household's
    members or from the roster's own 家庭人口数 against the persons listed. Not a finding for a single-person
    enrollment: marked 单人保 in the roster, or one covered person who is severely disabled or seriously ill as
    the engine defines them (doudi.rules.people; COV-4). 按年龄纳入: every covered member is past the profile's
    working age (ASM-1: by sex, in whole years as the engine counts them) and a member of working age is not
    covered; a covered member without a birth date is not taken as old."""
    units = (
        rows.with_columns(whole_years(pl.col("birth_date"), pl.lit(on)).alias("age"))
        .with_columns(
            (pl.col("age") >= retirement_age(profile)).alias("past_working_age"),
            of_working_age(profile).alias("of_working_age"),
        )
        .group_by("unit")
        .agg(
            (pl.col("source") == "dibao").any().alias("on_dibao"),
            pl.col("link_id").filter(pl.col("source") == "dibao").n_unique().alias("covered"),
            pl.col("link_id").filter(pl.col("source") == "dibao").count().alias("covered_rows"),
            pl.col("household_size").filter(pl.col("source") == "dibao").drop_nulls().max().alias("stated_size"),
            pl.col("link_id")
            .filter(
                (pl.col("source") == "poor")
                & ~pl.col("link_id").is_in(pl.col("link_id").filter(pl.col("source") == "dibao").implode())
            )
            .n_unique()
            .alias("poor_not_covered"),
            pl.col("single_person").filter(pl.col("source") == "dibao").fill_null(False).any().alias("single_marked"),
            (severely_disabled(profile) | seriously_ill(profile))
            .filter(pl.col("source") == "dibao")
            .fill_null(False)
            .any()
            .alias("cov4"),
            pl.col("past_working_age")
            .filter(pl.col("source") == "dibao")
            .fill_null(False)
            .all()
            .alias("covered_all_old"),
            pl.col("of_working_age")
            .filter(
                (pl.col("source") == "poor")
                & ~pl.col("link_id").is_in(pl.col("link_id").filter(pl.col("source") == "dibao").implode())
            )
            .fill_null(False)
            .any()
            .alias("working_age_left_out"),
        )
    )
    covered = pl.max_horizontal("covered", "covered_rows")
    household = pl.max_horizontal(covered + pl.col("poor_not_covered"), pl.col("stated_size").fill_null(0))
    single_person = pl.col("single_marked") | ((covered == 1) & pl.col("cov4"))
    partial = units.filter(pl.col("on_dibao") & (covered < household) & ~single_person).with_columns(
        covered.alias("n_covered"), household.alias("n_household")
    )
    flagged = rows.filter(pl.col("source") == "dibao").join(partial, on="unit")
    by_age = pl.col("covered_all_old").fill_null(False) & pl.col("working_age_left_out").fill_null(False)
    detail = pl.format("家庭{}人，仅{}人纳入低保", "n_household", "n_covered")
    return pl.concat(
        [
            finding_rows(flagged.filter(~by_age), "partial_coverage", household_key("partial_coverage"), detail),
            finding_rows(
                flagged.filter(by_age),
                "age_only",
                household_key("age_only"),
                detail + pl.lit("，纳入的均为超过劳动年龄的老人，劳动年龄成员未纳入"),
            ),
        ]
    )


def official_relatives(persons: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """SUP-2, doudi's rule (the seeds name the error, not a test):
     (a) 同户 — the official's ID number is in the dibao household, or in the poor household linked to it;
     (b) 同村同姓户主（待核实）— the dibao household's head has the official's surname in the official's
         village. (b) is a lead for the township to verify, not a conclusion: a village often shares a surname.
    The dibao rows of the household are listed, and the official's row too."""
    officials = persons.filter(pl.col("source") == "officials")
    if officials.is_empty():
        return finding_rows(persons.head(0), "official_relative", pl.lit(""), pl.lit(""))
    dibao_units = rows.filter(pl.col("source") == "dibao").select("unit").unique()
    unit_members = rows.join(dibao_units, on="unit").select("unit", "link_id").drop_nulls().unique()
    same_household = officials.join(unit_members, on="link_id").select(
        pl.col("row_key").alias("official_row"),
        "unit",
        pl.lit("与村干部同户").alias("why"),
        pl.col("name").alias("official"),
        pl.col("post").alias("official_post"),
    )
    heads = rows.filter((pl.col("source") == "dibao") & (pl.col("relation").fill_null("") == "户主")).select(
        "unit", pl.col("name").str.slice(0, 1).alias("surname"), "village"
    )
    same_surname = (
        officials.with_columns(pl.col("name").str.slice(0, 1).alias("surname"))
        .join(heads, on=["surname", "village"])
        .join(same_household.select("unit"), on="unit", how="anti")
        .select(
            pl.col("row_key").alias("official_row"),
            "unit",
            pl.lit("户主与村干部同村同姓（待核实）").alias("why"),
            pl.col("name").alias("official"),
            pl.col("post").alias("official_post"),
        )
    )
    hits = pl.concat([same_household, same_surname]).unique(["official_row", "unit"])
    dibao_rows = rows.filter(pl.col("source") == "dibao").join(hits, on="unit")
    detail = pl.format("{}：村干部{}（{}）", "why", "official", pl.col("official_post").fill_null("职务未填"))
    key = pl.format("official_relative|{}|{}", "official_row", pl.col("link_id").min().over("unit", "official_row"))
    listed = finding_rows(dibao_rows, "official_relative", key, detail)
    official_rows = persons.join(
        hits.select(pl.col("official_row").alias("row_key"), "why").unique("row_key"), on="row_key"
    )
    return pl.concat(
        [
            listed,
            finding_rows(
                official_rows,
                "official_relative",
                pl.format("official_relative|{}", "row_key"),
                pl.format("村干部本人：{}", "why"),
            ),
        ]
    )
