"""Watch lists (MON-1, MON-4: 三个一万人): the remaining poor, those at risk of returning to poverty and the
edge population, each household marked covered (dibao, 特困, temporary assistance) or not yet, with the reason,
and closed off one by one (对帐销号).

Who is on which list is decided from the engine's variables, by vectorized expressions:
- remaining_poor: registered poor, not yet escaped (004 二(二) 剩余贫困人口);
- return_risk: escaped poverty and the engine's fall-back risk (EXIT-4) is high (存在返贫风险);
- edge: not registered poor, per-capita income below `monitoring.edge_income_multiple` × the standard
  (防止边缘人口致贫), covered or not.
A household stays on a list until it is reconciled: automatically when it is covered or no longer qualifies,
by hand (with a note) otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import Engine, bindparam, func, select, update

from doudi.audit import record_bulk
from doudi.monitoring.models import WatchItem
from doudi.monitoring.signals import below_edge
from doudi.monitoring.storage import insert_new
from doudi.policy.profile import Profile

LISTS = {"remaining_poor": "剩余贫困人口", "return_risk": "存在返贫风险人口", "edge": "边缘人口"}
COVERAGE = {"dibao": "已纳入低保", "tekun": "已纳入特困供养", "temporary": "已给予临时救助", "none": "未保障"}

_LIST_REASON = {
    "remaining_poor": "建档立卡未脱贫",
    "return_risk": "已脱贫，退出后返贫风险较大",
    "edge": "非建档立卡，人均收入低于边缘线",
}


class WatchError(ValueError):
    """A reconciliation request that cannot be carried out (Chinese message)."""


def membership(households: pl.DataFrame, p: Profile) -> pl.DataFrame:
    """One row per (list, household) for the households of one profile."""
    if not p.monitoring.enabled.value:
        return pl.DataFrame(schema={"list_name": pl.String, "household_id": pl.String, "reason": pl.String})
    on_lists = {
        "remaining_poor": pl.col("registered_poor") & ~pl.col("escaped_poverty"),
        "return_risk": pl.col("escaped_poverty") & pl.col("fall_back_risk_high"),
        "edge": ~pl.col("registered_poor") & below_edge(p),
    }
    why_not = (
        pl.when(pl.col("coverage") != "none")
        .then(pl.col("coverage").replace_strict(COVERAGE, default=None))
        .when(pl.col("household_eligible"))
        .then(pl.lit("未保障：符合低保条件，应及时纳入"))
        .otherwise(pl.lit("未保障：经评估不符合低保条件，需关注并落实其他帮扶"))
    )
    parts = [
        households.filter(condition.fill_null(False)).select(
            pl.lit(name).alias("list_name"),
            "household_id",
            pl.concat_str(pl.lit(_LIST_REASON[name] + "；"), why_not).alias("reason"),
        )
        for name, condition in on_lists.items()
    ]
    return pl.concat(parts)


def record(connection: Any, members: pl.DataFrame, households: pl.DataFrame, on: dt.date) -> None:
    """Add households new to a list; refresh coverage, reason and last-seen day of open items."""
    if members.is_empty():
        return
    rows = members.join(
        households.select("household_id", "region_code", "village_code", "household_size", "coverage"),
        on="household_id",
        how="left",
    ).select(
        "list_name",
        "household_id",
        "region_code",
        "village_code",
        pl.col("household_size").alias("persons"),
        "coverage",
        "reason",
        pl.lit(on).alias("first_listed"),
        pl.lit(on).alias("last_seen"),
    )
    records = rows.to_dicts()
    insert_new(connection, WatchItem.__table__, records)  # type: ignore[arg-type]
    refresh = (
        update(WatchItem)
        .where(
            WatchItem.list_name == bindparam("b_list"),
            WatchItem.household_id == bindparam("b_household"),
            WatchItem.closed_on.is_(None),
        )
        .values(coverage=bindparam("b_coverage"), reason=bindparam("b_reason"), last_seen=on)
    )
    connection.execute(
        refresh,
        [
            {
                "b_list": r["list_name"],
                "b_household": r["household_id"],
                "b_coverage": r["coverage"],
                "b_reason": r["reason"],
            }
            for r in records
        ],
    )


def watch_list(
    engine: Engine, list_name: str, region_prefix: str | None = None, open_only: bool = True
) -> list[dict[str, Any]]:
    _check_list(list_name)
    query = select(WatchItem).where(WatchItem.list_name == list_name)
    if region_prefix:
        query = query.where(
            WatchItem.village_code.like(f"{region_prefix}%") | WatchItem.region_code.like(f"{region_prefix}%")
        )
    if open_only:
        query = query.where(WatchItem.closed_on.is_(None))
    with engine.connect() as connection:
        return [
            dict(r)
            for r in connection.execute(query.order_by(WatchItem.village_code, WatchItem.household_id)).mappings()
        ]


def reconcile(
    engine: Engine,
    list_name: str,
    by: str,
    *,
    household_ids: list[str] | None = None,
    note: str | None = None,
    on: dt.date | None = None,
) -> dict[str, int]:
    """对帐销号. Without households: close every open item that is covered, or that the latest run no longer
    put on the list (not seen since). With households: close those items, each with the note (required,
    since the system cannot check the reason). Returns {closed, open} counts."""
    _check_list(list_name)
    if not by.strip():
        raise WatchError("请填写经办人姓名")
    on = on or dt.date.today()
    with engine.begin() as connection:
        open_items = select(WatchItem.id).where(WatchItem.list_name == list_name, WatchItem.closed_on.is_(None))
        if household_ids:
            if not (note or "").strip():
                raise WatchError("逐户销号须填写核实情况（--note）")
            found = set(
                connection.execute(
                    open_items.with_only_columns(WatchItem.household_id).where(
                        WatchItem.household_id.in_(household_ids)
                    )
                ).scalars()
            )
            missing = [h for h in household_ids if h not in found]
            if missing:
                raise WatchError(f"以下家庭不在{LISTS[list_name]}名单的未销号项中：{'、'.join(missing)}")
            chosen = open_items.where(WatchItem.household_id.in_(household_ids))
            values = {"closing_note": note}
        else:
            latest = connection.execute(
                select(func.max(WatchItem.last_seen)).where(WatchItem.list_name == list_name)
            ).scalar_one_or_none()
            stale = WatchItem.last_seen < latest if latest else WatchItem.id.is_(None)
            chosen = open_items.where((WatchItem.coverage != "none") | stale)
            values = {
                "closing_note": note or "系统核对：已纳入保障，或最近一次比对已不在名单内",
            }
        closed = connection.execute(select(func.count()).select_from(chosen.subquery())).scalar_one()
        if closed:
            ids = select(chosen.subquery().c.id)
            connection.execute(
                update(WatchItem).where(WatchItem.id.in_(ids)).values(closed_on=on, closed_by=by.strip(), **values)
            )
            summary = {
                "list": list_name,
                "closed": closed,
                "households": household_ids or "covered or no longer listed",
            }
            record_bulk(connection, by.strip(), "monitor_watch_items", "update", summary, values["closing_note"])
        remaining = connection.execute(
            select(func.count()).where(WatchItem.list_name == list_name, WatchItem.closed_on.is_(None))
        ).scalar_one()
    return {"closed": closed, "open": remaining}


def _check_list(list_name: str) -> None:
    if list_name not in LISTS:
        raise WatchError(f"名单应为：{'、'.join(f'{k}（{v}）' for k, v in LISTS.items())}")
