"""Probable same-person pairs: one person in two rosters whose ID numbers do not agree.

A county clerk mistypes one digit, swaps two, leaves the old 15-digit number or leaves the cell empty; the
exact join by ID then sees two different people. We look for pairs across two rosters among the rows that the
exact join did not match, in blocks (same name and village; same pinyin and birth date; same birth date, sex
and village; same first 14 ID characters), and score each pair from explicit evidence: name (characters and
pinyin), ID number (how it differs), birth date, sex, village and household size. Every pair carries its
evidence as Chinese text, so an officer can decide.

Why not Splink: the evidence weights here are few and fixed, the candidate sets per county are small
(thousands of unmatched rows), and an officer must read why a pair was proposed; a trained model's weights
are harder to explain and training took tens of seconds per run (see DESIGN.md).
"""

from __future__ import annotations

from functools import lru_cache

import duckdb
import polars as pl
from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import Levenshtein

# pypinyin reads a surname as an ordinary word (单 → dan); the first character of a name is read from here.
SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "任": "ren",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "盖": "ge",
    "乐": "yue",
    "尉": "yu",
    "召": "shao",
    "繁": "po",
    "隗": "wei",
    "长": "chang",
    "万": "wan",
    "沈": "shen",
    "秘": "bi",
    "种": "chong",
    "员": "yun",
    "黑": "he",
}

# A pair is listed from this score; at or above LINK_SCORE the comparison treats the two rows as one person.
LIST_SCORE = 0.6
LINK_SCORE = 0.8

PAIR_SCHEMA: dict[str, pl.DataType] = {
    "left_key": pl.String(),
    "right_key": pl.String(),
    "score": pl.Float64(),
    "id_relation": pl.String(),
    "evidence": pl.String(),
}


@lru_cache(maxsize=200_000)
def name_pinyin(name: str) -> str:
    """Toneless pinyin with the surname read as a surname: '单雄信' -> 'shan xiong xin'."""
    if not name:
        return ""
    first = SURNAME_READINGS.get(name[0]) or " ".join(lazy_pinyin(name[0]))
    rest = lazy_pinyin(name[1:], style=Style.NORMAL) if len(name) > 1 else []
    return " ".join([first, *rest])


def id_relation(left: str | None, right: str | None) -> str:
    """How two written ID numbers differ: 一位不同 / 相邻两位颠倒 / 15位与18位 / 缺失 / 多位不同."""
    if not left or not right:
        return "一方缺少身份证号码"
    if left == right:
        return "号码相同"
    if {len(left), len(right)} == {15, 18}:
        long, short = (left, right) if len(left) == 18 else (right, left)
        return "15位旧号码与18位号码对应" if long[:6] + long[8:17] == short else "15位与18位号码不对应"
    if len(left) != len(right):
        return "号码长度不同"
    diffs = [i for i, (a, b) in enumerate(zip(left, right, strict=True)) if a != b]
    if len(diffs) == 1:
        return f"第{diffs[0] + 1}位不同"
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and left[diffs[0]] == right[diffs[1]]:
        return f"第{diffs[0] + 1}、{diffs[1] + 1}位颠倒"
    return f"{len(diffs)}位不同"


def _id_points(relation: str) -> float:
    """A one-digit slip, a swap or an old 15-digit number is strong evidence; a missing number is weak."""
    if relation.startswith("第") and (relation.endswith("位不同") or relation.endswith("位颠倒")):
        return 0.35
    if relation == "15位旧号码与18位号码对应":
        return 0.4
    if relation == "一方缺少身份证号码":
        return 0.2
    return 0.0


