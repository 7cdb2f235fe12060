"""Probable same-person pairs: mistyped, swapped, missing and 15-digit ID numbers, with their evidence."""

from __future__ import annotations

import polars as pl

from doudi.linkage.compare import ComparisonResult
from doudi.linkage.same_person import id_relation, name_pinyin
from linkage.compare_builders import ID, mistyped, swapped, to_15


def test_surnames_are_read_as_surnames() -> None:
    assert name_pinyin("单雄") == "shan xiong"
    assert name_pinyin("曾国") == "zeng guo"
    assert name_pinyin("王芳") == "wang fang"


def test_id_relation_names_the_slip() -> None:
    number = ID["张三"]
    assert id_relation(number, mistyped(number, 9)) == "第10位不同"
    assert id_relation(number, swapped(ID["杨十"], 14)).endswith("位不同")  # different people: many digits
    assert id_relation(ID["杨十"], swapped(ID["杨十"], 14)) == "第15、16位颠倒"
    assert id_relation(number, to_15(number)) == "15位旧号码与18位号码对应"
    assert id_relation(number, None) == "一方缺少身份证号码"


def test_pairs_carry_score_and_evidence(scenario: ComparisonResult) -> None:
    pairs = scenario.pairs
    relations = sorted(pairs["id_relation"].to_list())
    assert relations == ["一方缺少身份证号码", "第15、16位颠倒", "第16位不同"]
    assert (pairs["score"] >= 0.6).all()
    evidence = pairs.filter(pl.col("id_relation") == "第16位不同")["evidence"].item()
    assert "姓名相同" in evidence and "同村" in evidence


def test_strong_pairs_link_households(scenario: ComparisonResult) -> None:
    # 单雄's mistyped number would make him 应保未保 on the poor side; linked, his household is one household.
    poor_side = scenario.findings.filter(pl.col("category").is_in(["poor_eligible", "poor_refer", "not_assessed"]))
    assert "单雄" not in poor_side["name"].to_list()


def test_fifteen_digit_number_matches_exactly(scenario: ComparisonResult) -> None:
    assert "韩九" not in scenario.findings.filter(pl.col("category") == "same_person")["name"].to_list()
