"""The errors cases raise; every message is Chinese, for the officer at the counter."""

from __future__ import annotations

from doudi.cases.states import TransitionRefused


class CaseError(ValueError):
    """Bad input or a step the procedure does not allow; nothing was written."""


class CaseConflict(CaseError):
    """Someone else changed the same case (or household, enrollment) first: reload and try again."""


__all__ = ["CaseConflict", "CaseError", "TransitionRefused"]