def score_pair(left: dict[str, object], right: dict[str, object]) -> tuple[float, str, str]:
    """(score 0..1, how the IDs differ, the evidence in Chinese) for two person rows."""
    evidence: list[str] = []
    points = 0.0
    ln, rn = str(left["name"] or ""), str(right["name"] or "")
    if ln and ln == rn:
        points += 0.3
        evidence.append("姓名相同")
    elif ln and name_pinyin(ln) == name_pinyin(rn):
        points += 0.22
        evidence.append(f"姓名同音（{ln}/{rn}，{name_pinyin(ln)}）")
    elif ln and rn and Levenshtein.distance(ln, rn) == 1 and len(ln) > 1:
        points += 0.12
        evidence.append(f"姓名相差一字（{ln}/{rn}）")
    relation = id_relation(left["id_text"], right["id_text"])  # type: ignore[arg-type]
    id_points = _id_points(relation)
    points += id_points
    evidence.append(f"身份证号码{relation}")
    if left["birth_date"] is not None and left["birth_date"] == right["birth_date"]:
        points += 0.15
        evidence.append("出生日期相同")
    if left["sex"] is not None and left["sex"] == right["sex"]:
        points += 0.05
        evidence.append("性别相同")
    if left["village"] is not None and left["village"] == right["village"]:
        points += 0.1
        evidence.append(f"同村（{left['village']}）")
    if left["household_size"] is not None and left["household_size"] == right["household_size"]:
        points += 0.05
        evidence.append("家庭人口数相同")
    return min(points, 1.0), relation, "；".join(evidence)


_CANDIDATES_SQL = """
WITH l AS (SELECT * FROM left_rows), r AS (SELECT * FROM right_rows)
SELECT l.row_key AS left_key, r.row_key AS right_key FROM l JOIN r ON l.name = r.name AND l.village = r.village
UNION
SELECT l.row_key, r.row_key FROM l JOIN r ON l.pinyin = r.pinyin AND l.birth_date = r.birth_date
UNION
SELECT l.row_key, r.row_key FROM l JOIN r ON l.birth_date = r.birth_date AND l.sex = r.sex AND l.village = r.village
UNION
SELECT l.row_key, r.row_key FROM l JOIN r ON left(l.id_text, 14) = left(r.id_text, 14) AND length(l.id_text) >= 14
"""


def probable_pairs(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """Scored pairs (PAIR_SCHEMA, score >= LIST_SCORE) between two sets of unmatched person rows; each row is in
    at most one pair, the best-scoring one."""
    if left.is_empty() or right.is_empty():
        return pl.DataFrame(schema=PAIR_SCHEMA)
    columns = ["row_key", "name", "id_text", "birth_date", "sex", "village", "household_size"]

    def prepared(frame: pl.DataFrame) -> pl.DataFrame:
        sized = frame.with_columns(pl.len().over("household_key").cast(pl.Int32).alias("household_size"))
        return sized.select(columns).with_columns(
            pl.col("name").map_elements(name_pinyin, return_dtype=pl.String).alias("pinyin")
        )

    left_rows, right_rows = prepared(left), prepared(right)
    with duckdb.connect() as con:
        con.register("left_rows", left_rows.to_arrow())
        con.register("right_rows", right_rows.to_arrow())
        candidates = con.sql(_CANDIDATES_SQL).pl()
    assert isinstance(candidates, pl.DataFrame)
    if candidates.is_empty():
        return pl.DataFrame(schema=PAIR_SCHEMA)
    by_key_l = {row["row_key"]: row for row in left_rows.iter_rows(named=True)}
    by_key_r = {row["row_key"]: row for row in right_rows.iter_rows(named=True)}
    scored = []
    for left_key, right_key in candidates.iter_rows():
        score, relation, evidence = score_pair(by_key_l[left_key], by_key_r[right_key])
        if score >= LIST_SCORE:
            scored.append((left_key, right_key, round(score, 2), relation, evidence))
    pairs = pl.DataFrame(scored, schema=PAIR_SCHEMA, orient="row")
    # Keep each row's best pair only (greedy by score), so one person is not paired twice.
    pairs = pairs.sort("score", "left_key", "right_key", descending=[True, False, False])
    used: set[str] = set()
    keep = []
    for left_key, right_key in pairs.select("left_key", "right_key").iter_rows():
        keep.append(left_key not in used and right_key not in used)
        if keep[-1]:
            used.update((left_key, right_key))
    return pairs.filter(pl.Series(keep, dtype=pl.Boolean))
