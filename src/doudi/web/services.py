"""What the pages and the JSON API show, read from the registry through the area scope. No policy logic here:
decisions come from doudi.rules (assess_one), ledgers from doudi.ingest, comparisons from doudi.linkage."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from doudi.registry.comparison_runs import ComparisonFinding, ComparisonRun
from doudi.registry.loader import load_frames
from doudi.registry.models import ChangeLogEntry, Enrollment, Household, IncomeItem, Member, Region
from doudi.rules.assess import AssessmentError, assess_one
from doudi.rules.explain import mask_id
from doudi.web.models import WebAccessLog
from doudi.web.scope import household_filter, region_filter

LIVE = ("active", "gradual_exit")  # enrollment statuses still paid
PROGRAM_NAMES = {"dibao": "低保", "tekun": "特困", "temporary": "临时救助"}
STATUS_NAMES = {"active": "在保", "gradual_exit": "渐退中", "exited": "已退出"}
LIST_FILTERS = {
    "dibao": "低保户",
    "tekun": "特困",
    "poor": "建档立卡户",
    "overlap": "低保且建档立卡",
    "gradual_exit": "渐退中",
}
PAGE_SIZE = 50
_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


def _enrolled(program: str, statuses: tuple[str, ...] = LIVE) -> Any:
    return exists().where(
        Enrollment.household_id == Household.id, Enrollment.program == program, Enrollment.status.in_(statuses)
    )


def _list_filter(kind: str | None) -> Any:
    if kind == "dibao":
        return _enrolled("dibao")
    if kind == "tekun":
        return _enrolled("tekun")
    if kind == "poor":
        return Household.registered_poor.is_(True)
    if kind == "overlap":
        return and_(Household.registered_poor.is_(True), _enrolled("dibao"))
    if kind == "gradual_exit":
        return _enrolled("dibao", ("gradual_exit",))
    return None


def region_names(session: Session, area_code: str) -> dict[str, str]:
    rows = session.execute(select(Region.code, Region.name).where(region_filter(area_code))).all()
    return {code: name for code, name in rows}


def area_name(session: Session, area_code: str) -> str:
    name = session.scalar(select(Region.name).where(Region.code == area_code))
    return name or area_code


# --- dashboard ---------------------------------------------------------------------------------------------


def dashboard(session: Session, area_code: str, today: dt.date) -> dict[str, Any]:
    """Headline figures, per-village table, enrolments by month and the latest comparison, for the area."""
    in_area = household_filter(area_code)
    living = Member.death_date.is_(None)

    def households_where(*conditions: Any) -> int:
        return session.scalar(select(func.count()).select_from(Household).where(in_area, *conditions)) or 0

    def persons_where(*conditions: Any) -> int:
        query = select(func.count()).select_from(Member).join(Household, Household.id == Member.household_id)
        return session.scalar(query.where(in_area, living, *conditions)) or 0

    tekun_persons = (
        session.scalar(
            select(func.count())
            .select_from(Enrollment)
            .join(Household, Household.id == Enrollment.household_id)
            .where(in_area, Enrollment.program == "tekun", Enrollment.status.in_(LIVE))
        )
        or 0
    )
    figures = {
        "households": households_where(),
        "persons": persons_where(),
        "dibao_households": households_where(_enrolled("dibao")),
        "dibao_persons": persons_where(_enrolled("dibao")),
        "tekun_persons": tekun_persons,
        "tekun_households": households_where(_enrolled("tekun")),
        "poor_households": households_where(Household.registered_poor.is_(True)),
        "poor_persons": persons_where(Household.registered_poor.is_(True)),
        "overlap_households": households_where(_list_filter("overlap")),
        "gradual_exit_households": households_where(_list_filter("gradual_exit")),
    }
    names = region_names(session, area_code[:6])  # the county's names: a village user's township too
    village = Household.village_code
    by_village_rows = session.execute(
        select(
            village,
            func.count(),
            func.sum(_as_int(_enrolled("dibao"))),
            func.sum(_as_int(Household.registered_poor.is_(True))),
        )
        .where(in_area)
        .group_by(village)
        .order_by(village)
    ).all()
    by_village = [
        {
            "code": code,
            "name": names.get(code or "", code),
            "township": names.get((code or "")[:9], ""),
            "households": total,
            "dibao": int(dibao or 0),
            "poor": int(poor or 0),
        }
        for code, total, dibao, poor in by_village_rows
    ]
    first_month = dt.date(today.year - 1, today.month, 1)
    since_rows = session.execute(
        select(Enrollment.since)
        .join(Household, Household.id == Enrollment.household_id)
        .where(in_area, Enrollment.program == "dibao", Enrollment.since >= first_month)
    ).scalars()
    per_month: dict[str, int] = {}
    for since in since_rows:
        if since is None:
            continue
        key = f"{since.year}年{since.month}月"
        per_month[key] = per_month.get(key, 0) + 1
    months = []
    cursor = first_month
    while cursor <= today:
        key = f"{cursor.year}年{cursor.month}月"
        months.append({"month": key, "enrolled": per_month.get(key, 0)})
        cursor = dt.date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return {
        "area_code": area_code,
        "area_name": names.get(area_code, area_code),
        "figures": figures,
        "by_village": by_village,
        "by_month": months,
        "comparison": latest_comparison(session, area_code),
        "panels": [case_panel(session, area_code, today), _alert_panel(session, area_code, today)],
    }


def _alert_panel(session: Session, area_code: str, today: dt.date) -> dict[str, Any]:
    from doudi.web.alerts_views import alert_panel

    return alert_panel(session.get_bind(), area_code, today)  # type: ignore[arg-type]


def case_panel(session: Session, area_code: str, today: dt.date) -> dict[str, Any]:
    """Open cases and those past their step's deadline (doudi.cases decides what is overdue)."""
    from doudi.cases.models import Case
    from doudi.cases.service import overdue

    open_cases = (
        session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.region_code.startswith(area_code, autoescape=True), Case.state.not_in(("confirmed", "refused")))
        )
        or 0
    )
    late = len(overdue(session, today, area_code))
    return {
        "title": "案件与复核",
        "rows": [
            ("在办案件", f"{open_cases:,} 件", "/cases?open=true"),
            ("逾期未办结", f"{late:,} 件", "/cases?open=true"),
            ("到期应复核的低保户（DYN-4）", f"{reviews_due(session, area_code, today):,} 户", None),
        ],
    }


