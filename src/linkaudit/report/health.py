"""
The archive health report (``linkaudit report --health``), written to be shown to a
director: lost evidence first (by citing document, with anchor text and the date cited),
then figures per document, rot by document age, the share of documents with a broken link
by publication year (page gone and domain gone, as Pew Research Center measures it), and the
history of runs. Offline runs are marked and never counted into a rate.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from html import escape as _html_escape
from typing import Any

from linkaudit.models import Quote, Result
from linkaudit.printable import guard_lines, json_text, neutralise, one_line
from linkaudit.report.base import Report
from linkaudit.report.charts import Series, bar_chart
from linkaudit.report.health_figures import (
    DocumentHealth,
    Health,
    LostCitation,
    RotBucket,
    YearBreakage,
    health_figures,
)
from linkaudit.report.html import health_chart
from linkaudit.report.markdown import code
from linkaudit.report.markdown import escape as markdown_escape

__all__ = ["PEW_2024", "health_to_dict", "render_health"]

_COLUMNS = ("alive", "dead", "invalid", "redirected", "restricted", "archived", "unreachable")

#: For comparison (Pew Research Center, "When Online Content Disappears", May 2024).
PEW_2024 = (
    "For comparison, Pew Research Center found at least one broken link on 23% of news pages "
    "and 21% of government pages, and 38% of pages that existed in 2013 gone by 2023 "
    '("When Online Content Disappears", May 2024).'
)
_OFFLINE = (
    "This run could not reach the network (or ran with --offline): remote links were not "
    "checked, so no rate below is computed from it."
)


def escape(text: object) -> str:
    """Neutralised, then HTML-escaped."""
    return _html_escape(neutralise(text))


def _offline(report: Report) -> bool:
    return report.summary.network != "ok"


def render_health(
    report: Report, previous: Mapping[str, str] | None, *, fmt: str, today: dt.date
) -> str:
    """The health report of ``report`` as table, json, markdown or html."""
    health = health_figures(report.results, report.documents, previous=previous, today=today)
    if fmt == "json":
        data = health_to_dict(health, report)
        return json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
    if fmt == "html":
        return guard_lines(_html(health, report))
    if fmt == "table":
        lines = _markdown(health, report, _plain, _plain_code)
        return guard_lines("\n".join(line.replace("**", "") for line in lines) + "\n")
    return guard_lines("\n".join(_markdown(health, report, _md, _md_code)) + "\n")


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _rate(value: float | None, offline: bool) -> float | None:
    return None if offline else value


def _row(health: DocumentHealth, offline: bool) -> dict[str, Any]:
    return {
        "document": health.document,
        "published": health.published.isoformat() if health.published else None,
        **{name: getattr(health, name) for name in _COLUMNS},
        "citations": health.citations,
        "archive_coverage": _rate(health.coverage, offline),
        "died_since_previous": list(health.died),
        "lost_evidence": list(health.lost_evidence),
    }


def _bucket(bucket: RotBucket, offline: bool) -> dict[str, Any]:
    return {
        "year": bucket.year,
        "age_years": bucket.age_years,
        "citations": bucket.citations,
        "dead": bucket.dead,
        "share_dead": _rate(bucket.share_dead, offline),
    }


def _year(item: YearBreakage, offline: bool) -> dict[str, Any]:
    return {
        "year": item.year,
        "documents": item.documents,
        "with_broken_link": item.broken,
        "with_page_gone": item.page_gone,
        "with_domain_gone": item.domain_gone,
        "share_with_broken_link": _rate(item.share(item.broken), offline),
        "share_with_page_gone": _rate(item.share(item.page_gone), offline),
        "share_with_domain_gone": _rate(item.share(item.domain_gone), offline),
    }


def _citation(citation: LostCitation) -> dict[str, Any]:
    return {
        "url": citation.url,
        "reason": citation.reason,
        "text": citation.text,
        "cited_on": citation.cited_on.isoformat() if citation.cited_on else None,
    }


def health_to_dict(health: Health, report: Report) -> dict[str, Any]:
    """The figures as JSON-ready data (schema ``linkaudit.health/1``; rates are ``null`` for
    an offline run)."""
    offline = _offline(report)
    return {
        "schema": "linkaudit.health/1",
        "generated_at": report.generated_at.isoformat(),
        "offline": offline,
        "lost_evidence": [
            {
                "url": r.url,
                "reason": r.reason,
                "documents": sorted({o.document for o in r.occurrences}),
            }
            for r in health.lost_evidence
        ],
        "lost_evidence_by_document": [
            {"document": document, "citations": [_citation(c) for c in items]}
            for document, items in health.lost_by_document
        ],
        "overall": _row(health.overall, offline),
        "documents": [_row(d, offline) for d in health.documents],
        "rot_by_age": [_bucket(b, offline) for b in health.rot_by_age],
        "documents_with_broken_links_by_year": [_year(y, offline) for y in health.broken_by_year],
        "died_since_previous": list(health.died_since_previous),
        "drifted_since_cited": [
            {
                "url": r.url,
                "similarity": r.drift.similarity if r.drift else None,
                "compared_with": r.drift.compared_with if r.drift else None,
                "documents": sorted({o.document for o in r.occurrences}),
            }
            for r in _drifted(report)
        ],
        "quotations_not_found": [
            {
                "url": r.url,
                "text": q.text,
                "document": q.document,
                "line": q.line,
                "page": q.page,
                "in_snapshot": q.in_snapshot,
            }
            for r, q in _quotes_missing(report)
        ],
        "history": [
            {"run_at": p.run_at.isoformat(), "by_verdict": p.by_verdict, "offline": p.offline}
            for p in report.health
        ],
    }


def _md(text: object) -> str:
    """A Markdown table cell or list item: one line, no markup (``markdown.escape``)."""
    return markdown_escape(str(text))


def _md_code(text: str) -> str:
    return code(text)


def _plain(text: object) -> str:
    return one_line(text)


def _plain_code(text: str) -> str:
    return neutralise(text)


def _cited(day: dt.date | None) -> str:
    return f"cited {day.isoformat()}" if day else "date cited unknown"


def _markdown(
    health: Health, report: Report, cell: Callable[[object], str], code: Callable[[str], str]
) -> list[str]:
    offline = _offline(report)
    lines = ["# Archive health", ""]
    if offline:
        lines += [f"**Offline run.** {_OFFLINE}", ""]
    lines.append(f"**Lost evidence** (dead, no snapshot anywhere): {len(health.lost_evidence)}")
    for document, items in health.lost_by_document:
        lines += ["", f"- {cell(document)} ({_cited(items[0].cited_on)})"]
        lines += [
            f"  - {cell(one_line(c.text) or '(bare URL)')}: {code(c.url)} ({cell(c.reason)})"
            for c in items
        ]
    lines += ["", f"**Died since the previous run**: {len(health.died_since_previous)}"]
    lines += [f"- {code(url)}" for url in health.died_since_previous]
    drifted = _drifted(report)
    lines += ["", f"**Drifted since cited** (a different page answers now): {len(drifted)}"]
    lines += [f"- {code(r.url)} (compared with {cell(_compared(r))})" for r in drifted]
    missing = _quotes_missing(report)
    lines += ["", f"**Quotations not found in the source**: {len(missing)}"]
    lines += [
        f"- “{cell(q.text)}” ({cell(_where(q))}): {code(r.url)}"
        + (" — only in the snapshot" if q.in_snapshot else "")
        for r, q in missing
    ]
    header = "| document | " + " | ".join(_COLUMNS) + " | archive coverage |"
    lines += ["", header, "|" + " --- |" * (len(_COLUMNS) + 2)]
    for item in (*health.documents, health.overall):
        name = cell(item.document) if item.document else "**all documents**"
        cells = " | ".join(str(getattr(item, c)) for c in _COLUMNS)
        lines.append(f"| {name} | {cells} | {_percent(_rate(item.coverage, offline))} |")
    lines += ["", "**Rot by document age**", "", "| published | citations | dead | share dead |"]
    lines.append("| --- | --- | --- | --- |")
    for bucket in health.rot_by_age:
        year = _year_label(bucket.year)
        share = _percent(_rate(bucket.share_dead, offline))
        lines.append(f"| {year} | {bucket.citations} | {bucket.dead} | {share} |")
    lines += [
        "",
        "**Documents with at least one broken link, by publication year**",
        "",
        "| published | documents | any broken link | page gone | domain gone |",
        "| --- | --- | --- | --- | --- |",
    ]
    for one in health.broken_by_year:
        shares = [
            f"{_percent(_rate(one.share(n), offline))} ({n})"
            for n in (one.broken, one.page_gone, one.domain_gone)
        ]
        lines.append(f"| {_year_label(one.year)} | {one.documents} | {' | '.join(shares)} |")
    lines += ["", PEW_2024]
    if any(p.offline for p in report.health):
        count = sum(p.offline for p in report.health)
        lines += ["", f"{count} earlier offline runs are left out of the history."]
    return lines


_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;"
    "text-align:left}td.n{text-align:right}.bar{fill:#b3261e}.bar-problem{fill:#b3261e}"
    ".bar-ok{fill:#2e7d32}.bar-page{fill:#e65100}.bar-domain{fill:#6a1b9a}"
    ".bar-archived{fill:#1565c0}.bar-other{fill:#999}svg text{font-size:11px}"
    "svg .axis{stroke:#333}svg .grid{stroke:#ccc;stroke-dasharray:2 3}svg .mark{font-style:italic}"
    ".lost{color:#b3261e}.offline{border:2px solid #b3261e;padding:.5rem 1rem}.note{color:#555}"
)


def _html(health: Health, report: Report) -> str:
    offline = _offline(report)
    head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
    rows = "".join(
        "<tr><td>{}</td>{}<td class=n>{}</td></tr>".format(
            escape(item.document or "all documents"),
            "".join(f"<td class=n>{getattr(item, c)}</td>" for c in _COLUMNS),
            _percent(_rate(item.coverage, offline)),
        )
        for item in (*health.documents, health.overall)
    )
    history = health_chart(report.health) if report.health else "<p>One run so far.</p>"
    banner = f'<p class="offline"><strong>Offline run.</strong> {_OFFLINE}</p>' if offline else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\"><title>linkaudit archive health</title>"
        f"<style>{_STYLE}</style></head><body><h1>Archive health</h1>"
        f"<p>Generated {escape(report.generated_at.isoformat())}.</p>{banner}"
        f"<h2>Lost evidence ({len(health.lost_evidence)})</h2>{_lost_html(health)}"
        f"{_died_html(health)}{_drift_html(report)}"
        f"<h2>Per document</h2><table><tr><th>document</th>{head}<th>archive coverage</th></tr>"
        f"{rows}</table>"
        f'<h2>Rot by document age</h2><section id="rot">{_rot_chart(health, offline)}</section>'
        "<h2>Documents with a broken link, by publication year</h2>"
        f'<section id="broken">{_broken_chart(health, offline)}{_broken_table(health, offline)}'
        f'<p class="note">{escape(PEW_2024)}</p></section>'
        f'<h2>Health over time</h2><section id="history">{history}</section></body></html>\n'
    )


def _lost_html(health: Health) -> str:
    if not health.lost_by_document:
        return "<p>None: every dead link has an archived copy.</p>"
    parts = []
    for document, items in health.lost_by_document:
        entries = "".join(
            f'<li class="lost">“{escape(one_line(c.text) or "(bare URL)")}” '
            f"<code>{escape(c.url)}</code> ({escape(c.reason or 'dead')})</li>"
            for c in items
        )
        parts.append(
            f"<h3>{escape(document)} <small>{escape(_cited(items[0].cited_on))}</small></h3>"
            f"<ul>{entries}</ul>"
        )
    return "".join(parts)


def _died_html(health: Health) -> str:
    if not health.died_since_previous:
        return ""
    items = "".join(f"<li><code>{escape(u)}</code></li>" for u in health.died_since_previous)
    return (
        f"<h2>Died since the previous run ({len(health.died_since_previous)})</h2><ul>{items}</ul>"
    )


def _drifted(report: Report) -> list[Result]:
    """Pages that now answer with different content than when they were cited (--drift)."""
    return sorted((r for r in report.results if r.drifted), key=lambda r: r.url)


def _quotes_missing(report: Report) -> list[tuple[Result, Quote]]:
    """Quotations the live page no longer holds (--drift)."""
    return [(r, q) for r in report.results for q in r.quotes if q.found is False]


def _compared(result: Result) -> str:
    drift = result.drift
    if drift is None or not drift.compared_with:
        return "nothing"
    return (
        "the page as first checked"
        if drift.compared_with == "first_check"
        else (f"the snapshot of {drift.compared_at or 'unknown date'}")
    )


def _where(quote: Quote) -> str:
    place = f"page {quote.page}" if quote.page else f"line {quote.line}" if quote.line else ""
    return f"{quote.document or ''} {place}".strip()


def _drift_html(report: Report) -> str:
    drifted, missing = _drifted(report), _quotes_missing(report)
    if not drifted and not missing:
        return ""
    pages = "".join(
        f"<li><code>{escape(r.url)}</code> (compared with {escape(_compared(r))})</li>"
        for r in drifted
    )
    quotes = "".join(
        f"<li>“{escape(q.text)}” ({escape(_where(q))}) <code>{escape(r.url)}</code>"
        + (" — only in the snapshot" if q.in_snapshot else "")
        + "</li>"
        for r, q in missing
    )
    return (
        f"<h2>Drifted since cited ({len(drifted)})</h2><ul>{pages}</ul>"
        f"<h2>Quotations not found in the source ({len(missing)})</h2><ul>{quotes}</ul>"
    )


def _year_label(year: int | None) -> str:
    return str(year) if year is not None else "undated"


def _rot_chart(health: Health, offline: bool) -> str:
    if not health.rot_by_age:
        return "<p>No dated citations.</p>"
    if offline:
        return f"<p>{escape(_OFFLINE)}</p>"
    buckets = health.rot_by_age
    return bar_chart(
        [f"{_year_label(b.year)} (n={b.citations})" for b in buckets],
        [Series("share of citations dead", "bar", [b.share_dead for b in buckets])],
        title="Share of dead citations by publication year",
        percent=True,
    )


def _broken_chart(health: Health, offline: bool) -> str:
    if not health.broken_by_year:
        return "<p>No documents.</p>"
    if offline:
        return f"<p>{escape(_OFFLINE)}</p>"
    years = health.broken_by_year
    return bar_chart(
        [f"{_year_label(y.year)} (n={y.documents})" for y in years],
        [
            Series("any broken link", "bar", [y.share(y.broken) for y in years]),
            Series("page gone", "bar-page", [y.share(y.page_gone) for y in years]),
            Series("domain gone", "bar-domain", [y.share(y.domain_gone) for y in years]),
        ],
        title="Share of documents with at least one broken link, by publication year",
        percent=True,
    )


def _broken_table(health: Health, offline: bool) -> str:
    rows = "".join(
        f"<tr><td>{_year_label(y.year)}</td><td class=n>{y.documents}</td>"
        + "".join(
            f"<td class=n>{_percent(_rate(y.share(n), offline))} ({n})</td>"
            for n in (y.broken, y.page_gone, y.domain_gone)
        )
        + "</tr>"
        for y in health.broken_by_year
    )
    return (
        "<table><tr><th>published</th><th>documents</th><th>any broken link</th>"
        f"<th>page gone</th><th>domain gone</th></tr>{rows}</table>"
    )
