"""Work spread over the machine's cores in threads. numpy's and Polars' loops release the GIL, so threads run
at once without copying frames into other processes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import TypeVar

import polars as pl

T = TypeVar("T")

# Polars' own thread count: the cores this process may use (CPU affinity, container quotas,
# POLARS_MAX_THREADS), not every core of the host.
CORES = pl.thread_pool_size()
# Below this many rows of work, starting threads costs more than they save (one household: ~1 ms more).
MIN_ROWS = 100_000


def at_once(calls: Sequence[Callable[[], T]], rows: int) -> list[T]:
    """The calls' results, in order: computed in up to CORES threads when they share `rows` rows of work, at
    least MIN_ROWS; else one after the other."""
    if len(calls) <= 1 or CORES == 1 or rows < MIN_ROWS:
        return [call() for call in calls]
    with ThreadPoolExecutor(min(CORES, len(calls))) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def pieces(n: int, count: int) -> list[slice]:
    """0..n cut into `count` nearly equal consecutive slices."""
    bounds = [n * i // count for i in range(count + 1)]
    return [slice(a, b) for a, b in pairwise(bounds)]
