"""The comparison's categories: their keys, Chinese names (sheet names), and the order that decides each
input row's one place in the accounting.

A row may show up in several category sheets (a registered-poor household on dibao whose sizes differ in
the two rosters is in both), but the accounting (核对表) puts every input row in exactly one category: the
first in `PRIORITY` that holds it. `no_finding` ("已比对，未发现问题") closes the accounting.
"""

from __future__ import annotations

# key -> (sheet name, what it means, POLICY.md rules)
CATEGORIES: dict[str, tuple[str, str, str]] = {
    "dead_on_dibao": ("死亡后仍在保", "低保名单中的人员在死亡名单中，死亡日期早于低保名单日期", "DYN-1、SUP-2"),
    "two_households": ("一人多户", "同一身份证号码在同一名单的两个家庭中", "DYN-1"),
    "same_person": ("疑似同一人", "身份证号码不一致但姓名、出生日期、村等相符，疑似号码录错", "DYN-1"),
    "official_relative": ("村干部亲属享受低保", "低保家庭与村干部同户，或同村同姓户主（待核实）", "SUP-2"),
    "should_exit": ("应退未退", "低保家庭经评估应退出或进入渐退", "DYN-2"),
    "dibao_register": ("应扶未扶", "低保家庭未建档立卡，但符合建档立卡条件", "COV-5、DYN-2"),
    "poor_eligible": ("应保未保", "建档立卡户未纳入低保，经评估符合低保条件", "COV-5、DYN-2"),
    "poor_refer": ("转介扶贫部门", "建档立卡户未纳入低保，经评估不符合低保条件，转介扶贫部门", "COV-6"),
    "household_differs": ("家庭信息不一致", "同一家庭在两份名单中成员、人数或收入不同", "DYN-1"),
    "partial_coverage": ("保人不保户", "家庭只有部分成员纳入低保（单人保除外）", "COV-1"),
    "age_only": ("按年龄纳入", "只保了家中老年人、劳动年龄成员未保，疑似按年龄纳入", "COV-1"),
    "not_assessed": ("无法评估", "缺少收入或区划等资料，未作评估（未作推测）", "DYN-1"),
    "overlap": ("建档立卡户在低保中", "建档立卡户同时在低保名单中，含其中的特困、残疾人员", "DYN-1"),
    "no_finding": ("已比对无问题", "已比对，未发现问题", "DYN-1"),
}

PRIORITY: tuple[str, ...] = tuple(CATEGORIES)

REJECTED_SHEET = "无法比对的行"


def sheet_name(category: str) -> str:
    return CATEGORIES[category][0]
