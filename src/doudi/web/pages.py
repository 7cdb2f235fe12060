"""The server-rendered pages (Chinese). Each route reads through doudi.web.services / actions under the
user's area; templates only format."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile  # what request.form() yields (FastAPI's is a subclass)

from doudi.linkage.categories import CATEGORIES
from doudi.linkage.runs import DEPARTMENTS
from doudi.monitoring.history import household_history
from doudi.web import services
from doudi.web.actions import (
    EXPORT_NAMES,
    IMPORT_SOURCES,
    ActionRejected,
    comparison_report,
    run_compare,
    run_export,
    run_import,
)
from doudi.web.app import COOKIE, LOGIN_CSRF_COOKIE, context, csrf_checked, get_db, render, require
from doudi.web.auth import SESSION_HOURS, CurrentUser, LoginFailed, authenticate, record
from doudi.web.confirmation_views import DEPARTMENT_OF_ROLE, run_confirmations
from doudi.web.models import WebAccessLog

router = APIRouter(include_in_schema=False)

Db = Annotated[Session, Depends(get_db)]
Viewer = Annotated[CurrentUser, Depends(require("view"))]
Posted = Annotated[CurrentUser, Depends(csrf_checked)]


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never redirect a user to another host after login.
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, csrf=token, next=_safe_next(next), errors={}, username="")
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/login")
def login(
    request: Request,
    db: Db,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    web = context(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    errors: dict[str, str] = {}
    if not expected or not secrets.compare_digest(csrf_token, expected):
        errors["form"] = "登录页已过期，请重新输入后登录"
    if not username.strip():
        errors["username"] = "请输入用户名"
    if not password:
        errors["password"] = "请输入密码"
    if not errors:
        try:
            user = authenticate(db, username.strip(), password)
        except LoginFailed as failure:
            errors["form"] = str(failure)
        else:
            cookie = web.auth.start(db, user)
            db.commit()
            redirect = RedirectResponse(_safe_next(next), status_code=303)
            redirect.set_cookie(
                COOKIE,
                cookie,
                max_age=SESSION_HOURS * 3600,
                httponly=True,
                samesite="lax",
                secure=web.secure_cookies,
            )
            redirect.delete_cookie(LOGIN_CSRF_COOKIE)
            return redirect
    db.commit()  # failed attempts count towards the lock-out
    token = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", None, 400, csrf=token, next=_safe_next(next), errors=errors, username=username
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout(request: Request, user: Posted, db: Db) -> Response:
    context(request).auth.end(db, user.session_id)
    record(db, user.username, "logout")
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/")
def dashboard(request: Request, user: Viewer, db: Db, fresh: bool = False) -> Response:
    data = services.dashboard(db, user.area_code, context(request).today(), fresh=fresh)
    return render(request, "dashboard.html", user, data=data, categories=CATEGORIES, filters=services.LIST_FILTERS)


@router.get("/households")
def households(
    request: Request,
    user: Viewer,
    db: Db,
    q: str = "",
    village: str = "",
    kind: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    result = services.search_households(db, user.area_code, q, village or None, kind or None, page)
    villages = {c: n for c, n in services.region_names(db, user.area_code).items() if len(c) == 12}

    def page_link(number: int) -> str:
        return "/households?" + urlencode({"q": q, "village": village, "kind": kind, "page": number})

    return render(
        request,
        "households.html",
        user,
        result=result,
        q=q,
        village=village,
        kind=kind,
        villages=villages,
        filters=services.LIST_FILTERS,
        page_link=page_link,
    )


def _household(request: Request, user: CurrentUser, db: Session, household_id: str, reveal: bool) -> Response:
    page = services.household_page(db, user.area_code, household_id, context(request).today(), reveal=reveal)
    if page is None:
        raise HTTPException(404)
    risk = household_history(db.connection(), household_id)  # MON-5: its alerts and how they were handled
    return render(request, "household.html", user, h=page, revealed=reveal, risk=risk)


@router.get("/households/{household_id}")
def household(request: Request, household_id: str, user: Viewer, db: Db) -> Response:
    return _household(request, user, db, household_id, reveal=False)


@router.post("/households/{household_id}/reveal")
def reveal(request: Request, household_id: str, user: Posted, db: Db) -> Response:
    if not user.can("reveal_id"):
        raise HTTPException(403, "您的角色无权查看完整身份证号")
    if services.find_household(db, user.area_code, household_id) is None:
        raise HTTPException(404)
    record(db, user.username, "reveal_id", household_id)  # every reveal leaves a line in the trail
    db.commit()
    return _household(request, user, db, household_id, reveal=True)


@router.get("/imports")
def imports_page(request: Request, user: Annotated[CurrentUser, Depends(require("import"))]) -> Response:
    return render(request, "imports.html", user, sources=IMPORT_SOURCES, result=None, errors={}, source="")


@router.post("/imports")
async def imports_upload(request: Request, user: Posted) -> Response:
    if not user.can("import"):
        raise HTTPException(403, "您的角色无权导入台账")
    form = await request.form()
    source = str(form.get("source") or "")
    upload = form.get("file")
    errors: dict[str, str] = {}
    result = None
    if source not in IMPORT_SOURCES:
        errors["source"] = "请选择台账类型"
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = "请选择要上传的文件"
    if not errors and isinstance(upload, UploadFile):
        web = context(request)
        try:
            result = run_import(
                web.engine, web.sessions, user, source, upload.filename, await upload.read(), web.user_files(user)
            )
        except ActionRejected as rejected:
            errors["file"] = str(rejected)
    status = 400 if errors else 200
    return render(
        request, "imports.html", user, status, sources=IMPORT_SOURCES, result=result, errors=errors, source=source
    )


@router.get("/files/{name}")
def download(request: Request, name: str, user: Viewer) -> Response:
    path = context(request).user_files(user) / Path(name).name
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, filename=name)


@router.get("/exports")
def exports_page(request: Request, user: Annotated[CurrentUser, Depends(require("export"))]) -> Response:
    return render(request, "exports.html", user, kinds=EXPORT_NAMES)


@router.get("/exports/{kind}.xlsx")
def export(request: Request, kind: str, user: Annotated[CurrentUser, Depends(require("export"))]) -> Response:
    web = context(request)
    try:
        path, download_name = run_export(web.engine, web.sessions, user, kind, web.user_files(user))
    except ActionRejected as rejected:
        raise HTTPException(400, str(rejected)) from rejected
    return FileResponse(path, filename=download_name)


@router.get("/compare")
def compare_page(request: Request, user: Viewer, db: Db) -> Response:
    return render(
        request,
        "compare.html",
        user,
        **_runs(db, user),
        categories=CATEGORIES,
        result=None,
        errors={},
        today=context(request).today(),
    )


@router.post("/compare")
async def compare_run(request: Request, user: Posted, db: Db) -> Response:
    if not user.can("compare"):
        raise HTTPException(403, "您的角色无权运行名单比对")
    form = await request.form()
    errors: dict[str, str] = {}
    uploads: dict[str, tuple[str | None, bytes]] = {}
    for source in ("dibao", "poor", "tekun", "disabled", "deaths", "officials"):
        upload = form.get(source)
        if isinstance(upload, UploadFile) and upload.filename:
            uploads[source] = (upload.filename, await upload.read())
    for source, label in (("dibao", "低保名单"), ("poor", "建档立卡名单")):
        if source not in uploads:
            errors[source] = f"请上传{label}"
    try:
        on = dt.date.fromisoformat(str(form.get("on") or ""))
    except ValueError:
        errors["on"] = "请填写比对日期，如 2020-06-01"
        on = context(request).today()
    result = None
    if not errors:
        web = context(request)
        try:
            result = run_compare(web.engine, web.sessions, user, uploads, on, web.comparisons)
        except (ActionRejected, ValueError) as rejected:
            errors["form"] = str(rejected)
    return render(
        request,
        "compare.html",
        user,
        400 if errors else 200,
        **_runs(db, user),
        categories=CATEGORIES,
        result=result,
        errors=errors,
        today=on,
    )


def _runs(db: Session, user: CurrentUser) -> dict[str, Any]:
    """The recent comparison runs, who confirmed each (DYN-2), and which department this user confirms for."""
    runs = services.comparison_runs(db)
    department = DEPARTMENT_OF_ROLE.get(user.role)
    return {
        "runs": runs,
        "confirmed": run_confirmations(db, [r["id"] for r in runs]),
        "my_department": DEPARTMENTS[department] if department else None,
    }


@router.get("/compare/{run_id}/report.xlsx")
def compare_report(
    request: Request, run_id: int, user: Annotated[CurrentUser, Depends(require("compare"))]
) -> Response:
    path = comparison_report(context(request).comparisons, run_id)
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, filename=path.name)


@router.get("/access-log")
def access_log(request: Request, user: Annotated[CurrentUser, Depends(require("audit_log"))], db: Db) -> Response:
    rows = db.scalars(select(WebAccessLog).order_by(WebAccessLog.id.desc()).limit(200)).all()
    return render(request, "access_log.html", user, rows=rows)
