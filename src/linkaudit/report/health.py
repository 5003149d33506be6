"""
The archive health report (``linkaudit report --health``): lost evidence first, then alive,
dead and preserved per document and overall, rot by document age, and the history chart.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from html import escape as _html_escape
from typing import Any

from linkaudit.archive.health import DocumentHealth, Health, RotBucket, health_figures
from linkaudit.models import Result
from linkaudit.printable import json_text, neutralise
from linkaudit.report.base import Report

__all__ = ["health_to_dict", "render_health"]


def escape(text: str) -> str:
    """Neutralised, then HTML-escaped."""
    return _html_escape(neutralise(text))


_COLUMNS = ("alive", "dead", "redirected", "restricted", "archived", "unreachable")


def render_health(
    report: Report, previous: Mapping[str, str] | None, *, fmt: str, today: dt.date
) -> str:
    """The health report of ``report`` as table, json, markdown or html."""
    health = health_figures(report.results, report.documents, previous=previous, today=today)
    if fmt == "json":
        return (
            json_text(json.dumps(health_to_dict(health, report), indent=2, ensure_ascii=False))
            + "\n"
        )
    if fmt == "html":
        return _html(health, report)
    lines = _markdown(health)
    if fmt == "table":
        return "\n".join(line.replace("**", "") for line in lines) + "\n"
    return "\n".join(lines) + "\n"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _row(health: DocumentHealth) -> dict[str, Any]:
    return {
        "document": health.document,
        "published": health.published.isoformat() if health.published else None,
        **{name: getattr(health, name) for name in _COLUMNS},
        "citations": health.citations,
        "archive_coverage": health.coverage,
        "died_since_previous": list(health.died),
        "lost_evidence": list(health.lost_evidence),
    }


def _bucket(bucket: RotBucket) -> dict[str, Any]:
    return {
        "year": bucket.year,
        "age_years": bucket.age_years,
        "citations": bucket.citations,
        "dead": bucket.dead,
        "share_dead": bucket.share_dead,
    }


def health_to_dict(health: Health, report: Report) -> dict[str, Any]:
    """The figures as JSON-ready data (schema ``linkaudit.health/1``)."""
    return {
        "schema": "linkaudit.health/1",
        "generated_at": report.generated_at.isoformat(),
        "lost_evidence": [
            {
                "url": r.url,
                "reason": r.reason,
                "documents": sorted({o.document for o in r.occurrences}),
            }
            for r in health.lost_evidence
        ],
        "overall": _row(health.overall),
        "documents": [_row(d) for d in health.documents],
        "rot_by_age": [_bucket(b) for b in health.rot_by_age],
        "died_since_previous": list(health.died_since_previous),
        "history": [
            {"run_at": p.run_at.isoformat(), "by_verdict": p.by_verdict} for p in report.health
        ],
    }


def _documents(result: Result) -> list[str]:
    return sorted({o.document for o in result.occurrences})


def _markdown(health: Health) -> list[str]:
    lines = ["# Archive health", ""]
    lines.append(f"**Lost evidence** (dead, no snapshot anywhere): {len(health.lost_evidence)}")
    lines += [f"- {neutralise(r.url)} ({neutralise(r.reason)})" for r in health.lost_evidence]
    lines += ["", f"**Died since the previous run**: {len(health.died_since_previous)}"]
    lines += [f"- {neutralise(url)}" for url in health.died_since_previous]
    header = "| document | " + " | ".join(_COLUMNS) + " | archive coverage |"
    lines += ["", header, "|" + " --- |" * (len(_COLUMNS) + 2)]
    for item in (*health.documents, health.overall):
        name = neutralise(item.document) if item.document else "**all documents**"
        cells = " | ".join(str(getattr(item, c)) for c in _COLUMNS)
        lines.append(f"| {name} | {cells} | {_percent(item.coverage)} |")
    lines += ["", "**Rot by document age**", "", "| published | citations | dead | share dead |"]
    lines.append("| --- | --- | --- | --- |")
    for bucket in health.rot_by_age:
        year = bucket.year if bucket.year is not None else "undated"
        lines.append(
            f"| {year} | {bucket.citations} | {bucket.dead} | {_percent(bucket.share_dead)} |"
        )
    return lines


def _bars(buckets: tuple[RotBucket, ...], width: int = 520, height: int = 160) -> str:
    """Share of dead citations per publication year, as inline SVG."""
    if not buckets:
        return "<p>No dated citations.</p>"
    step = width / len(buckets)
    plot = height - 24
    shapes = []
    for index, bucket in enumerate(buckets):
        share = bucket.share_dead or 0.0
        h = plot * share
        x = index * step + step * 0.15
        label = escape(str(bucket.year if bucket.year is not None else "undated"))
        shapes.append(
            f'<rect class="bar" x="{x:.1f}" y="{plot - h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{h:.1f}"><title>{label}: {share:.0%} dead</title></rect>'
            f'<text x="{x + step * 0.35:.1f}" y="{height - 6}" text-anchor="middle">{label}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="share of dead citations by publication year">'
        f"{''.join(shapes)}</svg>"
    )


_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;"
    "text-align:left}.bar{fill:#b3261e}.bar-problem{fill:#b3261e}.bar-ok{fill:#2e7d32}"
    ".bar-archived{fill:#1565c0}.bar-other{fill:#999}svg text{font-size:11px}"
    ".lost{color:#b3261e}"
)


def _html(health: Health, report: Report) -> str:
    from linkaudit.report.html import health_chart

    rows = "".join(
        "<tr><td>{}</td>{}<td>{}</td></tr>".format(
            escape(item.document or "all documents"),
            "".join(f"<td>{getattr(item, c)}</td>" for c in _COLUMNS),
            _percent(item.coverage),
        )
        for item in (*health.documents, health.overall)
    )
    lost = "".join(
        f'<li class="lost">{escape(r.url)} ({escape(str(r.reason))})</li>'
        for r in health.lost_evidence
    )
    history = health_chart(report.health) if report.health else "<p>One run so far.</p>"
    head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\"><title>linkaudit archive health</title>"
        f"<style>{_STYLE}</style></head><body><h1>Archive health</h1>"
        f"<p>Generated {escape(report.generated_at.isoformat())}.</p>"
        f"<h2>Lost evidence ({len(health.lost_evidence)})</h2><ul>{lost or '<li>none</li>'}</ul>"
        f"<h2>Per document</h2><table><tr><th>document</th>{head}<th>archive coverage</th></tr>"
        f"{rows}</table><h2>Rot by document age</h2>{_bars(health.rot_by_age)}"
        f"<h2>Health over time</h2>{history}</body></html>\n"
    )
