"""Python's cyclic garbage collector, paused for a burst of allocations.

A schedule build's steps and a companies file of thousands of entries both make hundreds of
thousands of small objects inside a process whose heap is full of Airflow; each collection then
walks that whole heap again (benchmarks/RESULTS.md). Nothing is lost: cycles made meanwhile are
collected later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the block, back to what it was after (also on an error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
