"""Who may log in, see and change what: argon2, lock-out, signed expiring sessions, CSRF, area scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from doudi.web.auth import MAX_FAILURES
from doudi.web.models import WebAccessLog, WebSession, WebUser


def _households(web: Any) -> pl.DataFrame:
    households: pl.DataFrame = web.county.households
    return households


def test_passwords_are_argon2_hashes_never_the_password(web: Any) -> None:
    account = web.accounts["village_assistant"]
    with Session(web.app.state.web.engine) as session:
        stored = session.scalars(select(WebUser.password_hash).where(WebUser.username == account.username)).one()
    assert stored.startswith("$argon2id$")
    assert account.password not in stored


def test_repeated_failures_lock_the_account_even_against_the_right_password(web: Any) -> None:
    account = web.accounts["township_officer"]
    client = web.client()
    for attempt in range(1, MAX_FAILURES):
        answer = web.login(client, account.username, "wrong-password")
        assert answer.status_code == 400
        assert f"再错 {MAX_FAILURES - attempt} 次" in answer.text
    answer = web.login(client, account.username, "wrong-password")
    assert "账号已锁定" in answer.text
    answer = web.login(client, account.username, account.password)
    assert answer.status_code == 400 and "账号已锁定" in answer.text
    assert client.get("/api/session").status_code == 401
    with Session(web.app.state.web.engine) as session:
        actions = session.scalars(select(WebAccessLog.action).where(WebAccessLog.username == account.username)).all()
    assert actions.count("login_failed") == MAX_FAILURES and "locked" in actions


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(web: Any) -> None:
    answer = web.login(web.client(), "nobody", "whatever-password")
    assert answer.status_code == 400
    assert "用户名或密码不正确" in answer.text and "nobody" not in answer.text.split("用户名或密码不正确")[1][:20]


def test_a_tampered_or_expired_session_is_no_session(web: Any) -> None:
    client = web.client("county_civil_affairs")
    assert client.get("/api/session").status_code == 200
    (kept,) = (c for c in client.cookies.jar if c.name == "doudi_session")
    cookie, domain = kept.value or "", kept.domain  # set again for the same domain, or the client sends both

    def send(value: str) -> None:
        client.cookies.set("doudi_session", value, domain=domain)

    send(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert client.get("/api/session").status_code == 401
    send(cookie)
    with Session(web.app.state.web.engine) as session, session.begin():
        session.execute(update(WebSession).values(expires_at=dt.datetime(2000, 1, 1)))
    assert client.get("/api/session").status_code == 401
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_forms_without_the_csrf_token_are_refused(web: Any) -> None:
    client = web.client("township_officer")
    household = client.get("/api/households").json()["rows"][0]["id"]
    refused = client.post(f"/households/{household}/reveal", data={"csrf_token": "forged"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/api/session").status_code == 200  # still logged in: the forged logout did nothing
    accepted = client.post(f"/households/{household}/reveal", data={"csrf_token": web.csrf(client)})
    assert accepted.status_code == 200


def test_each_role_sees_only_its_own_area(web: Any) -> None:
    households = _households(web)
    for role in ("village_assistant", "township_officer", "county_civil_affairs"):
        area = web.accounts[role].area_code
        expected = households.filter(pl.col("village_code").str.starts_with(area)).height
        client = web.client(role)
        figures = client.get("/api/dashboard").json()["figures"]
        assert figures["households"] == expected, role
        listed = client.get("/api/households").json()
        assert listed["total"] == expected
        assert all(row["village_code"].startswith(area) for row in listed["rows"])


def test_a_village_assistant_who_edits_the_url_gets_404_never_the_data(web: Any) -> None:
    households = _households(web)
    area = web.accounts["village_assistant"].area_code
    elsewhere = households.filter(~pl.col("village_code").str.starts_with(area)).row(0, named=True)
    client = web.client("village_assistant")
    page = client.get(f"/households/{elsewhere['household_id']}")
    assert page.status_code == 404
    assert elsewhere["household_id"] not in page.text.replace(f"/households/{elsewhere['household_id']}", "")
    assert client.get(f"/api/households/{elsewhere['household_id']}").status_code == 404
    members = web.county.members.filter(pl.col("household_id") == elsewhere["household_id"])
    by_id = client.get("/api/households", params={"q": members["id_number"][0]}).json()
    assert by_id["total"] == 0


def test_roles_without_the_permission_get_403(web: Any) -> None:
    village = web.client("village_assistant")
    assert village.get("/imports").status_code == 403
    assert village.get("/exports/dibao.xlsx").status_code == 403
    household = village.get("/api/households").json()["rows"][0]["id"]
    assert village.get(f"/api/households/{household}", params={"reveal": "true"}).status_code == 403
    refused = village.post(f"/households/{household}/reveal", data={"csrf_token": web.csrf(village)})
    assert refused.status_code == 403 and "无权" in refused.text
    assert web.client("admin").get("/imports").status_code == 403
    assert web.client("auditor").get("/access-log").status_code == 200
    assert web.client("township_officer").get("/access-log").status_code == 403


def test_revealing_an_id_number_is_logged(web: Any) -> None:
    client = web.client("township_officer")
    row = client.get("/api/households").json()["rows"][0]
    masked = client.get(f"/api/households/{row['id']}").json()["members"][0]["id_number"]
    assert "*" in masked
    revealed = client.get(f"/api/households/{row['id']}", params={"reveal": "true"}).json()["members"][0]["id_number"]
    assert "*" not in revealed and revealed[:6] == masked[:6] and revealed[-4:] == masked[-4:]
    with Session(web.app.state.web.engine) as session:
        logged = session.scalars(
            select(WebAccessLog).where(WebAccessLog.action == "reveal_id", WebAccessLog.target == row["id"])
        ).all()
    assert [entry.username for entry in logged] == ["xiang"]
    trail = client.get(f"/households/{row['id']}").text
    assert "查看完整身份证号" in trail
