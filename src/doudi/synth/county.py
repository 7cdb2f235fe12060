"""`generate_county`: a whole synthetic county, every frame at once, vectorized and seeded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from doudi.rules.schema import EXPENSES, HOUSEHOLDS, INCOMES, MEMBERS, conform
from doudi.synth import economy, places, population
from doudi.synth.rosters import RosterErrorRates, build_rosters

ENROLLMENTS: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "program": pl.String(),  # dibao | tekun
    "scope": pl.String(),  # household | single_person
    "id_number": pl.String(),  # null for household scope
    "since": pl.Date(),
    "until": pl.Date(),
    "class": pl.String(),  # A | B | C, dibao only
    "monthly_benefit_fen": pl.Int64(),
    "status": pl.String(),  # active | gradual_exit | exited
}


@dataclass
class SyntheticCounty:
    county_code: str
    county_name: str
    province_name: str
    regions: pl.DataFrame
    households: pl.DataFrame
    members: pl.DataFrame
    incomes: pl.DataFrame
    expenses: pl.DataFrame
    enrollments: pl.DataFrame
    rosters: pl.DataFrame
    roster_errors: pl.DataFrame
    deaths: pl.DataFrame
    dibao_standard_fen: int = 0  # the yearly standard incomes were shaped around
    seed: int = 0


def _rng(seed: int, stage: int) -> np.random.Generator:
    # One generator per stage: changing one stage's draws leaves the others' as they were.
    return np.random.default_rng([seed, stage])


def generate_county(
    households: int = 20_000,
    seed: int = 2020,
    county_code: str = "220182",
    on: dt.date = dt.date(2020, 6, 1),
    error_rates: RosterErrorRates | None = None,
) -> SyntheticCounty:
    """A synthetic county of `households` rural households in a real county, as on the date `on`."""
    if county_code not in places.COUNTIES:
        raise ValueError(f"未内置的县级区划代码：{county_code}（可用：{', '.join(places.COUNTIES)}）")
    county = places.COUNTIES[county_code]
    rates = error_rates or RosterErrorRates()
    standard_fen = county.dibao_standard_yuan * economy.FEN_PER_YUAN

    regions = places.build_regions(_rng(seed, 1), county, households)
    villages = regions.filter(pl.col("level") == "village")
    towns = regions.filter(pl.col("level") == "township").select(town_code="code", town_name="name")

    # Villages differ in size; households are numbered within their village.
    rng = _rng(seed, 2)
    village_weight = rng.gamma(3.0, 1.0, villages.height)
    village_of = np.sort(rng.choice(villages.height, size=households, p=village_weight / village_weight.sum()))
    frame = pl.DataFrame(
        {"household_index": np.arange(households, dtype=np.int64), "village_code": villages["code"].gather(village_of)}
    )
    frame = (
        frame.with_columns(
            household_id=pl.col("village_code")
            + (pl.int_range(pl.len()).over("village_code") + 1).cast(pl.String).str.zfill(5),
            town_code=pl.col("village_code").str.slice(0, 9),
        )
        .join(towns, on="town_code", how="left")
        .join(villages.select(village_code="code", village_name="name"), on="village_code", how="left")
        .sort("household_index")
    )
    frame = frame.with_columns(
        address=pl.lit(county.province_name + county.county_name) + pl.col("town_name") + pl.col("village_name")
    )

    members = population.build_members(_rng(seed, 3), households, county_code, on)
    members = population.add_conditions(_rng(seed, 4), members, on)
    members = members.join(frame.select("household_index", "household_id", "village_code"), on="household_index")
    profile = economy.household_profile(members)

    # Economic status and program status.
    rng = _rng(seed, 5)
    per_capita = economy.latent_income(rng, profile, standard_fen)
    ratio = per_capita / standard_fen
    draw = rng.random(households)
    registered_poor = draw < np.select([ratio < 1.2, ratio < 2.5], [0.65, 0.08], 0.01)
    escaped_share = {2016: 0.2, 2017: 0.4, 2018: 0.6, 2019: 0.8}.get(on.year, 0.95 if on.year >= 2020 else 0.0)
    escaped = registered_poor & (rng.random(households) < escaped_share)
    draw = rng.random(households)
    below = ratio < 1
    gradual = (ratio >= 1) & (ratio < 2) & (draw < 0.12)  # climbed above the standard while enrolled
    enrolled = (below & (draw < 0.85)) | gradual | ((ratio >= 2) & (draw < 0.004))  # a few who should not be
    no_labor = (profile["working"] == 0).to_numpy()
    benefit_class = np.where(no_labor | profile["severe"].to_numpy(), "A", np.where(ratio < 0.6, "B", "C"))
    top_up_month = np.maximum(standard_fen - per_capita, 0) * profile["size"].to_numpy() // 12
    class_extra = np.select([benefit_class == "A", benefit_class == "B"], [6_000, 3_000], 0)  # yuan 60 / 30
    benefit = np.where(enrolled, np.maximum(top_up_month + class_extra, 1_000) // 100 * 100, 0)
    since = economy.months_before(on, rng.integers(1, 72, households))
    exit_since = economy.months_before(on, rng.integers(0, 17, households))
    gradual_base = np.where(gradual, benefit + rng.integers(2, 20, households) * 1_000, 0)

    house = frame.with_columns(
        region_code=pl.lit(county_code),
        on=pl.lit(on, pl.Date),
        registered_poor=pl.Series(registered_poor),
        escaped_poverty=pl.Series(escaped),
        property_within_rules=pl.Series(rng.random(households) < 0.97),
        three_guarantees_unsolved=pl.Series(registered_poor & ~escaped & (rng.random(households) < 0.3)),
        long_return_industry=pl.Series(rng.random(households) < 0.03),
        enrolled=pl.Series(enrolled),
        enrolled_since=pl.when(pl.Series(enrolled)).then(pl.Series(since, dtype=pl.Date)),
        enrolled_scope=pl.when(pl.Series(enrolled)).then(pl.lit("household")),
        enrolled_class=pl.when(pl.Series(enrolled)).then(pl.Series(benefit_class)),
        current_benefit_fen=pl.when(pl.Series(enrolled)).then(pl.Series(benefit, dtype=pl.Int64)),
        gradual_exit_since=pl.when(pl.Series(gradual)).then(pl.Series(exit_since, dtype=pl.Date)),
        gradual_exit_base_fen=pl.when(pl.Series(gradual)).then(pl.Series(gradual_base, dtype=pl.Int64)),
    )

    # 特困: elderly people living alone without labor and with little income, supported by the state.
    singles = profile.with_columns(ratio=pl.Series(ratio)).filter(
        (pl.col("size") == 1) & (pl.col("elderly") == 1) & (pl.col("ratio") < 1.5)
    )
    tekun = members.join(singles.select("household_index"), on="household_index").filter(
        pl.Series(_rng(seed, 6).random(singles.height) < 0.15)
    )
    tekun_month = int(standard_fen * 1.3) // 12 // 100 * 100  # STD-4: ≥ 1.3 × the dibao standard
    # A tekun person is supported by tekun, not dibao.
    in_tekun = pl.col("household_index").is_in(tekun["household_index"].implode())
    house = house.with_columns(
        **{
            c: pl.when(in_tekun).then(None).otherwise(pl.col(c))
            for c in (
                "enrolled_since",
                "enrolled_scope",
                "enrolled_class",
                "current_benefit_fen",
                "gradual_exit_since",
                "gradual_exit_base_fen",
            )
        },
        enrolled=pl.col("enrolled") & ~in_tekun,
    )

    status = (
        pl.when(pl.col("gradual_exit_since").is_not_null()).then(pl.lit("gradual_exit")).otherwise(pl.lit("active"))
    )
    dibao = house.filter("enrolled").select(
        "household_id",
        program=pl.lit("dibao"),
        scope=pl.lit("household"),
        id_number=pl.lit(None, pl.String),
        since="enrolled_since",
        until=pl.lit(None, pl.Date),
        **{"class": pl.col("enrolled_class")},
        monthly_benefit_fen="current_benefit_fen",
        status=status,
    )
    # Past enrollments that ended: households that left dibao in the last years.
    left = house.filter(~pl.col("enrolled") & pl.Series(_rng(seed, 7).random(households) < 0.03))
    exited = left.select(
        "household_id",
        program=pl.lit("dibao"),
        scope=pl.lit("household"),
        id_number=pl.lit(None, pl.String),
        since=pl.col("on").dt.offset_by("-40mo").dt.month_start(),
        until=pl.col("on").dt.offset_by("-4mo").dt.month_start(),
        **{"class": pl.lit("C")},
        monthly_benefit_fen=pl.lit(0, pl.Int64),
        status=pl.lit("exited"),
    )
    tekun_rows = tekun.select(
        "household_id",
        program=pl.lit("tekun"),
        scope=pl.lit("single_person"),
        id_number="id_number",
        since=pl.lit(on, pl.Date).dt.offset_by("-30mo").dt.month_start(),
        until=pl.lit(None, pl.Date),
        **{"class": pl.lit(None, pl.String)},
        monthly_benefit_fen=pl.lit(tekun_month, pl.Int64),
        status=pl.lit("active"),
    )
    enrollments = conform(pl.concat([dibao, exited, tekun_rows], how="vertical_relaxed"), ENROLLMENTS)

    elderly = members.filter(pl.col("age") >= 60).select("household_index", "id_number")
    incomes = economy.incomes(_rng(seed, 8), profile, elderly, per_capita, registered_poor, county.basic_pension_yuan)
    expenses = economy.expenses(_rng(seed, 9), members)
    index_to_id = frame.select("household_index", "household_id")

    # Who each office lists: dibao households, registered poor, tekun persons, disabled persons.
    person = members.select(
        "household_id", "id_number", "name", "sex", "birth_date", "relation", "village_code", "household_index"
    )
    listed = pl.concat(
        [
            person.join(house.filter("enrolled").select("household_index"), on="household_index").with_columns(
                source=pl.lit("dibao")
            ),
            person.join(house.filter("registered_poor").select("household_index"), on="household_index").with_columns(
                source=pl.lit("poor")
            ),
            person.join(tekun.select("id_number"), on="id_number").with_columns(source=pl.lit("tekun")),
            person.filter(members["disability_kind"].is_not_null()).with_columns(source=pl.lit("disabled")),
        ]
    ).drop("household_index")
    rosters, roster_errors, deaths = build_rosters(_rng(seed, 10), listed, on, rates)

    return SyntheticCounty(
        county_code=county_code,
        county_name=county.county_name,
        province_name=county.province_name,
        regions=regions,
        households=conform(house, HOUSEHOLDS).with_columns(house.select("village_code", "address")),
        members=conform(members, MEMBERS),
        incomes=conform(incomes.join(index_to_id, on="household_index"), INCOMES),
        expenses=conform(expenses.join(index_to_id, on="household_index"), EXPENSES),
        enrollments=enrollments,
        rosters=rosters,
        roster_errors=roster_errors,
        deaths=deaths,
        dibao_standard_fen=standard_fen,
        seed=seed,
    )
