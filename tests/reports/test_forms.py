"""Printable forms on the cases package's records: the approval form and the yearly sign-off list (PRO-6)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cases.conftest import investigate_fully
from cases.households import HEAD_ID, add_household, enroll
from doudi.cases import dynamic, service
from doudi.cases.session import unit_of_work
from doudi.cli import app
from doudi.registry.models import IncomeItem
from doudi.reports.forms import FormError, case_form_record, signoff_record, write_case_form, write_signoff_list

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (see .ci/run)")


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _approved_case(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        add_household(session, "H1")
        case = service.open_case(
            session,
            household_id="H1",
            program="dibao",
            by="王芳",
            received_on=dt.date(2020, 6, 1),
            documents=["申请书"],
        )
        investigate_fully(session, case)
        service.review(session, case.id, by="村委会", on=dt.date(2020, 6, 3))
        service.approve(session, case.id, by="乡镇张", on=dt.date(2020, 6, 5))
        return case.id


def test_case_form_shows_household_investigations_decision_and_signature_boxes(
    registry_engine: Engine, tmp_path: Path
) -> None:
    record = case_form_record(registry_engine, _approved_case(registry_engine))
    pdf = tmp_path / "审批表.pdf"
    write_case_form(record, pdf)
    text = _text(pdf)
    assert "农村低保申请审核审批表" in text
    assert "张三" in text and HEAD_ID in text and "2,000.00" in text.replace("2000.00", "2,000.00")
    assert "入户调查" in text and "民主评议" in text
    assert "COV-2" in text or "ASM" in text  # the engine's explanation cites POLICY.md ids
    assert "申请人" in text and "县级民政部门" in text
    with pytest.raises(FormError, match="999"):
        case_form_record(registry_engine, 999)


def test_case_form_names_income_kinds_as_the_seeds_do(registry_engine: Engine) -> None:
    """The form and the engine's explanation use one wording: 000 (seed) names the uncounted pension
    '农村居民基本养老保险基础养老金' and the dividend '扶贫项目保底收益' (ASM-2, ASM-3)."""
    case_id = _approved_case(registry_engine)
    with unit_of_work(registry_engine) as session:
        for kind in ("basic_pension", "project_dividend"):
            session.add(IncomeItem(household_id="H1", id_number=HEAD_ID, kind=kind, yearly_fen=100_000))
    kinds = {row[1] for row in case_form_record(registry_engine, case_id)["incomes"]}
    assert kinds == {"工资性收入", "城乡居民基本养老保险基础养老金", "扶贫项目保底收益"}


def test_signoff_list_lists_results_and_heads(registry_engine: Engine, tmp_path: Path) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session, "H2")
        enroll(session, "H2", dt.date(2019, 3, 1), 45_000)
    with unit_of_work(registry_engine) as session:
        campaign = dynamic.open_campaign(
            session, region_prefix="220102", year=2020, by="民政局", on=dt.date(2020, 10, 1)
        )
        campaign_id = campaign.id
    pdf = tmp_path / "签字表.pdf"
    write_signoff_list(signoff_record(registry_engine, campaign_id), pdf)
    text = _text(pdf)
    assert "H2" in text and "张三" in text and "450.00" in text and "待复核" in text
    assert "年度低保对象复核名单签字确认表" in text and "县级主要领导" in text and "乡镇主要负责人" in text


def test_case_form_command(database_url: str, tmp_path: Path) -> None:
    from doudi.registry.database import open_registry

    case_id = _approved_case(open_registry(database_url))
    out = tmp_path / "表.pdf"
    result = CliRunner().invoke(
        app, ["report", "case-form", str(case_id), "--out", str(out), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "审批表" in _text(out)
