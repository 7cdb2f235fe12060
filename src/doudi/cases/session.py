"""One unit of work on cases: a transaction that either commits whole or writes nothing, with conflicts
between officers turned into a clear Chinese message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from doudi.cases.errors import CaseConflict, CaseError
from doudi.registry.database import session_factory

CONFLICT = "有其他经办人同时修改了同一案件（或同一户、同一待遇记录）并已先保存；本次操作未保存，请重新打开后再办理"


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: commit on success, roll back on any error (nothing half-written)."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except StaleDataError:
        session.rollback()
        raise CaseConflict(CONFLICT) from None
    except IntegrityError as error:
        session.rollback()
        raise CaseError(f"与已有记录冲突，未保存：{error.orig}") from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
