"""The approval procedure each profile prescribes (PRO-2..4), as data: steps, deadlines, posting, fast track.

The seeds name the chain (application → village review → township approval → county filing, PRO-2), the
public posting (PRO-3) and the fast track (PRO-4, Jilin 2020 only); they leave the number of posting days and
the step deadlines to the national 审核审批办法 and local rules. Those numbers are doudi's documented defaults
(`local_choice`), to be set by the county.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ASM-7: the identification methods a case records.
INVESTIGATION_KINDS = ("入户调查", "邻里访问", "信函索证", "民主评议", "家庭经济状况信息核对")
HOME_VISIT = "入户调查"
MIN_HOME_VISITORS = 2

# DYN-3/DYN-4: the review interval when the engine gives none for the household (no class): yearly, like the
# yearly recertification and the A class.
DEFAULT_REVIEW_MONTHS = 12

DOCUMENTS = ("申请书", "户口簿", "身份证", "家庭收入证明", "家庭财产申报", "经济状况核对授权书")


@dataclass(frozen=True)
class Procedure:
    profile_id: str
    county_step: str  # what the county does last: 审批 (approves) or 备案 (files the township's approval)
    clause: str  # seed clause of the chain (PRO-2)
    fast_track: bool  # PRO-4 特事特办、先行纳入
    fast_track_clause: str | None
    posting_days: int = 7  # local_choice: 公示 7 days (national 审核审批办法)
    # working days allowed in each state before the case is overdue (local_choice)
    deadlines: dict[str, int] = field(
        default_factory=lambda: {
            "received": 10,
            "village_reviewed": 10,
            "township_approved": 3,
            "posting": 10,  # counted from the posting's last day: the county's confirmation
            "reinvestigating": 10,
        }
    )
    # ASM-7 records required before each step
    required_for_review: tuple[str, ...] = (HOME_VISIT, "民主评议")
    required_for_approval: tuple[str, ...] = (HOME_VISIT, "邻里访问", "民主评议", "家庭经济状况信息核对")
    # PRO-5 temporary assistance: the township approves on a household visit (ASM-7 逢救必核); local_choice
    required_for_temporary: tuple[str, ...] = (HOME_VISIT,)


PROCEDURES: dict[str, Procedure] = {
    "jilin-2016": Procedure("jilin-2016", "审批", "000 二(二)2", fast_track=False, fast_track_clause=None),
    "yunnan-2018": Procedure("yunnan-2018", "审批", "001 二(一)", fast_track=False, fast_track_clause=None),
    "neimenggu-2016": Procedure("neimenggu-2016", "审批", "002 二(二)", fast_track=False, fast_track_clause=None),
    "fengjie-2017": Procedure("fengjie-2017", "审批", "003 三(一)", fast_track=False, fast_track_clause=None),
    "jilin-2020": Procedure("jilin-2020", "备案", "004 二(七)", fast_track=True, fast_track_clause="004 二(七)"),
}


def procedure_for(profile_id: str) -> Procedure:
    # A user's own profile file follows the general chain without the fast track until configured.
    return PROCEDURES.get(profile_id) or Procedure(profile_id, "审批", "—", fast_track=False, fast_track_clause=None)
