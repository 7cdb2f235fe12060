"""Early-warning alerts (doudi.monitoring, MON-5) in the app: the area's open alerts with their deadlines, and
handling them (village and township officers), on the monitoring package's own functions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from doudi.monitoring.alerts import OUTCOMES, AlertError, AlertFilter, handle_alert, list_alerts
from doudi.web.app import context, csrf_checked, get_db, render, require
from doudi.web.auth import CurrentUser

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/alerts", tags=["预警"])

Viewer = Annotated[CurrentUser, Depends(require("view"))]
Posted = Annotated[CurrentUser, Depends(csrf_checked)]
Db = Annotated[Session, Depends(get_db)]


def area_alerts(engine: Engine, area_code: str, status: str | None = "open") -> list[dict[str, Any]]:
    return list_alerts(engine, AlertFilter(region_prefix=area_code, status=status))


def alert_panel(engine: Engine, area_code: str, today: dt.date) -> dict[str, Any]:
    alerts = area_alerts(engine, area_code)
    late = sum(1 for a in alerts if a["deadline"] < today)
    return {
        "title": "预警",
        "rows": [("待处理预警", f"{len(alerts):,} 条", "/alerts"), ("逾期未处理", f"{late:,} 条", "/alerts")],
    }


def _handle(web: Any, user: CurrentUser, alert_id: int, outcome: str, reason: str) -> str | None:
    if not (user.can("case_intake") or user.can("case_review")):
        raise HTTPException(403, f"您的角色（{user.role_info.name}）不能处理预警")
    mine = {a["id"] for a in area_alerts(web.engine, user.area_code)}
    if alert_id not in mine:
        raise HTTPException(404)
    try:
        handle_alert(web.engine, alert_id, outcome, user.officer, reason, web.today())
    except AlertError as error:
        return str(error)
    return None


@pages.get("/alerts")
def alerts_page(request: Request, user: Viewer) -> Response:
    web = context(request)
    rows = area_alerts(web.engine, user.area_code)
    return render(request, "alerts.html", user, rows=rows, outcomes=OUTCOMES, today=web.today(), error=None)


@pages.post("/alerts/{alert_id}/handle")
async def handle_page(request: Request, alert_id: int, user: Posted) -> Response:
    form = await request.form()
    web = context(request)
    error = _handle(web, user, alert_id, str(form.get("outcome") or ""), str(form.get("reason") or ""))
    if error:
        rows = area_alerts(web.engine, user.area_code)
        return render(request, "alerts.html", user, 400, rows=rows, outcomes=OUTCOMES, today=web.today(), error=error)
    return RedirectResponse("/alerts", status_code=303)


@api.get("", summary="辖区内待处理的预警（MON-5），含期限与是否逾期")
def api_alerts(request: Request, user: Viewer) -> list[dict[str, Any]]:
    web = context(request)
    return area_alerts(web.engine, user.area_code)
