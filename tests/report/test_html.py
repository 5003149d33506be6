"""The HTML report: escaped, self-contained, and working in a real headless chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from linkaudit.report import Report, get_reporter

from .cdp import Browser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def test_user_text_is_escaped(sample_report: Report) -> None:
    html = get_reporter("html").render(sample_report)
    assert "&lt;html&gt; &amp; &quot;quotes&quot; &#x27;too&#x27;" in html
    assert "<html> &" not in html
    # only the page's own <html> element
    assert [tag for tag, _ in _tags(html)].count("html") == 1


def test_self_contained(sample_report: Report) -> None:
    html = get_reporter("html").render(sample_report)
    for tag, attrs in _tags(html):
        assert not (
            tag in ("script", "img", "link", "iframe") and (attrs.get("src") or attrs.get("href"))
        )
        assert "style" not in attrs  # a strict CSP would block inline style attributes
        assert not any(name.startswith("on") for name in attrs)  # nor inline handlers
    assert "Content-Security-Policy" in html and "'unsafe-inline'" not in html


def test_only_web_links_are_clickable(sample_report: Report) -> None:
    html = get_reporter("html").render(sample_report)
    hrefs = [attrs["href"] for tag, attrs in _tags(html) if tag == "a"]
    assert hrefs and all(h and h.startswith(("http://", "https://")) for h in hrefs)
    assert "mailto:press@example.org" in html


def test_chart_only_with_health(sample_report: Report, health_report: Report) -> None:
    assert "<svg" not in get_reporter("html").render(sample_report)
    html = get_reporter("html").render(health_report)
    assert html.count("<rect ") == 12  # four runs, three stacks each
    assert "Failing since" in html and "2025-03-06" in html


def test_per_document_view(sample_report: Report) -> None:
    html = get_reporter("html").render(sample_report)
    assert re.search(
        r"<summary>briefs/rok-us policy\.md \(ROK–US brief\): 8 links, 5 problems</summary>", html
    )
    assert "<strong>Not read:</strong> not a zip file" in html


_VISIBLE = (
    "Array.from(document.querySelectorAll('#findings tbody tr')).filter(r => !r.hidden).length"
)
_COLUMN = (
    "Array.from(document.querySelectorAll('#findings tbody tr')).map(r => r.cells[{}].textContent)"
)


@pytest.mark.browser
def test_in_headless_chromium(browser: Browser, health_report: Report, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(get_reporter("html").render(health_report), encoding="utf-8")
    browser.open(page.as_uri())
    total = health_report.summary.links
    assert browser.evaluate(_VISIBLE) == total
    assert browser.evaluate("document.getElementById('shown').textContent") == str(total)

    # filter by verdict, then by text as well
    browser.evaluate(
        "(() => { const s = document.getElementById('filter-verdict'); s.value = 'dead';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    assert browser.evaluate(_VISIBLE) == 3
    browser.evaluate(
        "(() => { const q = document.getElementById('filter-text'); q.value = 'ANNEX';"
        " q.dispatchEvent(new Event('input')); })()"
    )
    assert browser.evaluate(_VISIBLE) == 1
    browser.evaluate(
        "(() => { document.getElementById('filter-verdict').value = '';"
        " const q = document.getElementById('filter-text'); q.value = '';"
        " q.dispatchEvent(new Event('input')); })()"
    )
    assert browser.evaluate(_VISIBLE) == total

    # sort by URL: ascending, then descending on a second click
    click = "document.querySelectorAll('#findings thead button')[4].click()"
    browser.evaluate(click)
    urls = browser.evaluate(_COLUMN.format(4))
    assert urls == sorted(urls, key=str.lower)
    browser.evaluate(click)
    assert browser.evaluate(_COLUMN.format(4)) == sorted(urls, key=str.lower, reverse=True)
    # sort by verdict uses the editing order, not the alphabet
    browser.evaluate("document.querySelectorAll('#findings thead button')[0].click()")
    assert browser.evaluate(_COLUMN.format(0))[:4] == ["dead", "dead", "dead", "invalid"]

    assert browser.evaluate("document.querySelectorAll('#history svg rect').length") == 12
    shot = tmp_path / "report.png"
    browser.screenshot(shot)
    print(f"screenshot of the HTML report: {shot}")
    assert shot.stat().st_size > 10_000
    assert browser.errors() == []