_REVIEWS: dict[tuple[str, dt.date], tuple[float, int]] = {}
_REVIEWS_SECONDS = 600.0


def reviews_due(session: Session, area_code: str, today: dt.date) -> int:
    """Dibao households due for review (doudi.cases.dynamic.review_due runs the engine for unscheduled ones, so
    the count is kept ten minutes per area and day)."""
    from doudi.cases.dynamic import review_due

    kept = _REVIEWS.get((area_code, today))
    if kept is not None and time.monotonic() - kept[0] < _REVIEWS_SECONDS:
        return kept[1]
    count = len(review_due(session, today, area_code))
    _REVIEWS[(area_code, today)] = (time.monotonic(), count)
    return count


def _as_int(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def latest_comparison(session: Session, area_code: str) -> dict[str, Any] | None:
    """The newest comparison run's households per category, counting only findings in the area."""
    run = session.scalars(select(ComparisonRun).order_by(ComparisonRun.id.desc()).limit(1)).first()
    if run is None:
        return None
    query = (
        select(ComparisonFinding.category, func.count(func.distinct(ComparisonFinding.item_key)))
        .where(ComparisonFinding.run_id == run.id)
        .group_by(ComparisonFinding.category)
    )
    if len(area_code) > 6:
        names = region_names(session, area_code)
        inside = [names[code] for code in names if len(code) == len(area_code) or code == area_code]
        column = ComparisonFinding.township if len(area_code) == 9 else ComparisonFinding.village
        query = query.where(column.in_(inside or ["-"]))
    counts = dict(session.execute(query).all())
    return {"run_id": run.id, "on": run.on_date, "profile": run.profile, "counts": counts, "created_at": run.created_at}


# --- households --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def search_households(
    session: Session,
    area_code: str,
    text: str = "",
    village: str | None = None,
    kind: str | None = None,
    page: int = 1,
) -> SearchResult:
    """Households in the area matching a name, an ID number, a household id or number, a village, a list."""
    conditions: list[Any] = [household_filter(area_code)]
    text = text.strip()
    if text:
        # IN (members found by an indexed column), not a correlated EXISTS: on a million households the
        # database starts from the few matching members, not from every household of the area.
        if _ID_LIKE.match(text):
            conditions.append(Household.id.in_(select(Member.household_id).where(Member.id_number == text.upper())))
        elif text.isdigit():
            conditions.append(or_(Household.id == text, Household.household_no == text))
        else:
            conditions.append(Household.id.in_(select(Member.household_id).where(Member.name == text)))
    if village:
        conditions.append(Household.village_code.startswith(village, autoescape=True))
    listed = _list_filter(kind)
    if listed is not None:
        conditions.append(listed)
    total = session.scalar(select(func.count()).select_from(Household).where(*conditions)) or 0
    page = max(page, 1)
    ids = session.scalars(
        select(Household.id).where(*conditions).order_by(Household.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return SearchResult(_household_rows(session, area_code, list(ids)), total, page, max(1, -(-total // PAGE_SIZE)))


def _household_rows(session: Session, area_code: str, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    names = region_names(session, area_code[:6])
    households = {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}
    heads: dict[str, Member] = {}
    sizes: dict[str, int] = {}
    for member in session.scalars(select(Member).where(Member.household_id.in_(ids)).order_by(Member.id)):
        if member.death_date is None:
            sizes[member.household_id] = sizes.get(member.household_id, 0) + 1
        if member.household_id not in heads or member.relation == "户主":
            heads[member.household_id] = member
    programs: dict[str, list[str]] = {}
    for enrollment in session.scalars(
        select(Enrollment).where(Enrollment.household_id.in_(ids), Enrollment.status.in_(LIVE))
    ):
        label = PROGRAM_NAMES.get(enrollment.program, enrollment.program)
        if enrollment.status == "gradual_exit":
            label += "（渐退）"
        programs.setdefault(enrollment.household_id, []).append(label)
    rows = []
    for household_id in ids:
        household = households[household_id]
        head = heads.get(household_id)
        rows.append(
            {
                "id": household_id,
                "household_no": household.household_no,
                "head_name": head.name if head else "",
                "head_id_masked": mask_id(head.id_number) if head else "",
                "village_code": household.village_code,
                "village": names.get(household.village_code or "", household.village_code),
                "township": names.get((household.village_code or "")[:9], ""),
                "size": sizes.get(household_id, 0),
                "programs": programs.get(household_id, []),
                "registered_poor": household.registered_poor,
            }
        )
    return rows


def find_household(session: Session, area_code: str, household_id: str) -> Household | None:
    """The household when it is in the area; None both when it does not exist and when it is elsewhere (the
    caller answers 404 either way, so another area's ids cannot even be probed)."""
    return session.scalars(select(Household).where(Household.id == household_id, household_filter(area_code))).first()


def household_page(
    session: Session, area_code: str, household_id: str, on: dt.date, reveal: bool = False
) -> dict[str, Any] | None:
    household = find_household(session, area_code, household_id)
    if household is None:
        return None
    names = region_names(session, (household.village_code or household.region_code)[:6])
    members = session.scalars(select(Member).where(Member.household_id == household_id).order_by(Member.id)).all()
    incomes = session.scalars(select(IncomeItem).where(IncomeItem.household_id == household_id)).all()
    enrollments = session.scalars(select(Enrollment).where(Enrollment.household_id == household_id)).all()
    by_person = {m.id_number: m.name for m in members}

    def shown(id_number: str | None) -> str | None:
        return id_number if reveal else mask_id(id_number)

    decision: dict[str, Any] | None = None
    decision_error = None
    try:
        decision = current_decision(session, household_id, on)
    except (AssessmentError, ValueError) as error:
        decision_error = str(error)
    history = session.scalars(
        select(ChangeLogEntry)
        .where(or_(ChangeLogEntry.record_key == household_id, ChangeLogEntry.record_key.startswith(household_id + "/")))
        .order_by(ChangeLogEntry.id.desc())
        .limit(100)
    ).all()
    trail = session.scalars(
        select(WebAccessLog).where(WebAccessLog.target == household_id).order_by(WebAccessLog.id.desc()).limit(50)
    ).all()
    return {
        "id": household.id,
        "household_no": household.household_no,
        "address": household.address,
        "village": names.get(household.village_code or "", household.village_code),
        "township": names.get((household.village_code or "")[:9], ""),
        "village_code": household.village_code,
        "registered_poor": household.registered_poor,
        "escaped_poverty": household.escaped_poverty,
        "version": household.version,
        "members": [
            {
                "name": m.name,
                "id_number": shown(m.id_number),
                "relation": m.relation,
                "sex": {"M": "男", "F": "女"}.get(m.sex or "", m.sex),
                "birth_date": m.birth_date,
                "health": m.health,
                "disability": f"{m.disability_kind or ''}{m.disability_grade or ''}" or None,
                "labor_capacity": m.labor_capacity,
                "death_date": m.death_date,
            }
            for m in members
        ],
        "incomes": [
            {
                "person": by_person.get(i.id_number or "", "全户"),
                "kind": i.kind,
                "yearly_fen": i.yearly_fen,
                "poverty_project": i.poverty_project,
            }
            for i in incomes
        ],
        "enrollments": [
            {
                "program": PROGRAM_NAMES.get(e.program, e.program),
                "scope": "单人保" if e.scope == "single_person" else "整户",
                "person": by_person.get(e.id_number or ""),
                "since": e.since,
                "until": e.until,
                "class": e.benefit_class,
                "monthly_benefit_fen": e.monthly_benefit_fen,
                "status": STATUS_NAMES.get(e.status, e.status),
            }
            for e in enrollments
        ],
        "decision": decision,
        "decision_error": decision_error,
        "history": [
            {
                "at": c.changed_at,
                "field": c.field,
                "old": _mask_if_id(c.field, c.old_value, reveal),
                "new": _mask_if_id(c.field, c.new_value, reveal),
                "batch_id": c.batch_id,
            }
            for c in history
        ],
        "trail": [{"at": t.at, "username": t.username, "action": t.action, "detail": t.detail} for t in trail],
    }


_DECISIONS: OrderedDict[str, dict[str, Any]] = OrderedDict()
_DECISIONS_KEPT = 20_000
_DECISIONS_LOCK = threading.Lock()


def current_decision(session: Session, household_id: str, on: dt.date) -> dict[str, Any]:
    """The engine's decision for the household as the registry holds it now (assess_one on its frames).

    The engine takes ~0.1 s a household; the same frames on the same day always give the same decision, so
    decisions are kept per content of the frames (any change to the household's data is a new key)."""
    frames = load_frames(session, household_ids=[household_id], on=on)
    key = repr((on, *(frames[name].rows() for name in sorted(frames))))
    with _DECISIONS_LOCK:
        if key in _DECISIONS:
            _DECISIONS.move_to_end(key)
            return _DECISIONS[key]
    decision = assess_one(frames)
    with _DECISIONS_LOCK:
        _DECISIONS[key] = decision
        if len(_DECISIONS) > _DECISIONS_KEPT:
            _DECISIONS.popitem(last=False)
    return decision


def _mask_if_id(field: str, value: str | None, reveal: bool) -> str | None:
    return value if reveal or "id_number" not in field else mask_id(value)


def comparison_runs(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    runs = session.scalars(select(ComparisonRun).order_by(ComparisonRun.id.desc()).limit(limit)).all()
    return [
        {"id": r.id, "on": r.on_date, "profile": r.profile, "counts": json.loads(r.counts), "created_at": r.created_at}
        for r in runs
    ]
