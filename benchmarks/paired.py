"""
One way to time an in-process reader against a baseline, used by every figure of
``bench_extract_docs.py`` and ``bench_pdf_ratio.py`` so that the table and the ratio agree:

* CPU time of this process (``time.process_time``), not wall time: another engineer's
  test run on the shared 2-core machine takes cores away, not CPU seconds;
* in pairs: each run of the reader sits next to a run of the baseline, the two going first
  in turn (even pairs baseline first, odd pairs reader first), and the ratio is the median
  of the pairs' ratios: the load moves between pairs, much less within one;
* one untimed warm-up run of each before the pairs (imports, caches, first allocations);
* ``gc.collect()`` before every timed run, so that neither reader pays for the other's
  garbage and both start from the same collector state (the collector stays on: a reader's
  own garbage is part of its cost).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Paired", "paired", "timed"]

Reader = Callable[[Any], object]


@dataclass(frozen=True)
class Paired:
    """A reader timed in pairs with a baseline (CPU seconds)."""

    base: list[float]
    """The baseline's runs, one a pair."""
    reader: list[float]
    """The reader's runs, one a pair."""

    @property
    def ratios(self) -> list[float]:
        return [ours / base for base, ours in zip(self.base, self.reader, strict=True)]

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios: the figure a claim rests on."""
        return statistics.median(self.ratios)

    @property
    def base_median(self) -> float:
        return statistics.median(self.base)

    @property
    def reader_median(self) -> float:
        return statistics.median(self.reader)


def timed(reader: Reader, data: object) -> float:
    """CPU seconds of one run of ``reader(data)``, the garbage of earlier runs collected."""
    gc.collect()
    start = time.process_time()
    reader(data)
    return time.process_time() - start


def paired(baseline: Reader, reader: Reader, data: object, pairs: int) -> Paired:
    """``reader`` and ``baseline`` on ``data``, timed in ``pairs`` alternating pairs after
    one untimed warm-up run of each."""
    baseline(data)
    reader(data)
    base: list[float] = []
    ours: list[float] = []
    for number in range(pairs):
        if number % 2 == 0:
            base.append(timed(baseline, data))
            ours.append(timed(reader, data))
        else:
            ours.append(timed(reader, data))
            base.append(timed(baseline, data))
    return Paired(base, ours)
