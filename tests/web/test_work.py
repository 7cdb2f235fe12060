"""The daily work through the app: the household page explains the engine's decision to the clause, uploads
are refused with a clear Chinese message, exports stay in the area, a comparison runs and downloads."""

from __future__ import annotations

import io
import re
from tempfile import SpooledTemporaryFile
from typing import Any

import openpyxl
import polars as pl
import pytest

from doudi.registry.loader import load_frames
from doudi.rules.assess import assess_one


def _some_household(web: Any, client: Any, kind: str = "dibao") -> str:
    rows = client.get("/api/households", params={"kind": kind}).json()["rows"]
    assert rows, f"the synthetic county has {kind} households"
    household_id: str = rows[0]["id"]
    return household_id


def test_household_page_shows_the_engines_decision_with_each_clause(web: Any) -> None:
    client = web.client("county_civil_affairs")
    household_id = _some_household(web, client)
    # Through a connection: the loader's Arrow reads on an Engine open the SQLite file with a second library.
    with web.app.state.web.engine.connect() as connection:
        expected = assess_one(load_frames(connection, household_ids=[household_id], on=web.app.state.web.on))
    shown = client.get(f"/api/households/{household_id}").json()["decision"]
    assert shown == expected  # the page's decision is the engine's, not a second computation
    page = client.get(f"/households/{household_id}").text
    for step in expected["explanation"]["steps"]:
        assert step["label"] in page
        for source in step["sources"]:
            # every step with its clause: a POLICY.md rule id, or the profile parameter's clause
            assert (source["rule"] if "rule" in source else source["clause"] or source["parameter"]) in page
    assert "2020年6月1日" in page  # dates in Chinese
    assert re.search(r"¥\d{1,3}(,\d{3})*\.\d\d", page)  # money as ¥1,234.56


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.txt", b"hello", "不是电子表格"),
        ("名单.xlsx", b"this is not a workbook", "不是 .xlsx 格式"),
        ("名单.csv", "姓名,性别\n张三,男\n".encode(), "缺少"),
        ("名单.xlsx", b"", "空文件"),
    ],
)
def test_bad_uploads_are_refused_in_chinese_and_nothing_is_written(
    web: Any, name: str, content: bytes, message: str
) -> None:
    client = web.client("county_civil_affairs")
    before = client.get("/api/dashboard").json()["figures"]
    token = web.csrf(client)
    page = client.post("/imports", data={"source": "dibao", "csrf_token": token}, files={"file": (name, content)})
    assert page.status_code == 400
    assert message in page.text and 'class="field-error"' in page.text  # next to the field
    assert "Traceback" not in page.text
    api = client.post(
        "/api/imports", data={"source": "dibao"}, files={"file": (name, content)}, headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 400 and message in api.json()["detail"]
    assert client.get("/api/dashboard").json()["figures"] == before


@pytest.fixture
def spooled(monkeypatch: pytest.MonkeyPatch) -> list[SpooledTemporaryFile[bytes]]:
    """Every temporary file Starlette spools an uploaded file to, from here on."""
    from starlette import formparsers

    made: list[SpooledTemporaryFile[bytes]] = []

    class Recorded(SpooledTemporaryFile[bytes]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(formparsers, "SpooledTemporaryFile", Recorded)
    return made


def test_uploaded_files_are_closed_when_the_request_ends(web: Any, spooled: list[SpooledTemporaryFile[bytes]]) -> None:
    """A server that left each upload's temporary file open would run out of file handles in a busy week."""
    client = web.client("county_civil_affairs")
    token = web.csrf(client)
    roster = ("名单.csv", "姓名,性别\n张三,男\n".encode())
    refused = client.post("/imports", data={"source": "dibao", "csrf_token": token}, files={"file": roster})
    forged = client.post("/imports", data={"source": "dibao", "csrf_token": "forged"}, files={"file": roster})
    api = client.post("/api/imports", data={"source": "dibao"}, files={"file": roster}, headers={"X-CSRF-Token": token})
    dibao, poor = client.get("/api/exports/dibao").content, client.get("/api/exports/poor").content
    compared = client.post(
        "/compare",
        data={"on": "2020-06-01", "csrf_token": token},
        files={"dibao": ("低保.xlsx", dibao), "poor": ("建档立卡.xlsx", poor)},
    )
    assert [refused.status_code, forged.status_code, api.status_code, compared.status_code] == [400, 403, 400, 200]
    assert len(spooled) == 5  # one per file sent
    assert all(file.closed for file in spooled)


def test_too_large_uploads_are_refused(web: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from doudi.web import uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    client = web.client("county_civil_affairs")
    page = client.post(
        "/imports",
        data={"source": "dibao", "csrf_token": web.csrf(client)},
        files={"file": ("名单.csv", b"a,b\n" * 400)},
    )
    assert page.status_code == 400 and "太大" in page.text


def test_a_form_without_a_source_says_so_next_to_the_field(web: Any) -> None:
    client = web.client("county_civil_affairs")
    page = client.post("/imports", data={"csrf_token": web.csrf(client)}, files={"file": ("a.csv", b"x")})
    assert page.status_code == 400 and "请选择台账类型" in page.text


def _sheet(content: bytes) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def test_a_township_export_holds_only_the_townships_people(web: Any) -> None:
    client = web.client("township_officer")
    area = web.accounts["township_officer"].area_code
    answer = client.get("/exports/registry.xlsx")
    assert answer.status_code == 200
    exported = {row["身份证号码"] for row in _sheet(answer.content)}
    members = web.county.members.join(web.county.households.select("household_id", "village_code"), on="household_id")
    inside = set(members.filter(pl.col("village_code").str.starts_with(area))["id_number"])
    assert exported and exported <= inside


def test_a_comparison_runs_by_township_and_downloads(web: Any) -> None:
    county_office = web.client("county_civil_affairs")
    dibao = county_office.get("/api/exports/dibao").content
    poor = county_office.get("/api/exports/poor").content
    answer = county_office.post(
        "/api/comparisons",
        data={"on": "2020-06-01"},
        files={"dibao": ("低保.xlsx", dibao), "poor": ("建档立卡.xlsx", poor)},
        headers={"X-CSRF-Token": web.csrf(county_office)},
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["counts"]["overlap"] > 0  # the synthetic county's dibao and registered poor overlap
    assert {row["township"] for row in result["by_township"]}
    report = county_office.get(f"/api/comparisons/{result['run_id']}/report")
    assert report.status_code == 200 and report.content.startswith(b"PK")
    assert web.client("township_officer").get(f"/api/comparisons/{result['run_id']}/report").status_code == 403
    dashboard = county_office.get("/api/dashboard").json()
    assert dashboard["comparison"]["run_id"] == result["run_id"]
    # A township officer's dashboard counts only the township's findings: its row of the by-township table.
    township = web.client("township_officer").get("/api/dashboard").json()
    row = next((r for r in result["by_township"] if r["township"] == township["area_name"]), {})
    assert township["comparison"]["counts"] == {k: v for k, v in row.items() if k != "township" and v}


def test_errors_never_show_a_stack_trace(web: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from doudi.web import services

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("database exploded at line 42")

    monkeypatch.setattr(services, "dashboard", broken)
    client = web.client("county_civil_affairs")
    page = client.get("/")
    assert page.status_code == 500 and "系统内部错误" in page.text
    assert "exploded" not in page.text and "Traceback" not in page.text
    api = client.get("/api/dashboard")
    assert api.status_code == 500 and "exploded" not in api.text and "系统内部错误" in api.json()["detail"]


def test_pages_load_nothing_from_outside(web: Any) -> None:
    client = web.client("county_civil_affairs")
    household_id = _some_household(web, client)
    pages = ("/login", "/", "/households", f"/households/{household_id}", "/compare", "/imports", "/docs")
    for path in (*pages, "/cases", "/cases/new", "/alerts", "/exports", "/access-log"):
        answer = client.get(path)
        assert answer.status_code == (403 if path == "/access-log" else 200), path
        html = answer.text
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path
    docs = client.get("/docs").text
    assert "/swagger-ui/swagger-ui-bundle.js" in docs
    assert client.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.0")  # what the bundled Swagger UI 4 renders
    paths = document["paths"]
    assert {"/api/dashboard", "/api/households", "/api/households/{household_id}", "/api/comparisons"} <= set(paths)


def test_a_case_goes_from_intake_to_county_confirmation_each_step_by_its_role(web: Any) -> None:
    # The township officer takes the village's steps too (case_intake); the village assistant may not approve.
    household_id = web.enrollable_household("township_officer")
    township, county, village = (
        web.client(r) for r in ("township_officer", "county_civil_affairs", "village_assistant")
    )

    def step(client: Any, path: str, body: dict[str, Any]) -> Any:
        return client.post(path, json=body, headers={"X-CSRF-Token": web.csrf(client)})

    opened = step(
        township, "/api/cases", {"household_id": household_id, "program": "dibao", "received_on": "2020-06-01"}
    )
    assert opened.status_code == 200, opened.text
    case_no = opened.json()["case_no"]
    assert opened.json()["documents_missing"]  # nothing ticked: every document is listed once (PRO-1)
    early = step(township, f"/api/cases/{case_no}/review", {"on": "2020-06-03"})
    assert early.status_code == 400 and "ASM-7" in early.json()["detail"]  # no investigation records yet
    for kind in ("入户调查", "邻里访问", "民主评议", "家庭经济状况信息核对"):
        body = {"kind": kind, "on": "2020-06-02", "people": "王芳,李强", "findings": "情况属实"}
        assert step(township, f"/api/cases/{case_no}/investigate", body).status_code == 200
    assert step(township, f"/api/cases/{case_no}/review", {"on": "2020-06-03"}).json()["state"] == "村级已评议审核"
    poverty_office = web.client("poverty_office")  # sees the county, but approving dibao is not its role
    assert step(poverty_office, f"/api/cases/{case_no}/approve", {"on": "2020-06-04"}).status_code == 403
    approved = step(township, f"/api/cases/{case_no}/approve", {"on": "2020-06-04"}).json()
    assert approved["state"] == "乡镇已审核批准" and approved["decision"]["decision"] == "enroll"
    posted = step(township, f"/api/cases/{case_no}/post", {"start": "2020-06-05"}).json()
    assert posted["posting"][0] == "2020-06-05"
    too_soon = step(county, f"/api/cases/{case_no}/confirm", {"on": posted["posting"][1]})
    assert too_soon.status_code == 400 and "PRO-3" in too_soon.json()["detail"]  # the posting must have ended
    confirmed = step(county, f"/api/cases/{case_no}/confirm", {"on": "2020-06-20"}).json()
    assert confirmed["state"] == "县级已确认" and confirmed["enrollment_id"]
    assert case_no in township.get("/cases").text
    assert village.get(f"/api/cases/{case_no}").status_code in (200, 404)  # 200 only if it is the assistant's village


def test_another_areas_case_is_not_found(web: Any) -> None:
    household_id = web.enrollable_household("township_officer", outside="village_assistant")
    township = web.client("township_officer")
    opened = township.post(
        "/api/cases",
        json={"household_id": household_id, "program": "dibao", "received_on": "2020-06-01"},
        headers={"X-CSRF-Token": web.csrf(township)},
    )
    assert opened.status_code == 200, opened.text
    village = web.client("village_assistant")
    assert village.get(f"/api/cases/{opened.json()['case_no']}").status_code == 404
    assert village.get(f"/cases/{opened.json()['case_no']}").status_code == 404


def test_the_payment_roll_page_shows_the_areas_roll_and_downloads_it(web: Any) -> None:
    from doudi.payments.approval import payment_roll
    from doudi.policy.money import format_yuan

    township = web.client("township_officer")
    area = web.accounts["township_officer"].area_code
    roll = payment_roll(web.app.state.web.engine, "2020-07", area)
    page = township.get("/payments", params={"month": "2020-07"})
    assert page.status_code == 200 and format_yuan(roll.total_fen) in page.text
    assert all(code.startswith(area) for code in roll.rows["village_code"].to_list())
    workbook = township.get("/payments/2020-07.xlsx")
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    assert township.get("/reports/quarterly/2020Q3.xlsx").content.startswith(b"PK")
    assert township.get("/payments", params={"month": "2020-13"}).status_code == 400
    assert web.client("village_assistant").get("/payments").status_code == 403


def test_household_page_shows_its_risk_history_and_how_alerts_were_handled(web: Any) -> None:
    from doudi.monitoring.alerts import AlertFilter, handle_alert, list_alerts
    from doudi.monitoring.run import run_monitor

    engine = web.app.state.web.engine
    run_monitor(engine, web.app.state.web.on)
    alerts = list_alerts(engine, AlertFilter(status=None))
    assert alerts, "the synthetic county raises early warnings"
    handled, *_ = alerts
    handle_alert(engine, handled["id"], "no_action", "乡镇王", "已入户核实，收入稳定", web.app.state.web.on)
    page = web.client("county_civil_affairs").get(f"/households/{handled['household_id']}").text
    section = page[page.index("风险记录") :]
    assert handled["rule_label"] in section and handled["policy_id"] in section and handled["evidence"] in section
    assert "无需救助：已入户核实，收入稳定（乡镇王）" in section
    assert "2020年6月1日" in section  # the run's date, with the household's income against the standard
    quiet = next(h for h in web.county.households["household_id"] if h not in {a["household_id"] for a in alerts})
    assert "无预警" in web.client("county_civil_affairs").get(f"/households/{quiet}").text


def test_the_quarterly_report_page_shows_the_areas_townships_money_and_months(web: Any) -> None:
    from doudi.payments.approval import approve_roll
    from doudi.payments.roll_workbook import region_names
    from doudi.policy.money import format_yuan

    engine = web.app.state.web.engine
    county = web.accounts["county_civil_affairs"].area_code
    area = web.accounts["township_officer"].area_code
    rolls = [approve_roll(engine, month, county, "县民政局李") for month in ("2020-07", "2020-08")]
    paid_in_township = sum(
        roll.rows.filter(pl.col("village_code").str.starts_with(area))["total_fen"].sum() for roll in rolls
    )
    page = web.client("township_officer").get("/reports/quarterly", params={"quarter": "2020Q3"})
    assert page.status_code == 200
    text = page.text
    assert "2020年第3季度报表" in text and "截至 2020年9月30日" in text
    assert paid_in_township > 0 and format_yuan(paid_in_township) in text  # the township's July and August
    assert "2020年7月" in text and "2020年8月" in text
    names = region_names(engine)
    townships = {code[:9] for code in web.county.households["village_code"].to_list()}
    assert names[area[:9]] in text
    assert all(names[code] not in text for code in townships - {area[:9]})  # other townships are not shown
    assert web.client("township_officer").get("/reports/quarterly", params={"quarter": "2020Q5"}).status_code == 400
    assert web.client("village_assistant").get("/reports/quarterly").status_code == 403


def test_the_county_approves_a_roll_in_the_app_and_it_is_frozen_and_audited(web: Any) -> None:
    from doudi.audit.chain import verify
    from doudi.payments.approval import payment_roll

    engine = web.app.state.web.engine
    county = web.client("county_civil_affairs")
    township = web.client("township_officer")
    draft = county.get("/payments", params={"month": "2020-07"}).text
    assert "审批并冻结 2020-07 花名册" in draft
    assert "审批并冻结" not in township.get("/payments", params={"month": "2020-07"}).text  # not the township's
    refused = township.post("/api/payments/2020-07/approve", headers={"X-CSRF-Token": web.csrf(township)})
    assert refused.status_code == 403
    assert county.post("/payments/2020-07/approve", data={}).status_code == 403  # no CSRF token, nothing approved
    assert payment_roll(engine, "2020-07", web.accounts["county_civil_affairs"].area_code).roll_id is None

    with engine.connect() as connection:
        before = verify(connection).records
    done = county.post("/payments/2020-07/approve", data={"csrf_token": web.csrf(county)}, follow_redirects=False)
    assert done.status_code == 303
    roll = payment_roll(engine, "2020-07", web.accounts["county_civil_affairs"].area_code)
    assert roll.roll_id is not None and web.accounts["county_civil_affairs"].username in (roll.approved_by or "")
    page = county.get("/payments", params={"month": "2020-07"}).text
    assert "已审批" in page and "审批并冻结" not in page
    # The township's part of a county roll cannot be approved again on its own: one payment a month.
    again = county.post("/api/payments/2020-07/approve", headers={"X-CSRF-Token": web.csrf(county)})
    assert again.status_code == 200 and again.json()["total_fen"] == roll.total_fen
    with engine.connect() as connection:
        trail = verify(connection)
    assert trail.ok and trail.records == before + 1  # the approval is one record in the hash-chained audit trail
    assert "审批发放花名册" in web.client("auditor").get("/access-log").text


def test_both_departments_confirm_a_comparison_in_the_app(web: Any) -> None:
    civil = web.client("county_civil_affairs")
    poverty = web.client("poverty_office")
    run = civil.post(
        "/api/comparisons",
        data={"on": "2020-06-01"},
        files={
            "dibao": ("低保.xlsx", civil.get("/api/exports/dibao").content),
            "poor": ("建档立卡.xlsx", civil.get("/api/exports/poor").content),
        },
        headers={"X-CSRF-Token": web.csrf(civil)},
    ).json()["run_id"]
    assert "确认（民政部门）" in civil.get("/compare").text
    township = web.client("township_officer")
    assert (
        township.post(f"/api/comparisons/{run}/confirm", headers={"X-CSRF-Token": web.csrf(township)}).status_code
        == 403
    )

    first = civil.post(f"/compare/{run}/confirm", data={"csrf_token": web.csrf(civil)}, follow_redirects=False)
    assert first.status_code == 303
    page = civil.get("/compare").text
    assert f"（{web.accounts['county_civil_affairs'].username}）" in page and "确认（民政部门）" not in page
    twice = civil.post(f"/api/comparisons/{run}/confirm", headers={"X-CSRF-Token": web.csrf(civil)})
    assert twice.status_code == 400 and "已于此前" in twice.json()["detail"]

    both = poverty.post(f"/api/comparisons/{run}/confirm", headers={"X-CSRF-Token": web.csrf(poverty)}).json()
    assert both["jointly_confirmed"] and set(both["confirmed"]) == {"民政部门", "扶贫部门"}
    assert "已共同确认" in poverty.get("/compare").text
    assert civil.post("/api/comparisons/999999/confirm", headers={"X-CSRF-Token": web.csrf(civil)}).status_code == 400


def test_tekun_and_temporary_assistance_are_approved_through_the_api_and_shown(web: Any) -> None:
    household_id = web.enrollable_household("township_officer")
    township = web.client("township_officer")

    def step(path: str, body: dict[str, Any]) -> Any:
        return township.post(path, json=body, headers={"X-CSRF-Token": web.csrf(township)})

    tekun = step("/api/cases", {"household_id": household_id, "program": "tekun", "received_on": "2020-06-01"})
    assert tekun.status_code == 200, tekun.text
    case_no = tekun.json()["case_no"]
    for kind in ("入户调查", "邻里访问", "民主评议", "家庭经济状况信息核对"):
        body = {"kind": kind, "on": "2020-06-02", "people": "王芳,李强", "findings": "情况属实"}
        assert step(f"/api/cases/{case_no}/investigate", body).status_code == 200
    findings = {"on": "2020-06-02", "self_care": "全护理", "care_form": "分散供养", "findings": "独居无子女"}
    form = {**findings, "no_work_capacity": "on", "no_income_source": "on", "csrf_token": web.csrf(township)}
    posted = township.post(f"/cases/{case_no}/tekun_findings", data=form, follow_redirects=False)
    assert posted.status_code == 303, posted.text
    step(f"/api/cases/{case_no}/review", {"on": "2020-06-03"})
    refused = step(f"/api/cases/{case_no}/approve", {"on": "2020-06-04"})  # the form left 无法定义务人 unticked
    assert refused.status_code == 400 and "“无法定赡养、抚养、扶养义务人" in refused.json()["detail"]
    body = {**findings, "no_work_capacity": True, "no_income_source": True, "no_supporter": True}
    recorded = step(f"/api/cases/{case_no}/tekun_findings", body)
    assert recorded.status_code == 200, recorded.text
    assert [f["无生活来源"] for f in recorded.json()["tekun_findings"]] == [True, True]
    approved = step(f"/api/cases/{case_no}/approve", {"on": "2020-06-04"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["decision"]["monthly_benefit"] == "960.00"  # Jilin 2020: 420 + 540
    page = township.get(f"/cases/{case_no}").text
    assert "特困认定情况（TK-1）" in page and "纳入特困人员救助供养" in page and "¥960.00" in page

    temporary = step("/api/cases", {"household_id": household_id, "program": "temporary", "received_on": "2020-06-01"})
    case_no = temporary.json()["case_no"]
    assert "救助金额（元）" in township.get(f"/cases/{case_no}").text
    visit = {"kind": "入户调查", "on": "2020-06-01", "people": "王芳,李强", "findings": "失火"}
    assert step(f"/api/cases/{case_no}/investigate", visit).status_code == 200
    grant = {"on": "2020-06-02", "kind": "急难型", "reason": "失火"}
    assert step(f"/api/cases/{case_no}/approve", {**grant, "amount": "abc"}).status_code == 400
    granted = step(f"/api/cases/{case_no}/approve", {**grant, "amount": "800"})
    assert granted.status_code == 200, granted.text
    assert granted.json()["state"] == "乡镇已批准临时救助" and granted.json()["decision"]["amount"] == "800.00"
    assert "一次性救助金" in township.get(f"/cases/{case_no}").text
