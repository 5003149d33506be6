"""PdfExtractor on PDFs built at test time with reportlab (tests/fixtures/builders/pdf.py)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.builders import pdf as build
from linkaudit.config import Settings
from linkaudit.exceptions import CorruptDocument, EncryptedDocument
from linkaudit.extract._pdftext import printed_urls
from linkaudit.extract.base import Extraction, Source
from linkaudit.extract.pdf import PdfExtractor
from linkaudit.models import Element, Part

BASE = "file:///briefs/brief.pdf"
A, B = Element.ANNOTATION, Element.BARE


def extract(data: bytes, **settings: object) -> Extraction:
    return PdfExtractor().extract(Source("brief.pdf", data, BASE), Settings().replace(**settings))


def rows(extraction: Extraction) -> list[tuple[str, str, int | None, Part, Element]]:
    return [(o.url, o.text, o.page, o.part, o.element) for o in extraction.occurrences]


def test_every_occurrence_of_the_links_pdf() -> None:
    assert rows(extract(build.links_pdf())) == [
        ("https://example.org/retaliation", "economic retaliation", 1, Part.BODY, A),
        ("https://example.org/report", "the full report of the commission", 1, Part.BODY, A),
        ("https://example.org/printed", "https://example.org/printed", 1, Part.BODY, A),
        ("https://example.net/body-page", "", 1, Part.BODY, B),
        ("https://example.org/data", "the data", 2, Part.BODY, A),
        ("https://example.org/reports/2024/trade-and-alliances.pdf", "", 3, Part.ENDNOTE, B),
        ("https://example.org/very-long-hyphenated-path/index.html", "", 3, Part.ENDNOTE, B),
        ("https://example.org/notes", "", 3, Part.ENDNOTE, B),
    ]


def test_wrapped_link_is_two_occurrences_when_joining_is_off() -> None:
    found = rows(extract(build.links_pdf(), join_wrapped_pdf_links=False))
    report = [(url, text) for url, text, *_ in found if url.endswith("/report")]
    assert report == [
        ("https://example.org/report", "the full report of"),
        ("https://example.org/report", "the commission"),
    ]


def test_metadata_raw_and_context() -> None:
    extraction = extract(build.links_pdf())
    assert extraction.document.title == "Alliance policy brief"
    assert extraction.document.published == dt.date(2000, 1, 1)
    first = extraction.occurrences[1]
    assert first.raw == "https://example.org/report"
    assert first.document == "brief.pdf"
    # Lines of one sentence are one context; the sentence began on the line above.
    assert first.context == (
        "Seoul warned of economic retaliation as argued in the full report of the commission "
        "published last year."
    )


def test_relative_uri_resolves_against_uri_base() -> None:
    found = extract(build.base_uri_pdf()).occurrences
    assert [(o.raw, o.url, o.text) for o in found] == [
        ("guide/intro.html", "http://example.com/docs/guide/intro.html", "guide"),
        ("https://example.org/", "https://example.org/", "home"),
    ]


def test_max_pages_warns_and_stops() -> None:
    extraction = extract(build.links_pdf(), max_pages=1)
    assert {o.page for o in extraction.occurrences} == {1}
    assert extraction.warnings == ["brief.pdf: 3 pages, only the first 1 read (max_pages)"]


def test_empty_user_password_opens() -> None:
    assert len(extract(build.encrypted_pdf(user_password="")).occurrences) == 8


def test_encrypted_pdf() -> None:
    with pytest.raises(EncryptedDocument, match=r"brief\.pdf: encrypted PDF"):
        extract(build.encrypted_pdf())


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (build.links_pdf()[:1500], "unreadable PDF"),
        (b"not a pdf at all", "not a PDF"),
        (build.cyclic_pdf(), "unreadable PDF"),
    ],
    ids=["truncated", "junk", "cyclic"],
)
@pytest.mark.timeout(10)
def test_bad_pdfs_fail_with_one_line(data: bytes, cause: str) -> None:
    with pytest.raises(CorruptDocument) as info:
        extract(data)
    assert cause in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("see https://x.org/a/\nb/c.html today", ["https://x.org/a/b/c.html"]),
        ("see https://x.org/very-\nlong today", ["https://x.org/very-long"]),
        ("see https://x.org/very-\nLong today", ["https://x.org/very-"]),
        ("https://x.org/notes\nAccessed 4 March", ["https://x.org/notes"]),
        ("https://x.org/\nAccessed 4 March", ["https://x.org/"]),
        ("https://x.org/a\n/b?c=1", ["https://x.org/a/b?c=1"]),
        ("https://x.org/a.\nNext sentence", ["https://x.org/a"]),
        ("https://x.org/a/\nhttps://y.org/b", ["https://x.org/a/", "https://y.org/b"]),
        ("https://x.org/very\ufffelong", ["https://x.org/very-long"]),
    ],
)
def test_printed_url_line_joining(text: str, urls: list[str]) -> None:
    assert [p.url for p in printed_urls(text)] == urls
