"""The JSON API (OpenAPI at /openapi.json, documentation at /docs): the same services, permissions and area
scope as the pages. Log in with POST /api/session; send the returned csrf_token as X-CSRF-Token on writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from doudi.web import services
from doudi.web.actions import ActionRejected, comparison_report, run_compare, run_export, run_import
from doudi.web.app import COOKIE, context, csrf_checked, current_user, get_db, require
from doudi.web.auth import SESSION_HOURS, CurrentUser, LoginFailed, authenticate, record

router = APIRouter(prefix="/api")

Db = Annotated[Session, Depends(get_db)]
Viewer = Annotated[CurrentUser, Depends(require("view"))]
Posted = Annotated[CurrentUser, Depends(csrf_checked)]


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=60, description="用户名")
    password: str = Field(min_length=1, max_length=200, description="密码")


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    role_name: str
    area_code: str
    permissions: list[str]
    csrf_token: str


def _me(user: CurrentUser) -> Me:
    return Me(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_name=user.role_info.name,
        area_code=user.area_code,
        permissions=sorted(user.role_info.permissions),
        csrf_token=user.csrf_token,
    )


@router.post("/session", tags=["登录"], summary="登录（设置会话 Cookie）", response_model=Me)
def api_login(request: Request, credentials: Credentials, db: Db) -> Response:
    web = context(request)
    try:
        user = authenticate(db, credentials.username, credentials.password)
    except LoginFailed as failure:
        db.commit()
        return JSONResponse({"detail": str(failure)}, status_code=401)
    cookie = web.auth.start(db, user)
    db.commit()
    current = web.auth.read(db, cookie)
    assert current is not None
    response = JSONResponse(_me(current).model_dump())
    response.set_cookie(
        COOKIE, cookie, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax", secure=web.secure_cookies
    )
    return response


@router.get("/session", tags=["登录"], summary="当前用户、角色、辖区与 CSRF 令牌", response_model=Me)
def api_me(user: Annotated[CurrentUser, Depends(current_user)]) -> Me:
    return _me(user)


@router.delete("/session", tags=["登录"], summary="退出登录")
def api_logout(request: Request, user: Posted, db: Db) -> dict[str, str]:
    context(request).auth.end(db, user.session_id)
    record(db, user.username, "logout")
    db.commit()
    return {"detail": "已退出"}


@router.get("/dashboard", tags=["概览"], summary="辖区概览：在保户数人数、建档立卡、重合、渐退、按村统计、比对结果")
def api_dashboard(
    request: Request,
    user: Viewer,
    db: Db,
    fresh: Annotated[bool, Query(description="登记库有变动时等待重新统计（默认先给出上次的统计并在后台更新）")] = False,
) -> dict[str, Any]:
    return services.dashboard(db, user.area_code, context(request).today(), fresh=fresh)


@router.get("/households", tags=["家庭"], summary="查找家庭（姓名、身份证号、户编号、村、名单）")
def api_households(
    user: Viewer,
    db: Db,
    q: Annotated[str, Query(description="姓名、身份证号或户编号")] = "",
    village: Annotated[str, Query(description="村代码（12 位）或乡镇代码（9 位）")] = "",
    kind: Annotated[
        str, Query(description="名单：" + "、".join(f"{k}={v}" for k, v in services.LIST_FILTERS.items()))
    ] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> dict[str, Any]:
    result = services.search_households(db, user.area_code, q, village or None, kind or None, page)
    return {"rows": result.rows, "total": result.total, "page": result.page, "pages": result.pages}


@router.get("/households/{household_id}", tags=["家庭"], summary="家庭详情：成员、收入、当前决定及其依据、变更记录")
def api_household(
    request: Request,
    household_id: str,
    user: Viewer,
    db: Db,
    reveal: Annotated[bool, Query(description="显示完整身份证号（须有权限，记入访问日志）")] = False,
) -> dict[str, Any]:
    if reveal:
        if not user.can("reveal_id"):
            raise HTTPException(403, "您的角色无权查看完整身份证号")
        if services.find_household(db, user.area_code, household_id) is not None:
            record(db, user.username, "reveal_id", household_id)
            db.commit()
    page = services.household_page(db, user.area_code, household_id, context(request).today(), reveal=reveal)
    if page is None:
        raise HTTPException(404)
    return page


@router.post("/imports", tags=["导入导出"], summary="导入台账（.xlsx/.xls/.csv），返回导入结果与错误清单")
async def api_import(
    request: Request,
    user: Posted,
    source: Annotated[str, Form(description="dibao | poor | tekun | disabled")],
    file: Annotated[UploadFile, File(description="台账文件")],
) -> dict[str, Any]:
    if not user.can("import"):
        raise HTTPException(403, "您的角色无权导入台账")
    web = context(request)
    try:
        return run_import(
            web.engine, web.sessions, user, source, file.filename, await file.read(), web.user_files(user)
        )
    except ActionRejected as rejected:
        raise HTTPException(400, str(rejected)) from rejected


@router.get("/exports/{kind}", tags=["导入导出"], summary="导出辖区台账为 .xlsx（registry | dibao | poor）")
def api_export(request: Request, kind: str, user: Annotated[CurrentUser, Depends(require("export"))]) -> Response:
    web = context(request)
    try:
        path, name = run_export(web.engine, web.sessions, user, kind, web.user_files(user))
    except ActionRejected as rejected:
        raise HTTPException(400, str(rejected)) from rejected
    return FileResponse(path, filename=name)


@router.get("/comparisons", tags=["名单比对"], summary="历次比对及各类问题户数")
def api_comparisons(user: Viewer, db: Db) -> list[dict[str, Any]]:
    return services.comparison_runs(db)


@router.post("/comparisons", tags=["名单比对"], summary="上传名单并比对（低保与建档立卡名单必填）")
async def api_compare(
    request: Request,
    user: Posted,
    on: Annotated[dt.date, Form(description="比对日期")],
    dibao: Annotated[UploadFile, File(description="低保名单")],
    poor: Annotated[UploadFile, File(description="建档立卡名单")],
    deaths: Annotated[UploadFile | None, File(description="死亡人员名单（可选）")] = None,
) -> dict[str, Any]:
    if not user.can("compare"):
        raise HTTPException(403, "您的角色无权运行名单比对")
    web = context(request)
    uploads = {"dibao": (dibao.filename, await dibao.read()), "poor": (poor.filename, await poor.read())}
    if deaths is not None and deaths.filename:
        uploads["deaths"] = (deaths.filename, await deaths.read())
    try:
        return run_compare(web.engine, web.sessions, user, uploads, on, web.comparisons)
    except (ActionRejected, ValueError) as rejected:
        raise HTTPException(400, str(rejected)) from rejected


@router.get("/comparisons/{run_id}/report", tags=["名单比对"], summary="下载比对结果工作簿（.xlsx）")
def api_compare_report(
    request: Request, run_id: int, user: Annotated[CurrentUser, Depends(require("compare"))]
) -> Response:
    path = comparison_report(context(request).comparisons, run_id)
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, filename=path.name)
