"""Dynamic management: changes re-assessed by the engine into keep / adjust / gradual exit / exit (DYN-5,
EXIT-1..5), reviews due by class (DYN-4), the yearly recertification and its sign-off (DYN-3, PRO-6)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select

from cases.households import add_household, enroll
from doudi.cases import dynamic
from doudi.cases.errors import CaseError
from doudi.cases.models import ChangeReport, Signoff
from doudi.cases.session import unit_of_work
from doudi.registry.models import Enrollment

D = dt.date
# Two working-age adults (born 1980), so neither age nor illness makes the fall-back risk high (EXIT-4).
ADULTS = (("220102198001010011", "王一", "户主"), ("220102198203030022", "赵二", "配偶"))


def _enrolled(engine: Engine, yearly_income_yuan: int = 2000) -> int:
    with unit_of_work(engine) as session:
        add_household(session, "H1", yearly_income_yuan=yearly_income_yuan, members=ADULTS)
        return enroll(session, "H1", D(2019, 1, 1), 50000).id


def test_income_well_above_the_standard_proposes_exit_after_the_risk_check(registry_engine: Engine) -> None:
    enrollment_id = _enrolled(registry_engine)
    with unit_of_work(registry_engine) as session:
        report = dynamic.record_income(
            session, "H1", kind="wage", yearly_fen=3_000_000, id_number=ADULTS[0][0], on=D(2020, 6, 1), by="村协理员"
        )
        # 30000 yuan a year for 2 persons is far above 2 × 4000: no gradual exit, and the risk is low (EXIT-4).
        assert (report.proposal, report.fall_back_risk_high) == ("exit", False)
        dynamic.apply(session, report.id, by="乡镇张", on=D(2020, 6, 2))
    with unit_of_work(registry_engine) as session:
        enrollment = session.get(Enrollment, enrollment_id)
        assert enrollment is not None and (enrollment.status, enrollment.until) == ("exited", D(2020, 6, 2))


def test_exit_is_refused_while_the_fall_back_risk_is_high(registry_engine: Engine) -> None:
    _enrolled(registry_engine)
    with unit_of_work(registry_engine) as session:
        report = dynamic.record_income(
            session, "H1", kind="wage", yearly_fen=3_000_000, id_number=None, on=D(2020, 6, 1), by="村协理员"
        )
        report.fall_back_risk_high = True  # as if the risk check had found a new serious illness
        with pytest.raises(CaseError, match="返贫风险较大，不能直接退出"):
            dynamic.apply(session, report.id, by="乡镇张", on=D(2020, 6, 2))


def test_gradual_exit_runs_and_ends_early_when_the_household_requalifies(registry_engine: Engine) -> None:
    enrollment_id = _enrolled(registry_engine)
    with unit_of_work(registry_engine) as session:
        report = dynamic.record_income(
            session,
            "H1",
            kind="wage",
            yearly_fen=1_000_000,
            id_number=ADULTS[0][0],
            on=D(2020, 6, 1),
            by="村协理员",
            poverty_project=True,
        )
        # 10000 yuan for 2 persons = 5000 each: above the 4000 standard, below 2 × → gradual exit (EXIT-3).
        assert report.proposal == "gradual_exit"
        record = json.loads(report.decision_json)
        assert len(record["gradual_exit_schedule"]) == 18 and record["gradual_exit_schedule"][0]["month"] == "2020-07"
        dynamic.apply(session, report.id, by="乡镇张", on=D(2020, 6, 2))
        enrollment = session.get(Enrollment, enrollment_id)
        assert enrollment is not None
        assert (enrollment.status, enrollment.gradual_exit_since, enrollment.gradual_exit_base_fen) == (
            "gradual_exit",
            D(2020, 7, 1),
            50000,
        )
    with unit_of_work(registry_engine) as session:
        # The project ends: income falls back below the standard → gradual exit ends, top-up again (EXIT-3).
        report = dynamic.record_income(
            session,
            "H1",
            kind="wage",
            yearly_fen=200_000,
            id_number=ADULTS[0][0],
            on=D(2020, 9, 1),
            by="村协理员",
            poverty_project=True,
        )
        assert report.proposal == "adjust" and "EXIT-3" in json.loads(report.decision_json)["rules"]
        dynamic.apply(session, report.id, by="乡镇张", on=D(2020, 9, 2))
        enrollment = session.get(Enrollment, enrollment_id)
        assert enrollment is not None and (enrollment.status, enrollment.gradual_exit_since) == ("active", None)
        # (4000 − 1000) × 2 / 12 = 500.00 a month (COV-2)
        assert enrollment.monthly_benefit_fen == 50000


def test_review_due_from_the_class_interval(registry_engine: Engine) -> None:
    _enrolled(registry_engine)
    with unit_of_work(registry_engine) as session:
        # jilin-2020 reviews every class yearly (DYN-4 as the profile sets it): since 2019-01-01 → due 2020-01-01.
        assert dynamic.review_due(session, D(2019, 12, 31)) == []
        [due] = dynamic.review_due(session, D(2020, 1, 1), "2201")
        assert (due.household_id, due.interval_months, due.next_review) == ("H1", 12, D(2020, 1, 1))
        report = dynamic.propose(session, "H1", kind="review", description="定期复核", on=D(2020, 1, 2), by="乡镇张")
        dynamic.apply(session, report.id, by="乡镇张", on=D(2020, 1, 2))
        assert dynamic.review_due(session, D(2020, 12, 31)) == []  # next review 2021-01-02


def test_a_review_on_a_months_last_day_is_due_again_on_that_day_as_the_engine_counts(registry_engine: Engine) -> None:
    """DYN-4: a review on 31 January with a yearly interval is next due on 31 January, the engine's next_review
    (the schedule once cut every date to the 28th)."""
    _enrolled(registry_engine)
    with unit_of_work(registry_engine) as session:
        report = dynamic.propose(session, "H1", kind="review", description="定期复核", on=D(2020, 1, 31), by="乡镇张")
        dynamic.apply(session, report.id, by="乡镇张", on=D(2020, 1, 31))
        assert dynamic.review_due(session, D(2021, 1, 30)) == []
        [due] = dynamic.review_due(session, D(2021, 1, 31), "2201")
        assert due.next_review == D(2021, 1, 31)


def test_recertification_tracks_every_household_and_is_signed_off(registry_engine: Engine) -> None:
    _enrolled(registry_engine)
    with unit_of_work(registry_engine) as session:
        add_household(session, "H2", yearly_income_yuan=30000, members=(("220102197505050033", "钱三", "户主"),))
        enroll(session, "H2", D(2019, 3, 1), 20000)
        campaign = dynamic.open_campaign(session, region_prefix="220102", year=2020, by="县民政局", on=D(2020, 10, 9))
        assert dynamic.assess_campaign(session, campaign.id, by="县民政局", on=D(2020, 10, 9)) == 2
        assert dynamic.campaign_status(session, campaign.id) == {"pending": 2}
        with pytest.raises(CaseError, match="还有 2 户未得出复核结果"):
            dynamic.sign_off(session, campaign.id, role="county_head", name="刘县长", on=D(2020, 12, 1))
        for report in session.scalars(select(ChangeReport).where(ChangeReport.campaign_id == campaign.id)):
            dynamic.apply(session, report.id, by="乡镇张", on=D(2020, 11, 2))
        assert dynamic.campaign_status(session, campaign.id) == {"keep": 1, "exit": 1}
        dynamic.sign_off(session, campaign.id, role="county_head", name="刘县长", on=D(2020, 12, 1))
        dynamic.sign_off(session, campaign.id, role="township_head", name="陈乡长", on=D(2020, 12, 1))
        assert {s.role for s in session.scalars(select(Signoff))} == {"county_head", "township_head"}
        with pytest.raises(CaseError, match="已于 2020年10月9日 开始"):
            dynamic.open_campaign(session, region_prefix="220102", year=2020, by="县民政局", on=D(2020, 10, 10))


def test_death_of_a_member_is_recorded_and_reassessed(registry_engine: Engine) -> None:
    _enrolled(registry_engine)
    with unit_of_work(registry_engine) as session:
        report = dynamic.record_death(session, "H1", ADULTS[1][0], D(2020, 5, 1), by="村协理员")
        record = json.loads(report.decision_json)
        assert record["household_size"] == 1 and report.kind == "death"
