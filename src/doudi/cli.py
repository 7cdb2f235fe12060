"""The `doudi` command: one Typer app, each capability adding its own sub-commands."""

from __future__ import annotations

import datetime as dt

import typer

app = typer.Typer(
    name="doudi",
    help="兜底：农村低保与扶贫开发衔接的信息系统。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def parse_day(text: str | None) -> dt.date:
    """A command's date option (--on and the like): YYYY-MM-DD, today when not given. Every command says a
    wrong one in the same words (exit 2, like any other bad option)."""
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期应写作 YYYY-MM-DD，例如 2020-06-01，而不是“{text}”") from None


def _register() -> None:
    # Each capability package exposes `register(app)`; the imports stay here so `doudi --help` lists all.
    from doudi import demo
    from doudi.audit import commands as audit_commands
    from doudi.cases import commands as case_commands
    from doudi.ingest import commands as ingest_commands
    from doudi.linkage import commands as id_commands
    from doudi.linkage import compare_commands
    from doudi.monitoring import commands as monitoring_commands
    from doudi.payments import commands as payment_commands
    from doudi.policy import commands as policy_commands
    from doudi.registry import commands as registry_commands
    from doudi.reports import commands as report_commands
    from doudi.rules import commands as rules_commands
    from doudi.web import commands as web_commands

    for module in (
        policy_commands,
        rules_commands,
        registry_commands,
        ingest_commands,
        id_commands,
        compare_commands,
        monitoring_commands,
        demo,
        payment_commands,
        report_commands,
        case_commands,
        audit_commands,
        web_commands,
    ):
        module.register(app)


_register()


def main() -> None:
    app()
