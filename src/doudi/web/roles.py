"""Roles, what each may do, and the level of area each works in (least privilege: a role gets only what its
daily work needs)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    name: str  # shown to users
    area_level: str  # village | township | county
    permissions: frozenset[str]


# Permissions: view (dashboard, households), reveal_id (full ID numbers, audited), import, export, compare,
# case_intake, case_review, case_approve, approve_roll (the county pays), audit_log, manage_users.
ROLES: dict[str, Role] = {
    "village_assistant": Role("村协理员", "village", frozenset({"view", "case_intake"})),
    "township_officer": Role(
        "乡镇经办人", "township", frozenset({"view", "reveal_id", "export", "case_intake", "case_review"})
    ),
    "county_civil_affairs": Role(
        "县民政局经办人",
        "county",
        frozenset({"view", "reveal_id", "import", "export", "compare", "case_review", "case_approve", "approve_roll"}),
    ),
    "poverty_office": Role("县扶贫办经办人", "county", frozenset({"view", "reveal_id", "import", "export", "compare"})),
    "auditor": Role("审计人员", "county", frozenset({"view", "reveal_id", "export", "audit_log"})),
    "admin": Role("系统管理员", "county", frozenset({"view", "audit_log", "manage_users"})),
}

AREA_LENGTHS = {"village": 12, "township": 9, "county": 6}

PERMISSION_NAMES = {
    "view": "查看",
    "reveal_id": "查看完整身份证号",
    "import": "导入台账",
    "export": "导出台账",
    "compare": "名单比对",
    "case_intake": "受理申请",
    "case_review": "审核",
    "case_approve": "审批",
    "approve_roll": "审批发放花名册",
    "audit_log": "查看访问日志",
    "manage_users": "管理账号",
}


def check_area(role: str, area_code: str) -> None:
    """A role's area code has the length of its level (village 12, township 9, county 6 digits)."""
    if role not in ROLES:
        raise ValueError(f"未知的角色“{role}”，应为：{'、'.join(ROLES)}")
    wanted = AREA_LENGTHS[ROLES[role].area_level]
    if len(area_code) != wanted or not area_code.isdigit():
        raise ValueError(f"{ROLES[role].name}的辖区代码应为 {wanted} 位数字，收到“{area_code}”")
