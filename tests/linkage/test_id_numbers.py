"""GB 11643-1999 ID numbers: hand-worked examples, reasons, and the guarantees of the MOD 11-2 check.

Worked by hand (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 → "10X98765432"):
  11010519491231002 : 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167;
                      167 mod 11 = 2 → "X"  ⇒ 11010519491231002X (the standard's own example; female)
  44052419800101001 : sum = 168? no — 4·7+4·9+0+5·5+2·8+4·4+1·2+9·1+8·6+0+0+1·9+0+1·5+0+0+1·2 = 196;
                      196 mod 11 = 9 → "3"  ⇒ 440524198001010013 (the 15-digit 440524800101001 upgraded; male)
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doudi.linkage import id_numbers


def test_hand_worked_examples() -> None:
    assert id_numbers.check_digit("11010519491231002") == "X"
    assert id_numbers.check_digit("44052419800101001") == "3"
    assert id_numbers.upgrade_15_to_18(pl.Series(["440524800101001"])).to_list() == ["440524198001010013"]
    assert id_numbers.is_valid("11010519491231002X")
    assert id_numbers.is_valid(" 11010519491231002ｘ ")  # scalar helper normalizes
    assert id_numbers.sex(pl.Series(["11010519491231002X", "440524198001010013"])).to_list() == ["F", "M"]
    assert id_numbers.birth_date(pl.Series(["11010519491231002X"])).to_list() == [dt.date(1949, 12, 31)]


def test_normalize() -> None:
    raw = pl.Series(["１１０１０５１９４９１２３１００２ｘ", " 110105 19491231002x\u3000", None])
    assert id_numbers.normalize(raw).to_list() == ["11010519491231002X", "11010519491231002X", None]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010519491231002X", None),
        ("110105194912310021", "校验位错误，应为X"),
        ("1101051949123100", "长度应为18位"),
        ("440524800101001", "15位旧号码，需升级为18位"),
        ("", "号码为空"),
        ("11010519491231A02X", "含非数字字符"),
        ("11010519490230002X", "出生日期无效"),
        ("01010519491231002X", "地区码无效"),
    ],
)
def test_reasons(value: str, reason: str | None) -> None:
    checked = id_numbers.check(pl.Series([value]))
    assert checked["valid"][0] is (reason is None)
    assert checked["reason"][0] == reason


def test_future_birth_date_is_invalid() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    first17 = "110105" + tomorrow.strftime("%Y%m%d") + "001"
    assert not id_numbers.is_valid(first17 + id_numbers.check_digit(first17))


def test_null_and_odd_values() -> None:
    checked = id_numbers.check(pl.Series([None, "中文字符", "11010519491231002X"]))
    assert checked["valid"].to_list() == [False, False, True]
    assert id_numbers.upgrade_15_to_18(pl.Series([None, "44052480010100A", "11010519491231002X"])).to_list() == [
        None,
        None,
        "11010519491231002X",
    ]


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 829999))
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date.today()))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region:06d}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_numbers.check_digit(first17)


@given(valid_ids())
def test_generated_ids_validate(value: str) -> None:
    assert id_numbers.is_valid(value)


@given(valid_ids(), st.integers(0, 16), st.integers(1, 9))
def test_single_digit_errors_are_always_caught(value: str, position: int, shift: int) -> None:
    # GB 11643 / ISO 7064 MOD 11-2: every weight is non-zero mod 11, so any one changed digit changes the sum.
    wrong = value[:position] + str((int(value[position]) + shift) % 10) + value[position + 1 :]
    assert not id_numbers.is_valid(wrong)


@given(valid_ids(), st.integers(0, 16))
def test_adjacent_transpositions_are_caught(value: str, position: int) -> None:
    # Swapping different adjacent characters (incl. the check character) changes the sum, since adjacent
    # weights differ mod 11; a swap of two equal digits leaves the number unchanged.
    swapped = value[:position] + value[position + 1] + value[position] + value[position + 2 :]
    assert swapped == value or not id_numbers.is_valid(swapped)


@given(st.integers(110000, 829999), st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)), st.integers(0, 999))
def test_upgrade_gives_a_valid_18(region: int, born: dt.date, sequence: int) -> None:
    old = f"{region:06d}{born:%y%m%d}{sequence:03d}"
    upgraded = id_numbers.upgrade_15_to_18(pl.Series([old]))[0]
    assert id_numbers.is_valid(upgraded)
    assert id_numbers.birth_date(pl.Series([old]))[0] == born


@settings(max_examples=25)
@given(st.lists(st.one_of(valid_ids(), st.text(alphabet="0123456789X", min_size=0, max_size=19)), max_size=40))
def test_vectorized_and_scalar_agree(values: list[str]) -> None:
    vectorized = id_numbers.check(pl.Series(values, dtype=pl.String))["valid"].to_list()
    assert vectorized == [id_numbers.is_valid(v) for v in values]
    assert id_numbers.sex(pl.Series(values, dtype=pl.String)).len() == len(values)
