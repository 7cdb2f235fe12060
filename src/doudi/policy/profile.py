"""Policy profiles: one region's rules in force over a period, as data, every value citing its clause.

A profile file is YAML. Each parameter is a mapping with its `value`, the `clause` of the seed it comes from,
and `local_choice: true` where the seed leaves the number to the county (then the value is our documented
default). Profiles are validated on load; errors name the file, the key and what is wrong, in Chinese.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

T = TypeVar("T")

Rounding = Literal["fen_half_up", "fen_up", "yuan_half_up", "yuan_up"]
SupplementCategory = Literal[
    "disabled", "severe_disability", "serious_illness", "elderly", "minor", "preschool", "student"
]
Decrement = Literal["none", "monthly", "quarterly", "yearly_share"]
SinglePersonCondition = Literal["severe_disability", "bedridden_serious_illness"]


class ProfileError(ValueError):
    """A profile file that cannot be used; the message is for the user (Chinese)."""


def _share(value: Decimal) -> Decimal:
    # Shares become exact basis points in the engine, so four decimals at most.
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError("比例须在 0 到 1 之间")
    if value != value.quantize(Decimal("0.0001")):
        raise ValueError("比例最多保留四位小数")
    return value


Share = Annotated[Decimal, AfterValidator(_share)]


class Param(BaseModel, Generic[T]):
    """One parameter: its value and where the seed says it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: T
    clause: str = Field(min_length=1)
    local_choice: bool = False
    note: str | None = None


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Money(Section):
    rounding: Param[Rounding]


class Income(Section):
    """ASM-2..5: what counts as household income."""

    exclude_basic_pension: Param[bool]
    project_dividend_excluded_share: Param[Share]
    project_wage_cost_share: Param[Share]
    rigid_expense_deduction: Param[bool]
    rigid_expense_kinds: Param[list[Literal["medical", "disability", "schooling", "other"]]]
    rigid_expense_share: Param[Share]
    campaign_end: Param[dt.date]


class Labor(Section):
    """ASM-1: labour capacity from sex, age and health when it is not recorded."""

    working_age_min: Param[int]
    working_age_max_male: Param[int]
    working_age_max_female: Param[int]


class ExpenseRoute(Section):
    """ASM-6: 支出核减纳入一批."""

    enabled: Param[bool]
    major_medical_min_yearly_yuan: Param[Decimal]
    enrollment_months: Param[int]


class WithoutVerification(Section):
    """ASM-8: labour-incapable registered-poor persons enrolled without a new economic verification."""

    enabled: Param[bool]


class SinglePerson(Section):
    """COV-4: 单人户 / 分户 enrollment."""

    enabled: Param[bool]
    min_age: Param[int]
    conditions: Param[list[SinglePersonCondition]]
    requires_application: Param[bool]
    requires_unemployed: Param[bool]
    requires_registered_poor: Param[bool]
    household_income_ceiling_multiple: Param[Decimal | None]


class Supplements(Section):
    """COV-3: 分类施保, monthly yuan per person; a person in several categories gets the highest."""

    monthly_yuan: Param[dict[SupplementCategory, Decimal]]
    elderly_age: Param[int]
    preschool_age: Param[int]


class GradualExit(Section):
    """EXIT-1, EXIT-2, EXIT-3: 渐退."""

    enabled: Param[bool]
    ceiling_multiple: Param[Decimal | None]
    requires_poverty_project_income: Param[bool]
    qualifying_income_kinds: Param[list[str]]
    months: Param[int]
    months_with_disabled_member: Param[int]
    months_long_return_industry: Param[int]
    decrement: Param[Decrement]
    yearly_decrement_share: Param[Share]


class ExitRisk(Section):
    """EXIT-4: fall-back risk before an exit."""

    enabled: Param[bool]
    near_standard_multiple: Param[Decimal]
    medical_share_of_income: Param[Share]


class Referral(Section):
    """COV-6: refused registered-poor households go back to the poverty office."""

    enabled: Param[bool]


class KeepOnEscape(Section):
    """COV-8: 脱贫不脱保."""

    enabled: Param[bool]


class Review(Section):
    """DYN-4 and DYN-3: review interval by class, in months."""

    interval_months: Param[dict[Literal["A", "B", "C"], int]]


class Comparison(Section):
    """DYN-1, MON-6: how often the rosters are compared, in months."""

    every_months: Param[int]


