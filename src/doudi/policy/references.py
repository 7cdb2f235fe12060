"""The rule index of POLICY.md: each rule id, a short Chinese title, and the seed clauses that state it.

Seeds are named by the first three characters of their file (000 … 004). An explanation cites the clause of
the profile's own seed when that seed states the rule, and otherwise names the seeds that do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    where: dict[str, str]  # seed prefix -> clause


def _rule(rule_id: str, title: str, where: str) -> Rule:
    clauses: dict[str, str] = {}
    for part in where.split(";"):
        seed, _, clause = part.strip().partition(" ")
        clauses[seed] = clause
    return Rule(rule_id, title, clauses)


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        _rule("STD-1", "农村低保标准不低于国家扶贫标准", "000 二(一)1; 001 二(一); 004 二(一)"),
        _rule("STD-2", "低保标准按年调整，按地区和生效日期管理", "000 二(一)2"),
        _rule("STD-3", "低保标准与物价上涨挂钩联动", "000 二(一)3; 001 二(四)"),
        _rule("STD-4", "特困人员基本生活标准不低于上年度农村低保标准1.3倍/当地城市低保标准", "004 二(一); 001 二(三)"),
        _rule("STD-5", "特困人员照料护理标准不低于上年度最低工资标准的30%/20%/10%", "004 二(一)"),
        _rule("ASM-1", "按家庭经济状况和家庭劳动能力综合评估", "000 二(二)1; 002 二(一)"),
        _rule("ASM-2", "基础养老金不计入家庭收入", "000 二(二)1; 003 三(三)1; 004 二(四)3"),
        _rule("ASM-3", "丧失劳动能力对象的扶贫项目保底收益不计入家庭收入", "000 二(二)1; 004 二(四)3"),
        _rule("ASM-4", "参与扶贫开发项目就业的工资性收入扣减就业成本", "003 三(三)1; 002 二(一)"),
        _rule("ASM-5", "因残疾、重病、就学等刚性支出可扣减", "001 二(一); 002 二(一); 003 三(三)1"),
        _rule("ASM-6", "支出核减纳入一批", "004 二(四)4"),
        _rule("ASM-7", "入户调查、邻里访问、信函索证、民主评议、信息核对；逢救必核", "000 二(二)2; 002 二(四)"),
        _rule("ASM-8", "丧失或部分丧失劳动能力的贫困人口可不再进行经济状况核对", "004 二(四)1"),
        _rule("COV-1", "按户保障；纠正保人不保户、按年龄施保、整体纳入", "000 二(三)4; 002 二(一)"),
        _rule("COV-2", "补差式救助：（标准−家庭人均收入）×人数", "000 二(三)1,4"),
        _rule("COV-3", "分类施保", "000 二(三)4; 001 二(一); 003 三(三)2"),
        _rule("COV-4", "单人户（分户）纳入", "000 二(三)4; 003 三(二)1; 004 二(四)1"),
        _rule("COV-5", "应保尽保、应扶尽扶；返贫家庭纳入相应救助", "000 二(三)1; 003 三(二)1-2"),
        _rule("COV-6", "不符合救助条件的名单移交扶贫部门（转介）", "002 二(二); 004 二(三)"),
        _rule("COV-7", "审批后下一个月起发放", "002 二(二)"),
        _rule("COV-8", "脱贫不脱保", "001 二(一)"),
        _rule("COV-9", "在贫困户信息采集卡上注明低保原因、标准、金额", "002 二(一)"),
        _rule("EXIT-1", "低保渐退：低于标准200%的继续享受18个月（残疾人家庭24个月）", "000 二(三)3"),
        _rule("EXIT-2", "3—6个月过渡保障期（长周期产业最长12个月）", "001 二(一)"),
        _rule("EXIT-3", "脱贫渐退：低于标准2倍，逐年按比例递减；重新符合条件的终止渐退", "004 二(四)2"),
        _rule("EXIT-4", "退出前评估返贫风险，防止一退了之", "004 二(四)2"),
        _rule("EXIT-5", "稳定脱贫、不再符合条件的及时退出", "000 二(三)3; 003 三(三)2"),
        _rule("DYN-1", "低保与建档立卡台账比对", "000 二(四)1-2; 002 二(三)(四); 003 三(三)1; 004 二(三), 二(七)"),
        _rule("DYN-2", "双向筛查，民政扶贫共同确认", "002 二(三)"),
        _rule("DYN-3", "每年第四季度复核认定", "002 一, 二(三)"),
        _rule("DYN-4", "分类管理：C类按季、B类半年、A类年度核查", "003 三(三)2"),
        _rule("DYN-5", "定期不定期走访，变化及时更新", "002 二(三); 003 三(三)2"),
        _rule("DYN-6", "县级家庭经济状况核对平台", "002 二(四); 004 二(三)"),
        _rule("MON-1", "“三个一万人”逐户逐人对帐销号", "004 二(二)"),
        _rule("MON-2", "关注老年人、重病、重残、收入骤减、支出骤增", "004 二(二)(三)"),
        _rule("MON-3", "县级汇聚各类救助数据", "004 二(三)"),
        _rule("MON-4", "不符合条件但有困难的申请人纳入关注", "004 二(三)"),
        _rule("MON-5", "乡村落实主动发现责任", "004 二(三)"),
        _rule("MON-6", "至少每月比对一次", "004 二(七)"),
        _rule("PRO-1", "一门受理、协同办理", "000 三(三); 003 三(一)"),
        _rule("PRO-2", "申请、村审核、乡镇审批、县备案", "002 二(二); 004 二(七)"),
        _rule("PRO-3", "在居住地公示", "000 二(四)3; 003 三(三)2"),
        _rule("PRO-4", "特事特办、先行纳入", "004 二(七)"),
        _rule("PRO-5", "临时救助审批下放乡镇", "004 二(五), 二(七)"),
        _rule("PRO-6", "名单由县乡主要负责人签字确认", "002 一"),
        _rule("TK-1", "特困人员应养尽养；失能半失能给予照料护理；评估生活自理能力", "001 二(三)(五); 004 二(五)"),
        _rule("SUP-1", "按季度报送工作进展", "000 三(五); 004 四(四)"),
        _rule("SUP-2", "排查关系保、人情保、金钱保", "002 二(七)"),
    ]
}


def cite(rule_id: str, seed: str) -> str:
    """'ASM-2 基础养老金不计入家庭收入（004 二(四)3）' for a profile whose seed file starts with '004'."""
    rule = RULES[rule_id]
    prefix = seed[:3]
    if prefix in rule.where:
        where = f"{prefix} {rule.where[prefix]}"
    else:
        where = "见 " + "、".join(f"{s} {c}" for s, c in rule.where.items())
    return f"{rule.id} {rule.title}（{where}）"
