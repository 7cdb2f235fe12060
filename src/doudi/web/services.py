"""What the pages and the JSON API show, read from the registry through the area scope. No policy logic here:
decisions come from doudi.rules (assess_one), ledgers from doudi.ingest, comparisons from doudi.linkage."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Row, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from doudi.cases.dynamic import review_due
from doudi.registry.comparison_runs import ComparisonFinding, ComparisonRun
from doudi.registry.models import IN_FORCE, ChangeLogEntry, Enrollment, Household, Member, Region
from doudi.rules.assess import AssessmentError
from doudi.rules.explain import mask_id
from doudi.web.caching import (
    keep_dashboard,
    kept_dashboard,
    kept_decision,
    registry_version,
    side_engine,
)
from doudi.web.decisions import HouseholdRows, batcher, household_rows, read_households
from doudi.web.models import WebAccessLog
from doudi.web.scope import household_filter, region_filter

log = logging.getLogger(__name__)

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


def _enrolled(program: str, statuses: tuple[str, ...] = IN_FORCE) -> Any:
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


def _names_of(session: Session, village_codes: list[str | None]) -> dict[str, str]:
    """The names of these villages and their townships (not the whole county's regions)."""
    codes = {code for village in village_codes if village for code in (village, village[:9])}
    if not codes:
        return {}
    return dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(sorted(codes)))).all())


# --- dashboard ---------------------------------------------------------------------------------------------


def dashboard(session: Session, area_code: str, today: dt.date, fresh: bool = False) -> dict[str, Any]:
    """Headline figures, per-village table, enrolments by month, income against the standard and due reviews
    for the area, with the cases, alerts and latest comparison read fresh (their own small tables).

    The registry's figures take seconds to minutes on a big county (two engine runs over the dibao
    households), so they are kept per area and day with the registry version they were computed at
    (doudi.web.caching). When the registry has changed since, the kept figures are shown marked as such
    (`stale`, with their time) while a background thread computes the new ones; `fresh` waits for them
    instead. Only an area's very first view waits."""
    version = registry_version(session.connection())
    kept = kept_dashboard(session, area_code, today) if version is not None else None
    stale = kept is not None and kept[0] != version
    if kept is None or (stale and fresh):
        figures = area_figures(session, area_code, today)
        as_of = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        stale = False
        if version is not None:
            keep_dashboard(session.get_bind(), area_code, today, version, figures)  # type: ignore[arg-type]
    else:
        _, figures, as_of = kept
        if stale:
            _refresh_later(session.get_bind(), area_code, today)  # type: ignore[arg-type]
    return {
        **figures,
        "as_of": as_of,
        "stale": stale,
        "comparison": latest_comparison(session, area_code),
        "panels": [
            case_panel(session, area_code, today, figures["figures"]["reviews_due"]),
            _alert_panel(session, area_code, today),
        ],
    }


_REFRESHING: dict[tuple[str, str, dt.date], threading.Thread] = {}
_REFRESHING_LOCK = threading.Lock()


def _refresh_later(engine: Engine, area_code: str, today: dt.date) -> None:
    key = (engine.url.render_as_string(hide_password=True), area_code, today)
    with _REFRESHING_LOCK:
        running = _REFRESHING.get(key)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(target=refresh_dashboard, args=(engine, area_code, today), daemon=True)
        _REFRESHING[key] = thread
        thread.start()


def refresh_dashboard(engine: Engine, area_code: str, today: dt.date) -> None:
    """Compute and keep the area's figures at the registry's current version (read before the figures, so a
    write that lands meanwhile leaves the kept figures marked stale, never wrongly current)."""
    try:
        with Session(side_engine(engine)) as session:
            version = registry_version(session.connection())
            if version is not None:
                keep_dashboard(engine, area_code, today, version, area_figures(session, area_code, today))
    except Exception:  # a background thread: log it, the next view tries again
        log.exception("dashboard refresh for %s failed", area_code)


