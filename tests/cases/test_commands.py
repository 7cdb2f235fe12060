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


def test_tekun_and_temporary_assistance_from_the_command_line(registry_engine: Engine, database_url: str) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        add_household(session, "H2", members=(("220102194003030011", "王五", "户主"),))
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, "--database-url", database_url])
        assert result.exit_code == code, result.output
        return result.output

    run("case", "new", "--household", "H1", "--program", "tekun", "--by", "王芳", "--on", "2020-06-01")
    tekun = "220102-20200601-001"
    by_wang = ("--by", "王芳", "--on", "2020-06-02")
    for kind, people in (("入户调查", ["王芳", "李强"]), ("民主评议", ["村民代表"]), ("邻里访问", ["赵"])):
        people_options = [f"--person={p}" for p in people]
        run("case", "investigate", tekun, "--kind", kind, *people_options, "--findings", "属实", *by_wang)
        if kind == "民主评议":
            run("case", "review", tekun, "--by", "村委会", "--on", "2020-06-03")
    run(
        "case", "investigate", tekun, "--kind", "家庭经济状况信息核对", "--person", "县核对中心", "--findings", "无",
        "--by", "王芳", "--on", "2020-06-02",
    )  # fmt: skip
    refused = run("case", "approve", tekun, "--by", "乡镇张", "--on", "2020-06-05", code=1)
    assert "调查尚未记录 张三（220102********0018） 的特困认定情况" in refused
    findings = ("--self-care", "半护理", "--care-form", "分散供养", "--findings", "独居无子女", "--on", "2020-06-02")
    run("case", "tekun-findings", tekun, "--no-work-capacity", "--no-income-source", "--by", "王芳", *findings)
    assert "“无法定赡养" in run("case", "approve", tekun, "--by", "乡镇张", "--on", "2020-06-05", code=1)
    run("case", "tekun-findings", tekun, "--no-work-capacity", "--no-income-source", "--no-supporter", "--by", "王芳",
        *findings)  # fmt: skip
    approved = run("case", "approve", tekun, "--by", "乡镇张", "--on", "2020-06-05")
    assert "月供养金 ¥780.00 = 基本生活标准 ¥420.00（STD-4）" in approved and "乡镇已审核批准" in approved
    shown = run("case", "show", tekun)
    assert "特困认定 220102********0018：无劳动能力：是" in shown and "220102195001010018" not in shown

    run("case", "new", "--household", "H2", "--program", "temporary", "--by", "王芳", "--on", "2020-06-01")
    temporary = "220102-20200601-002"
    run("case", "investigate", temporary, "--kind", "入户调查", "--person", "王芳", "--person", "李强",
        "--findings", "失火", "--by", "王芳", "--on", "2020-06-01")  # fmt: skip
    assert "须大于零" in run(
        "case", "approve", temporary, "--by", "乡镇张", "--amount", "0", "--kind", "急难型", "--reason", "失火",
        "--on", "2020-06-02", code=1,
    )  # fmt: skip
    granted = run(
        "case", "approve", temporary, "--by", "乡镇张", "--amount", "1500", "--kind", "急难型", "--reason", "失火",
        "--on", "2020-06-02",
    )  # fmt: skip
    assert "给予急难型临时救助 ¥1,500.00" in granted and "乡镇已批准临时救助" in granted and "无（已办结）" in granted
    assert "审计链完整" in run("audit", "verify")
