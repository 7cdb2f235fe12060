"""Households and their members: composition, ages, names, ID numbers, health and disability.

Everything is drawn column-wise with numpy: a household is a row of slot arrays (户主, 配偶, three
children, two parents, a child-in-law, two grandchildren), and members are the slots that are present.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from doudi.linkage import id_numbers
from doudi.synth import names

# name, share, head age range, P(head male), P(spouse), P(0..3 children), P(0..2 parents), P(child-in-law),
# P(0..2 grandchildren). Shares follow the rural pattern: many 2–4 person households, many elderly alone.
HOUSEHOLD_TYPES = [
    ("elderly_single", 0.13, (65, 92), 0.45, 0.0, (1, 0, 0, 0), (1, 0, 0), 0.0, (1, 0, 0)),
    ("elderly_couple", 0.15, (62, 86), 0.92, 1.0, (1, 0, 0, 0), (1, 0, 0), 0.0, (1, 0, 0)),
    ("young_family", 0.30, (28, 50), 0.88, 0.92, (0.05, 0.35, 0.45, 0.15), (0.85, 0.12, 0.03), 0.0, (1, 0, 0)),
    ("three_generations", 0.20, (48, 70), 0.85, 0.85, (0, 0.6, 0.4, 0), (1, 0, 0), 0.8, (0.1, 0.5, 0.4)),
    ("with_parents", 0.08, (30, 52), 0.85, 0.7, (0.3, 0.4, 0.3, 0), (0, 0.6, 0.4), 0.0, (1, 0, 0)),
    ("single_adult", 0.09, (25, 62), 0.7, 0.0, (1, 0, 0, 0), (1, 0, 0), 0.0, (1, 0, 0)),
    ("middle_couple", 0.05, (45, 64), 0.9, 1.0, (1, 0, 0, 0), (1, 0, 0), 0.0, (1, 0, 0)),
]
MAX_MEMBERS = 7
DISABILITY_KINDS = ["肢体", "听力", "视力", "精神", "智力", "多重", "言语"]
_DISABILITY_KIND_SHARES = [0.42, 0.18, 0.13, 0.10, 0.08, 0.07, 0.02]


def _categorical(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw per row from a per-row categorical distribution (rows of `probabilities` sum to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    return (rng.random((probabilities.shape[0], 1)) > cumulative).sum(axis=1)


def build_members(rng: np.random.Generator, households: int, county_code: str, on: dt.date) -> pl.DataFrame:
    """One row per person: household_index, slot, relation, sex, age, names and ID number."""
    n = households
    shares = np.array([t[1] for t in HOUSEHOLD_TYPES])
    kind = rng.choice(len(HOUSEHOLD_TYPES), size=n, p=shares / shares.sum())

    def per_type(index: int) -> np.ndarray:
        return np.array([t[index] for t in HOUSEHOLD_TYPES], dtype=float)[kind]

    age_range = np.array([t[2] for t in HOUSEHOLD_TYPES], dtype=float)[kind]
    head_age = rng.uniform(age_range[:, 0], age_range[:, 1])
    head_male = rng.random(n) < per_type(3)
    has_spouse = rng.random(n) < per_type(4)
    spouse_age = np.clip(head_age + np.where(head_male, -2.0, 2.0) + rng.normal(0, 3, n), 18, 99)
    children = _categorical(rng, np.array([t[5] for t in HOUSEHOLD_TYPES])[kind])
    parents = _categorical(rng, np.array([t[6] for t in HOUSEHOLD_TYPES])[kind])
    grandchildren = _categorical(rng, np.array([t[8] for t in HOUSEHOLD_TYPES])[kind])

    # Children are born when the parents are 22–34, siblings 1–6 years apart.
    child_age = np.empty((3, n))
    child_age[0] = head_age - rng.uniform(22, 34, n)
    for k in (1, 2):
        child_age[k] = child_age[k - 1] - rng.uniform(1, 6, n)
    child_male = rng.random((3, n)) < 0.52
    father_age = head_age + rng.uniform(24, 34, n)
    mother_age = father_age - rng.uniform(0, 5, n)
    lone_parent_is_mother = rng.random(n) < 0.65  # widowed mothers outnumber widowed fathers
    has_in_law = (rng.random(n) < per_type(7)) & (children >= 1) & (child_age[0] >= 20)
    in_law_age = np.clip(child_age[0] + rng.normal(0, 2, n), 18, 99)
    grandchild_age = np.empty((2, n))
    grandchild_age[0] = child_age[0] - rng.uniform(22, 30, n)
    grandchild_age[1] = grandchild_age[0] - rng.uniform(1, 5, n)

    head_surname = names.surname_codes(rng, n)
    spouse_surname = names.surname_codes(rng, n)
    mother_surname = names.surname_codes(rng, n)
    in_law_surname = names.surname_codes(rng, n)
    child_surname = np.where(head_male | ~has_spouse, head_surname, spouse_surname)
    grandchild_surname = np.where(child_male[0] | ~has_in_law, child_surname, in_law_surname)

    # Slot table: (relation, present, age, male, surname); order matters for the 7-member cap below.
    slots = [
        ("户主", np.ones(n, bool), head_age, head_male, head_surname),
        ("配偶", has_spouse, spouse_age, ~head_male, spouse_surname),
        *[("子女", (children > k) & (child_age[k] >= 0), child_age[k], child_male[k], child_surname) for k in range(3)],
        (
            "父母",
            (parents >= 1),
            np.where(parents == 1, np.where(lone_parent_is_mother, mother_age, father_age), father_age),
            ~((parents == 1) & lone_parent_is_mother),
            head_surname,
        ),
        ("父母", parents == 2, mother_age, np.zeros(n, bool), mother_surname),
        ("子女配偶", has_in_law, in_law_age, ~child_male[0], in_law_surname),
        *[
            (
                "孙子女",
                (grandchildren > k) & (children >= 1) & (grandchild_age[k] >= 0),
                grandchild_age[k],
                rng.random(n) < 0.52,
                grandchild_surname,
            )
            for k in range(2)
        ],
    ]
    present = np.stack([slot[1] for slot in slots])
    present &= np.stack([slot[2] for slot in slots]) <= 99  # nobody over 99: IDs need a birth year ≥ 1900
    present &= np.cumsum(present, axis=0) <= MAX_MEMBERS
    household_index = np.broadcast_to(np.arange(n), present.shape)[present]
    slot_number = np.broadcast_to(np.arange(len(slots))[:, None], present.shape)[present]
    age = np.stack([slot[2] for slot in slots])[present]
    male = np.stack([slot[3] for slot in slots])[present]
    surname = np.stack([slot[4] for slot in slots])[present]
    relation = pl.Series([slot[0] for slot in slots], dtype=pl.String).gather(slot_number)
    # 子女配偶 is 儿媳 for a daughter-in-law, 女婿 for a son-in-law.
    relation = pl.select(
        pl.when(relation == "子女配偶")
        .then(pl.when(pl.Series(male)).then(pl.lit("女婿")).otherwise(pl.lit("儿媳")))
        .otherwise(relation)
    ).to_series()

    birth_date = np.datetime64(on, "D") - np.round(age * 365.25).astype("timedelta64[D]")
    frame = pl.DataFrame(
        {
            "household_index": household_index.astype(np.int64),
            "slot": slot_number.astype(np.int8),
            "relation": relation,
            "sex": pl.Series(["F", "M"], dtype=pl.String).gather(male.astype(np.int8)),
            "birth_date": birth_date,
            "name": names.surname_text(surname) + names.given_names(rng, male),
        }
    ).sort("household_index", "slot")
    return frame.with_columns(id_number=_id_numbers(rng, frame, county_code))


def _id_numbers(rng: np.random.Generator, people: pl.DataFrame, county_code: str) -> pl.Series:
    """Unique valid 18-digit IDs: county code + birth date + sequence (odd for men) + check digit.

    People born on the same day with the same sex get distinct sequence numbers by a random ranking,
    from a start that varies by day (real sequence codes are spread over police stations).
    """
    male = (pl.col("sex") == "M").cast(pl.Int32)
    day = pl.col("birth_date").cast(pl.Int32)
    rank = pl.col("_key").rank("ordinal").over("birth_date", "sex").cast(pl.Int32) - 1
    sequence = ((day * 7919).mod(400) + rank).mod(500) * 2 + male  # unique while ≤ 500 per day and sex
    first17 = (
        people.with_columns(_key=pl.Series(rng.random(people.height)))
        .select(
            pl.lit(county_code) + pl.col("birth_date").dt.strftime("%Y%m%d") + sequence.cast(pl.String).str.zfill(3)
        )
        .to_series()
    )
    return id_numbers.with_check_digit(first17)


def add_conditions(rng: np.random.Generator, members: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Health, disability, bedridden, schooling, labor capacity and employment, by age."""
    n = members.height
    age = (np.datetime64(on, "D") - members["birth_date"].to_numpy()).astype(np.int64) / 365.25
    elderly = age >= 60
    draw = rng.random(n)
    p_serious = 0.008 + 0.03 * elderly
    p_chronic = 0.04 + 0.30 * elderly + 0.10 * (age >= 45)
    health_code = np.where(draw < p_serious, 2, np.where(draw < p_serious + p_chronic, 1, 0))
    health = pl.Series(["healthy", "chronic", "serious_illness"], dtype=pl.String).gather(health_code)
    serious = health_code == 2

    disabled = rng.random(n) < (0.035 + 0.09 * elderly)  # ~6–8% overall
    kind = pl.Series(DISABILITY_KINDS, dtype=pl.String).gather(
        rng.choice(len(DISABILITY_KINDS), size=n, p=_DISABILITY_KIND_SHARES)
    )
    grade = rng.choice([1, 2, 3, 4], size=n, p=[0.12, 0.2, 0.3, 0.38]).astype(np.int8)
    severe = disabled & (grade <= 2)
    bedridden = (
        (serious & (rng.random(n) < 0.2)) | (severe & (rng.random(n) < 0.15)) | ((age >= 80) & (rng.random(n) < 0.04))
    )
    in_school = ((age >= 6) & (age < 19) & (rng.random(n) < 0.97)) | ((age >= 19) & (age < 23) & (rng.random(n) < 0.4))
    working_age = (age >= 18) & (age < 60) & ~in_school
    employed = working_age & ~serious & ~severe & (rng.random(n) < 0.7)
    # Mostly left null for the engine to derive; some offices recorded an assessment explicitly.
    explicit = rng.random(n) < 0.05
    labor_code = np.where(severe | bedridden | serious, 2, np.where(working_age & (health_code == 0) & ~disabled, 0, 1))
    labor = pl.Series(["full", "partial", "none"], dtype=pl.String).gather(labor_code)
    return members.with_columns(
        health=health,
        disability_kind=pl.when(pl.Series(disabled)).then(kind),
        disability_grade=pl.Series(np.where(disabled, grade, 0), dtype=pl.Int8),
        bedridden=pl.Series(bedridden),
        in_school=pl.Series(in_school),
        labor_capacity=pl.when(pl.Series(explicit)).then(labor),
        employed=pl.Series(employed),
        single_person_application=pl.lit(False),
        age=pl.Series(age),
    ).with_columns(disability_grade=pl.when(pl.col("disability_kind").is_not_null()).then(pl.col("disability_grade")))
