"""The app factory: one FastAPI app serving the Chinese pages (Jinja2, server-rendered) and the JSON API on
the same services, with login, area scoping, CSRF checks and Chinese error pages (never a stack trace)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from doudi.policy.money import format_yuan, yuan_to_fen
from doudi.registry.database import open_registry, session_factory
from doudi.rules.explain import DECISIONS, chinese_date
from doudi.rules.schema import HEALTH, INCOME_KINDS, LABOR_CAPACITY
from doudi.web.auth import CurrentUser, Sessions
from doudi.web.roles import PERMISSION_NAMES, ROLES

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
COOKIE = "doudi_session"
LOGIN_CSRF_COOKIE = "doudi_login_csrf"

ACTION_NAMES = {
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "login_refused_locked": "锁定期间尝试登录",
    "locked": "账号锁定",
    "reveal_id": "查看完整身份证号",
    "import": "导入台账",
    "export": "导出台账",
    "compare": "名单比对",
    "approve_roll": "审批发放花名册",
    "confirm_comparison": "确认比对结果",
}

STATUS_TEXT = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问：这不在您的角色或辖区范围内",
    404: "找不到该页面或记录（或不在您的辖区内）",
    405: "不支持该操作",
    413: "上传的文件太大",
    422: "提交的内容有误",
}


@dataclass
class WebContext:
    engine: Engine
    sessions: sessionmaker[Session]
    auth: Sessions
    on: dt.date | None  # assessment date; None = today
    files: Path  # uploads, error reports, exports, comparison workbooks
    secure_cookies: bool

    def today(self) -> dt.date:
        return self.on or dt.date.today()

    def user_files(self, user: CurrentUser) -> Path:
        """Each user's files in their own folder: a download can only reach what that user produced."""
        return self.files / "users" / user.username

    @property
    def comparisons(self) -> Path:
        return self.files / "comparisons"


class NotLoggedIn(Exception):
    pass


def context(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web


def get_db(request: Request) -> Iterator[Session]:
    with context(request).sessions() as session:
        yield session


def current_user(request: Request, db: Session = Depends(get_db)) -> CurrentUser:  # noqa: B008
    user = context(request).auth.read(db, request.cookies.get(COOKIE))
    if user is None:
        raise NotLoggedIn
    return user


def require(permission: str) -> Any:
    """A dependency: the logged-in user, when their role has `permission`."""

    def check(user: CurrentUser = Depends(current_user)) -> CurrentUser:  # noqa: B008
        if not user.can(permission):
            raise HTTPException(403, f"您的角色（{user.role_info.name}）没有“{PERMISSION_NAMES[permission]}”的权限")
        return user

    return check


async def csrf_checked(
    request: Request,
    user: CurrentUser = Depends(current_user),  # noqa: B008
) -> AsyncIterator[CurrentUser]:
    """The logged-in user, when the form field or the X-CSRF-Token header carries their session's token.

    The form parsed here is the one the page reads (Starlette keeps it on the request); its uploaded files are
    spooled to temporary files, closed here when the request is done, whether it was refused or not."""
    try:
        token = request.headers.get("x-csrf-token")
        if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            token = str((await request.form()).get("csrf_token") or "")
        if not token or not secrets.compare_digest(token, user.csrf_token):
            raise HTTPException(403, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
        yield user
    finally:
        await request.close()


def _chinese_datetime(value: dt.datetime | None) -> str:
    return "" if value is None else f"{chinese_date(value.date())} {value:%H:%M}"


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.auto_reload = False  # templates ship with the package: compile once, no stat of the files per page
    env.filters["yuan"] = lambda fen: "" if fen is None else format_yuan(int(fen))
    env.filters["cn_date"] = lambda day: "" if day is None else chinese_date(day)
    env.filters["cn_datetime"] = _chinese_datetime
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    env.filters["yuan_text"] = lambda text: "" if text is None else format_yuan(yuan_to_fen(text))
    env.filters["iso_date"] = lambda text: dt.date.fromisoformat(text) if isinstance(text, str) else text
    env.globals.update(
        ROLES=ROLES,
        health=HEALTH,
        labor=LABOR_CAPACITY,
        income_kinds=INCOME_KINDS,
        decisions=DECISIONS,
        actions=ACTION_NAMES,
    )
    return templates


TEMPLATES = _templates()


def render(request: Request, name: str, user: CurrentUser | None, status_code: int = 200, **values: Any) -> Response:
    return TEMPLATES.TemplateResponse(request, name, {"user": user, **values}, status_code=status_code)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, _error: NotLoggedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "请先登录"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = error.detail if isinstance(error.detail, str) and error.status_code == 403 else None
        message = message or STATUS_TEXT.get(error.status_code, "请求无法完成")
        if error.status_code == 400 and isinstance(error.detail, str):
            message = error.detail
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=error.status_code)
        return render(request, "error.html", None, error.status_code, message=message, code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        fields = [".".join(str(p) for p in e.get("loc", ())[1:]) for e in error.errors()]
        message = f"提交的内容有误：{'、'.join(f for f in fields if f) or '格式不正确'}"
        if _wants_json(request):
            return JSONResponse({"detail": message, "fields": fields}, status_code=422)
        return render(request, "error.html", None, 422, message=message, code=422)

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        message = "系统内部错误，操作未完成。请稍后重试；如仍出错，请联系系统管理员（已记录日志）。"
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=500)
        return render(request, "error.html", None, 500, message=message, code=500)


def create_app(
    database_url: str | None = None,
    *,
    secret: str | None = None,
    on: dt.date | None = None,
    files: Path | None = None,
    secure_cookies: bool = False,
) -> FastAPI:
    """The doudi web app on the registry at `database_url` (migrations run on first use).

    `secret` signs session cookies (DOUDI_SECRET_KEY; a random one per start logs everybody out on restart),
    `on` fixes the assessment date (default: today), `files` keeps uploads, reports and exports."""
    engine = open_registry(database_url)
    web = WebContext(
        engine=engine,
        sessions=session_factory(engine),
        auth=Sessions(secret or os.environ.get("DOUDI_SECRET_KEY") or secrets.token_urlsafe(32)),
        on=on,
        files=files or Path(os.environ.get("DOUDI_WEB_FILES") or tempfile.mkdtemp(prefix="doudi-web-")),
        secure_cookies=secure_cookies,
    )
    app = FastAPI(
        title="兜底 doudi 接口",
        description="低保与建档立卡衔接系统的 JSON 接口：与网页使用同一套服务、同一套权限和辖区范围。"
        "登录：POST /api/session；写操作须带 X-CSRF-Token 头（登录时返回）。",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = web
    # The Swagger UI shipped by swagger-ui-bundle (4.x) reads OpenAPI 3.0 documents, not 3.1.
    app.openapi_version = "3.0.3"
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="兜底 doudi 接口文档",
            swagger_js_url="/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    _install_error_handlers(app)
    from doudi.web import api, pages

    app.include_router(pages.router)
    app.include_router(api.router)
    from doudi.web import cases_views

    app.include_router(cases_views.pages)
    app.include_router(cases_views.api)
    from doudi.web import alerts_views

    app.include_router(alerts_views.pages)
    app.include_router(alerts_views.api)
    from doudi.web import payments_views

    app.include_router(payments_views.pages)
    app.include_router(payments_views.api)
    from doudi.web import confirmation_views

    app.include_router(confirmation_views.pages)
    app.include_router(confirmation_views.api)
    return app
