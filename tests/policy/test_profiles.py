"""Profiles load, every value cites a clause, and broken files are refused with the file, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from doudi.cli import app
from doudi.policy.profile import BUILTIN_IDS, Profile, ProfileError, builtin_text, load_profile, profile_for


def _params(node: object, path: str = ""):
    if isinstance(node, dict) and "value" in node and "clause" in node:
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _params(value, f"{path}.{key}" if path else key)


@pytest.mark.parametrize("profile_id", BUILTIN_IDS)
def test_every_parameter_names_its_clause_and_local_choices_say_so(profile_id):
    data = yaml.safe_load(builtin_text(profile_id))
    params = list(_params(data))
    assert len(params) > 40
    for path, param in params:
        assert str(param["clause"]).strip(), path
    assert isinstance(load_profile(profile_id), Profile)


def test_numbers_the_seeds_leave_to_the_county_are_marked_local_choices():
    local = {
        (profile_id, path)
        for profile_id in BUILTIN_IDS
        for path, param in _params(yaml.safe_load(builtin_text(profile_id)))
        if param.get("local_choice")
    }
    assert ("jilin-2020", "income.project_dividend_excluded_share") in local  # 004 二(四)3 由各地自行确定
    assert ("jilin-2020", "gradual_exit.yearly_decrement_share") in local  # 004 二(四)2 逐年按比例递减
    assert ("yunnan-2018", "gradual_exit.months") in local  # 001 二(一) 3—6个月
    assert ("fengjie-2017", "supplements.monthly_yuan") in local  # 003 三(三)2 amounts not given
    assert ("jilin-2016", "gradual_exit.decrement") in local  # 000 二(三)3 逐月(季)
    assert ("fengjie-2017", "income.project_wage_cost_share") not in local  # 20% is in the seed


def test_profile_in_force_by_region_and_date():
    import datetime as dt

    assert profile_for("220182", dt.date(2018, 1, 1)).id == "jilin-2016"
    assert profile_for("220182", dt.date(2020, 6, 1)).id == "jilin-2020"
    assert profile_for("500236", dt.date(2018, 1, 1)).id == "fengjie-2017"
    with pytest.raises(ProfileError, match="没有适用的内置政策配置"):
        profile_for("440000", dt.date(2020, 1, 1))


def _write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(builtin_text("jilin-2020"))
    change(data)
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_user_copy_with_a_local_choice_loads_by_path(tmp_path):
    def local(data):
        data["id"] = "yushu-2020"
        data["gradual_exit"]["yearly_decrement_share"]["value"] = 0.3

    profile = load_profile(_write(tmp_path, local))
    assert profile.id == "yushu-2020"
    assert str(profile.gradual_exit.yearly_decrement_share.value) == "0.3"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["income"].pop("exclude_basic_pension"), "income.exclude_basic_pension"),
        (lambda d: d["gradual_exit"]["yearly_decrement_share"].update(value=1.5), "比例须在 0 到 1 之间"),
        (lambda d: d["gradual_exit"]["months"].update(value="十八"), "gradual_exit.months"),
        (lambda d: d["money"]["rounding"].update(value="banker"), "money.rounding"),
        (lambda d: d["income"]["campaign_end"].pop("clause"), "income.campaign_end.clause"),
        (lambda d: d.update(unknown_section={}), "unknown_section"),
        (lambda d: d["gradual_exit"]["months_with_disabled_member"].update(value=6), "不应短于"),
    ],
)
def test_broken_profiles_are_refused_naming_file_key_and_reason(tmp_path, change, message):
    path = _write(tmp_path, change)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_unknown_profile_and_unreadable_file(tmp_path):
    with pytest.raises(ProfileError, match="找不到政策配置"):
        load_profile("guangdong-2020")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="无法读取政策配置文件"):
        load_profile(bad)


def test_profile_commands():
    runner = CliRunner()
    listed = runner.invoke(app, ["profile", "list"])
    assert listed.exit_code == 0 and "jilin-2020" in listed.output
    shown = runner.invoke(app, ["profile", "show", "fengjie-2017"])
    assert shown.exit_code == 0 and "奉节府办〔2017〕158号" in shown.output
    missing = runner.invoke(app, ["profile", "show", "nowhere"])
    assert missing.exit_code == 2
