"""The audit trail: ORM changes recorded with who, before and after; any edited or deleted record caught."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, delete, select, text, update
from typer.testing import CliRunner

from cases.households import add_household
from doudi.audit import verify
from doudi.audit.models import AuditRecord
from doudi.cases import service
from doudi.cases.session import unit_of_work
from doudi.cli import app
from doudi.registry.models import Household

D = dt.date


def _some_history(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        session.info["who"] = "导入员"
        add_household(session)
    with unit_of_work(engine) as session:
        service.open_case(
            session, household_id="H1", program="dibao", by="王芳", received_on=D(2020, 6, 1), documents=["申请书"]
        )
    with unit_of_work(engine) as session:
        session.info.update(who="李会计", why="核实后更正")
        household = session.get(Household, "H1")
        assert household is not None
        household.registered_poor = True


def test_changes_are_recorded_with_who_before_after_and_why(registry_engine: Engine) -> None:
    _some_history(registry_engine)
    with registry_engine.connect() as connection:
        rows = connection.execute(select(AuditRecord.__table__).order_by(AuditRecord.seq)).all()
        assert verify(connection).ok
    tables = [(r.table_name, r.action, r.who) for r in rows]
    assert ("households", "insert", "导入员") in tables and ("cases", "insert", "王芳") in tables
    change = rows[-1]
    assert (change.table_name, change.record_key, change.action, change.who) == ("households", "H1", "update", "李会计")
    assert json.loads(change.before or "{}") == {"registered_poor": False}
    assert json.loads(change.after or "{}") == {"registered_poor": True}
    assert change.why == "核实后更正"


def test_an_edited_record_is_caught(registry_engine: Engine) -> None:
    _some_history(registry_engine)
    with registry_engine.begin() as connection:
        connection.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(who="别人"))
    with registry_engine.connect() as connection:
        result = verify(connection)
    assert not result.ok and result.broken_seq == 3 and "已被改动" in (result.problem or "")


def test_a_deleted_record_is_caught(registry_engine: Engine) -> None:
    _some_history(registry_engine)
    with registry_engine.begin() as connection:
        connection.execute(delete(AuditRecord).where(AuditRecord.seq == 2))
    with registry_engine.connect() as connection:
        result = verify(connection)
    assert not result.ok and result.broken_seq == 2 and "缺失" in (result.problem or "")


def test_deleting_the_newest_records_is_caught(registry_engine: Engine) -> None:
    _some_history(registry_engine)
    with registry_engine.connect() as connection:
        last = connection.execute(select(AuditRecord.seq).order_by(AuditRecord.seq.desc())).scalars().first()
    with registry_engine.begin() as connection:
        connection.execute(delete(AuditRecord).where(AuditRecord.seq == last))
    with registry_engine.connect() as connection:
        result = verify(connection)
    assert not result.ok and result.broken_seq == last


def test_a_rewritten_chain_without_the_head_is_caught(registry_engine: Engine) -> None:
    """Recomputing every hash after an edit still leaves the head's hash (or the next link) disagreeing."""
    _some_history(registry_engine)
    with registry_engine.begin() as connection:
        connection.execute(text("UPDATE audit_records SET why = '篡改' WHERE seq = 1"))
    with registry_engine.connect() as connection:
        assert verify(connection).broken_seq == 1


def test_cli_verify_exits_non_zero_and_names_the_record(registry_engine: Engine, database_url: str) -> None:
    _some_history(registry_engine)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--database-url", database_url])
    assert ok.exit_code == 0 and "审计链完整" in ok.output
    head = runner.invoke(app, ["audit", "head", "--database-url", database_url])
    with registry_engine.connect() as connection:
        last = connection.execute(select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc())).first()
    assert last is not None and f"第 {last.seq} 条，哈希 {last.hash}" in head.output
    with registry_engine.begin() as connection:
        connection.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(after='{"x":1}'))
    broken = runner.invoke(app, ["audit", "verify", "--database-url", database_url])
    assert broken.exit_code == 2 and "第 2 条审计记录的内容已被改动" in broken.output


def test_bulk_writes_leave_one_chained_record(registry_engine: Engine) -> None:
    from doudi.demo import store_county
    from doudi.synth import generate_county

    store_county(registry_engine, generate_county(households=20, seed=7))
    with registry_engine.connect() as connection:
        [record] = connection.execute(select(AuditRecord.__table__)).all()
        assert verify(connection).ok
    summary = json.loads(record.after)
    assert (record.table_name, record.action) == ("import_batches", "bulk")
    assert (
        summary["source_kind"] == "synthetic" and summary["rows_stored"] > 0 and len(summary["change_log_sha256"]) == 64
    )
