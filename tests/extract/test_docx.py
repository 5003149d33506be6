"""DocxExtractor on DOCX packages written at test time (tests/helpers/builders/docx.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.builders import docx as build
from linkaudit.config import Settings
from linkaudit.exceptions import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EncryptedDocument,
)
from linkaudit.extract.docx import DocxExtractor, _hyperlink_instruction
from linkaudit.models import Element, Extraction, Part, Source

BASE = "file:///briefs/brief.docx"
L, F, B = Element.LINK, Element.FIELD, Element.BARE


def extract(data: bytes, **settings: object) -> Extraction:
    return DocxExtractor().extract(Source("brief.docx", data, BASE), Settings().replace(**settings))


def test_every_occurrence_of_the_links_docx() -> None:
    found = [(o.url, o.text, o.part, o.element) for o in extract(build.links_docx()).occurrences]
    assert found == [
        ("https://example.org/retaliation", "economic retaliation", Part.BODY, L),
        ("https://example.org/simple", "the simple field", Part.BODY, F),
        ("https://example.org/complex?a=1&b=2", "the complex field", Part.BODY, F),
        ("https://example.org/merged", "one link", Part.BODY, L),
        ("https://example.net/bare", "", Part.BODY, B),
        ("https://example.org/linked", "https://example.org/linked", Part.BODY, L),
        (BASE + "#method", "the method", Part.BODY, L),
        ("https://example.org/footnote", "a footnote source", Part.FOOTNOTE, L),
        ("https://example.org/endnote", "", Part.ENDNOTE, B),
        ("https://example.org/", "home", Part.HEADER, L),
        ("https://example.org/licence", "licence", Part.FOOTER, L),
        ("https://example.org/comment", "why", Part.COMMENT, L),
    ]


def test_document_metadata_raw_context_and_no_line() -> None:
    extraction = extract(build.links_docx())
    assert extraction.document.title == "Alliance brief (DOCX)"
    assert extraction.document.published == dt.date(2025, 3, 14)
    first = extraction.occurrences[0]
    assert (first.raw, first.line, first.page) == ("https://example.org/retaliation", None, None)
    assert first.context == "Seoul warned of economic retaliation in March."
    assert extraction.occurrences[6].raw == "#method"


@pytest.mark.parametrize(
    ("instr", "target"),
    [
        ('HYPERLINK "https://x.org/a"', "https://x.org/a"),
        (' HYPERLINK https://x.org/a \\o "tip" ', "https://x.org/a"),
        ('HYPERLINK "https://x.org/a" \\l "part2"', "https://x.org/a#part2"),
        ('HYPERLINK \\l "bookmark"', "#bookmark"),
        ("PAGEREF _Toc1 \\h", None),
        ("", None),
    ],
)
def test_hyperlink_instruction(instr: str, target: str | None) -> None:
    assert _hyperlink_instruction(instr) == target


@pytest.mark.parametrize(
    ("data", "error", "cause"),
    [
        (b"PK but not really a zip", CorruptDocument, "not a zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), EncryptedDocument, "password-protected"),
        (build.billion_laughs_docx(), CorruptDocument, "declares a DTD"),
        (build.zip_bomb_docx(), DocumentTooLarge, "zip bomb"),
    ],
    ids=["not-zip", "ole-encrypted", "billion-laughs", "zip-bomb"],
)
@pytest.mark.timeout(10)
def test_bad_docx(data: bytes, error: type[DocumentError], cause: str) -> None:
    with pytest.raises(error) as info:
        extract(data, max_document_bytes=1_000_000)
    assert cause in str(info.value)
    assert str(info.value).startswith("brief.docx: ")


def test_zip_without_document_xml() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(CorruptDocument, match=r"without word/document\.xml"):
        extract(buffer.getvalue())


def test_long_docx_reads_every_link() -> None:
    found = extract(build.long_docx(pages=3)).occurrences
    assert len(found) == 3 * 5 * 2
    assert found[0].text == "anchor 1.0"
    assert found[1].element == Element.BARE
