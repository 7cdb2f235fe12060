"""The case state machine: which action may move a case from which state, per profile and program (PRO-2..5).

One table per program says it all; `transition` refuses anything else with a Chinese message naming what is
allowed. `confirmed` is the final approval: the county's for dibao and 特困 (PRO-2), the township's own for
temporary assistance (PRO-5).
"""

from __future__ import annotations

from doudi.cases.procedure import procedure_for

STATES: dict[str, str] = {
    "received": "已受理",
    "village_reviewed": "村级已评议审核",
    "township_approved": "乡镇已审核批准",
    "posting": "公示中",
    "reinvestigating": "异议复查中",
    "confirmed": "县级已确认",
    "refused": "不予批准",
}
CLOSED = ("confirmed", "refused")

# action: (allowed from, to, Chinese name)
ACTIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "review": (("received",), "village_reviewed", "村级评议审核"),
    "approve": (("village_reviewed", "reinvestigating"), "township_approved", "乡镇审核批准"),
    "post": (("township_approved",), "posting", "张榜公示"),
    "object": (("posting",), "reinvestigating", "登记公示异议"),
    "confirm": (("posting",), "confirmed", "县级确认"),
    "refuse": (
        ("received", "village_reviewed", "township_approved", "posting", "reinvestigating"),
        "refused",
        "不予批准",
    ),
    "fast_track": (("received",), "confirmed", "特事特办、先行纳入"),
}

# Per program: the actions that differ from (or are missing in) ACTIONS.
PROGRAM_ACTIONS: dict[str, dict[str, tuple[tuple[str, ...], str, str] | None]] = {
    # The 特困 fast track (PRO-4 names it too) is not built yet: 特困 takes the full chain.
    "tekun": {"fast_track": None},
    # PRO-5: the township approves temporary assistance from its reserve fund and that closes the case; no
    # village review, posting or county step.
    "temporary": {
        "review": None,
        "approve": (("received",), "confirmed", "乡镇审批临时救助"),
        "post": None,
        "object": None,
        "confirm": None,
        "refuse": (("received",), "refused", "不予批准"),
        "fast_track": None,
    },
}

# How a state reads for a program where the general name would mislead.
PROGRAM_STATES: dict[str, dict[str, str]] = {"temporary": {"confirmed": "乡镇已批准临时救助"}}


class TransitionRefused(ValueError):
    """An action the state machine or the procedure does not allow; the message is for the user."""


def actions_for(program: str) -> dict[str, tuple[tuple[str, ...], str, str]]:
    """The action table of a program: ACTIONS with the program's own steps."""
    table = {**ACTIONS, **PROGRAM_ACTIONS.get(program, {})}
    return {action: step for action, step in table.items() if step is not None}


def state_name(state: str, program: str = "dibao") -> str:
    return PROGRAM_STATES.get(program, {}).get(state) or STATES[state]


def allowed_actions(state: str, profile_id: str, program: str = "dibao") -> list[str]:
    fast = procedure_for(profile_id).fast_track
    return [
        a for a, (sources, _, _) in actions_for(program).items() if state in sources and (a != "fast_track" or fast)
    ]


def transition(state: str, action: str, profile_id: str, program: str = "dibao") -> str:
    """The state after `action`, or TransitionRefused saying why not and what may be done instead."""
    table = actions_for(program)
    if action not in ACTIONS:
        raise TransitionRefused(f"未知的办理环节“{action}”")
    if action not in table:
        possible = "、".join(table[a][2] for a in allowed_actions(state, profile_id, program)) or "无（已办结）"
        raise TransitionRefused(f"该救助项目没有“{ACTIONS[action][2]}”这一环节；当前可办理：{possible}")
    sources, target, name = table[action]
    if action == "fast_track" and not procedure_for(profile_id).fast_track:
        raise TransitionRefused(f"政策配置 {profile_id} 未规定“特事特办、先行纳入”(PRO-4)，不能走快速通道")
    if state not in sources:
        possible = "、".join(table[a][2] for a in allowed_actions(state, profile_id, program)) or "无（已办结）"
        raise TransitionRefused(f"案件当前为“{state_name(state, program)}”，不能进行“{name}”；当前可办理：{possible}")
    return target
