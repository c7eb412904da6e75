"""Pause Python's cyclic garbage collector while a step turns a fleet into columns.

A step allocates millions of small objects (texts, lists, row values) that form no reference
cycles; each allocation burst triggers collections that walk every live container again, which
cost a tenth of the pipeline core's time. Reference counting still frees everything at once while
the collector is paused; cycles made meanwhile (pandas and Great Expectations make a few) are
collected after the step, when the collector runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """The collector off for the block, back to what it was after (also on error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
