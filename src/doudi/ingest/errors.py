"""Errors that stop a whole import; messages are shown to county staff, so they are Chinese."""

from __future__ import annotations


class ImportRejected(Exception):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
