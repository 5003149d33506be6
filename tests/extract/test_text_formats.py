"""Markdown, HTML, text, LaTeX and BibTeX extractors on the fixture documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from linkaudit.config import Settings
from linkaudit.extract import Extraction, iter_inputs
from linkaudit.models import DocumentFormat, Element, Part, RobustLink
from linkaudit.verdicts import Reason

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "tests" / "fixtures" / "docs"
BRIEF = REPO / "examples" / "rok-us-policy-brief-2025-03.md"


def extract(path: Path) -> Extraction:
    (extraction,) = iter_inputs([str(path)], Settings())
    assert extraction.document.error is None
    return extraction


def rows(extraction: Extraction) -> list[tuple[object, ...]]:
    return [(o.raw, o.text, o.line, o.column, o.element, o.problem) for o in extraction.occurrences]


def test_example_brief() -> None:
    found = extract(BRIEF)
    links = found.occurrences
    assert len(links) == 37 and found.document.links == 37
    placeholders = [o for o in links if o.raw == "#"]
    assert len(placeholders) == 29
    assert all(o.problem == Reason.PLACEHOLDER for o in placeholders)
    assert [(o.text, o.line) for o in placeholders[:3]] == [
        ("formally", 80),
        ("emphasized", 80),
        ("economic retaliation", 90),
    ]
    assert (placeholders[-2].text, placeholders[-2].line) == ("allyshoring", 126)
    assert (placeholders[-1].text, placeholders[-1].line) == ("critical sectors", 128)
    mailto = [o.url for o in links if o.url.startswith("mailto:")]
    assert mailto == ["mailto:tongil@snu.ac.kr", "mailto:gwiks@gwu.edu"]
    social = [o for o in links if "facebook" in o.url or "instagram" in o.url]
    assert [(o.text, o.line, o.column) for o in social] == [
        ("facebook.com/IPUSINSNU", 42, 11),
        ("ipus.snu\\_official", 43, 12),
        ("facebook.com/GWIKS2016/", 50, 11),
        ("gwukorea", 51, 12),
    ]
    autolinks = [o for o in links if o.element == Element.AUTOLINK]
    assert [(o.url, o.line, o.column) for o in autolinks] == [
        ("https://ipus.snu.ac.kr/eng/", 41, 6),
        ("https://gwiks.elliott.gwu.edu/", 49, 6),
    ]
    complying = next(o for o in links if o.text == "complying")
    assert complying.context == (
        "complying with U.S. regulations may lead to disruptions in production and market access."
    )
    assert found.document.title == "ROK-US POLICY BRIEF"
    assert found.document.published == dt.date(2025, 4, 1)
    assert found.document.content_hash and len(found.document.content_hash) == 64


def test_markdown_hard_cases() -> None:
    found = extract(DOCS / "hard-cases.md")
    assert rows(found) == [
        ("https://example.org/a", "inline link", 5, 4, Element.LINK, None),
        ("https://example.org/ref", "reference", 5, 55, Element.REFERENCE, None),
        ("https://example.org/ref", "ref", 6, 13, Element.REFERENCE, None),
        ("https://example.org/auto", "https://example.org/auto", 6, 27, Element.AUTOLINK, None),
        ("https://example.org/bare", "https://example.org/bare", 7, 11, Element.BARE, None),
        ("www.example.net/x", "www.example.net/x", 7, 36, Element.BARE, None),
        ("https://example.org/emph", "link foo bar", 8, 10, Element.LINK, None),
        ("https://instagram.com/ipus.snu_official", "ipus.snu_official", 9, 9, Element.LINK, None),
        ("img/chart.png", "the alt", 10, 10, Element.IMAGE, None),
        ("https://example.org/raw", "raw", 10, 44, Element.LINK, None),
        ("#hard-cases", "good fragment", 12, 3, Element.LINK, None),
        ("#nowhere", "bad one", 12, 35, Element.LINK, Reason.PLACEHOLDER),
        ("#", "empty", 12, 59, Element.LINK, Reason.PLACEHOLDER),
        ("javascript:alert(1)", "script", 13, 5, Element.LINK, Reason.UNSUPPORTED_SCHEME),
        ("mailto:nobody", "mail", 13, 39, Element.LINK, Reason.MALFORMED),
        ("https://example.org/block", "block link", 15, 6, Element.LINK, None),
    ]
    bare_www = found.occurrences[5]
    assert bare_www.url == "http://www.example.net/x"
    image = found.occurrences[8]
    assert image.url == (DOCS / "img" / "chart.png").as_uri()
    assert found.occurrences[0].context == "An inline link and a reference link."
    assert found.document.title == "Hard Cases"
    assert found.document.published == dt.date(2025, 3, 14)


def test_html_base_href_robust_links_and_images() -> None:
    found = extract(DOCS / "base-href.html")
    assert found.document.title == "The Title"
    assert found.document.published == dt.date(2024, 5, 6)
    assert found.document.base_url == "https://example.org/docs/"
    got = [(o.url, o.text, o.line, o.column, o.element, o.problem) for o in found.occurrences]
    assert got == [
        ("https://example.org/docs/style.css", "", 5, 1, Element.RESOURCE, None),
        ("https://example.org/docs/page.html", "the page", 7, 8, Element.LINK, None),
        ("https://example.org/root", "Logo", 8, 17, Element.LINK, None),
        ("https://example.org/docs/logo.png", "Logo", 8, 33, Element.IMAGE, None),
        ("https://example.org/area", "", 9, 6, Element.AREA, None),
        ("https://example.org/old", "robust", 10, 1, Element.LINK, None),
        ("https://example.org/docs/#here", "self", 11, 1, Element.LINK, None),
        ("#missing", "gone", 11, 36, Element.LINK, Reason.PLACEHOLDER),
    ]
    assert found.occurrences[5].robust == RobustLink(
        original_url="https://example.org/old",
        version_url="https://web.archive.org/web/2020/https://example.org/old",
        version_date="2020-01-01",
    )
    assert found.occurrences[1].context == "See the page and ."


def test_html_charset_from_meta(tmp_path: Path) -> None:
    page = tmp_path / "cz.html"
    page.write_bytes(
        '<html><head><meta charset="windows-1250"></head><body>'
        '<a href="https://example.org/š">Příliš žluťoučký</a></body></html>'.encode("cp1250")
    )
    (occurrence,) = extract(page).occurrences
    assert occurrence.text == "Příliš žluťoučký"
    assert occurrence.raw == "https://example.org/š"


def test_plain_text() -> None:
    found = extract(DOCS / "plain.txt")
    assert found.document.format == DocumentFormat.TEXT
    assert [(o.raw, o.url, o.line, o.column, o.element) for o in found.occurrences] == [
        ("https://x.org/a_(b)", "https://x.org/a_(b)", 1, 17, Element.BARE),
        ("www.example.com", "http://www.example.com/", 1, 44, Element.BARE),  # the identity
        ("https://q.org/x", "https://q.org/x", 1, 66, Element.BARE),
        ("http://a.org/p?x=1", "http://a.org/p?x=1", 2, 10, Element.BARE),
    ]


def test_latex() -> None:
    found = extract(DOCS / "paper.tex")
    assert found.document.title == "A Paper"
    assert found.document.published == dt.date(2025, 3, 1)
    assert [(o.raw, o.text, o.line, o.column, o.element) for o in found.occurrences] == [
        ("https://example.org/a%20b", "the site", 6, 5, Element.CITATION),
        ("https://example.org/u", "https://example.org/u", 6, 62, Element.CITATION),
    ]


def test_bibtex() -> None:
    found = extract(DOCS / "refs.bib")
    assert found.document.format == DocumentFormat.BIBTEX
    assert [(o.url, o.text, o.line, o.part) for o in found.occurrences] == [
        ("https://example.org/study", "A Study of Links", 4, Part.BIBLIOGRAPHY),
        ("https://doi.org/10.1000/xyz123", "A Study of Links", 5, Part.BIBLIOGRAPHY),
        ("https://doi.org/10.5555/abc", "Second", 8, Part.BIBLIOGRAPHY),
    ]


@pytest.mark.parametrize(
    ("source", "url", "text"),
    [
        ("[x](<a b>)", "a%20b", "x"),
        ("<https://example.com/?q=](u)>", "https://example.com/?q=%5D(u)", None),
        ("`https://example.org/code`", None, None),
        ("[foo]: /url\n", None, None),
    ],
)
def test_markdown_commonmark_details(
    tmp_path: Path, source: str, url: str | None, text: str | None
) -> None:
    doc = tmp_path / "d.md"
    doc.write_text(source, encoding="utf-8")
    links = extract(doc).occurrences
    if url is None:
        assert links == []
        return
    (link,) = links
    assert link.url.endswith(url)
    if text is not None:
        assert link.text == text
