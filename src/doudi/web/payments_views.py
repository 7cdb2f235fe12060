"""Payment rolls and the quarterly report in the app, on doudi.payments and doudi.reports: the month's roll for
the user's area (frozen if approved, otherwise a draft) by village, its workbook, and the quarterly report
(SUP-1) as a page with charts and as a workbook."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from doudi.payments.approval import approve_roll, payment_roll
from doudi.payments.months import PaymentError, parse_month
from doudi.payments.roll import Roll
from doudi.payments.roll_workbook import region_names, write_roll_workbook
from doudi.reports.charts import monthly_series
from doudi.reports.quarterly import Quarter, quarterly_report, write_quarterly_workbook
from doudi.web.app import context, csrf_checked, render, require
from doudi.web.auth import CurrentUser, record

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/payments", tags=["发放与报表"])

Exporter = Annotated[CurrentUser, Depends(require("export"))]
Posted = Annotated[CurrentUser, Depends(csrf_checked)]


def _month(text: str, today: dt.date) -> str:
    try:
        return parse_month(text or f"{today:%Y-%m}")
    except ValueError as error:
        raise HTTPException(400, str(error)) from error


def roll_summary(roll: Roll, names: dict[str, str]) -> dict[str, Any]:
    by_village = (
        roll.rows.group_by("village_code")
        .agg(pl.col("household_id").n_unique().alias("households"), pl.col("total_fen").sum().alias("total_fen"))
        .sort("village_code")
    )
    return {
        "month": roll.month,
        "approved": roll.roll_id is not None,
        "approved_by": roll.approved_by,
        "households": roll.rows["household_id"].n_unique(),
        "total_fen": roll.total_fen,
        "stops": roll.stops.height,
        "by_village": [
            {"code": code, "name": names.get(code or "", code), "households": n, "total_fen": int(total or 0)}
            for code, n, total in by_village.iter_rows()
        ],
    }


@pages.get("/payments")
def payments_page(request: Request, user: Exporter, month: str = "") -> Response:
    web = context(request)
    chosen = _month(month, web.today())
    try:
        summary = roll_summary(payment_roll(web.engine, chosen, user.area_code), region_names(web.engine))
    except ValueError as error:  # PaymentError and the like: a sentence for the user
        raise HTTPException(400, str(error)) from error
    return render(request, "payments.html", user, roll=summary, month=chosen, error=None)


def _approve(request: Request, month: str, user: CurrentUser) -> Roll:
    """Freeze the area's roll for the month (COV-7: what is approved is what the bank pays); audited by the
    payments package, and the approval is in the user's access trail."""
    if not user.can("approve_roll"):
        raise HTTPException(403, "您的角色无权审批发放花名册")
    web = context(request)
    chosen = _month(month, web.today())
    roll = approve_roll(web.engine, chosen, user.area_code, user.officer)
    with web.sessions.begin() as session:
        detail = f"{roll.rows.height} rows, {roll.total_fen} fen"
        record(session, user.username, "approve_roll", f"roll {chosen}", detail)
    return roll


@pages.post("/payments/{month}/approve")
def approve_page(request: Request, month: str, user: Posted) -> Response:
    try:
        _approve(request, month, user)
    except PaymentError as error:
        web = context(request)
        chosen = _month(month, web.today())
        summary = roll_summary(payment_roll(web.engine, chosen, user.area_code), region_names(web.engine))
        return render(request, "payments.html", user, 400, roll=summary, month=chosen, error=str(error))
    return RedirectResponse(f"/payments?month={month}", status_code=303)


@api.post("/{month}/approve", summary="审批并冻结本月发放花名册（县民政局）")
def api_approve(request: Request, month: str, user: Posted) -> dict[str, Any]:
    try:
        roll = _approve(request, month, user)
    except PaymentError as error:
        raise HTTPException(400, str(error)) from error
    return roll_summary(roll, region_names(context(request).engine))


@pages.get("/payments/{month}.xlsx")
@api.get("/{month}/workbook", summary="本月发放花名册（.xlsx；已审批的为冻结版本，否则为草稿）")
def roll_workbook(request: Request, month: str, user: Exporter) -> Response:
    web = context(request)
    chosen = _month(month, web.today())
    roll = payment_roll(web.engine, chosen, user.area_code)
    folder = web.user_files(user)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"发放花名册-{user.area_code}-{chosen}.xlsx"
    write_roll_workbook(roll, path, region_names(web.engine))
    with web.sessions.begin() as session:
        record(session, user.username, "export", f"roll {chosen}", f"{roll.rows.height} rows")
    return FileResponse(path, filename=path.name)


@api.get("/{month}", summary="本月发放汇总（按村）")
def api_roll(request: Request, month: str, user: Exporter) -> dict[str, Any]:
    web = context(request)
    return roll_summary(payment_roll(web.engine, _month(month, web.today()), user.area_code), region_names(web.engine))


def quarter_page_data(engine: Any, quarter: Quarter, area_code: str) -> dict[str, Any]:
    """The quarterly report for the area as the page shows it: the township table with its total, the
    comparisons, and the year's months paid so far (for the chart)."""
    report = quarterly_report(engine, quarter, area_code)
    rows = report.by_township.to_dicts()
    months = monthly_series(engine, area_code).filter(pl.col("month").str.starts_with(f"{quarter.year}-"))
    return {
        "quarter": quarter,
        "rows": rows[:-1],
        "total": rows[-1],
        "comparisons": report.comparisons,
        "months": months.to_dicts(),
        # The longest bar of each chart (at least 1, so an empty quarter divides by 1).
        "most_paid": max([1, *(r["paid_fen"] for r in rows[:-1])]),
        "most_persons": max([1, *(r["dibao_persons"] for r in rows[:-1])]),
        "most_month": max([1, *months["total_fen"].to_list()]),
    }


@pages.get("/reports/quarterly")
def quarterly_page(request: Request, user: Exporter, quarter: str = "") -> Response:
    web = context(request)
    today = web.today()
    try:
        chosen = Quarter.parse(quarter or f"{today.year}Q{(today.month + 2) // 3}")
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    return render(request, "quarterly.html", user, **quarter_page_data(web.engine, chosen, user.area_code))


@pages.get("/reports/quarterly/{quarter}.xlsx")
@api.get("/quarterly/{quarter}", summary="季度报表（.xlsx，如 2020Q3）")
def quarterly(request: Request, quarter: str, user: Exporter) -> Response:
    web = context(request)
    try:
        chosen = Quarter.parse(quarter)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    report = quarterly_report(web.engine, chosen, user.area_code)
    folder = web.user_files(user)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"季度报表-{user.area_code}-{chosen.year}Q{chosen.number}.xlsx"
    write_quarterly_workbook(report, path)
    return FileResponse(path, filename=path.name)
