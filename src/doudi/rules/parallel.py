"""Work spread over the machine's cores in threads. numpy's and Polars' loops release the GIL, so threads run
at once without copying frames into other processes."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import TypeVar

T = TypeVar("T")

CORES = os.cpu_count() or 1


def at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """The calls' results, in order, computed in up to CORES threads."""
    if len(calls) <= 1 or CORES == 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(min(CORES, len(calls))) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def pieces(n: int, count: int) -> list[slice]:
    """0..n cut into `count` nearly equal consecutive slices."""
    bounds = [n * i // count for i in range(count + 1)]
    return [slice(a, b) for a, b in pairwise(bounds)]
