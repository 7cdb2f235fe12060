"""What keeps the app fast without making it wrong: a household page costs the same number of queries whatever
the household's size; kept decisions and dashboards follow every change of the data they were computed from;
the income chart counts what the engine says. (Speed itself is measured in bench/web_latency.py.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from sqlalchemy import Engine, delete, event, func, insert, select, update

from doudi.registry.loader import load_frames
from doudi.registry.models import ChangeLogEntry, Enrollment, Household, ImportBatch, IncomeItem, Member
from doudi.rules.assess import assess_frames, assess_one
from doudi.web import services
from doudi.web.caching import registry_version, side_engine
from doudi.web.models import WebDecisionCache


@contextmanager
def counted_statements(engine: Any) -> Iterator[list[str]]:
    """Statements on the app's engine and on the one its engine batches and cache writes use."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engines = (engine, side_engine(engine))
    for each in engines:
        event.listen(each, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        for each in engines:
            event.remove(each, "before_cursor_execute", seen)


def _households_by_size(engine: Any) -> tuple[str, str]:
    """The county's smallest and largest household (by members, then by income rows)."""
    with engine.connect() as connection:
        sizes = connection.execute(
            select(Member.household_id, func.count())
            .group_by(Member.household_id)
            .order_by(func.count(), Member.household_id)
        ).all()
    return sizes[0][0], sizes[-1][0]


def _engine_decision(web: Any, household_id: str) -> dict[str, Any]:
    with web.app.state.web.engine.connect() as connection:
        return assess_one(load_frames(connection, household_ids=[household_id], on=web.app.state.web.on))


def _add_wage(engine: Engine, household_id: str, yearly_fen: int) -> None:
    """A wage for the household's first member, written behind the app's back (as an import would)."""
    with engine.begin() as connection:
        head = connection.scalar(
            select(Member.id_number).where(Member.household_id == household_id).order_by(Member.id).limit(1)
        )
        connection.execute(
            insert(IncomeItem).values(
                household_id=household_id, id_number=head, kind="wage", yearly_fen=yearly_fen, poverty_project=False
            )
        )


def test_a_household_page_costs_the_same_queries_whatever_the_households_size(web: Any) -> None:
    client = web.client("county_civil_affairs")
    engine = web.app.state.web.engine
    small, large = _households_by_size(engine)
    with engine.connect() as connection:
        members = dict(
            connection.execute(
                select(Member.household_id, func.count())
                .where(Member.household_id.in_([small, large]))
                .group_by(Member.household_id)
            ).all()
        )
    assert members[large] >= members[small] + 3, "the synthetic county has a big household and a small one"
    counts = {}
    for visit in ("first", "again"):  # the engine runs on the first visit; the second reads the kept decision
        for household_id in (small, large):
            with counted_statements(engine) as statements:
                assert client.get(f"/households/{household_id}").status_code == 200
            counts[visit, household_id] = len(statements)
    assert counts["first", small] == counts["first", large]
    assert counts["again", small] == counts["again", large]
    assert counts["again", small] < counts["first", small]  # the kept decision spares the engine's reads


def test_a_kept_decision_is_the_engines_and_a_change_of_the_household_is_a_new_one(web: Any) -> None:
    client = web.client("county_civil_affairs")
    engine = web.app.state.web.engine
    household_id = web.enrollable_household("county_civil_affairs")
    first = client.get(f"/api/households/{household_id}").json()["decision"]
    assert first == _engine_decision(web, household_id)
    again = client.get(f"/api/households/{household_id}").json()["decision"]
    assert again == first  # read back from the kept table: the same JSON
    with engine.connect() as connection:
        kept = connection.scalar(select(func.count()).select_from(WebDecisionCache))
    assert kept == 1

    # An import (or anybody) raises the household's income behind the app's back: the page follows.
    _add_wage(engine, household_id, 3_000_000)
    changed = client.get(f"/api/households/{household_id}").json()["decision"]
    assert changed == _engine_decision(web, household_id)
    assert changed["per_capita_income_monthly"] != first["per_capita_income_monthly"]

    # A new assessment date is a new decision too (the engine's date-dependent rules).
    web.app.state.web.on = dt.date(2020, 12, 1)
    later = client.get(f"/api/households/{household_id}").json()["decision"]
    assert later["on"] == "2020-12-01"


def test_the_history_holds_the_households_own_changes_and_no_other_households(web: Any) -> None:
    client = web.client("county_civil_affairs")
    engine = web.app.state.web.engine
    household_id = web.enrollable_household("county_civil_affairs")
    with engine.begin() as connection:
        batch = connection.execute(
            insert(ImportBatch).values(file_name="台账.xlsx", sha256="0" * 64, source_kind="dibao")
        ).inserted_primary_key[0]
        for key, field in (
            (household_id, "address"),
            (f"{household_id}/220182199001011234", "health"),
            (f"{household_id}0/220182199001011234", "labor_capacity"),  # another id that starts with this one
            (f"{household_id}_x", "relation"),  # LIKE's wildcard in a key must not match
        ):
            connection.execute(
                insert(ChangeLogEntry).values(
                    batch_id=batch, table_name="members", record_key=key, field=field, old_value="a", new_value="b"
                )
            )
    history = client.get(f"/api/households/{household_id}").json()["history"]
    assert sorted(h["field"] for h in history) == ["address", "health"]


def _dibao_households(client: Any) -> int:
    figures: int = client.get("/api/dashboard").json()["figures"]["dibao_households"]
    return figures


def _not_on_dibao(engine: Any) -> str:
    with engine.connect() as connection:
        on_dibao = select(Enrollment.household_id).where(Enrollment.program == "dibao")
        found: str = connection.scalar(
            select(Household.id).where(Household.id.not_in(on_dibao)).order_by(Household.id).limit(1)
        )
    return found


def test_the_dashboard_is_recounted_after_an_enrollment_change(web: Any) -> None:
    client = web.client("county_civil_affairs")
    engine = web.app.state.web.engine
    before = client.get("/api/dashboard").json()
    assert before["stale"] is False
    household_id = _not_on_dibao(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(Enrollment).values(
                household_id=household_id, program="dibao", scope="household", since=dt.date(2020, 5, 1)
            )
        )
    # The kept figures are shown marked as older than the registry, while they are recounted in the background.
    shown = client.get("/api/dashboard").json()
    assert shown["stale"] is True
    assert shown["figures"]["dibao_households"] == before["figures"]["dibao_households"]
    services.wait_for_refreshes()
    after = client.get("/api/dashboard").json()
    assert after["stale"] is False
    assert after["figures"]["dibao_households"] == before["figures"]["dibao_households"] + 1
    may = next(m for m in after["by_month"] if m["month"] == "2020年5月")
    assert may["enrolled"] == next(m for m in before["by_month"] if m["month"] == "2020年5月")["enrolled"] + 1

    # An exit (an update) and a deletion count as changes too; ?fresh=true waits for the new figures.
    with engine.begin() as connection:
        connection.execute(update(Enrollment).where(Enrollment.household_id == household_id).values(status="exited"))
    assert (
        client.get("/api/dashboard", params={"fresh": "true"}).json()["figures"]["dibao_households"]
        == (before["figures"]["dibao_households"])
    )
    with engine.begin() as connection:
        connection.execute(delete(Enrollment).where(Enrollment.household_id == household_id))
    assert client.get("/api/dashboard").json()["stale"] is True
    services.wait_for_refreshes()


def test_the_registry_version_moves_with_registry_writes_only(web: Any) -> None:
    engine = web.app.state.web.engine
    with engine.connect() as connection:
        start = registry_version(connection)
    assert start is not None
    web.client("county_civil_affairs")  # a login writes the session tables, not the registry
    with engine.connect() as connection:
        assert registry_version(connection) == start
    household_id = _not_on_dibao(engine)
    seen = {start}
    for change in (
        update(Household).where(Household.id == household_id).values(registered_poor=True),
        update(Member).where(Member.household_id == household_id).values(death_date=dt.date(2020, 1, 1)),
        insert(IncomeItem).values(household_id=household_id, kind="wage", yearly_fen=1, poverty_project=False),
        delete(IncomeItem).where(IncomeItem.household_id == household_id),
    ):
        with engine.begin() as connection:
            connection.execute(change)
        with engine.connect() as connection:
            version = registry_version(connection)
        assert version not in seen
        seen.add(version)


def test_a_village_dashboard_is_kept_apart_from_the_countys(web: Any) -> None:
    county = web.client("county_civil_affairs").get("/api/dashboard").json()
    village = web.client("village_assistant").get("/api/dashboard").json()
    assert village["figures"]["households"] < county["figures"]["households"]
    assert {v["code"] for v in village["by_village"]} == {web.accounts["village_assistant"].area_code}
    # Kept figures are per area: the county's view again is the county's.
    assert web.client("county_civil_affairs").get("/api/dashboard").json()["figures"] == county["figures"]


def test_the_income_chart_counts_each_dibao_household_in_the_band_the_engine_puts_it(web: Any) -> None:
    client = web.client("county_civil_affairs")
    engine = web.app.state.web.engine
    area = web.accounts["county_civil_affairs"].area_code
    bands = client.get("/api/dashboard").json()["income_vs_standard"]
    # Independently: the live dibao households by SQL, their engine figures by assess_frames over the area.
    with engine.connect() as connection:
        enrolled = set(
            connection.scalars(
                select(Enrollment.household_id).where(
                    Enrollment.program == "dibao", Enrollment.status.in_(("active", "gradual_exit"))
                )
            )
        )
        evaluated = assess_frames(load_frames(connection, region_prefix=area, on=web.app.state.web.on)).evaluated
    households = evaluated["household"].filter(pl.col("household_id").is_in(list(enrolled)))
    ratio = households["counted_income_fen_e4"] / households["household_line_fen_e4"]
    assert sum(b["households"] for b in bands) == len(enrolled) == households.height
    for band in bands:
        inside = ratio >= band["low"]
        if band["high"] is not None:
            inside &= ratio < band["high"]
        assert band["households"] == int(inside.sum()), band["label"]
    assert any(b["households"] for b in bands if b["high"] is not None and b["high"] <= 1)
    page = client.get("/").text
    assert "在保低保户人均收入与保障标准" in page
    assert f'<a href="/households?kind=dibao">{len(enrolled):,}</a>' in page
    for band in bands:
        assert band["label"] in page


def test_doudi_keep_decisions_keeps_the_engines_decisions_and_pages_follow_any_later_change(
    web: Any, monkeypatch: Any
) -> None:
    from doudi.web import prefill

    client = web.client("county_civil_affairs")
    engine = web.app.state.web.engine
    on = web.app.state.web.on
    with engine.connect() as connection:
        households = connection.scalars(select(Household.id).order_by(Household.id)).all()
    # Small batches: the key ranges between them must neither lose nor repeat a household.
    filled = prefill.keep_every_decision(engine, on, chunk=37)
    assert filled.households == len(households)
    assert filled.assessed + filled.not_assessable == len(households)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(WebDecisionCache)) == filled.assessed

    household_id = web.enrollable_household("county_civil_affairs")
    _, large = _households_by_size(engine)
    expected = {h: _engine_decision(web, h) for h in (household_id, large, households[0], households[-1])}

    def no_engine(*_args: Any) -> Any:
        raise AssertionError("a household page ran the engine although its decision was kept")

    monkeypatch.setattr(services, "batcher", no_engine)
    for shown, decision in expected.items():
        assert client.get(f"/api/households/{shown}").json()["decision"] == decision
    # A village assistant still sees only their own village, kept decisions or not.
    village = web.client("village_assistant")
    area = web.accounts["village_assistant"].area_code
    elsewhere = next(h for h in web.county.households.iter_rows(named=True) if not h["village_code"].startswith(area))
    assert village.get(f"/households/{elsewhere['household_id']}").status_code == 404
    assert village.get(f"/api/households/{elsewhere['household_id']}").status_code == 404
    monkeypatch.undo()

    # Nothing changed: a second run only checks.
    again = prefill.keep_every_decision(engine, on, chunk=37)
    assert (again.assessed, again.evaluated) == (0, 0)
    # A household of a region without a standard is refused, so nothing is kept for it: later runs give the
    # engine that household alone, not its whole batch again.
    refused = households[len(households) // 2]
    with engine.begin() as connection:
        region = connection.scalar(select(Household.region_code).where(Household.id == refused))
        connection.execute(update(Household).where(Household.id == refused).values(region_code="990101"))
    for _ in range(2):
        again = prefill.keep_every_decision(engine, on, chunk=37)
        assert (again.assessed, again.evaluated, again.not_assessable) == (0, 1, 1)
    with engine.begin() as connection:
        connection.execute(update(Household).where(Household.id == refused).values(region_code=region))

    # A member falls seriously ill and the household earns more, behind the app's back: the page shows the
    # engine's new decision at once (not the kept one), and the next fill re-assesses that household alone.
    before = expected[household_id]
    with engine.begin() as connection:
        connection.execute(update(Member).where(Member.household_id == household_id).values(health="serious_illness"))
    ill = client.get(f"/api/households/{household_id}").json()["decision"]
    assert ill == _engine_decision(web, household_id)
    assert ill["benefit_parts"]["supplements"] != before["benefit_parts"]["supplements"]
    _add_wage(engine, household_id, 9_000_000)
    richer = client.get(f"/api/households/{household_id}").json()["decision"]
    assert richer == _engine_decision(web, household_id)
    assert richer["per_capita_income_monthly"] != ill["per_capita_income_monthly"]
    assert richer["decision"] != before["decision"]
    with engine.begin() as connection:
        connection.execute(
            delete(IncomeItem).where(IncomeItem.household_id == household_id, IncomeItem.yearly_fen == 9_000_000)
        )
    changed = prefill.keep_every_decision(engine, on, chunk=37)
    assert (changed.assessed, changed.evaluated) == (2, 2)  # with the refused household, written back since


def test_a_household_page_holds_one_pooled_connection(web: Any) -> None:
    # A page that took a second connection while holding its first could wait forever on a pool its
    # concurrent neighbours have filled the same way (HTTP 500 after the pool's timeout, under load).
    from doudi.web.prefill import keep_every_decision

    client = web.client("county_civil_affairs")
    engine = web.app.state.web.engine
    keep_every_decision(engine, web.app.state.web.on)
    checkouts: list[object] = []

    def checked_out(*_args: Any) -> None:
        checkouts.append(_args)

    event.listen(engine.pool, "checkout", checked_out)
    try:
        for household_id in _households_by_size(engine):
            checkouts.clear()
            assert client.get(f"/households/{household_id}").status_code == 200
            assert len(checkouts) == 1
    finally:
        event.remove(engine.pool, "checkout", checked_out)
