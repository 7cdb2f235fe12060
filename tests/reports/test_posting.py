"""Public posting lists (PRO-3): what is shown, and that no ID number or health field reaches the page or PDF."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine
from typer.testing import CliRunner

from doudi.cli import app
from doudi.reports.posting import posting_list, render_html, write_pdf
from payments.payment_builders import add_household

VILLAGE = "220182101201"
HEALTH_WORDS = ("serious_illness", "重病", "大病", "残疾", "healthy", "健康")


def _village(engine: Engine) -> list[str]:
    ids = add_household(engine, "h41", [70, 40], registered_poor=True, health="serious_illness")
    ids += add_household(engine, "h42", [80], program="tekun", monthly_yuan=520)
    ids += add_household(engine, "h43", [50], status="exited", until=dt.date(2020, 6, 30))
    return ids


def test_posting_list_shows_name_persons_and_amount_only(registry_engine: Engine) -> None:
    ids = _village(registry_engine)
    posting = posting_list(registry_engine, VILLAGE, dt.date(2020, 7, 1))
    assert posting.entries.columns == ["category", "name", "persons", "monthly_fen"]
    assert posting.entries.rows() == [
        ("dibao", "张41一", 2, 50_000),
        ("tekun", "张42一", 1, 52_000),
        ("poor", "张41一", 2, None),
    ]
    html = render_html(posting)
    assert "公示期：2020年7月1日至2020年7月7日" in html and "500.00" in html and "PRO-3" in html
    for id_number in ids:
        assert id_number not in html and id_number[-8:] not in html
    assert not any(word in html for word in HEALTH_WORDS)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (see .ci/run)")
def test_posting_pdf_renders_chinese_text_and_no_id_numbers(registry_engine: Engine, tmp_path: Path) -> None:
    ids = _village(registry_engine)
    pdf = tmp_path / "公示.pdf"
    write_pdf(posting_list(registry_engine, VILLAGE, dt.date(2020, 7, 1)), pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "兴隆镇新华村低保、特困及建档立卡贫困户公示" in text
    assert "张42一" in text and "520.00" in text and "异议" in text
    assert not any(id_number in text or id_number[-8:] in text for id_number in ids)
    assert not any(word in text for word in HEALTH_WORDS)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(page.histogram()[:128])
    assert dark > 500, "the rendered page is blank: the CJK font did not embed"


def test_report_posting_command(database_url: str, tmp_path: Path) -> None:
    from doudi.registry.database import open_registry

    _village(open_registry(database_url))
    out = tmp_path / "公示.html"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "posting",
            "--village",
            VILLAGE,
            "--on",
            "2020-07-01",
            "--out",
            str(out),
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "张41一" in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(
        app, ["report", "posting", "--village", "999", "--out", str(out), "--database-url", database_url]
    )
    assert bad.exit_code == 1 and "村代码" in bad.output
