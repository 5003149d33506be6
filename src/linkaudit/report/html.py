"""
One self-contained HTML page: summary, a sortable and filterable table of findings, a view
per document, and the health chart when earlier runs are known.

No external assets; the inline style and script are allowed by hash in a Content Security
Policy, so the page also opens under a strict CSP. Every user string is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from html import escape as _html_escape

from linkaudit.printable import neutralise, one_line
from linkaudit.report._html_assets import SCRIPT, STYLE
from linkaudit.report.base import HealthPoint, Report, ReportOptions
from linkaudit.report.charts import Series, bar_chart
from linkaudit.report.findings import ALL_VERDICTS, Finding, findings, iso
from linkaudit.verdicts import Verdict

__all__ = ["HtmlReporter", "health_chart"]

_RANK = {verdict: index for index, verdict in enumerate(ALL_VERDICTS)}


def escape(text: str) -> str:
    """Text for HTML: neutralised (one line, no ESC, no workflow command), then escaped."""
    return _html_escape(neutralise(text)).replace("##[", "#&#35;[")


class HtmlReporter:
    """See ``Reporter.render``."""

    name = "html"

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    def render(self, report: Report) -> str:
        """See ``Reporter.render``."""
        chosen = findings(report.results, ALL_VERDICTS, baselined=report.baselined)
        sections = [
            _header(report),
            _warnings(report.warnings),
            _history(report.health),
            _findings(chosen, report),
            _documents(report, chosen),
        ]
        return _page("\n".join(s for s in sections if s))


def _page(body: str) -> str:
    policy = (
        "default-src 'none'; "
        f"style-src '{_hash(STYLE)}'; script-src '{_hash(SCRIPT)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        "<title>linkaudit report</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def _header(report: Report) -> str:
    summary = report.summary
    cards = "".join(
        f'<li class="v-{v.value}"><b>{summary.by_verdict.get(v.value, 0)}</b>{v.value}</li>'
        for v in ALL_VERDICTS
    )
    notes = []
    if summary.network != "ok":
        notes.append(
            f"<p><strong>Network {escape(summary.network)}:</strong>"
            " remote links were not checked.</p>"
        )
    if summary.interrupted:
        notes.append("<p><strong>Interrupted:</strong> some links were not checked.</p>")
    if summary.baselined:
        notes.append(
            f"<p><strong>Baseline:</strong> {summary.baselined} cited places at or above the"
            " gate are accepted by the baseline (marked below).</p>"
        )
    return (
        "<header>\n<h1>linkaudit report</h1>\n"
        f'<p class="meta">Generated {escape(iso(report.generated_at) or "")} by linkaudit '
        f"{escape(report.tool_version)}: {_count(summary.documents, 'document')}, "
        f"{_count(summary.links, 'link')}, {_count(summary.urls, 'distinct URL')}.</p>\n"
        f'<ul class="cards" aria-label="URLs by verdict">{cards}</ul>\n{"".join(notes)}</header>'
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _warnings(warnings: Iterable[str]) -> str:
    items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
    return f'<section id="warnings"><h2>Warnings</h2><ul>{items}</ul></section>' if items else ""


def _history(health: list[HealthPoint]) -> str:
    if not health:
        return ""
    return f'<section id="history"><h2>Health over time</h2>\n{health_chart(health)}\n</section>'


def health_chart(points: list[HealthPoint], width: int = 720, height: int = 220) -> str:
    """Stacked bars per run (ok, archived and redirected, problems) as inline SVG with axes
    and values; an offline run is marked, not drawn, since its counts say nothing."""
    stacks = [_stack(p) for p in points]
    names = (
        ("ok", "bar-ok"),
        ("archived, redirected, other", "bar-other"),
        ("problems", "bar-problem"),
    )
    series = [
        Series(name, css, [float(stack[n][1]) for stack in stacks])
        for n, (name, css) in enumerate(names)
    ]
    return bar_chart(
        [p.run_at.strftime("%Y-%m-%d") for p in points],
        series,
        title="URLs by verdict per run",
        stacked=True,
        marks=["offline" if p.offline else "" for p in points],
        width=width,
        height=height,
    )


def _stack(point: HealthPoint) -> list[tuple[str, int]]:
    counts = point.by_verdict
    problems = sum(
        n for v, n in counts.items() if v in Verdict.__members__.values() and Verdict(v).is_problem
    )
    ok = counts.get(Verdict.OK.value, 0)
    other = sum(counts.values()) - problems - ok
    return [("bar-ok", ok), ("bar-other", other), ("bar-problem", problems)]


_HEADERS = ("Verdict", "Document", "Where", "Anchor text", "URL", "Status", "Action", "Context")


def _findings(chosen: list[Finding], report: Report) -> str:
    with_history = any(r.history is not None for r in report.results)
    headers = (*_HEADERS, "Failing since") if with_history else _HEADERS
    head = "".join(f'<th scope="col"><button type="button">{h}</button></th>' for h in headers)
    options = "".join(f'<option value="{v.value}">{v.value}</option>' for v in ALL_VERDICTS)
    rows = "\n".join(_row(f, with_history) for f in chosen)
    return (
        '<section id="all-findings"><h2>Findings</h2>\n<div class="controls">'
        '<label>Filter <input id="filter-text" type="search" placeholder="text, URL, document">'
        '</label><label>Verdict <select id="filter-verdict"><option value="">all</option>'
        f'{options}</select></label><span><span id="shown">{len(chosen)}</span> of '
        f"{len(chosen)} shown</span></div>\n"
        f'<table id="findings"><thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>'
        "</table>\n</section>"
    )


def _row(finding: Finding, with_history: bool) -> str:
    result, occurrence = finding.result, finding.occurrence
    verdict = result.verdict.value
    place = (
        (occurrence.page or 0, occurrence.line or 0, occurrence.column or 0)
        if occurrence
        else (0, 0, 0)
    )
    sort_place = "{:06d}.{:08d}.{:05d}".format(*place)
    cells = [
        f'<td class="v v-{verdict}" data-sort="{_RANK[result.verdict]}">{verdict}</td>',
        f"<td>{escape(finding.document)}</td>",
        f'<td data-sort="{sort_place}">{escape(finding.where)}</td>',
        f"<td>{escape(one_line(finding.text))}</td>",
        f'<td class="url">{_link(result.url)}</td>',
        f"<td>{escape(finding.status)}</td>",
        f'<td class="action">{escape(finding.action)}{_baseline_mark(finding)}</td>',
        f'<td class="context">{escape(one_line(finding.context))}</td>',
    ]
    if with_history:
        since = result.history.failing_since if result.history else None
        cells.append(f"<td>{escape((iso(since) or '')[:10])}</td>")
    baselined = ' data-baselined="true"' if finding.baselined else ""
    return f'<tr data-verdict="{verdict}"{baselined}>{"".join(cells)}</tr>'


def _baseline_mark(finding: Finding) -> str:
    if not finding.baselined:
        return ""
    return ' <span class="baselined">(accepted by the baseline)</span>'


def _link(url: str) -> str:
    """A clickable link only for web URLs: a ``javascript:`` target stays text."""
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{escape(url)}" rel="noreferrer noopener">{escape(url)}</a>'
    return escape(url)


def _context(finding: Finding) -> str:
    if not finding.context:
        return ""
    return f'<br><q class="context">{escape(one_line(finding.context))}</q>'


def _documents(report: Report, chosen: list[Finding]) -> str:
    parts = ['<section id="documents"><h2>By document</h2>']
    for document in report.documents:
        mine = [f for f in chosen if f.document == document.path and f.result.verdict.is_problem]
        title = f" ({escape(document.title)})" if document.title else ""
        items = "".join(
            f'<li><span class="v v-{f.result.verdict.value}">{f.result.verdict.value}</span> '
            f"{escape(f.where)} “{escape(one_line(f.text))}” {_link(f.result.url)}"
            f"{': ' + escape(f.action) if f.action else ''}{_baseline_mark(f)}"
            f"{_context(f)}</li>"
            for f in mine
        )
        error = (
            f"<p><strong>Not read:</strong> {escape(document.error)}</p>" if document.error else ""
        )
        body = f"<ul>{items}</ul>" if items else "<p>No problems.</p>"
        parts.append(
            f"<details><summary>{escape(document.path)}{title}: {document.links} links, "
            f"{len(mine)} problems</summary>{error}{body}</details>"
        )
    parts.append("</section>")
    return "\n".join(parts)
