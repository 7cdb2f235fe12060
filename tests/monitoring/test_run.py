"""`doudi monitor run` over a small registry: alerts raised once per event, handled, escalated when overdue;
watch lists reconciled to zero; a household's history. Jilin, 2020: rural standard 4,000 yuan a year."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from doudi.audit.models import AuditRecord
from doudi.linkage.id_numbers import check_digit
from doudi.monitoring.alerts import AlertError, AlertFilter, handle_alert, list_alerts
from doudi.monitoring.feeds import import_feed_records
from doudi.monitoring.history import household_history
from doudi.monitoring.models import Alert, IncomeSnapshot
from doudi.monitoring.run import run_monitor
from doudi.monitoring.schedule import next_due
from doudi.monitoring.watch_lists import WatchError, reconcile, watch_list
from doudi.registry.database import session_factory
from doudi.registry.models import Household, IncomeItem, Member, Region

JUNE, JULY = dt.date(2020, 6, 1), dt.date(2020, 7, 1)
VILLAGE, TOWNSHIP = "220182100201", "220182100"


def pid(birth: str, serial: str) -> str:
    first17 = f"220182{birth}{serial}"
    return first17 + check_digit(first17)


EARNER = pid("19800101", "001")
SPOUSE = pid("19820101", "002")
SINGLE = pid("19750101", "003")


@pytest.fixture
def engine(registry_engine):
    with session_factory(registry_engine).begin() as session:
        session.add_all(
            [
                Region(code="220182", name="榆树市", level="county"),
                Region(code=TOWNSHIP, name="五棵树镇", level="township", parent_code="220182"),
                Region(code=VILLAGE, name="前进村", level="village", parent_code=TOWNSHIP),
                Household(id="drop", region_code="220182", village_code=VILLAGE),
                Member(
                    household_id="drop",
                    id_number=SINGLE,
                    name="王一",
                    relation="户主",
                    sex="M",
                    birth_date=dt.date(1975, 1, 1),
                    health="healthy",
                ),
                IncomeItem(household_id="drop", id_number=SINGLE, kind="wage", yearly_fen=2_000_000),
                Household(id="earner", region_code="220182", village_code=VILLAGE),
                Member(
                    household_id="earner",
                    id_number=EARNER,
                    name="李二",
                    relation="户主",
                    sex="M",
                    birth_date=dt.date(1980, 1, 1),
                    health="healthy",
                ),
                Member(
                    household_id="earner",
                    id_number=SPOUSE,
                    name="张三",
                    relation="配偶",
                    sex="F",
                    birth_date=dt.date(1982, 1, 1),
                    health="healthy",
                ),
                IncomeItem(household_id="earner", id_number=EARNER, kind="wage", yearly_fen=3_000_000),
            ]
        )
    return registry_engine


def alerts_of(engine, household_id: str) -> list[tuple[str, str]]:
    found = list_alerts(engine, AlertFilter(household_id=household_id, status=None))
    return sorted((a["rule"], a["event_key"]) for a in found)


def test_alerts_are_raised_once_per_event_and_reruns_add_nothing(engine):
    first = run_monitor(engine, JUNE)
    assert (first.households, first.alerts_raised) == (2, 0)  # 20,000 and 15,000 a head: nobody at risk

    with session_factory(
        engine
    ).begin() as session:  # 王一 loses his job: 2,000 a year (166.67 a month), half the standard
        session.execute(update(IncomeItem).where(IncomeItem.household_id == "drop").values(yearly_fen=200_000))
    import_feed_records(engine, "death", [{"姓名": "李二", "身份证号码": EARNER, "死亡日期": "2020年6月20日"}])
    import_feed_records(engine, "death", [{"姓名": "李二", "身份证号码": EARNER, "死亡日期": "2020-06-20"}])

    second = run_monitor(engine, JULY)
    assert alerts_of(engine, "drop") == [("eligible_not_covered", "2020"), ("income_drop", "2020-07-01")]
    assert alerts_of(engine, "earner") == [("main_earner_death", "death:2020-06-20")]
    assert second.alerts_raised == 3

    again = run_monitor(engine, JULY)
    later = run_monitor(engine, dt.date(2020, 8, 1))  # the drop is now the "before": no second drop alert
    assert (again.alerts_raised, again.alerts_known) == (0, 3)
    assert later.alerts_raised == 0
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Alert)).scalar_one() == 3
        snapshots = connection.execute(select(func.count()).select_from(IncomeSnapshot)).scalar_one()
    assert snapshots == 2 * 3  # one per household and day, re-runs included

    drop = next(a for a in list_alerts(engine) if a["rule"] == "income_drop")
    assert drop["evidence"] == "月人均收入由¥1,666.67降至¥166.67（低保标准¥333.33）"
    assert (drop["policy_id"], drop["clause"]) == ("MON-2", "004 二(二)")
    assert (drop["village_code"], drop["township_code"]) == (VILLAGE, TOWNSHIP)
    assert drop["deadline"] == JULY + dt.timedelta(days=15)  # monitoring.alert_deadline_days
    assert drop["action"] == "assess_dibao"


def test_handling_and_escalation(engine):
    with session_factory(engine).begin() as session:
        session.execute(update(IncomeItem).where(IncomeItem.household_id == "drop").values(yearly_fen=200_000))
    run_monitor(engine, JULY)
    alert = list_alerts(engine, AlertFilter(household_id="drop"))[0]

    assert list_alerts(engine, AlertFilter(overdue_on=JULY + dt.timedelta(days=15))) == []
    overdue = list_alerts(engine, AlertFilter(overdue_on=JULY + dt.timedelta(days=16), township=TOWNSHIP))
    assert {a["level"] for a in overdue} == {"county"} and alert["id"] in {a["id"] for a in overdue}

    with pytest.raises(AlertError, match="必须填写理由"):
        handle_alert(engine, alert["id"], "no_action", by="刘干事")
    handled = handle_alert(engine, alert["id"], "assisted", by="刘干事", reason="已纳入低保", on=JULY)
    assert (handled["status"], handled["outcome_label"]) == ("handled", "已救助")
    with pytest.raises(AlertError, match="已办结"):
        handle_alert(engine, alert["id"], "referred", by="刘干事")
    with engine.connect() as connection:  # the handling is in the audit trail, under the officer's name
        audited = connection.execute(
            select(AuditRecord.who, AuditRecord.action).where(
                AuditRecord.table_name == "monitor_alerts", AuditRecord.record_key == str(alert["id"])
            )
        ).all()
    assert audited == [("刘干事", "update")]
    assert alert["id"] not in {a["id"] for a in list_alerts(engine, AlertFilter(overdue_on=dt.date(2020, 12, 1)))}

    history = household_history(engine, "drop")
    assert [r["on"] for r in history["runs"]] == [JULY]
    assert history["runs"][0]["risk_score"] == max(a["risk_score"] for a in history["alerts"])
    assert any(a["reason"] == "已纳入低保" for a in history["alerts"])
    assert history["watch"][0]["list"] == "edge"


def test_watch_lists_reconcile_to_zero(engine):
    with session_factory(engine).begin() as session:
        session.execute(update(IncomeItem).where(IncomeItem.household_id == "drop").values(yearly_fen=200_000))
    run_monitor(engine, JULY)
    assert [item["household_id"] for item in watch_list(engine, "edge")] == ["drop"]
    assert reconcile(engine, "edge", by="刘干事", on=JULY) == {"closed": 0, "open": 1}  # not covered yet
    with pytest.raises(WatchError, match="须填写核实情况"):
        reconcile(engine, "edge", by="刘干事", household_ids=["drop"])
    assert reconcile(engine, "edge", by="刘干事", household_ids=["drop"], note="已申请低保，入户核查中") == {
        "closed": 1,
        "open": 0,
    }
    assert watch_list(engine, "edge") == []
    assert watch_list(engine, "edge", open_only=False)[0]["closing_note"] == "已申请低保，入户核查中"


def test_monthly_schedule(engine):
    assert next_due(engine, JUNE).due  # never run
    run_monitor(engine, JUNE)
    assert not next_due(engine, dt.date(2020, 6, 30)).due
    due = next_due(engine, JULY)  # jilin-2020 comparison.every_months = 1 (004 二(七) 至少每月比对一次)
    assert (due.due, due.every_months, due.next_run) == (True, 1, JULY)


def test_medical_costs_count_within_the_look_back_window_only(engine):
    # 王一: 20,000 a year; 10,000 self-paid is half of it (monitoring.expense_share_of_income, 004 二(二))
    old = {"姓名": "王一", "身份证号码": SINGLE, "结算日期": "2019-07-01", "个人自付金额": "10000"}
    import_feed_records(engine, "medical", [old])
    run_monitor(engine, JULY)  # 12 months back from 2020-07-01 starts after 2019-07-01
    assert alerts_of(engine, "drop") == []
    recent = {**old, "结算日期": "2019-07-02"}
    import_feed_records(engine, "medical", [recent])
    run_monitor(engine, JULY)
    assert alerts_of(engine, "drop") == [("expense_spike", "2019-07-02")]
