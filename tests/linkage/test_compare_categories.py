"""Each category on hand-made rosters where the right answer is known (see compare_builders.py)."""

from __future__ import annotations

import polars as pl
import pytest

from doudi.linkage.compare import ComparisonResult, _units
from linkage.compare_builders import scenario_frames, scenario_rosters

EXPECTED: dict[str, set[str]] = {
    "overlap": {
        "张三",
        "李四",
        "单雄",
        "吴十",
        "吴妻",
        "吴子",
        "郑一",
        "郑女",
        "冯二",
        "冯母",
        "沈八",
        "韩九",
        "杨十",
        "秦五",
        "秦妻",
        "许梅",
        "许玫",
        "周甲",
        "周乙",
    },
    "poor_eligible": {"赵六"},
    "poor_refer": {"钱七"},
    "not_assessed": {"孙八"},
    "should_exit": {"王五", "王小五"},
    "dibao_register": {"周九"},
    "household_differs": {"张三", "李四", "秦妻", "许梅", "周甲", "周乙"},
    "two_households": {"褚四"},
    "dead_on_dibao": {"陈三"},
    "same_person": {"单雄", "沈八", "杨十"},
    "partial_coverage": {"郑一"},
    "age_only": {"吴十", "吴妻"},
    "official_relative": {"卫强", "卫五", "蒋七", "蒋六"},
}


def names_in(result: ComparisonResult, category: str) -> set[str]:
    return set(result.findings.filter(pl.col("category") == category)["name"].to_list())


@pytest.mark.parametrize("category", sorted(EXPECTED))
def test_category_holds_exactly_the_expected_persons(scenario: ComparisonResult, category: str) -> None:
    assert names_in(scenario, category) == EXPECTED[category]


def test_special_members_of_overlap_households_are_named(scenario: ComparisonResult) -> None:
    overlap = scenario.findings.filter(pl.col("category") == "overlap")
    li_si = overlap.filter(pl.col("name") == "李四")
    assert set(li_si["source"]) == {"dibao", "poor", "tekun"}
    assert li_si.filter(pl.col("source") == "dibao")["detail"].item() == "建档立卡户在低保中；本人为特困人员"


def test_single_person_enrollment_is_not_partial_coverage(scenario: ComparisonResult) -> None:
    # 冯二 (一级残疾, marked 单人保) is covered alone; his mother is only on the poor roster (COV-4).
    flagged = scenario.findings.filter(pl.col("category").is_in(["partial_coverage", "age_only", "household_differs"]))
    assert "冯二" not in flagged["name"].to_list()


def test_death_after_the_roster_date_is_not_a_finding(scenario: ComparisonResult) -> None:
    # 赵六 died on 2020-12-01, after the dibao roster's date (and is not on dibao anyway).
    assert scenario.accounting.filter(pl.col("row_key") == "deaths:3")["category"].item() == "no_finding"


def test_counts_are_households_per_category(scenario: ComparisonResult) -> None:
    counts = scenario.counts()
    assert counts["should_exit"] == 1  # one household of two persons
    assert counts["same_person"] == 3  # three pairs
    assert counts["rejected"] == 2


def test_officials_rule_names_the_reason(scenario: ComparisonResult) -> None:
    rows = scenario.findings.filter((pl.col("category") == "official_relative") & (pl.col("source") == "dibao"))
    reasons = dict(zip(rows["name"], rows["detail"], strict=True))
    assert reasons["卫强"].startswith("与村干部同户：村干部卫五（村主任）")
    assert reasons["蒋七"].startswith("户主与村干部同村同姓（待核实）")


def test_accounting_closes(scenario: ComparisonResult) -> None:
    """Every input row is in exactly one category, or rejected with a reason."""
    total_rows = sum(frame.height for frame in scenario_frames().values())
    accounting = scenario.accounting
    assert accounting["row_key"].is_unique().all()
    assert accounting["category"].null_count() == 0
    assert set(accounting["row_key"]).isdisjoint(set(scenario.rejected["row_key"]))
    assert accounting.height + scenario.rejected.height == total_rows
    assert scenario.rejected["reason"].null_count() == 0


def test_rejected_rows_say_why_in_chinese(scenario: ComparisonResult) -> None:
    reasons = sorted(scenario.rejected["reason"].to_list())
    assert reasons == ["与第3行重复（同一户、同一姓名和身份证号码）", "姓名和身份证号码均为空，无法比对"]


def test_every_finding_row_is_an_input_row(scenario: ComparisonResult) -> None:
    assert set(scenario.findings["row_key"]) <= set(scenario.accounting["row_key"])


def test_roster_rows_keep_invalid_ids_for_matching() -> None:
    persons = scenario_rosters().persons
    mistyped = persons.filter((pl.col("source") == "poor") & (pl.col("name") == "单雄"))
    assert mistyped["id_number"].item() is None
    assert mistyped["id_problem"].item().startswith("身份证号码校验位错误")
    upgraded = persons.filter((pl.col("source") == "poor") & (pl.col("name") == "韩九"))
    assert upgraded["from_15"].item() is True and upgraded["id_number"].item() is not None


def test_an_old_number_with_letters_is_rejected_for_what_it_is_not_as_empty(tmp_path) -> None:
    from doudi.linkage.rosters import read_roster

    path = tmp_path / "低保.csv"
    path.write_text("户主姓名,家庭成员姓名,身份证号码\n张三,张三,22018250031200A\n", encoding="utf-8")
    persons = read_roster(path, "dibao").persons
    assert persons["id_problem"].to_list() == ["身份证号码15位旧号码，需升级为18位"]


def test_rosters_of_different_dates_are_flagged() -> None:
    import dataclasses
    import datetime as dt

    from doudi.linkage.compare import compare_rosters
    from doudi.policy.profile import load_profile

    read = scenario_rosters()
    dated = [
        dataclasses.replace(
            given, as_of={"dibao": dt.date(2020, 6, 30), "poor": dt.date(2020, 3, 31)}.get(given.source)
        )
        for given in read.inputs
    ]
    result = compare_rosters(dataclasses.replace(read, inputs=dated), load_profile("jilin-2020"), dt.date(2020, 6, 1))
    # jilin-2020 compares monthly: three months apart is more than one comparison interval.
    assert result.warnings and "相差3个月" in result.warnings[0]


@pytest.mark.parametrize(
    ("dibao", "poor", "shared", "status", "units"),
    [
        # Dibao household 1 lists one member of poor household 3, dibao household 2 two: both choose 3, which
        # belongs with 2, in whatever order the engine returns the status rows.
        ([1, 2], 3, [1, 2], ["differs", "same"], {1: 1, 2: 2, 3: 2}),
        # Chosen equally: as best_links breaks ties, to the smaller household number, whatever the row order.
        ([7, 4], 9, [2, 2], ["same", "differs"], {4: 4, 7: 7, 9: 4}),
    ],
    ids=["joins_the_one_sharing_most", "chosen_equally_joins_the_one_read_first"],
)
def test_a_poor_household_two_dibao_households_chose(dibao, poor, shared, status, units) -> None:
    rows = pl.DataFrame({"dibao_household": dibao, "poor_household": [poor, poor], "shared": shared, "status": status})
    links = rows.select("dibao_household", "poor_household", "shared")
    for order in (rows, rows.reverse()):
        assert dict(_units(order, links).select("household_seq", "unit").iter_rows()) == units
