"""``linkaudit.report/1`` and ``linkaudit.links/1``: the machine-readable contracts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from linkaudit.models import Document, History, Occurrence, Result
from linkaudit.printable import json_text
from linkaudit.report.base import LinksReport, Report, ReportOptions
from linkaudit.report.findings import baseline_key, iso

__all__ = ["JsonReporter", "iter_report_json", "render_links", "report_to_dict"]

REPORT_SCHEMA = "linkaudit.report/1"
LINKS_SCHEMA = "linkaudit.links/1"


class JsonReporter:
    """See ``Reporter.render``: the whole report as ``report-schema.json`` describes it."""

    name = "json"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        return "".join(iter_report_json(report))

    def write(self, report: Report, stream: TextIO) -> None:
        """What ``render`` returns, written a result at a time, so that 100,000 results never
        become one string (nor one tree of dicts) in memory."""
        for chunk in iter_report_json(report):
            stream.write(chunk)


def iter_report_json(report: Report) -> Iterator[str]:
    """``render``'s text in pieces: each result is turned into JSON only when its turn comes."""
    data = _envelope(report)
    data["results"] = _Rows(report.results, _marker(report))
    return _chunks(data)


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON values."""
    data = _envelope(report)
    row = _marker(report)
    data["results"] = [row(result) for result in report.results]
    return data


def _marker(report: Report) -> Callable[[Result], dict[str, Any]]:
    """``_result``, marking the places a baseline accepts with ``"baselined": true``."""
    if not report.baselined:
        return _result
    keys = report.baselined

    def row(result: Result) -> dict[str, Any]:
        data = _result(result)
        for occurrence, item in zip(result.occurrences, data["occurrences"], strict=True):
            if baseline_key(result, occurrence) in keys:
                item["baselined"] = True
        return data

    return row


def _envelope(report: Report) -> dict[str, Any]:
    """Every member in the schema's key order; ``results`` is left for the caller to fill."""
    summary = report.summary
    data: dict[str, Any] = {
        "schema": REPORT_SCHEMA,
        "generated_at": iso(report.generated_at),
        "tool": {"name": "linkaudit", "version": report.tool_version},
        "summary": {
            "documents": summary.documents,
            "links": summary.links,
            "urls": summary.urls,
            "by_verdict": dict(summary.by_verdict),
            "network": summary.network,
            "interrupted": summary.interrupted,
            "baselined": summary.baselined,
        },
        "documents": [_document(document) for document in report.documents],
        "results": [],
    }
    if report.warnings:
        data["warnings"] = list(report.warnings)
    return data


def render_links(links: LinksReport) -> str:
    """What ``linkaudit extract --format json`` writes (``links-schema.json``)."""
    return _dump(
        {
            "schema": LINKS_SCHEMA,
            "documents": [_document(document) for document in links.documents],
            "links": [{"url": o.url, **_occurrence(o)} for o in links.links],
        }
    )


_RAW_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def _encode(value: Any) -> str:
    """One JSON value, with nothing a terminal or a CI runner would act on (``json_text``)."""
    return json_text(_RAW_ENCODE(value))


@dataclass(frozen=True, slots=True)
class _Rows:
    """A list member whose items become JSON values one at a time, as they are written."""

    items: Sequence[Any]
    row: Callable[[Any], Any]


def _dump(data: dict[str, Any]) -> str:
    return "".join(_chunks(data))


def _chunks(data: dict[str, Any]) -> Iterator[str]:
    """The object with one key per line and one list item (a result, a link) per line.

    ``json.dumps(indent=2)`` runs the pure-Python encoder; without ``indent`` each value goes
    through the C encoder, and the file stays readable and diff-friendly (figures in
    docs/reports.md).
    """
    yield "{"
    for index, (key, value) in enumerate(data.items()):
        yield f",\n  {_encode(key)}: " if index else f"\n  {_encode(key)}: "
        if isinstance(value, _Rows):
            yield from _list_chunks(map(value.row, value.items))
        elif isinstance(value, list):
            yield from _list_chunks(value)
        else:
            yield _encode(value)
    yield "\n}\n"


def _list_chunks(rows: Iterable[Any]) -> Iterator[str]:
    opened = False
    for row in rows:
        yield ",\n    " if opened else "[\n    "
        opened = True
        yield _encode(row)
    yield "\n  ]" if opened else "[]"


def _document(document: Document) -> dict[str, Any]:
    return {
        "path": document.path,
        "format": document.format.value,
        "links": document.links,
        "title": document.title,
        "published": document.published.isoformat() if document.published else None,
        "error": document.error,
    }


def _result(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = {
        "url": result.url,
        "verdict": result.verdict.value,
        "reason": result.reason,
        "status": result.status,
        "final_url": result.final_url,
        "redirects": [{"url": r.url, "status": r.status, "via": r.via} for r in result.redirects],
        "permanent": result.permanent,
        "title": result.title,
        "checked_at": iso(result.checked_at),
        "elapsed_ms": result.elapsed_ms,
        "attempts": result.attempts,
        "cached": result.cached,
        "error": result.error,
        "archive": _archive(result),
        "occurrences": [_occurrence(o) for o in result.occurrences],
    }
    if result.history is not None:
        data["history"] = _history(result.history)
    if result.doi is not None:
        data["doi"] = {
            "doi": result.doi.doi,
            "registered": result.doi.registered,
            "target": result.doi.target,
        }
    if result.notices:
        data["notices"] = [
            {"kind": n.kind.value, "doi": n.doi, "date": n.date, "url": n.url}
            for n in result.notices
        ]
    if result.open_access is not None:
        oa = result.open_access
        data["open_access"] = {"url": oa.url, "source": oa.source, "version": oa.version}
    if result.drift is not None:
        drift = result.drift
        data["drift"] = {
            "state": drift.state,
            "similarity": drift.similarity,
            "compared_with": drift.compared_with,
            "compared_at": drift.compared_at,
        }
    if result.quotes:
        data["quotes"] = [
            {
                "text": q.text,
                "found": q.found,
                "in_snapshot": q.in_snapshot,
                "document": q.document,
                "line": q.line,
                "page": q.page,
            }
            for q in result.quotes
        ]
    return data


def _archive(result: Result) -> dict[str, Any] | None:
    snapshot = result.archive
    if snapshot is None:
        return None
    return {
        "url": snapshot.url,
        "timestamp": snapshot.timestamp,
        "original": snapshot.original,
        "service": snapshot.service,
    }


def _occurrence(occurrence: Occurrence) -> dict[str, Any]:
    return {
        "document": occurrence.document,
        "raw": occurrence.raw,
        "text": occurrence.text,
        "page": occurrence.page,
        "line": occurrence.line,
        "column": occurrence.column,
        "part": occurrence.part.value,
        "element": occurrence.element.value,
        "context": occurrence.context,
        "problem": occurrence.problem.value if occurrence.problem else None,
    }


def _history(history: History) -> dict[str, Any]:
    return {
        "first_seen": iso(history.first_seen),
        "last_ok": iso(history.last_ok),
        "failing_since": iso(history.failing_since),
        "consecutive_failures": history.consecutive_failures,
        "flapping": history.flapping,
        "recovered": history.recovered,
        "escalated": history.escalated,
    }