def wait_for_refreshes(timeout: float = 600.0) -> None:
    """Block until the background dashboard refreshes started so far have finished (tests, benches)."""
    with _REFRESHING_LOCK:
        threads = list(_REFRESHING.values())
    for thread in threads:
        thread.join(timeout)


def area_figures(session: Session, area_code: str, today: dt.date) -> dict[str, Any]:
    """The registry's figures for the area: one pass over households (joined to per-household member and
    enrollment counts) grouped by village; the headline figures are the villages' sums."""
    live = Enrollment.status.in_(IN_FORCE)
    persons = (
        select(Member.household_id, func.count().label("alive"))
        .where(Member.death_date.is_(None))
        .group_by(Member.household_id)
        .subquery()
    )
    programs = (
        select(
            Enrollment.household_id,
            func.max(_as_int((Enrollment.program == "dibao") & live)).label("dibao"),
            func.max(_as_int((Enrollment.program == "dibao") & (Enrollment.status == "gradual_exit"))).label(
                "gradual_exit"
            ),
            func.max(_as_int((Enrollment.program == "tekun") & live)).label("tekun"),
            func.sum(_as_int((Enrollment.program == "tekun") & live)).label("tekun_enrollments"),
        )
        .group_by(Enrollment.household_id)
        .subquery()
    )
    alive = func.coalesce(persons.c.alive, 0)
    dibao = func.coalesce(programs.c.dibao, 0)
    poor = _as_int(Household.registered_poor.is_(True))
    rows = session.execute(
        select(
            Household.village_code,
            func.count(),
            func.sum(alive),
            func.sum(dibao),
            func.sum(dibao * alive),
            func.sum(func.coalesce(programs.c.tekun, 0)),
            func.sum(func.coalesce(programs.c.tekun_enrollments, 0)),
            func.sum(poor),
            func.sum(poor * alive),
            func.sum(poor * dibao),
            func.sum(func.coalesce(programs.c.gradual_exit, 0)),
        )
        .outerjoin(persons, persons.c.household_id == Household.id)
        .outerjoin(programs, programs.c.household_id == Household.id)
        .where(household_filter(area_code))
        .group_by(Household.village_code)
        .order_by(Household.village_code)
    ).all()
    keys = (
        "households",
        "persons",
        "dibao_households",
        "dibao_persons",
        "tekun_households",
        "tekun_persons",  # one 特困 enrollment per person supported
        "poor_households",
        "poor_persons",
        "overlap_households",
        "gradual_exit_households",
    )
    figures = dict.fromkeys(keys, 0)
    names = region_names(session, area_code[:6])  # the county's names: a village user's township too
    by_village = []
    for code, *values in rows:
        counted = dict(zip(keys, (int(v or 0) for v in values), strict=True))
        for key in keys:
            figures[key] += counted[key]
        by_village.append(
            {
                "code": code,
                "name": names.get(code or "", code),
                "township": names.get((code or "")[:9], ""),
                "households": counted["households"],
                "dibao": counted["dibao_households"],
                "poor": counted["poor_households"],
            }
        )
    figures["reviews_due"] = len(review_due(session, today, area_code))
    return {
        "area_code": area_code,
        "area_name": names.get(area_code, area_code),
        "figures": figures,
        "by_village": by_village,
        "by_month": _by_month(session, area_code, today),
        "income_vs_standard": income_vs_standard(session, area_code, today),
    }


