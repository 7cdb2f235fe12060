"""The tamper-evident audit trail: every change to a case, household or enrollment, chained by hash."""

from doudi.audit.capture import AUDITED_TABLES, acting, audit_table
from doudi.audit.chain import Change, Verification, append, record_bulk, record_import, verify

__all__ = [
    "AUDITED_TABLES",
    "Change",
    "Verification",
    "acting",
    "append",
    "audit_table",
    "record_bulk",
    "record_import",
    "verify",
]
