"""The `doudi` command lists every capability's commands, and loads a capability only when it is used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import doudi
from doudi.cli import COMMANDS, app, registered

SOURCE = Path(doudi.__file__).parent
EXAMPLE = Path(__file__).parents[1] / "examples" / "household.json"


def test_each_command_is_found_in_the_module_the_table_names() -> None:
    for module in set(COMMANDS.values()):
        assert set(registered(module)) == {name for name, home in COMMANDS.items() if home == module}, module


def test_every_module_that_registers_commands_is_in_the_table() -> None:
    registering = {
        ".".join(("doudi", *path.relative_to(SOURCE).with_suffix("").parts))
        for path in SOURCE.rglob("*.py")
        if "\ndef register(app: typer.Typer)" in path.read_text(encoding="utf-8")
    }
    assert registering == set(COMMANDS.values())


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in result.output, name


def test_assess_starts_without_the_database_or_the_web_server() -> None:
    """One household answered without loading what only other commands, or large batches, need (their imports
    take ~1 s)."""
    script = f"""
import json, sys
from typer.testing import CliRunner
from doudi.cli import app
result = CliRunner().invoke(app, ["assess", {str(EXAMPLE)!r}, "--profile", "jilin-2020", "--on", "2020-06-01"])
heavy = ("sqlalchemy", "alembic", "fastapi", "uvicorn", "duckdb", "matplotlib", "numba")
loaded = [m for m in heavy if m in sys.modules]
print(json.dumps({{"exit": result.exit_code, "decision": json.loads(result.stdout)["decision"], "loaded": loaded}}))
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == {"exit": 0, "decision": "enroll", "loaded": []}
