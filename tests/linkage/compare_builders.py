"""Hand-made rosters for the comparison tests: every person, household and expected finding is visible here.

Households (dibao household_no d…, registered-poor p…), all in village VILLAGE of 榆树市 (220182):
  A  d1/p1  张三 李四 on both rosters; 李四 is also 特困            -> overlap
           incomes 2,000 (dibao) and 3,000 (poor)                -> household_differs
  B  p2     赵六, income 1,000                                   -> poor_eligible (应保未保)
  C  p3     钱七, income 80,000                                  -> poor_refer (转介)
  C2 p4     孙八, no income in any roster                        -> not_assessed
  D  d4     王五 王小五, income 90,000                           -> should_exit (应退未退)
  E  d5/p5  单雄, one digit mistyped in the poor roster          -> same_person (第N位不同)
  F  d6     周九, 40, income 1,000, not registered               -> dibao_register (应扶未扶)
  G  d7/p7  吴十 70 + wife 68 on dibao, son 35 only in poor       -> age_only, household_differs
  H  d8/p8  郑一 45 on dibao, daughter 20 only in poor           -> partial_coverage, household_differs
  I  d9/p9  冯二 30 (一级残疾) on dibao as 单人保, mother in poor -> no partial finding
  J  d10    陈三, died 2020-01-05 (deaths roster)                -> dead_on_dibao
  K  d11/d12 褚四 in two dibao households                        -> two_households
  L  d13    卫强 with 卫五 (村主任, officials roster) as member  -> official_relative (同户)
  M  d14    蒋七 head, official 蒋六 in the same village         -> official_relative (同村同姓)
  N  d15/p15 沈八, ID missing in the poor roster                  -> same_person (缺少号码)
  O  d16/p16 韩九, 15-digit number in the poor roster             -> overlap (same after upgrade)
  P  d17/p17 杨十, two adjacent digits swapped in the poor roster -> same_person (颠倒)
  Q  d18/p18 秦五 秦妻 on dibao, the poor roster lists 秦五 only    -> household_differs
  R  d19/p19 许梅 (dibao) and 许玫 (poor) under one ID number       -> household_differs (姓名不同)
  S  d20 周甲 周乙 on dibao; the poor roster splits them: p20 周甲, p21 周乙 -> household_differs (分为2户),
           and p21 is not 应保未保: its member is on dibao
Rejected: a word-for-word repeat of 张三's row, and a row with neither name nor ID.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from doudi.linkage import id_numbers, rosters

VILLAGE = "220182101201"
INCOME = "yearly_income_yuan"


def person_id(birth: str, sequence: int) -> str:
    """A valid 18-digit number for a person of 榆树市 born on `birth` (YYYYMMDD)."""
    first17 = f"220182{birth}{sequence:03d}"
    return str(id_numbers.with_check_digit(pl.Series([first17]))[0])


def roster(rows: list[dict[str, object]]) -> pl.DataFrame:
    """String cells named by field, one row per person (None stays an empty cell)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return pl.DataFrame(
        {c: [None if row.get(c) is None else str(row.get(c)) for row in rows] for c in columns},
        schema={c: pl.String() for c in columns},
    )


ID = {
    "张三": person_id("19500312", 11),
    "李四": person_id("19520101", 22),
    "赵六": person_id("19600101", 31),
    "钱七": person_id("19700101", 41),
    "孙八": person_id("19710101", 43),
    "王五": person_id("19800101", 51),
    "王小五": person_id("20100101", 52),
    "单雄": person_id("19650505", 61),
    "周九": person_id("19800606", 71),
    "吴十": person_id("19500101", 81),
    "吴妻": person_id("19520101", 82),
    "吴子": person_id("19850101", 83),
    "郑一": person_id("19750101", 91),
    "郑女": person_id("20000101", 92),
    "冯二": person_id("19900101", 101),
    "冯母": person_id("19650101", 102),
    "陈三": person_id("19400101", 111),
    "褚四": person_id("19600101", 121),
    "卫强": person_id("19580101", 131),
    "卫五": person_id("19600101", 133),
    "蒋七": person_id("19500101", 141),
    "蒋六": person_id("19620101", 143),
    "沈八": person_id("19450101", 151),
    "韩九": person_id("19480101", 161),
    "杨十": person_id("19550101", 171),
    "秦五": person_id("19560101", 181),
    "秦妻": person_id("19580101", 182),
    "许梅": person_id("19630101", 191),
    "周甲": person_id("19440101", 201),
    "周乙": person_id("19460101", 202),
}


def mistyped(number: str, position: int) -> str:
    """One digit changed at `position` (0-based)."""
    return number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]


def swapped(number: str, position: int) -> str:
    """Digits at `position` and `position + 1` swapped (chosen so they differ)."""
    return number[:position] + number[position + 1] + number[position] + number[position + 2 :]


