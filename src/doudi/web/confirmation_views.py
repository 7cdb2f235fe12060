"""Joint confirmation of a roster comparison in the app (DYN-2): the county civil-affairs officer confirms for
民政部门, the poverty-office officer for 扶贫部门; a run is jointly confirmed when both have (doudi.linkage.runs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from doudi.linkage.runs import DEPARTMENTS, ConfirmationRejected, confirm
from doudi.registry.comparison_runs import ComparisonConfirmation
from doudi.web.app import context, csrf_checked
from doudi.web.auth import CurrentUser, record

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/comparisons", tags=["名单比对"])

Posted = Annotated[CurrentUser, Depends(csrf_checked)]

# Which department a county role confirms for; other roles do not confirm.
DEPARTMENT_OF_ROLE = {"county_civil_affairs": "civil_affairs", "poverty_office": "poverty_office"}


def run_confirmations(session: Session, run_ids: list[int]) -> dict[int, dict[str, str]]:
    """{run_id: {department label: confirmed by}} for the runs listed, in one query."""
    found: dict[int, dict[str, str]] = {run_id: {} for run_id in run_ids}
    rows = session.execute(
        select(ComparisonConfirmation.run_id, ComparisonConfirmation.department, ComparisonConfirmation.confirmed_by)
        .where(ComparisonConfirmation.run_id.in_(run_ids))
        .order_by(ComparisonConfirmation.id)
    )
    for run_id, department, by in rows:
        found[run_id][DEPARTMENTS[department]] = by
    return found


def _confirm(request: Request, run_id: int, user: CurrentUser) -> dict[str, str]:
    department = DEPARTMENT_OF_ROLE.get(user.role)
    if department is None:
        raise HTTPException(403, "只有县民政局和县扶贫办的经办人可以确认比对结果")
    web = context(request)
    done = confirm(web.engine, run_id, department, user.officer)
    with web.sessions.begin() as session:
        record(session, user.username, "confirm_comparison", f"run {run_id}", DEPARTMENTS[department])
    return done


@pages.post("/compare/{run_id}/confirm")
def confirm_page(request: Request, run_id: int, user: Posted) -> Response:
    try:
        _confirm(request, run_id, user)
    except ConfirmationRejected as rejected:
        raise HTTPException(400, str(rejected)) from rejected
    return RedirectResponse("/compare#runs", status_code=303)


@api.post("/{run_id}/confirm", summary="本部门确认一次比对结果（DYN-2：民政、扶贫双方确认后为共同确认）")
def api_confirm(request: Request, run_id: int, user: Posted) -> dict[str, Any]:
    try:
        done = _confirm(request, run_id, user)
    except ConfirmationRejected as rejected:
        raise HTTPException(400, str(rejected)) from rejected
    return {
        "run_id": run_id,
        "confirmed": {DEPARTMENTS[d]: by for d, by in done.items()},
        "jointly_confirmed": set(done) == set(DEPARTMENTS),
    }
