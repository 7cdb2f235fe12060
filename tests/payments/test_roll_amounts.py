"""Payment roll amounts worked by hand (COV-2, COV-3, COV-7, EXIT-1/2/3), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, update

from doudi.payments.approval import approve_roll, payment_roll
from doudi.payments.roll import compute_roll
from doudi.registry.models import Enrollment
from payments.payment_builders import add_household


def _row(engine: Engine, month: str, household_id: str) -> dict:
    rows = compute_roll(engine, month).rows.filter(pl.col("household_id") == household_id)
    assert rows.height == 1, f"{household_id} should be on the {month} roll once"
    return rows.row(0, named=True)


@pytest.mark.parametrize(
    ("county", "month", "elderly_age", "supplement_yuan"),
    [
        # COV-3 Jilin 2020 (profile supplements: elderly 60+ 30 yuan a month).
        ("220182", "2020-07", 65, 30),
        # COV-3 Yunnan 2018 二(一): elderly 60+ 40 yuan.
        ("530523", "2019-07", 65, 40),
        # COV-3 Fengjie 2017 三(三)2: 70+ 30 yuan; a 65-year-old gets nothing.
        ("500236", "2017-07", 72, 30),
        ("500236", "2017-07", 65, 0),
        # Inner Mongolia 2016 sets no classified supplement: the whole amount is 保障金.
        ("150721", "2017-07", 65, 0),
    ],
)
def test_approved_amount_splits_into_top_up_and_class_supplement(
    registry_engine: Engine, county: str, month: str, elderly_age: int, supplement_yuan: int
) -> None:
    year = int(month[:4])
    add_household(
        registry_engine, "h01", [elderly_age, 40], county=county, on=dt.date(year, 7, 1), since=dt.date(year, 1, 5)
    )
    row = _row(registry_engine, month, "h01")
    # Approved 500 yuan a month = 保障金 + 分类施保金; nothing owed from before, no roll approved earlier.
    assert row["supplement_fen"] == supplement_yuan * 100
    assert row["benefit_fen"] == 50_000 - supplement_yuan * 100
    assert row["total_fen"] == 50_000
    assert row["persons"] == 2
    assert row["name"] == "张01一"


def test_jilin_2020_gradual_exit_pays_half_in_the_second_year(registry_engine: Engine) -> None:
    # EXIT-3 (吉民发〔2020〕7号 二(四)2): 18 months, benefit falling yearly by 50% (the profile's share).
    # Started May 2019, so July 2020 is month 15 of 18: second year, 400 × 50% = 200 yuan.
    add_household(
        registry_engine,
        "h02",
        [45],
        since=dt.date(2018, 3, 1),
        status="gradual_exit",
        gradual_exit_since=dt.date(2019, 5, 20),
        gradual_exit_base_yuan=400,
        monthly_yuan=400,
    )
    row = _row(registry_engine, "2020-07", "h02")
    assert (row["benefit_fen"], row["supplement_fen"], row["total_fen"]) == (20_000, 0, 20_000)
    assert "渐退期" in row["note"]
    # Month 4 of 18 (started April 2020) is still the first year: the full 400 yuan.
    add_household(
        registry_engine,
        "h03",
        [45],
        since=dt.date(2018, 3, 1),
        status="gradual_exit",
        gradual_exit_since=dt.date(2020, 4, 2),
        gradual_exit_base_yuan=400,
    )
    assert _row(registry_engine, "2020-07", "h03")["total_fen"] == 40_000


def test_jilin_2016_gradual_exit_falls_monthly_and_stops_after_18_months(registry_engine: Engine) -> None:
    # EXIT-1 (吉政办发〔2016〕81号 二(三)3): 18 months, falling monthly: month k pays (18 − k + 1)/18.
    # Started January 2019; July 2019 is month 7: 360 × 12/18 = 240 yuan.
    add_household(
        registry_engine,
        "h04",
        [45],
        on=dt.date(2019, 7, 1),
        since=dt.date(2017, 3, 1),
        status="gradual_exit",
        gradual_exit_since=dt.date(2019, 1, 15),
        gradual_exit_base_yuan=360,
    )
    assert _row(registry_engine, "2019-07", "h04")["total_fen"] == 24_000
    # July 2020 would be month 19: the period is over, payment stops pending the exit assessment.
    stops = compute_roll(registry_engine, "2020-07").stops
    assert stops.filter(pl.col("household_id") == "h04")["reason"].to_list() == ["渐退期已满，停发，待退出评估"]


def test_new_enrollee_is_paid_from_the_month_after_approval(registry_engine: Engine) -> None:
    # COV-7: approved 10 July 2020 → not on the July roll, first paid in August.
    add_household(registry_engine, "h05", [50], since=dt.date(2020, 7, 10))
    assert compute_roll(registry_engine, "2020-07").rows.height == 0
    assert _row(registry_engine, "2020-08", "h05")["total_fen"] == 50_000
    # A case confirmed in July enrolls from 1 August (cases: since = first of the month after): paid in August.
    add_household(registry_engine, "h12", [50], since=dt.date(2020, 8, 1), monthly_yuan=200)
    assert compute_roll(registry_engine, "2020-07").rows.height == 0
    assert _row(registry_engine, "2020-08", "h12")["total_fen"] == 20_000


def test_late_entry_is_paid_arrears_for_each_approved_roll_it_missed(registry_engine: Engine) -> None:
    add_household(registry_engine, "h06", [50], since=dt.date(2020, 1, 10))
    approve_roll(registry_engine, "2020-05", "220182", "李科长")
    approve_roll(registry_engine, "2020-06", "220182", "李科长")
    # Approved 20 April, entered only in late June: due from May (COV-7), missed on May's and June's rolls.
    add_household(registry_engine, "h07", [50], since=dt.date(2020, 4, 20), monthly_yuan=300)
    row = _row(registry_engine, "2020-07", "h07")
    assert row["arrears_fen"] == 2 * 30_000
    assert row["total_fen"] == 3 * 30_000
    assert row["first_month"] == "2020-05"
    assert "补发2个月" in row["note"]
    # The household that was paid each month owes nothing back.
    assert _row(registry_engine, "2020-07", "h06")["arrears_fen"] == 0


def test_exits_and_deaths_stop_payment(registry_engine: Engine) -> None:
    add_household(registry_engine, "h08", [80], deaths={0: dt.date(2020, 6, 15)})
    add_household(registry_engine, "h09", [50], status="exited", until=dt.date(2020, 6, 30))
    add_household(registry_engine, "h10", [50, 20], deaths={0: dt.date(2020, 6, 15)})
    roll = compute_roll(registry_engine, "2020-07")
    reasons = dict(roll.stops.select("household_id", "reason").iter_rows())
    assert reasons == {"h08": "保障对象已死亡，停发", "h09": "已退出，停发"}
    # A household where one of two died is still paid; the roll counts the living and names the new head.
    row = roll.rows.row(0, named=True)
    assert (row["household_id"], row["persons"], row["name"]) == ("h10", 1, "张10二")


def test_an_approved_roll_is_frozen(registry_engine: Engine) -> None:
    add_household(registry_engine, "h11", [50])
    approved = approve_roll(registry_engine, "2020-07", "", "李科长")
    with registry_engine.begin() as connection:
        connection.execute(update(Enrollment).values(monthly_benefit_fen=77_700))
    again = payment_roll(registry_engine, "2020-07")
    assert again.roll_id == approved.roll_id
    assert again.rows.drop("bank_status", "bank_message").equals(approved.rows.drop("bank_status", "bank_message"))
    assert again.total_fen == 50_000
    # Approving again changes nothing; the change reaches the next month.
    assert approve_roll(registry_engine, "2020-07", "", "王局长").approved_by == "李科长"
    assert payment_roll(registry_engine, "2020-08").total_fen == 77_700
