"""The `doudi` command: one Typer app, each capability adding its own sub-commands.

A capability's commands are loaded only when one of them runs (all of them for `doudi --help`), so that
`doudi assess` starts without loading the database layer, the web server or the report renderer."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

# Every top-level command, in the order `doudi --help` lists them, and the module whose `register(app)` adds it.
COMMANDS = {
    "assess": "doudi.rules.commands",
    "assess-batch": "doudi.rules.commands",
    "profile": "doudi.policy.commands",
    "standards": "doudi.policy.commands",
    "db": "doudi.registry.commands",
    "import": "doudi.ingest.commands",
    "export": "doudi.ingest.commands",
    "id": "doudi.linkage.commands",
    "compare": "doudi.linkage.compare_commands",
    "feed": "doudi.monitoring.commands",
    "monitor": "doudi.monitoring.commands",
    "watch": "doudi.monitoring.commands",
    "demo": "doudi.demo",
    "pay": "doudi.payments.commands",
    "report": "doudi.reports.commands",
    "case": "doudi.cases.commands",
    "signoff": "doudi.cases.commands",
    "review": "doudi.cases.commands",
    "change": "doudi.cases.commands",
    "recert": "doudi.cases.commands",
    "audit": "doudi.audit.commands",
    "serve": "doudi.web.commands",
    "keep-decisions": "doudi.web.commands",
    "user": "doudi.web.commands",
}


class _CommandsOnDemand(TyperGroup):
    """The top-level group: lists COMMANDS, and builds a command from its module when it is asked for."""

    # Contexts and commands typed loosely: Typer's own click classes differ between its versions.
    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return registered(COMMANDS[cmd_name]).get(cmd_name) if cmd_name in COMMANDS else None


@cache
def registered(module: str) -> dict[str, Any]:
    """The commands that `module`'s `register(app)` adds, by name."""
    commands = typer.Typer()
    import_module(module).register(commands)
    return dict(typer.main.get_group(commands).commands)


app = typer.Typer(
    name="doudi",
    help="兜底：农村低保与扶贫开发衔接的信息系统。",
    cls=_CommandsOnDemand,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _doudi() -> None:
    # A callback makes the app a group even though no command is registered on it directly.
    pass


def parse_day(text: str | None) -> dt.date:
    """A command's date option (--on and the like): YYYY-MM-DD, today when not given. Every command says a
    wrong one in the same words (exit 2, like any other bad option)."""
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期应写作 YYYY-MM-DD，例如 2020-06-01，而不是“{text}”") from None


def main() -> None:
    app()
