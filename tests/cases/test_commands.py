"""The case commands end to end, as an officer types them; refusals exit non-zero with the reason."""

from __future__ import annotations

from sqlalchemy import Engine
from typer.testing import CliRunner

from cases.households import add_household
from doudi.cases.session import unit_of_work
from doudi.cli import app


def test_case_commands_from_intake_to_confirmation(registry_engine: Engine, database_url: str) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, [*args, "--database-url", database_url])
        assert result.exit_code == 0, result.output
        return result.output

    out = run("case", "new", "--household", "H1", "--by", "王芳", "--document", "申请书", "--on", "2020-06-01")
    assert "案件编号 220102-20200601-001" in out and "一次性告知：尚缺材料 户口簿" in out
    case = "220102-20200601-001"
    refused = runner.invoke(
        app, ["case", "approve", case, "--by", "乡镇张", "--on", "2020-06-05", "--database-url", database_url]
    )
    assert refused.exit_code == 1 and "不能进行“乡镇审核批准”" in refused.output
    for kind, people in (
        ("入户调查", ["王芳", "李强"]),
        ("民主评议", ["村民代表"]),
        ("邻里访问", ["赵"]),
        ("家庭经济状况信息核对", ["县核对中心"]),
    ):
        run(
            "case",
            "investigate",
            case,
            "--kind",
            kind,
            *[f"--person={p}" for p in people],
            "--findings",
            "属实",
            "--by",
            "王芳",
            "--on",
            "2020-06-02",
        )
    run("case", "review", case, "--by", "村委会", "--on", "2020-06-03")
    run("case", "approve", case, "--by", "乡镇张", "--on", "2020-06-05")
    assert "2020年6月14日" in run("case", "post", case, "--by", "乡镇张", "--start", "2020-06-08")
    assert "县级已确认" in run("case", "confirm", case, "--by", "县民政局", "--on", "2020-06-15")
    shown = run("case", "show", case)
    assert "月保障金 ¥560.00" in shown and "220102********0018" in shown and "220102195001010018" not in shown
    assert "案件 1 件" in run("case", "list", "--state", "confirmed")
    assert "案件 0 件" in run("case", "list", "--state", "refused")
    assert "审计链完整" in run("audit", "verify")
