"""The frames the engine reads: the one data contract between the registry, imports and the rules.

A batch of households is four Polars frames. Money is integer fen (分); yuan only at the edges.
Every producer of households (the JSON reader, the registry loader, the synthetic county) builds
these frames, and the engine reads nothing else.
"""

from __future__ import annotations

import polars as pl

HOUSEHOLDS: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "region_code": pl.String(),  # 6-digit GB/T 2260 code of the county (or finer village code's prefix)
    "on": pl.Date(),  # the date the policy is applied at
    "registered_poor": pl.Boolean(),  # 建档立卡贫困户
    "escaped_poverty": pl.Boolean(),  # 已脱贫 (标注脱贫)
    "property_within_rules": pl.Boolean(),  # 家庭财产状况符合当地规定
    "three_guarantees_unsolved": pl.Boolean(),  # “三保障”未解决 (COV-5)
    "long_return_industry": pl.Boolean(),  # income from an industry with a long return cycle (EXIT-2)
    "enrolled": pl.Boolean(),  # currently on dibao
    "enrolled_since": pl.Date(),
    "enrolled_scope": pl.String(),  # household | single_person
    "enrolled_class": pl.String(),  # A | B | C (DYN-4), null when unknown
    "current_benefit_fen": pl.Int64(),  # monthly amount paid now
    "gradual_exit_since": pl.Date(),  # first month of a running gradual exit, null if none
    "gradual_exit_base_fen": pl.Int64(),  # the monthly benefit the running gradual exit started from
}

MEMBERS: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "id_number": pl.String(),  # 18-digit 居民身份证号码 (GB 11643)
    "name": pl.String(),
    "relation": pl.String(),  # 与户主关系: 户主, 配偶, 子女, 父母, 孙子女, 兄弟姐妹, 其他
    "sex": pl.String(),  # M | F
    "birth_date": pl.Date(),
    "health": pl.String(),  # healthy | chronic | serious_illness
    "disability_kind": pl.String(),  # 视力 听力 言语 肢体 智力 精神 多重, null if none
    "disability_grade": pl.Int8(),  # 1..4 (1-2 are 重度), null if none
    "bedridden": pl.Boolean(),  # 长期卧床
    "in_school": pl.Boolean(),  # 在校学生
    "labor_capacity": pl.String(),  # full | partial | none, null = derive from age, health, disability
    "employed": pl.Boolean(),
    "single_person_application": pl.Boolean(),  # 本人申请按单人户纳入 (COV-4)
}

INCOMES: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "id_number": pl.String(),  # the member who earns it, null for household income
    "kind": pl.String(),  # one of INCOME_KINDS
    "yearly_fen": pl.Int64(),
    "poverty_project": pl.Boolean(),  # earned through a poverty-alleviation project (ASM-3, ASM-4, EXIT-1)
}

EXPENSES: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "id_number": pl.String(),
    "kind": pl.String(),  # one of EXPENSE_KINDS
    "yearly_fen": pl.Int64(),
}

INCOME_KINDS: dict[str, str] = {
    "wage": "工资性收入",
    "business": "经营性收入",
    "property": "财产性收入",
    "transfer": "转移性收入",
    "basic_pension": "城乡居民基本养老保险基础养老金",
    "project_dividend": "扶贫项目保底收益",
    "other": "其他收入",
}

EXPENSE_KINDS: dict[str, str] = {
    "medical": "个人自负医疗费用",
    "disability": "残疾康复护理支出",
    "schooling": "子女就学支出",
    "other": "其他支出",
}

# 残疾等级一、二级为重度残疾 (COV-3, COV-4, ASM-8; MON-2's feed of new certificates).
SEVERE_DISABILITY_GRADES = (1, 2)

HEALTH = {"healthy": "健康", "chronic": "慢性病", "serious_illness": "重病"}
LABOR_CAPACITY = {"full": "有劳动能力", "partial": "部分丧失劳动能力", "none": "无劳动能力"}
SEX = {"M": "男", "F": "女"}
RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "儿媳", "女婿", "祖父母", "其他")
CLASSES = ("A", "B", "C")
SCOPES = ("household", "single_person")
# A household the engine cannot assess: which field and why (Chinese, for the user).
ERROR_COLUMNS: dict[str, pl.DataType] = {"household_id": pl.String(), "field": pl.String(), "reason": pl.String()}

# Coded columns and the codes they may hold. A blank cell (null or empty) is allowed: the engine derives the
# value (labour capacity, class) or assumes the common one (healthy; a man's working age when sex is unknown).
CODED: dict[str, dict[str, tuple[str, ...]]] = {
    "households": {"enrolled_class": CLASSES},
    "members": {"sex": tuple(SEX), "health": tuple(HEALTH), "labor_capacity": tuple(LABOR_CAPACITY)},
}

# The engine's categorical results as Polars enums: a column of small integers, which a when/then chain
# fills several times faster than a column of strings. Decision rows give them to users as text.
LABOR_CAPACITY_ENUM = pl.Enum(list(LABOR_CAPACITY))
CLASS_ENUM = pl.Enum(list(CLASSES))
SCOPE_ENUM = pl.Enum(list(SCOPES))


def enum_literals(enum: pl.Enum) -> dict[str, pl.Expr]:
    """One literal per category, built once: an enum literal costs a Series each time it is made."""
    return {category: pl.lit(category, enum) for category in enum.categories}


def coded(frame: pl.DataFrame, table: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The frame with blank codes as nulls, and its rows holding a code not in CODED[table] as problems
    (household_id, field, reason in Chinese). One pass finds the columns holding anything else than their codes
    (equality with each: faster than is_in's hash for a handful); usually there are none."""
    columns = CODED[table]
    other = frame.select(
        (~pl.any_horizontal(pl.col(c) == code for code in codes)).any().alias(c) for c, codes in columns.items()
    ).row(0, named=True)
    flagged = [c for c in columns if other[c]]
    frame = frame.with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in flagged)
    problems = [
        frame.filter(~pl.col(c).is_in(list(columns[c]))).select(
            "household_id",
            field=pl.lit(f"{table}.{c}"),
            reason=pl.format("未知的取值“{}”，应为 {}", pl.col(c), pl.lit("、".join(columns[c]))),
        )
        for c in flagged
    ]
    return frame, pl.concat([pl.DataFrame(schema=ERROR_COLUMNS), *problems])


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast a frame to a schema; absent optional columns become nulls."""
    if not frame.columns:  # a frame with no columns has no rows: selecting literals would make one
        return empty(schema)
    columns = []
    for name, dtype in schema.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(columns)
