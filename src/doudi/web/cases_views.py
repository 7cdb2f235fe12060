"""Cases in the app (pages and JSON API): intake, investigation records, review → approve → post → confirm,
refusal and objections, deadlines — each a call to doudi.cases.service in one transaction, scoped to the
user's area, the acting officer recorded for doudi.audit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from doudi.cases import service as cases
from doudi.cases.errors import CaseError
from doudi.cases.models import Case
from doudi.cases.procedure import DOCUMENTS, INVESTIGATION_KINDS
from doudi.cases.session import unit_of_work
from doudi.cases.states import CLOSED, actions_for, allowed_actions, state_name
from doudi.cases.tekun import CARE_FORMS, CONDITIONS, SELF_CARE, Findings
from doudi.cases.temporary import KINDS
from doudi.policy.money import MoneyError, yuan_to_fen
from doudi.web import services
from doudi.web.app import context, csrf_checked, get_db, render, require
from doudi.web.auth import CurrentUser

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/cases", tags=["案件"])

Db = Annotated[Session, Depends(get_db)]
Viewer = Annotated[CurrentUser, Depends(require("view"))]
Posted = Annotated[CurrentUser, Depends(csrf_checked)]

# Which permission each step of the procedure needs: the village records and holds the democratic review, the
# township approves, posts and refuses, the county confirms.
ACTION_PERMISSION = {
    "investigate": "case_intake",
    "tekun_findings": "case_intake",
    "review": "case_intake",
    "approve": "case_review",
    "post": "case_review",
    "object": "case_review",
    "refuse": "case_review",
    "fast_track": "case_review",
    "confirm": "case_approve",
}


class CaseRejected(ValueError):
    """A refused case action (Chinese message); nothing was written."""


def _scoped_case(session: Session, user: CurrentUser, ref: str) -> Case:
    """The case when it lies in the user's area; 404 otherwise (another area's case numbers cannot be probed)."""
    try:
        case = cases.get_case(session, ref)
    except CaseError:
        raise HTTPException(404) from None
    if not case.region_code.startswith(user.area_code):
        raise HTTPException(404)
    return case


def list_cases(session: Session, user: CurrentUser, today: dt.date, open_only: bool = False) -> list[dict[str, Any]]:
    query = select(Case).where(Case.region_code.startswith(user.area_code, autoescape=True))
    if open_only:
        query = query.where(Case.state.not_in(CLOSED))
    late = {o.case_no: o for o in cases.overdue(session, today, user.area_code)}
    rows = []
    for case in session.scalars(query.order_by(Case.received_on.desc(), Case.id.desc()).limit(500)):
        overdue = late.get(case.case_no)
        rows.append(
            {
                "case_no": case.case_no,
                "program": cases.PROGRAMS.get(case.program, case.program),
                "household_id": case.household_id,
                "applicant": case.applicant_name,
                "state": state_name(case.state, case.program),
                "received_on": case.received_on,
                "due": overdue.due if overdue else None,
                "days_late": overdue.days_late if overdue else 0,
            }
        )
    return rows


def _date(values: dict[str, Any], name: str, label: str, errors: dict[str, str]) -> dt.date | None:
    text = str(values.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f"请填写{label}，如 2020-06-01"
        return None


def perform(web: Any, user: CurrentUser, ref: str, action: str, values: dict[str, Any]) -> dict[str, str]:
    """Run one step; returns field errors (empty when done). CaseError becomes the form's message."""
    permission = ACTION_PERMISSION.get(action)
    if permission is None:
        raise HTTPException(404)
    if not user.can(permission):
        raise HTTPException(403, f"您的角色（{user.role_info.name}）不能办理这一步")
    errors: dict[str, str] = {}
    by = user.officer
    day = _date(values, "on", "日期", errors) if action != "post" else None
    start = _date(values, "start", "公示开始日期", errors) if action == "post" else None
    amount_fen = None
    if action == "approve" and str(values.get("amount") or "").strip():
        try:
            amount_fen = yuan_to_fen(str(values["amount"]))
        except MoneyError as error:
            errors["amount"] = str(error)
    if errors:
        return errors
    try:
        with unit_of_work(web.engine) as session:
            case = _scoped_case(session, user, ref)
            if action == "investigate":
                people = [p for p in str(values.get("people") or "").replace("，", ",").replace("、", ",").split(",")]
                cases.add_investigation(
                    session,
                    case.id,
                    kind=str(values.get("kind") or ""),
                    on=day,  # type: ignore[arg-type]
                    people=people,
                    findings=str(values.get("findings") or ""),
                    by=by,
                )
            elif action == "tekun_findings":
                cases.record_tekun_findings(
                    session,
                    case.id,
                    id_number=str(values.get("person") or "").strip() or None,
                    on=day,  # type: ignore[arg-type]
                    found=Findings(
                        **{name: _checked(values.get(name)) for name in CONDITIONS},
                        self_care=str(values.get("self_care") or ""),
                        care_form=str(values.get("care_form") or ""),
                        findings=str(values.get("findings") or ""),
                    ),
                    by=by,
                )
            elif action == "approve":
                cases.approve(
                    session,
                    case.id,
                    by=by,
                    on=day,  # type: ignore[arg-type]
                    amount_fen=amount_fen,
                    kind=str(values.get("kind") or "").strip() or None,
                    reason=str(values.get("reason") or "").strip() or None,
                )
            elif action == "post":
                cases.post(session, case.id, by=by, start=start)  # type: ignore[arg-type]
            elif action == "object":
                cases.object_to(session, case.id, by=by, on=day, content=str(values.get("content") or ""))  # type: ignore[arg-type]
            elif action == "refuse":
                cases.refuse(session, case.id, by=by, on=day, reason=str(values.get("reason") or ""))  # type: ignore[arg-type]
            else:
                step = {
                    "review": cases.review,
                    "confirm": cases.confirm,
                    "fast_track": cases.fast_track,
                }[action]
                step(session, case.id, by=by, on=day)  # type: ignore[arg-type]
    except CaseError as error:
        return {"form": str(error)}
    return {}