def _by_month(session: Session, area_code: str, today: dt.date) -> list[dict[str, Any]]:
    first_month = dt.date(today.year - 1, today.month, 1)
    since_rows = session.execute(
        select(Enrollment.since)
        .join(Household, Household.id == Enrollment.household_id)
        .where(household_filter(area_code), Enrollment.program == "dibao", Enrollment.since >= first_month)
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
    return months


# Per-capita income as a share of the standard: the bands of the dashboard's chart (lower bound included).
INCOME_BANDS: tuple[tuple[float, float | None, str], ...] = (
    (0.0, 0.25, "不足标准的 25%"),
    (0.25, 0.5, "标准的 25%–50%"),
    (0.5, 0.75, "标准的 50%–75%"),
    (0.75, 1.0, "标准的 75%–100%"),
    (1.0, 1.5, "标准的 1–1.5 倍"),
    (1.5, 2.0, "标准的 1.5–2 倍"),
    (2.0, None, "标准的 2 倍及以上"),
)


def income_vs_standard(session: Session, area_code: str, today: dt.date) -> list[dict[str, Any]]:
    """Households on dibao in the area by counted per-capita income against their standard (the engine's own
    figures, ASM-1..3: counted income ÷ the household's line), in INCOME_BANDS."""
    from doudi.payments.roll import income_to_standard

    ids = session.scalars(
        select(Enrollment.household_id)
        .join(Household, Household.id == Enrollment.household_id)
        .where(household_filter(area_code), Enrollment.program == "dibao", Enrollment.status.in_(IN_FORCE))
        .distinct()
    ).all()
    if not ids:
        return []
    try:
        ratios = income_to_standard(session.connection(), sorted(ids), today)
    except ValueError as error:  # no profile or standard for the area: no chart, the rest of the page stands
        log.warning("income chart for %s: %s", area_code, error)
        return []
    bands = []
    for low, high, label in INCOME_BANDS:
        inside = (ratios >= low) if high is None else ((ratios >= low) & (ratios < high))
        bands.append({"label": label, "low": low, "high": high, "households": int(inside.sum())})
    return bands


def _alert_panel(session: Session, area_code: str, today: dt.date) -> dict[str, Any]:
    from doudi.web.alerts_views import alert_panel

    return alert_panel(session.get_bind(), area_code, today)  # type: ignore[arg-type]


def case_panel(session: Session, area_code: str, today: dt.date, reviews_due: int) -> dict[str, Any]:
    """Open cases and those past their step's deadline (doudi.cases decides what is overdue)."""
    from doudi.cases.models import Case
    from doudi.cases.service import overdue
    from doudi.cases.states import CLOSED

    open_cases = (
        session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.region_code.startswith(area_code, autoescape=True), Case.state.not_in(CLOSED))
        )
        or 0
    )
    late = len(overdue(session, today, area_code))
    return {
        "title": "案件与复核",
        "rows": [
            ("在办案件", f"{open_cases:,} 件", "/cases?open=true"),
            ("逾期未办结", f"{late:,} 件", "/cases?open=true"),
            ("到期应复核的低保户（DYN-4）", f"{reviews_due:,} 户", None),
        ],
    }


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
    by_name = bool(text) and not _ID_LIKE.match(text) and not text.isdigit()
    if text and not by_name:
        # IN (members found by an indexed column), not a correlated EXISTS: on a million households the
        # database starts from the few matching members, not from every household of the area.
        if _ID_LIKE.match(text):
            conditions.append(Household.id.in_(select(Member.household_id).where(Member.id_number == text.upper())))
        else:
            conditions.append(or_(Household.id == text, Household.household_no == text))
    if village:
        conditions.append(Household.village_code.startswith(village, autoescape=True))
    listed = _list_filter(kind)
    if listed is not None:
        conditions.append(listed)
    if by_name:
        # From the (name, household_id) index, in household order: a page of a common name's households is
        # read without visiting the rest of them (an IN list made PostgreSQL walk the households instead).
        key = Member.household_id
        found = select(key).join(Household, Household.id == key).where(Member.name == text, *conditions).distinct()
    else:
        key = Household.id
        found = select(key).where(*conditions)
    total = session.scalar(select(func.count()).select_from(found.subquery())) or 0
    page = max(page, 1)
    ids = session.scalars(found.order_by(key).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return SearchResult(_household_rows(session, area_code, list(ids)), total, page, max(1, -(-total // PAGE_SIZE)))


def _household_rows(session: Session, area_code: str, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    # Core rows of the columns shown, not ORM objects: a results page reads, it never changes them.
    households = {
        h.id: h
        for h in session.execute(
            select(Household.id, Household.household_no, Household.village_code, Household.registered_poor).where(
                Household.id.in_(ids)
            )
        )
    }
    names = _names_of(session, [h.village_code for h in households.values()])
    heads: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    members = select(Member.household_id, Member.name, Member.id_number, Member.relation, Member.death_date)
    for member in session.execute(members.where(Member.household_id.in_(ids)).order_by(Member.id)):
        if member.death_date is None:
            sizes[member.household_id] = sizes.get(member.household_id, 0) + 1
        if member.household_id not in heads or member.relation == "户主":
            heads[member.household_id] = member
    programs: dict[str, list[str]] = {}
    for enrollment in session.execute(
        select(Enrollment.household_id, Enrollment.program, Enrollment.status).where(
            Enrollment.household_id.in_(ids), Enrollment.status.in_(IN_FORCE)
        )
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


def find_household(session: Session, area_code: str, household_id: str) -> Row[Any] | None:
    """The household's row when it is in the area; None both when it does not exist and when it is elsewhere
    (the caller answers 404 either way, so another area's ids cannot even be probed)."""
    found = household_rows(session, and_(Household.id == household_id, household_filter(area_code)))
    return found[0] if found else None


def household_page(
    session: Session, area_code: str, household_id: str, on: dt.date, reveal: bool = False
) -> dict[str, Any] | None:
    """Everything the household page shows, in a fixed number of indexed queries whatever the household's size;
    the engine runs only when the household's rows (or the date, or the rules) differ from the kept decision."""
    household = find_household(session, area_code, household_id)
    if household is None:
        return None
    names = _names_of(session, [household.village_code])
    rows = read_households(session, [household])[household.id]
    members, incomes, enrollments = rows.members, rows.incomes, rows.enrollments
    by_person = {m.id_number: m.name for m in members}

    def shown(id_number: str | None) -> str | None:
        return id_number if reveal else mask_id(id_number)

    decision: dict[str, Any] | None = None
    decision_error = None
    try:
        decision = current_decision(session, rows, on)
    except (AssessmentError, ValueError) as error:
        decision_error = str(error)
    history = session.scalars(
        select(ChangeLogEntry)
        .where(or_(ChangeLogEntry.record_key == household_id, _key_prefix(session, household_id + "/")))
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


def current_decision(session: Session, rows: HouseholdRows, on: dt.date) -> dict[str, Any]:
    """The engine's decision for the household as the registry holds it now: the kept one when its rows, the
    date and the rules are those it was computed from, else a fresh one (doudi.web.decisions)."""
    kept = kept_decision(session, rows.household.id, rows.fingerprint(on))
    if kept is not None:
        return kept
    if not (session.new or session.dirty or session.deleted):
        session.commit()  # a read so far: give its connection back to the pool while the engine works
    return batcher(session.get_bind()).decide(rows.household.id, on)  # type: ignore[arg-type]


def _key_prefix(session: Session, prefix: str) -> Any:
    """change_log.record_key starting with `prefix`, in a form each database answers from its index."""
    column = ChangeLogEntry.record_key
    if session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE ignores case, so it cannot use a plain index; a range over the bytes can.
        return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped + "%", escape="\\")


def _mask_if_id(field: str, value: str | None, reveal: bool) -> str | None:
    return value if reveal or "id_number" not in field else mask_id(value)


def comparison_runs(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    runs = session.scalars(select(ComparisonRun).order_by(ComparisonRun.id.desc()).limit(limit)).all()
    return [
        {"id": r.id, "on": r.on_date, "profile": r.profile, "counts": json.loads(r.counts), "created_at": r.created_at}
        for r in runs
    ]
