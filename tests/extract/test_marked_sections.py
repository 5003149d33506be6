"""Raw HTML with a malformed ``<![`` marked section (found by the fuzzer)."""

from __future__ import annotations

from linkaudit.config import Settings
from linkaudit.extract import extract_source
from linkaudit.extract.html import html_links
from linkaudit.models import Source


def test_malformed_marked_section_is_a_bogus_comment() -> None:
    """Python 3.11's tokenizer asserts on `<![{`; linkaudit reads it as browsers do."""
    assert html_links("<![{#id} text> <a href='https://x.example/'>x</a>")[0].target == (
        "https://x.example/"
    )


def test_fuzzer_finding_in_markdown_extracts_cleanly() -> None:
    """The fuzzer's falsifying example gives an extraction, not a bug dressed as an error."""
    found = extract_source(Source("soup.md", b"<![{#id}", "file:///soup.md"), Settings())
    assert found.occurrences == []


def test_valid_marked_sections_keep_their_links_and_columns() -> None:
    """CDATA and conditional comments are untouched, and columns do not move."""
    links = html_links('<![CDATA[ x ]]><a href="https://y.example/">y</a>')
    assert [(link.target, link.column) for link in links] == [("https://y.example/", 15)]
