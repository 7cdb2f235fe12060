"""Chinese names for synthetic people: surnames by realistic frequency, sex-leaning given names, homophones."""

from __future__ import annotations

import numpy as np
import polars as pl

# The most common surnames with rough shares (percent of the population, 2020 household-registration figures,
# rounded). The long tail is spread evenly over the remainder of the list by the weights.
SURNAMES: dict[str, float] = {
    "王": 7.1,
    "李": 7.0,
    "张": 6.7,
    "刘": 5.4,
    "陈": 4.5,
    "杨": 3.1,
    "赵": 2.3,
    "黄": 2.2,
    "周": 2.1,
    "吴": 2.0,
    "徐": 1.7,
    "孙": 1.6,
    "胡": 1.3,
    "朱": 1.3,
    "高": 1.3,
    "林": 1.2,
    "何": 1.2,
    "郭": 1.2,
    "马": 1.1,
    "罗": 0.9,
    "梁": 0.8,
    "宋": 0.7,
    "郑": 0.7,
    "谢": 0.6,
    "韩": 0.6,
    "唐": 0.6,
    "冯": 0.6,
    "于": 0.5,
    "董": 0.5,
    "萧": 0.5,
    "程": 0.5,
    "曹": 0.5,
    "袁": 0.5,
    "邓": 0.5,
    "许": 0.5,
    "傅": 0.4,
    "沈": 0.4,
    "曾": 0.4,
    "彭": 0.4,
    "吕": 0.4,
    "苏": 0.4,
    "卢": 0.4,
    "蒋": 0.4,
    "蔡": 0.4,
    "贾": 0.3,
    "丁": 0.3,
    "魏": 0.3,
    "薛": 0.3,
    "叶": 0.3,
    "单": 0.1,
}

# Characters for given names; one- or two-character given names are drawn from these.
MALE_CHARS = list("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林国建志文海峰成东亮春晓永德福贵")
FEMALE_CHARS = list("芳娜敏静丽艳娟霞秀英华玲桂兰萍红梅琳燕颖雪婷慧莉倩洁丹凤翠云珍彩月春小晓")

# Characters recorded differently by different offices (同音字/异体字): 华→化, 丽→莉 …
HOMOPHONES: dict[str, str] = {
    "华": "化",
    "丽": "莉",
    "芳": "方",
    "红": "宏",
    "英": "瑛",
    "军": "君",
    "杰": "洁",
    "伟": "玮",
    "玲": "琳",
    "静": "晶",
    "志": "智",
    "建": "健",
    "明": "铭",
    "霞": "侠",
    "萍": "平",
    "兰": "岚",
    "凤": "风",
    "秀": "绣",
    "国": "果",
    "林": "琳",
    "海": "凯",
    "春": "纯",
    "永": "勇",
    "桂": "贵",
    "梅": "玫",
    "云": "芸",
    "珍": "真",
}


_SURNAME_CHARS = pl.Series(list(SURNAMES), dtype=pl.String)
_SURNAME_WEIGHTS = np.array(list(SURNAMES.values())) / sum(SURNAMES.values())
_MALE = pl.Series(MALE_CHARS, dtype=pl.String)
_FEMALE = pl.Series(FEMALE_CHARS, dtype=pl.String)


def surname_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    """n surnames drawn by frequency, as indices into SURNAMES (text is made once, by `surname_text`)."""
    return rng.choice(len(_SURNAME_WEIGHTS), size=n, p=_SURNAME_WEIGHTS)


def surname_text(codes: np.ndarray) -> pl.Series:
    # Gathering from a small Polars series is far faster than building numpy unicode arrays.
    return _SURNAME_CHARS.gather(codes)


def _name_char(rng: np.random.Generator, use_male: np.ndarray) -> pl.Series:
    n = len(use_male)
    male = _MALE.gather(rng.integers(0, len(_MALE), n))
    female = _FEMALE.gather(rng.integers(0, len(_FEMALE), n))
    return pl.select(pl.when(pl.Series(use_male)).then(male).otherwise(female)).to_series()


def given_names(rng: np.random.Generator, is_male: np.ndarray) -> pl.Series:
    """Given names of one (30%) or two characters, drawn from the list of the person's sex (mostly)."""
    n = len(is_male)
    # 10% of characters come from the other list: names are sex-leaning, not sex-determined.
    use_male = is_male ^ (rng.random((2, n)) < 0.10)
    first, second = _name_char(rng, use_male[0]), _name_char(rng, use_male[1])
    one_character = pl.Series(rng.random(n) < 0.30)
    return pl.select(pl.when(one_character).then(first).otherwise(first + second)).to_series()


def homophone_variant(names: pl.Series) -> pl.Series:
    """Each name with its first replaceable character swapped for a homophone; unchanged if none applies."""
    pattern = "[" + "".join(HOMOPHONES) + "]"
    first_hit = names.str.extract(f"({pattern})", 1)
    replacement = first_hit.replace_strict(HOMOPHONES, default=None, return_dtype=pl.String)
    frame = pl.DataFrame({"name": names, "hit": first_hit, "new": replacement})
    return frame.select(
        pl.when(pl.col("hit").is_not_null())
        .then(pl.col("name").str.replace(pattern, pl.col("new"), literal=False, n=1))
        .otherwise(pl.col("name"))
        .alias(names.name)
    ).to_series()
