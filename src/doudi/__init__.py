"""兜底 doudi: rural dibao and poverty-registration coordination, correct to the clause.

from doudi import assess
decision = assess(household_dict, profile="jilin-2020", on=date(2020, 6, 1))
"""

from __future__ import annotations

from typing import Any

__all__ = ["assess", "assess_frames"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `import doudi` (and the CLI's start-up) stays light.
    if name in __all__:
        from doudi import api

        return getattr(api, name)
    raise AttributeError(name)
