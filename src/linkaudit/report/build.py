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
) -> Report:
    """Count links (occurrences), URLs (results) and verdicts, and wrap it all in a ``Report``."""
    by_verdict = Counter(result.verdict.value for result in results)
    summary = Summary(
        documents=len(documents),
        links=sum(len(result.occurrences) for result in results),
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
        results=list(results),
        warnings=list(warnings),
        health=list(health),
    )
