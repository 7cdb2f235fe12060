"""The ASGI entry point for uvicorn (`doudi serve`, or `uvicorn doudi.web.server:app`): configuration comes
from the environment (DOUDI_DATABASE_URL, DOUDI_SECRET_KEY, DOUDI_WEB_ON, DOUDI_WEB_FILES)."""

from __future__ import annotations

import datetime as dt
import os

from doudi.web.app import create_app

_on = os.environ.get("DOUDI_WEB_ON")
app = create_app(on=dt.date.fromisoformat(_on) if _on else None)
