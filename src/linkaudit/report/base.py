"""The contract every output format implements, and the report model they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TextIO, runtime_checkable

from linkaudit.choices import GROUP_BY
from linkaudit.config import DEFAULT_FAIL_ON
from linkaudit.models import Document, Occurrence, Result
from linkaudit.verdicts import GateTerm, Verdict

__all__ = [
    "GROUP_BY",
    "HealthPoint",
    "LinksReport",
    "Narrowable",
    "Report",
    "ReportOptions",
    "Reporter",
    "StreamingReporter",
    "Summary",
    "narrowed",
]


@dataclass(frozen=True, slots=True)
class Summary:
    """The counts at the top of every report."""

    documents: int
    links: int
    urls: int
    by_verdict: dict[str, int]
    network: str = "ok"
    interrupted: bool = False
    baselined: int = 0
    """Cited places at or above ``--fail-on`` that a baseline entry accepts."""


@dataclass(frozen=True, slots=True)
class Report:
    """One run's results, shaped like ``report-schema.json``; every format renders this."""

    generated_at: dt.datetime
    tool_version: str
    summary: Summary
    documents: list[Document]
    results: Sequence[Result]
    """In first-cited order. After a run, read from the run's file on disk as it is iterated
    (``store/ledger.py``): iterate it, do not hold it, where a report may be large."""
    warnings: list[str] = field(default_factory=list)
    health: list[HealthPoint] = field(default_factory=list)
    """Earlier runs' counts, oldest first, for the health report's chart (empty: no chart)."""
    baselined: frozenset[tuple[str, str, str]] = frozenset()
    """(document, URL, anchor text) of each cited place a baseline accepts (``gate.apply``)."""


@runtime_checkable
class Narrowable(Protocol):
    """**Protocol:** results that can give a subset without reading the rest (a run's
    results on disk: reading a result back costs more than deciding it is not wanted)."""

    def narrowed(self, verdicts: Collection[Verdict]) -> Iterator[Result]:
        """In order: the results whose verdict is in ``verdicts``, and those carrying an
        editorial notice, a drift verdict or a quotation (at least; maybe more)."""
        ...  # pragma: no cover


def narrowed(results: Iterable[Result], verdicts: Collection[Verdict]) -> Iterable[Result]:
    """``results``, or fewer of them when they can narrow themselves: never fewer than those
    whose verdict is in ``verdicts`` or that carry a notice, a drift verdict or a quotation,
    so that a caller filtering on those gets the same answer."""
    if isinstance(results, Narrowable):
        return results.narrowed(verdicts)
    return results


@dataclass(frozen=True, slots=True)
class HealthPoint:
    """One past run's counts by verdict, as the store remembers them."""

    run_at: dt.datetime
    by_verdict: dict[str, int]
    offline: bool = False
    """The run could not reach the network (or ran ``--offline``): its counts say nothing of
    the links, so charts mark it and no rate includes it."""


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a reporter may be told besides the report: the gate and the terminal."""

    fail_on: tuple[GateTerm, ...] = DEFAULT_FAIL_ON
    """Verdicts that fail the gate: errors in SARIF, GitHub and JUnit; the rest are warnings."""
    width: int = 80
    color: bool | None = None
    """None: colour unless ``NO_COLOR`` is set (terminal output only)."""
    max_rows: int | None = None
    """Rows per verdict in the Markdown fix list (a PR comment holds 65,536 characters)."""
    quiet: bool = False
    """The table shows only the summary and the findings that fail the gate."""
    verbose: bool = False
    """The table lists ok and skipped links too (``Settings.verbose``, ``--verbose``)."""
    group_by: str = GROUP_BY[0]
    """``verdict`` (worst first) or ``document`` (``--group-by``): how the table is ordered."""


@dataclass(frozen=True, slots=True)
class LinksReport:
    """What ``linkaudit extract`` found, shaped like ``links-schema.json``."""

    documents: list[Document]
    links: list[Occurrence]


class Reporter(Protocol):
    """**Protocol:** render a ``Report`` as text (one module per format)."""

    name: str

    def render(self, report: Report) -> str:
        """The whole report as one string."""
        ...  # pragma: no cover


@runtime_checkable
class StreamingReporter(Reporter, Protocol):
    """**Protocol:** a reporter that writes to a file in pieces instead of building the
    whole string first (a large JSON report: docs/reports.md, json)."""

    def write(self, report: Report, stream: TextIO) -> None:
        """Write the report to ``stream``; the same text as ``render``."""
        ...  # pragma: no cover