class StandardRules(Section):
    """STD-1, STD-4, STD-5: what the standards must satisfy."""

    rural_not_below_poverty_line: Param[bool]
    rural_min_yearly_yuan: Param[Decimal | None]
    tekun_min_multiple_of_prev_rural: Param[Decimal | None]
    tekun_not_below_urban: Param[bool]
    care_min_share_of_prev_min_wage: Param[dict[Literal["full", "half", "self"], Decimal] | None]


class Monitoring(Section):
    """MON-1..6, EXIT-4: watch lists and early-warning thresholds (read by doudi.monitoring)."""

    enabled: Param[bool]
    income_drop_share: Param[Share]
    expense_share_of_income: Param[Share]
    edge_income_multiple: Param[Decimal]
    feed_lookback_months: Param[int]
    alert_deadline_days: Param[int]


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    issuer: str
    document: str
    seed: str
    issued: dt.date
    effective_from: dt.date
    effective_until: dt.date | None = None
    region_prefixes: list[str]
    money: Money
    income: Income
    labor: Labor
    expense_route: ExpenseRoute
    without_verification: WithoutVerification
    single_person: SinglePerson
    supplements: Supplements
    gradual_exit: GradualExit
    exit_risk: ExitRisk
    referral: Referral
    keep_on_escape: KeepOnEscape
    review: Review
    comparison: Comparison
    standards: StandardRules
    monitoring: Monitoring

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        ge = self.gradual_exit
        if ge.months_with_disabled_member.value < ge.months.value:
            raise ValueError("gradual_exit.months_with_disabled_member 不应短于 gradual_exit.months")
        if self.effective_until and self.effective_until < self.effective_from:
            raise ValueError("effective_until 早于 effective_from")
        return self

    def cite(self, clause: str) -> str:
        """A clause of this profile's seed, as shown in explanations: '004 二(四)2'."""
        return f"{self.seed[:3]} {clause}"

    def applies(self, region_code: str, on: dt.date) -> bool:
        in_period = self.effective_from <= on and (self.effective_until is None or on <= self.effective_until)
        return in_period and any(region_code.startswith(p) for p in self.region_prefixes)


BUILTIN_IDS = ("jilin-2016", "yunnan-2018", "neimenggu-2016", "fengjie-2017", "jilin-2020")


def _builtin_path(profile_id: str) -> Path:
    return Path(str(resources.files("doudi.policy") / "profiles" / f"{profile_id}.yaml"))


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_profile(data: Any, source: str) -> Profile:
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{_location(e['loc'])}: {e['msg']}" for e in error.errors())
        raise ProfileError(f"政策配置文件 {source} 无效：{problems}") from None


def load_profile(id_or_path: str | Path) -> Profile:
    """A built-in profile by id, or a user's profile file by path."""
    text_id = str(id_or_path)
    if text_id in BUILTIN_IDS:
        return _load_builtin(text_id)
    path = Path(id_or_path)
    if not path.exists():
        raise ProfileError(f"找不到政策配置“{text_id}”：既不是内置配置（{'、'.join(BUILTIN_IDS)}），也不是文件路径")
    return _load_file(path)


@cache
def _load_builtin(profile_id: str) -> Profile:
    return _load_file(_builtin_path(profile_id))


def _load_file(path: Path) -> Profile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ProfileError(f"无法读取政策配置文件 {path}：{error}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"政策配置文件 {path} 无效：顶层应为键值映射")
    return parse_profile(data, str(path))


def builtin_profiles() -> list[Profile]:
    return [load_profile(profile_id) for profile_id in BUILTIN_IDS]


def builtin_text(profile_id: str) -> str:
    """The YAML of a built-in profile, for users to copy and adapt."""
    if profile_id not in BUILTIN_IDS:
        raise ProfileError(f"没有内置政策配置“{profile_id}”；可用：{'、'.join(BUILTIN_IDS)}")
    return _builtin_path(profile_id).read_text(encoding="utf-8")


def profile_for(region_code: str, on: dt.date) -> Profile:
    """The built-in profile in force for a region on a date (the newest that applies)."""
    candidates = [p for p in builtin_profiles() if p.applies(region_code, on)]
    if not candidates:
        raise ProfileError(f"地区 {region_code} 在 {on.isoformat()} 没有适用的内置政策配置，请用 --profile 指定")
    return max(candidates, key=lambda p: p.effective_from)
