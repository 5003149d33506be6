"""The contract every output format implements, and the report model they share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from linkaudit.models import Document, Occurrence, Result

__all__ = ["LinksReport", "Report", "Reporter", "Summary"]


@dataclass(frozen=True, slots=True)
class Summary:
    """The counts at the top of every report."""

    documents: int
    links: int
    urls: int
    by_verdict: dict[str, int]
    network: str = "ok"
    interrupted: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """One run's results, shaped like ``report-schema.json``; every format renders this."""

    generated_at: dt.datetime
    tool_version: str
    summary: Summary
    documents: list[Document]
    results: list[Result]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LinksReport:
    """What ``linkaudit extract`` found, shaped like ``links-schema.json``."""

    documents: list[Document]
    links: list[Occurrence]


class Reporter(Protocol):
    """**Protocol:** render a ``Report`` as text (one module per format)."""

    name: str
    suffixes: tuple[str, ...]

    def render(self, report: Report) -> str:
        """The whole report as one string."""
        ...  # pragma: no cover
