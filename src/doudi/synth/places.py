"""Real counties (GB/T 2260) and a plausible tree of townships and villages under them.

Township codes follow the 统计用区划代码 style: county + 3 digits, 1xx for towns (镇) and 2xx for
townships (乡); village committees add 3 more digits from 201 upward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class County:
    code: str
    province_name: str
    county_name: str
    dibao_standard_yuan: int  # rural dibao standard used to shape incomes (yuan/person/year), not policy
    basic_pension_yuan: int  # 城乡居民基础养老金 per month paid locally


# A small table of real counties, one per seed profile region. Standards are rough 2020 levels.
COUNTIES: dict[str, County] = {
    "220182": County("220182", "吉林省", "榆树市", 4_560, 103),
    "500236": County("500236", "重庆市", "奉节县", 5_280, 115),
    "530523": County("530523", "云南省", "龙陵县", 4_500, 103),
    "150721": County("150721", "内蒙古自治区", "阿荣旗", 5_000, 128),
}

# Place-name syllables; a township or village name is two of them plus 镇/乡/村.
_PLACE_FIRST = list("东西南北大小新老上下前后高长青白黄红石金双兴太永安和平福顺龙凤马杨李王张刘河山岭沟泉")
_PLACE_SECOND = list("河山岭沟泉台屯堡店桥营庄林家园湾坡坪岗甸水川阳丰兴旺胜合利源泰宁岩洼")


def _unique_place_names(rng: np.random.Generator, count: int, exclude: frozenset[str] = frozenset()) -> list[str]:
    """`count` distinct two-syllable place names (there are ~2,000 combinations)."""
    combos = [a + b for a in _PLACE_FIRST for b in _PLACE_SECOND if a != b and a + b not in exclude]
    picked = rng.choice(len(combos), size=count, replace=False)
    return [combos[i] for i in picked]


def build_regions(rng: np.random.Generator, county: County, households: int) -> pl.DataFrame:
    """County, township and village rows: code, name, level, parent_code."""
    # ~15 townships for a small county, up to 25 for a big one; 10–20 villages each.
    townships = int(np.clip(15 + households // 40_000, 15, 25))
    town_names = _unique_place_names(rng, townships)
    is_town = rng.random(townships) < 0.7  # most townships are towns (镇), the rest 乡
    town_codes, town_full_names = [], []
    next_suffix = {True: 100, False: 200}
    for name, town in zip(town_names, is_town, strict=True):
        town_codes.append(f"{county.code}{next_suffix[bool(town)]:03d}")
        next_suffix[bool(town)] += 1
        town_full_names.append(name + ("镇" if town else "乡"))
    villages_per_town = rng.integers(10, 21, size=townships)
    village_names = _unique_place_names(rng, int(villages_per_town.sum()), exclude=frozenset(town_names))
    village_rows: list[tuple[str, str, str, str]] = []
    cursor = 0
    for town_code, count in zip(town_codes, villages_per_town, strict=True):
        for number in range(int(count)):
            village_rows.append((f"{town_code}{201 + number:03d}", village_names[cursor] + "村", "village", town_code))
            cursor += 1
    rows: list[tuple[str, str, str, str | None]] = [(county.code, county.county_name, "county", None)]
    rows += [(code, name, "township", county.code) for code, name in zip(town_codes, town_full_names, strict=True)]
    rows += village_rows
    return pl.DataFrame(
        rows, schema={"code": pl.String, "name": pl.String, "level": pl.String, "parent_code": pl.String}, orient="row"
    )
