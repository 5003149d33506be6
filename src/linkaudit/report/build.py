"""Shape documents and results into the ``Report`` every format renders (pure)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from linkaudit._version import __version__
from linkaudit.models import Document, Result
from linkaudit.report.base import HealthPoint, Report, Summary

__all__ = ["build_report"]


def build_report(
    documents: Sequence[Document],
    results: Sequence[Result],
    *,
    network: str = "ok",
    generated_at: dt.datetime | None = None,
    warnings: Sequence[str] = (),
    interrupted: bool = False,
    health: Sequence[HealthPoint] = (),
    counts: tuple[dict[str, int], int] | None = None,
) -> Report:
    """Count links (occurrences), URLs (results) and verdicts, and wrap it all in a ``Report``.

    A list is copied; any other sequence (a run's results read back from disk, which can be
    a million long) is kept as it is and read only when a reporter iterates it. ``counts``
    (by verdict, links), when the caller has them, saves the pass over ``results``."""
    if counts is None:
        by_verdict: dict[str, int] = Counter(result.verdict.value for result in results)
        links = sum(len(result.occurrences) for result in results)
    else:
        by_verdict, links = counts
    summary = Summary(
        documents=len(documents),
        links=links,
        urls=len(results),
        by_verdict=dict(sorted(by_verdict.items())),
        network=network,
        interrupted=interrupted,
    )
    return Report(
        generated_at=generated_at or dt.datetime.now(dt.UTC),
        tool_version=__version__,
        summary=summary,
        documents=list(documents),
        results=list(results) if isinstance(results, list | tuple) else results,
        warnings=list(warnings),
        health=list(health),
    )
