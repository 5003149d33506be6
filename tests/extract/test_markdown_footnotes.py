"""Markdown footnotes: where briefs put their sources."""

from __future__ import annotations

from linkaudit.config import Settings
from linkaudit.extract import extract_source
from linkaudit.models import Element, Part, Source

BRIEF = b"""Sanctions were [announced](https://a.example/) last year.[^1]

[^1]: See the [ministry notice](https://b.example/notice) and https://c.example/.

More [text](https://d.example/).
"""


def test_footnote_links_are_footnotes_in_document_order() -> None:
    """Links inside a footnote definition get Part.FOOTNOTE and keep their source position."""
    found = extract_source(Source("b.md", BRIEF, "file:///b.md"), Settings())
    got = [(o.url, o.text, o.line, o.column, o.part, o.element) for o in found.occurrences]
    assert got == [
        ("https://a.example/", "announced", 1, 16, Part.BODY, Element.LINK),
        ("https://b.example/notice", "ministry notice", 3, 15, Part.FOOTNOTE, Element.LINK),
        ("https://c.example/", "https://c.example/", 3, 68, Part.FOOTNOTE, Element.BARE),
        ("https://d.example/", "text", 5, 6, Part.BODY, Element.LINK),
    ]
