"""The app in Debian's Chromium (headless, Playwright): each role logs in and opens the dashboard, a household
is found and opened, a comparison is run and downloaded, and a village assistant editing the URL to another
village's household gets 404. Screenshots at 1366×768 go to $DOUDI_WEB_SCREENSHOTS (or the test's tmp dir)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DOUDI_WEB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _login(browser: Any, base: str, account: Any) -> Any:
    page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")
    page.goto(f"{base}/login")
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_every_role_logs_in_and_sees_its_dashboard(live_server: Any, browser: Any, shots: Path) -> None:
    base, web = live_server
    for role, account in web.accounts.items():
        page = _login(browser, base, account)
        assert "概览" in page.inner_text("h1")
        assert account.area_code in page.inner_text("header")
        page.screenshot(path=str(shots / f"dashboard-{role}.png"))
        page.click("text=退出")
        page.wait_for_url(f"{base}/login")
        page.close()


def test_a_wrong_password_is_answered_next_to_the_form(live_server: Any, browser: Any, shots: Path) -> None:
    base, web = live_server
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page.goto(f"{base}/login")
    page.fill("#username", web.accounts["auditor"].username)
    page.click("button[type=submit]")
    assert "请输入密码" in page.inner_text(".field-error")
    page.screenshot(path=str(shots / "login-error.png"))
    page.close()


def test_find_a_household_and_read_its_decision(live_server: Any, browser: Any, shots: Path) -> None:
    base, web = live_server
    account = web.accounts["township_officer"]
    households = web.county.households.filter(pl.col("village_code").str.starts_with(account.area_code))
    heads = web.county.members.filter(pl.col("relation") == "户主").join(households, on="household_id")
    name = heads["name"][0]
    page = _login(browser, base, account)
    page.click("nav >> text=家庭")
    page.fill("input[name=q]", name)
    page.click("text=查找")
    page.wait_for_selector("table.list tbody tr a")
    page.screenshot(path=str(shots / "search.png"))
    page.click(f"table.list tbody >> text={name}")
    page.wait_for_selector("text=计算过程与依据")
    assert "当前评估结论" in page.content()
    page.screenshot(path=str(shots / "household.png"), full_page=True)
    page.click("#reveal")
    page.wait_for_selector("text=查看完整身份证号")
    page.close()


def test_a_village_assistant_cannot_open_another_villages_household(
    live_server: Any, browser: Any, shots: Path
) -> None:
    base, web = live_server
    account = web.accounts["village_assistant"]
    elsewhere = web.county.households.filter(~pl.col("village_code").str.starts_with(account.area_code))
    target = elsewhere["household_id"][0]
    page = _login(browser, base, account)
    response = page.goto(f"{base}/households/{target}")
    assert response.status in (403, 404)
    assert "找不到" in page.inner_text("h1")
    names = web.county.members.filter(pl.col("household_id") == target)["name"].to_list()
    assert not any(name in page.content() for name in names)
    page.screenshot(path=str(shots / "village-url-edit.png"))
    page.close()


def test_run_a_comparison_and_download_it(live_server: Any, browser: Any, shots: Path, tmp_path: Path) -> None:
    base, web = live_server
    page = _login(browser, base, web.accounts["county_civil_affairs"])
    files = {}
    for kind in ("dibao", "poor"):
        answer = page.request.get(f"{base}/exports/{kind}.xlsx")
        assert answer.ok
        files[kind] = tmp_path / f"{kind}.xlsx"
        files[kind].write_bytes(answer.body())
    page.click("nav >> text=名单比对")
    page.set_input_files("#dibao", str(files["dibao"]))
    page.set_input_files("#poor", str(files["poor"]))
    page.fill("#on", "2020-06-01")
    page.click("text=开始比对")
    page.wait_for_selector("#result", timeout=60_000)
    assert "建档立卡户在低保中" in page.inner_text("#result")
    page.screenshot(path=str(shots / "compare.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / "result.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"PK")
    page.close()


def test_an_intake_runs_to_approval(live_server: Any, browser: Any, shots: Path) -> None:
    base, web = live_server
    household_id = web.enrollable_household("township_officer")
    page = _login(browser, base, web.accounts["township_officer"])
    page.goto(f"{base}/households/{household_id}")
    page.click("text=受理申请")
    page.select_option("#program", "dibao")
    page.fill("#received_on", "2020-06-01")
    page.click("button:has-text('受理')")
    page.wait_for_selector("text=尚无调查记录")
    for kind in ("入户调查", "邻里访问", "民主评议", "家庭经济状况信息核对"):
        page.select_option("#kind", kind)
        page.fill("#inv_on", "2020-06-02")
        page.fill("#people", "王芳，李强")
        page.fill("#findings", "情况属实")
        page.click("#add-investigation")
        page.wait_for_selector(f"td:has-text('{kind}')")
    for action, day in (("review", "2020-06-03"), ("approve", "2020-06-04")):
        page.fill(f"form[action$='/{action}'] input[name=on]", day)
        page.click(f"button[data-action={action}]")
        page.wait_for_load_state()
    assert "乡镇已审核批准" in page.inner_text("h1")
    assert "审批时的评估结论" in page.content()
    page.screenshot(path=str(shots / "case-approved.png"), full_page=True)
    page.close()


def test_the_api_documentation_renders_offline(live_server: Any, browser: Any, shots: Path) -> None:
    base, _web = live_server
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{base}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)  # Swagger UI drew the operations of /openapi.json
    assert "/api/households" in page.content()
    assert all(url.startswith(base) or url.startswith("data:") for url in requested)
    page.screenshot(path=str(shots / "docs.png"))
    page.close()


def test_the_quarterly_report_is_one_click_from_the_menu(live_server: Any, browser: Any, shots: Path) -> None:
    from doudi.payments.approval import approve_roll

    base, web = live_server
    approve_roll(web.app.state.web.engine, "2020-07", web.accounts["county_civil_affairs"].area_code, "县民政局李")
    page = _login(browser, base, web.accounts["township_officer"])
    page.click("nav >> text=报表")
    page.fill("#quarter", "2020Q3")
    page.click("form.search button[type=submit]")
    assert "2020年第3季度报表" in page.inner_text("h1")
    assert "2020年7月" in page.inner_text("main")
    assert page.locator("td.chart .bar").count() > 0  # the charts have bars
    page.screenshot(path=str(shots / "quarterly-report.png"), full_page=True)
    page.close()
