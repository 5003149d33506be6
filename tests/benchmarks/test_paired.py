"""The one timing method of the PDF/DOCX reader benchmarks (benchmarks/paired.py)."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from paired import Paired, paired


def test_pairs_alternate_which_goes_first_after_an_untimed_warm_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def collect(*_: object) -> int:
        calls.append("gc")
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    found = paired(lambda _: calls.append("base"), lambda _: calls.append("ours"), b"", 4)
    assert calls == [
        *("base", "ours"),  # warm-up: no collection, not timed
        *("gc", "base", "gc", "ours"),
        *("gc", "ours", "gc", "base"),
        *("gc", "base", "gc", "ours"),
        *("gc", "ours", "gc", "base"),
    ]
    assert len(found.base) == len(found.reader) == 4


def test_ratio_is_the_median_of_the_pairs_not_of_the_medians() -> None:
    found = Paired(base=[1.0, 2.0, 10.0], reader=[3.0, 2.0, 15.0])
    assert found.ratios == [3.0, 1.0, 1.5]
    assert found.ratio == 1.5
    assert (found.base_median, found.reader_median) == (2.0, 3.0)  # 1.5 too, by chance
    # A pair slowed down whole by the load moves the medians, not the pairs' ratio.
    loaded = Paired(base=[1.0, 3.0, 5.0], reader=[1.5, 6.0, 5.0])
    assert loaded.ratio == 1.5
    assert loaded.reader_median / loaded.base_median == 5.0 / 3.0


def test_a_reader_that_burns_cpu_is_timed_in_cpu_seconds() -> None:
    def burn(_: object) -> None:
        sum(range(200_000))

    found = paired(lambda _: None, burn, b"", 3)
    assert all(ours > 0 for ours in found.reader)
