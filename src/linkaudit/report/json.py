"""``linkaudit.report/1`` and ``linkaudit.links/1``: the machine-readable contracts."""

from __future__ import annotations

import json
from typing import Any

from linkaudit.models import Document, History, Occurrence, Result
from linkaudit.report.base import LinksReport, Report, ReportOptions
from linkaudit.report.findings import iso

__all__ = ["JsonReporter", "render_links", "report_to_dict"]

REPORT_SCHEMA = "linkaudit.report/1"
LINKS_SCHEMA = "linkaudit.links/1"


class JsonReporter:
    """See ``Reporter.render``: the whole report as ``report-schema.json`` describes it."""

    name = "json"
    suffixes = (".json",)

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        return _dump(report_to_dict(report))


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON values."""
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
        },
        "documents": [_document(document) for document in report.documents],
        "results": [_result(result) for result in report.results],
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


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def _dump(data: dict[str, Any]) -> str:
    """The object with one key per line and one list item (a result, a link) per line.

    ``json.dumps(indent=2)`` runs the pure-Python encoder, about a second for 10,000 results;
    without ``indent`` each value goes through the C encoder, several times faster, and the
    file stays readable and diff-friendly.
    """
    members = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(map(_ENCODE, value))
            members.append(f"  {_ENCODE(key)}: [\n    {items}\n  ]")
        else:
            members.append(f"  {_ENCODE(key)}: {_ENCODE(value)}")
    return "{\n" + ",\n".join(members) + "\n}\n"


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
