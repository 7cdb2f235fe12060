"""Every command's date option refuses a wrong date in the same words, before it writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from doudi.cli import app

MESSAGE = "日期应写作 YYYY-MM-DD，例如 2020-06-01，而不是“2020-02-30”"


@pytest.mark.parametrize(
    "command",
    [
        ["assess", "household.json"],
        ["monitor", "run"],
        ["review", "due"],
        ["compare", "--registry"],
        ["keep-decisions"],
        ["serve"],
    ],
)
def test_a_wrong_date_is_refused_with_one_message(command: list[str], tmp_path: Path) -> None:
    database = tmp_path / "doudi.sqlite"
    (tmp_path / "household.json").write_text("{}", encoding="utf-8")
    args = [a.replace("household.json", str(tmp_path / "household.json")) for a in command]
    if command[0] != "assess":
        args += ["--database-url", f"sqlite:///{database}"]
    result = CliRunner().invoke(app, [*args, "--on", "2020-02-30"])
    assert result.exit_code == 2, result.output
    boxed = "".join(result.output.split()).replace("│", "")  # Rich wraps the message in a box
    assert "".join(MESSAGE.split()) in boxed, result.output
