"""
The sentence around a link is found by searching near the link, not from the start of
the text; these tests hold it to the plain scan from the start it replaced, and the text
extractor's running line count to counting from the start.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.config import Settings
from linkaudit.extract import context
from linkaudit.extract.context import fold_whitespace, sentence_around
from linkaudit.extract.text import GfmLinkify, LinkifyMatch, TextExtractor, _as_match, find_urls
from linkaudit.models import Source

_END_BEFORE = context._END_BEFORE
_END_AFTER = context._END_AFTER


def scan_from_start(text: str, start: int, end: int, limit: int = 300) -> str:
    """The former implementation: every boundary from the start of the text."""
    begin = 0
    for match in _END_BEFORE.finditer(text, 0, start):
        begin = match.end()
    after = _END_AFTER.search(text, end)
    stop = after.end() if after else len(text)
    if after and text[after.start()] == "\n":
        stop = after.start()
    sentence = fold_whitespace(text[begin:stop])
    if len(sentence) <= limit:
        return sentence
    return context._window(text, begin, start, end, stop, limit)


_PIECES = ["a", "B", "7", ".", "!", "?", " ", "\n", "\n\n", '"', "”", ")", "(", "。", "\t", ". A"]


@pytest.fixture(autouse=True)
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of a few characters, so that short texts cross several of them."""
    monkeypatch.setattr(context, "_FIRST_WINDOW", 4)


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=80),
    a=st.integers(0, 400),
    b=st.integers(0, 400),
    limit=st.sampled_from([3, 8, 20, 300]),
)
def test_sentence_around_equals_scan_from_start(
    pieces: list[str], a: int, b: int, limit: int
) -> None:
    text = "".join(pieces)
    start, end = sorted((a % (len(text) + 1), b % (len(text) + 1)))
    assert sentence_around(text, start, end, limit) == scan_from_start(text, start, end, limit)


def test_long_document_keeps_sentences() -> None:
    prose = "".join(f"Claim {i} is sourced at https://x.org/{i} today. " for i in range(500))
    start = prose.index("https://x.org/250")
    end = start + len("https://x.org/250")
    assert sentence_around(prose, start, end) == "Claim 250 is sourced at https://x.org/250 today."
    assert sentence_around(prose, start, end) == scan_from_start(prose, start, end)


def test_text_lines_and_columns_match_counting_from_start() -> None:
    lines = [f"{'  ' * (i % 4)}see https://x.org/{i} and www.y.org/{i}" for i in range(300)]
    text = "\n".join(line if i % 5 else "" for i, line in enumerate(lines))
    source = Source(name="t.txt", data=text.encode(), base_url="file:///t.txt")
    found = TextExtractor().extract(source, Settings()).occurrences
    expected = []
    for match in re.finditer(r"https://x\.org/\d+|www\.y\.org/\d+", text):
        start = match.start()
        expected.append((text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)))
    assert [(o.line, o.column) for o in found] == expected


def first_url_at_start(text: str) -> LinkifyMatch | None:
    """The former ``match_at_start``: every URL of the text, then the first one if at 0."""
    urls = find_urls(text)
    if not urls or urls[0][0] != 0:
        return None
    return _as_match(*urls[0])


_URL_PIECES = [
    "http",
    "s",
    "://",
    "ftp",
    "www.",
    "x",
    ".",
    "org",
    "/",
    "(",
    ")",
    " ",
    ",",
    "_",
    "*",
    "&amp;",
    "?",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_URL_PIECES), max_size=30))
def test_match_at_start_reads_only_the_start(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert GfmLinkify().match_at_start(text) == first_url_at_start(text)
