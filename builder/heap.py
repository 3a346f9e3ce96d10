"""The garbage collector during a build: a build makes rows, lines and matches by the million and few reference
cycles, and keeps what its stages built (word lists, tries, tables) for its whole length.

Measured on 5k egypt_news documents at workers=1: the collector took 1.6 CPU-s, 1.25 of them in 12 full collections
that each walked every live object; with the young generation collected every GC_YOUNG allocations from the start
and the stages' heap frozen once built, 0.4 s and one full collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_YOUNG = 10_000  # allocations between two collections of the youngest generation (CPython's default: 700)


def collect_less() -> None:
    """Collect the young generation every GC_YOUNG allocations (the older ones as CPython does)."""
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])


def settle_heap() -> None:
    """Once a process has built what it keeps for the whole build (modules, settings, the stages), freeze it out of
    the collector's reach: no full collection walks it again, and a worker forked after this shares those pages
    instead of copying the ones a collection writes to."""
    gc.freeze()
    collect_less()


@contextmanager
def heap_restored() -> Iterator[None]:
    """The collector as it was before the build, after it: a process that runs several builds (the tests) neither
    keeps each one's frozen heap nor the build's thresholds."""
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