def _checked(value: Any) -> bool:
    """A form checkbox ('on') or a JSON boolean."""
    return value is True or str(value or "").strip().lower() in ("on", "true", "1", "是")


def intake(
    web: Any, user: CurrentUser, values: dict[str, Any], documents: list[str]
) -> tuple[str | None, dict[str, str]]:
    if not user.can("case_intake"):
        raise HTTPException(403, f"您的角色（{user.role_info.name}）不能受理申请")
    errors: dict[str, str] = {}
    household_id = str(values.get("household_id") or "").strip()
    if not household_id:
        errors["household_id"] = "请填写申请家庭的户编号"
    program = str(values.get("program") or "")
    if program not in cases.PROGRAMS:
        errors["program"] = "请选择救助项目"
    received = _date(values, "received_on", "受理日期", errors)
    if errors:
        return None, errors
    try:
        with unit_of_work(web.engine) as session:
            if services.find_household(session, user.area_code, household_id) is None:
                return None, {"household_id": "您的辖区内没有这一户"}
            case = cases.open_case(
                session,
                household_id=household_id,
                program=program,
                by=user.officer,
                received_on=received,  # type: ignore[arg-type]
                documents=documents,
            )
            return case.case_no, {}
    except CaseError as error:
        return None, {"form": str(error)}


# --- pages -------------------------------------------------------------------------------------------------


@pages.get("/cases")
def cases_page(request: Request, user: Viewer, db: Db, open: bool = False) -> Response:
    rows = list_cases(db, user, context(request).today(), open_only=open)
    return render(request, "cases.html", user, rows=rows, open_only=open)


