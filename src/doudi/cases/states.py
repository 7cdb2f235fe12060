"""The case state machine: which action may move a case from which state, per profile (PRO-2..4).

One table says it all; `transition` refuses anything else with a Chinese message naming what is allowed.
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


class TransitionRefused(ValueError):
    """An action the state machine or the procedure does not allow; the message is for the user."""


def allowed_actions(state: str, profile_id: str) -> list[str]:
    fast = procedure_for(profile_id).fast_track
    return [a for a, (sources, _, _) in ACTIONS.items() if state in sources and (a != "fast_track" or fast)]


def transition(state: str, action: str, profile_id: str) -> str:
    """The state after `action`, or TransitionRefused saying why not and what may be done instead."""
    if action not in ACTIONS:
        raise TransitionRefused(f"未知的办理环节“{action}”")
    sources, target, name = ACTIONS[action]
    if action == "fast_track" and not procedure_for(profile_id).fast_track:
        raise TransitionRefused(f"政策配置 {profile_id} 未规定“特事特办、先行纳入”(PRO-4)，不能走快速通道")
    if state not in sources:
        possible = "、".join(ACTIONS[a][2] for a in allowed_actions(state, profile_id)) or "无（已办结）"
        raise TransitionRefused(f"案件当前为“{STATES[state]}”，不能进行“{name}”；当前可办理：{possible}")
    return target
