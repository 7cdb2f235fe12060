"""Two officers approve the same case at the same moment on two real connections: one wins, the other gets a
clear conflict and nothing of theirs is written (optimistic locking on the case's version)."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine, func, select

from cases.conftest import investigate_fully
from cases.households import add_household
from doudi.audit import verify
from doudi.audit.models import AuditRecord
from doudi.cases import service
from doudi.cases.errors import CaseConflict
from doudi.cases.models import Case
from doudi.cases.session import unit_of_work
from doudi.registry.database import make_engine

D = dt.date


def test_two_officers_approving_at_once(registry_engine: Engine, database_url: str) -> None:
    with unit_of_work(registry_engine) as session:
        add_household(session)
        case = service.open_case(
            session, household_id="H1", program="dibao", by="王芳", received_on=D(2020, 6, 1), documents=[]
        )
        investigate_fully(session, case)
        service.review(session, case.id, by="村委会", on=D(2020, 6, 3))
    with registry_engine.connect() as connection:
        records_before = connection.scalar(select(func.count()).select_from(AuditRecord))

    loaded = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def officer(name: str) -> None:
        engine = make_engine(database_url)  # each officer on their own engine and connection
        try:
            with unit_of_work(engine) as session:
                service.get_case(session, case.id)  # both have the case open (version 2) ...
                loaded.wait()
                service.approve(session, case.id, by=name, on=D(2020, 6, 5))  # ... and both approve it
            outcomes[name] = "approved"
        except CaseConflict as conflict:
            outcomes[name] = str(conflict)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=officer, args=(name,)) for name in ("乡镇张", "乡镇李")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values())[0] == "approved"
    assert list(outcomes.values()).count("approved") == 1
    loser = next(message for message in outcomes.values() if message != "approved")
    assert "有其他经办人同时修改了同一案件" in loser and "本次操作未保存" in loser
    winner = next(name for name, message in outcomes.items() if message == "approved")
    with unit_of_work(registry_engine) as session:
        stored = session.get(Case, case.id)
        assert stored is not None and stored.state == "township_approved" and stored.version == 3
    with registry_engine.connect() as connection:
        new_records = (
            connection.execute(select(AuditRecord.who).where(AuditRecord.seq > (records_before or 0))).scalars().all()
        )
        assert set(new_records) == {winner}  # the loser left no trace but the conflict message
        assert verify(connection).ok