def _intake_page(
    request: Request, user: CurrentUser, values: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    return render(
        request,
        "case_new.html",
        user,
        status,
        values=values,
        errors=errors,
        programs=cases.PROGRAMS,
        documents=DOCUMENTS,
        today=context(request).today(),
    )


@pages.get("/cases/new")
def new_case(request: Request, user: Viewer, household: str = "") -> Response:
    return _intake_page(request, user, {"household_id": household, "documents": list(DOCUMENTS)}, {}, 200)


@pages.post("/cases")
async def create_case(request: Request, user: Posted) -> Response:
    form = await request.form()
    values = {key: form.get(key) for key in ("household_id", "program", "received_on")}
    documents = [str(d) for d in form.getlist("documents")]
    case_no, errors = intake(context(request), user, values, documents)
    if errors:
        return _intake_page(request, user, {**values, "documents": documents}, errors, 400)
    return RedirectResponse(f"/cases/{case_no}", status_code=303)


def _case_page(
    request: Request, user: CurrentUser, db: Session, ref: str, errors: dict[str, str], status: int
) -> Response:
    case = _scoped_case(db, user, ref)
    described = cases.describe(db, case)
    table = actions_for(case.program)
    actions = [
        (action, table[action][2])
        for action in allowed_actions(case.state, case.profile_id, case.program)
        if user.can(ACTION_PERMISSION[action])
    ]
    return render(
        request,
        "case.html",
        user,
        status,
        case=described,
        raw_state=case.state,
        actions=actions,
        can_investigate=user.can("case_intake") and case.state not in CLOSED,
        kinds=INVESTIGATION_KINDS,
        program=case.program,
        conditions=CONDITIONS,
        self_care_levels=list(SELF_CARE),
        care_forms=CARE_FORMS,
        temporary_kinds=KINDS,
        errors=errors,
        today=context(request).today(),
    )


@pages.get("/cases/{ref}")
def case_page(request: Request, ref: str, user: Viewer, db: Db) -> Response:
    return _case_page(request, user, db, ref, {}, 200)


@pages.post("/cases/{ref}/{action}")
async def case_action(request: Request, ref: str, action: str, user: Posted, db: Db) -> Response:
    form = await request.form()
    values = {key: form.get(key) for key in form}
    errors = perform(context(request), user, ref, action, values)
    if errors:
        return _case_page(request, user, db, ref, errors, 400)
    return RedirectResponse(f"/cases/{ref}", status_code=303)


# --- API ---------------------------------------------------------------------------------------------------


class Intake(BaseModel):
    household_id: str = Field(description="户编号（系统编号）")
    program: str = Field(description="dibao | tekun | temporary")
    received_on: dt.date = Field(description="受理日期")
    documents: list[str] = Field(default_factory=list, description="已收材料：" + "、".join(DOCUMENTS))


class Step(BaseModel):
    on: dt.date | None = Field(None, description="办理日期（公示为开始日期 start）")
    start: dt.date | None = None
    kind: str | None = Field(
        None, description="调查方式：" + "、".join(INVESTIGATION_KINDS) + "；临时救助审批时为类型：" + "、".join(KINDS)
    )
    people: str | None = Field(None, description="调查人员，逗号分隔")
    findings: str | None = Field(None, description="调查结论；特困认定时为认定依据")
    content: str | None = Field(None, description="异议内容")
    reason: str | None = Field(None, description="不予批准的理由；临时救助审批时为救助事由")
    amount: str | None = Field(None, description="临时救助金额（元），仅临时救助审批")
    person: str | None = Field(None, description="特困认定：申请人身份证号，默认申请人")
    no_work_capacity: bool = Field(False, description="特困认定：无劳动能力")
    no_income_source: bool = Field(False, description="特困认定：无生活来源")
    no_supporter: bool = Field(False, description="特困认定：无法定义务人或其法定义务人无履行义务能力")
    self_care: str | None = Field(None, description="特困认定：生活自理能力 " + "、".join(SELF_CARE))
    care_form: str | None = Field(None, description="特困认定：供养方式 " + "、".join(CARE_FORMS))


@api.get("", summary="辖区内的案件及逾期情况")
def api_cases(request: Request, user: Viewer, db: Db, open: bool = False) -> list[dict[str, Any]]:
    return list_cases(db, user, context(request).today(), open_only=open)


@api.post("", summary="受理申请（一门受理，PRO-1）")
def api_intake(request: Request, body: Intake, user: Posted, db: Db) -> dict[str, Any]:
    values = body.model_dump()
    values["received_on"] = body.received_on.isoformat()
    case_no, errors = intake(context(request), user, values, body.documents)
    if errors:
        raise HTTPException(400, "；".join(errors.values()))
    return cases.describe(db, _scoped_case(db, user, str(case_no)))


@api.get("/{ref}", summary="案件详情")
def api_case(ref: str, user: Viewer, db: Db) -> dict[str, Any]:
    return cases.describe(db, _scoped_case(db, user, ref))


@api.post(
    "/{ref}/{action}",
    summary="办理一步：investigate、tekun_findings、review、approve、post、object、refuse、confirm、fast_track",
)
def api_case_action(request: Request, ref: str, action: str, body: Step, user: Posted, db: Db) -> dict[str, Any]:
    values = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in body.model_dump().items()}
    errors = perform(context(request), user, ref, action, values)
    if errors:
        raise HTTPException(400, "；".join(errors.values()))
    db.expire_all()
    return cases.describe(db, _scoped_case(db, user, ref))