def to_15(number: str) -> str:
    return number[:6] + number[8:17]


def _p(no: str, name: str, relation: str = "户主", **extra: object) -> dict[str, object]:
    return {
        "household_no": no,
        "name": name,
        "id_number": ID.get(name),
        "relation": relation,
        "village_code": VILLAGE,
        **extra,
    }


def dibao_rows() -> list[dict[str, object]]:
    return [
        _p("d1", "张三", yearly_income_yuan=2000),
        _p("d1", "李四", "配偶", yearly_income_yuan=2000),
        _p("d1", "李四", "配偶", yearly_income_yuan=2000),  # repeated row: rejected
        _p("d4", "王五", yearly_income_yuan=90000),
        _p("d4", "王小五", "子女", yearly_income_yuan=90000),
        _p("d5", "单雄", yearly_income_yuan=1000),
        _p("d6", "周九", yearly_income_yuan=1000),
        _p("d7", "吴十", yearly_income_yuan=1000),
        _p("d7", "吴妻", "配偶", yearly_income_yuan=1000),
        _p("d8", "郑一", yearly_income_yuan=1000),
        _p("d9", "冯二", disability_kind="肢体", disability_grade="一级", single_person="是", yearly_income_yuan=500),
        _p("d10", "陈三", yearly_income_yuan=500),
        _p("d11", "褚四", yearly_income_yuan=500),
        _p("d12", "褚四", yearly_income_yuan=500),
        _p("d13", "卫强", yearly_income_yuan=500),
        _p("d13", "卫五", "子女", yearly_income_yuan=500),
        _p("d14", "蒋七", yearly_income_yuan=500),
        _p("d15", "沈八", yearly_income_yuan=500, birth_date="1945-01-01"),
        _p("d16", "韩九", yearly_income_yuan=500),
        _p("d17", "杨十", yearly_income_yuan=500),
        _p("d18", "秦五", yearly_income_yuan=500),
        _p("d18", "秦妻", "配偶", yearly_income_yuan=500),
        _p("d19", "许梅", yearly_income_yuan=500),
        _p("d20", "周甲", yearly_income_yuan=500),
        _p("d20", "周乙", "配偶", yearly_income_yuan=500),
        {"household_no": "d99", "name": None, "id_number": None, "relation": "户主"},  # nobody: rejected
    ]


def poor_rows() -> list[dict[str, object]]:
    return [
        _p("p1", "张三", yearly_income_yuan=3000),
        _p("p1", "李四", "配偶"),
        _p("p2", "赵六", yearly_income_yuan=1000),
        _p("p3", "钱七", yearly_income_yuan=80000),
        _p("p4", "孙八"),
        _p("p5", "单雄") | {"id_number": mistyped(ID["单雄"], 15)},
        _p("p7", "吴十"),
        _p("p7", "吴妻", "配偶"),
        _p("p7", "吴子", "子女"),
        _p("p8", "郑一"),
        _p("p8", "郑女", "子女"),
        _p("p9", "冯二"),
        _p("p9", "冯母", "父母"),
        _p("p15", "沈八", birth_date="1945-01-01") | {"id_number": None},
        _p("p16", "韩九") | {"id_number": to_15(ID["韩九"])},
        _p("p17", "杨十") | {"id_number": swapped(ID["杨十"], 14)},
        _p("p18", "秦五"),
        _p("p19", "许玫") | {"id_number": ID["许梅"]},
        _p("p20", "周甲"),
        _p("p21", "周乙", yearly_income_yuan=100),
    ]


def tekun_rows() -> list[dict[str, object]]:
    return [_p("t1", "李四")]


def deaths_rows() -> list[dict[str, object]]:
    return [_p("x1", "陈三", death_date="2020-01-05"), _p("x2", "赵六", death_date="2020-12-01")]


def officials_rows() -> list[dict[str, object]]:
    return [_p("o1", "卫五", post="村主任"), _p("o2", "蒋六", post="村会计")]


def scenario_frames() -> dict[str, pl.DataFrame]:
    return {
        "dibao": roster(dibao_rows()),
        "poor": roster(poor_rows()),
        "tekun": roster(tekun_rows()),
        "deaths": roster(deaths_rows()),
        "officials": roster(officials_rows()),
    }


ON = dt.date(2020, 6, 1)
DIBAO_DATE = dt.date(2020, 6, 30)


def scenario_rosters() -> rosters.Rosters:
    parts = [rosters.from_frame(frame, source) for source, frame in scenario_frames().items()]
    combined = rosters.combine(parts)
    combined.inputs[0] = rosters.RosterInput("dibao", None, DIBAO_DATE, combined.inputs[0].sha256, 0)
    return combined
