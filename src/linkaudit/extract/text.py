"""
Bare URLs in prose, and the plain-text extractor built on them.

``find_urls`` is shared: the PDF and DOCX extractors use it for URLs printed as text.
The trimming rules follow GFM's extended autolinks: trailing punctuation is not part of
the URL, and a closing parenthesis is kept only when it balances an opening one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from linkaudit.config import Settings
from linkaudit.dois import find_dois
from linkaudit.extract.context import LineCounter, sentence_around
from linkaudit.extract.detect import decode_text
from linkaudit.extract.urls import make_occurrence
from linkaudit.models import Document, DocumentFormat, Element, Extraction, Source

__all__ = [
    "GfmLinkify",
    "LinkifyMatch",
    "TextExtractor",
    "find_emails",
    "find_printed",
    "find_urls",
    "url_marks",
]

# A candidate starts with a scheme we check (or ``www.``) at a word boundary and runs to
# whitespace or a character that cannot appear unescaped in a written URL.
_CANDIDATE = re.compile(
    # The first letter as a case-sensitive class, the rest case-insensitive: re then skips
    # to the letters h, f and w instead of trying every position (no other character
    # matches them under IGNORECASE); the look-behind is the word boundary before it.
    r"[HhFfWw](?<![\w@.+-].)(?i:(?<=h)ttps?://|(?<=f)tp://|(?<=w)ww\.)"
    # CJK and full-width punctuation (、。「」：…) ends a URL printed in CJK text.
    r"(?i:[^\s<>\"`{}|\\^\u00a0\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65])+"
)
_TRAILING = set(".,:!?*_~'\"\u2018\u2019\u201c\u201d\u00bb\u3002\uff0c\uff1b\uff1a\u3001")
_ENTITY_AT_END = re.compile(r"&[a-zA-Z0-9]+;$")
_PAIRS = {")": "(", "]": "[", "}": "{"}


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """Every bare URL in ``text`` as ``(start, end, url as written)``, in order."""
    found: list[tuple[int, int, str]] = []
    for match in _candidates(text):
        start = match.start()
        url = _trim(match.group())
        if _is_plausible(url):
            found.append((start, start + len(url), url))
    return found


def url_marks(text: str) -> list[int]:
    """Where ``://`` and ``www.`` (``w`` in either case) start in ``text``, in order: every
    ``_CANDIDATE`` match holds one within its first six characters. Found with ``str.find``
    (a page of prose has few), which is many times faster than a regular expression that
    stops at every ``h``, ``f`` and ``w``."""
    marks: list[int] = []
    at = text.find("://")
    while at >= 0:
        marks.append(at)
        at = text.find("://", at + 3)
    webs = False
    for dot in ("w.", "W."):
        at = text.find(dot)
        while at >= 0:
            if at >= 2 and text[at - 2] in "wW" and text[at - 1] in "wW":
                marks.append(at - 2)
                webs = True
            at = text.find(dot, at + 2)
    return sorted(marks) if webs else marks


def _candidates(text: str) -> Iterator[re.Match[str]]:
    """``_CANDIDATE.finditer(text)``, the search started only near a mark (``url_marks``).
    A match starts at most five characters before its mark (``https://``), and the next
    match after ``end`` starts before no mark at or after ``end``: the search from five
    characters before the first such mark finds it (its look-behind sees the text before)."""
    end = 0
    for mark in url_marks(text):
        if mark < end:
            continue  # inside the last match
        match = _CANDIDATE.search(text, max(end, mark - 5))
        if match is None:
            return
        yield match
        end = match.end()


def find_printed(text: str) -> list[tuple[int, int, str]]:
    """Bare URLs and printed DOIs (``doi:10.…``, ``DOI: 10.…``) in prose, in order.

    For prose formats only (text, PDF, DOCX); Markdown's autolinks stay GFM's (``find_urls``).
    """
    urls = find_urls(text)
    if "oi" not in text and "OI" not in text:
        return urls
    dois = [d for d in find_dois(text) if not any(s < d[1] and d[0] < e for s, e, _ in urls)]
    return sorted(urls + dois) if dois else urls


def _trim(url: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets, repeatedly."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _PAIRS and url.count(last) > url.count(_PAIRS[last])):
            url = url[:-1]
        elif last == ";":
            # GFM: ``&amp;``-like entity references at the end are not part of the URL.
            entity = _ENTITY_AT_END.search(url)
            url = url[: entity.start()] if entity else url[:-1]
        else:
            break
    return url


def _is_plausible(url: str) -> bool:
    """A URL needs something after its scheme or ``www.`` (``http://`` alone is prose)."""
    head = url.split("://", 1)[1] if "://" in url else url[4:]
    return bool(head) and head[0] not in "/.:"


# ``://``, ``www.`` in any case, or ``@``: what every URL or address found above holds. One
# leading class lets re skip ahead (no other character case-folds to w, so no IGNORECASE).
_PRETEST = re.compile(r"[:Ww@](?:(?<=:)//|(?<=[Ww])[Ww][Ww]\.|(?<=@))")
_EMAIL = re.compile(r"(?<![\w.+@-])[A-Za-z0-9._+-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
_WWW_DOMAIN = re.compile(r"^www\.[\w-]+(?:\.[\w-]+)*", re.IGNORECASE)


def find_emails(text: str) -> list[tuple[int, int, str]]:
    """E-mail addresses in prose, by GFM's extended e-mail autolink rule."""
    found: list[tuple[int, int, str]] = []
    if "@" not in text:  # most text: no scan
        return found
    for match in _EMAIL.finditer(text):
        address = match.group().rstrip(".")
        if address[-1] in "-_" or "." not in address.split("@", 1)[1]:
            continue
        found.append((match.start(), match.start() + len(address), address))
    return found


@dataclass(frozen=True, slots=True)
class LinkifyMatch:
    """One bare link as markdown-it-py's linkify rules expect it."""

    url: str
    text: str
    index: int
    last_index: int
    schema: str | None


class GfmLinkify:
    """
    GFM's extended autolinks (``www.``, ``http(s)://``, ``ftp://``, e-mail) behind the
    interface markdown-it-py calls ``md.linkify``.

    linkify-it's fuzzy matching links bare domains such as ``example.com`` that GFM does
    not; this keeps to GFM's rules by reusing ``find_urls``.
    """

    def __init__(self) -> None:
        # markdown-it-py calls ``test`` and then ``match`` on the same text: scan it once.
        self._last: tuple[str, list[LinkifyMatch] | None] = ("", None)

    def pretest(self, text: str) -> bool:
        """Cheap test: could ``text`` hold a link at all."""
        return _PRETEST.search(text) is not None

    def test(self, text: str) -> bool:
        """``text`` holds at least one link."""
        return bool(self.match(text))

    def match(self, text: str) -> list[LinkifyMatch] | None:
        """Every link in ``text``, in order, or ``None``."""
        if not self.pretest(text):  # most text around links: nothing to scan for
            return None
        last_text, last_found = self._last
        if text == last_text:
            return list(last_found) if last_found else None
        found = self._match(text)
        self._last = (text, found)
        return list(found) if found else None

    def _match(self, text: str) -> list[LinkifyMatch] | None:
        candidates = (_as_match(start, end, url) for start, end, url in find_urls(text))
        found = [m for m in candidates if m is not None]
        taken = [(m.index, m.last_index) for m in found]
        for start, end, address in find_emails(text):
            if not any(a <= start < b for a, b in taken):
                found.append(LinkifyMatch("mailto:" + address, address, start, end, "mailto:"))
        found.sort(key=lambda m: m.index)
        return found or None

    def match_at_start(self, text: str) -> LinkifyMatch | None:
        """The link ``text`` begins with (a ``scheme://`` URL), or ``None``.

        Only the start is looked at: markdown-it-py passes the rest of the paragraph, and
        scanning all of it for every link made long paragraphs quadratic."""
        candidate = _CANDIDATE.match(text)
        if candidate is None:
            return None
        url = _trim(candidate.group())
        return _as_match(0, len(url), url) if _is_plausible(url) else None


def _as_match(start: int, end: int, url: str) -> LinkifyMatch | None:
    if url[:4].lower() == "www.":
        domain = _WWW_DOMAIN.match(url)
        labels = domain.group().split(".") if domain else []
        if len(labels) < 2 or any("_" in label for label in labels[-2:]):
            return None
        return LinkifyMatch("http://" + url, url, start, end, None)
    return LinkifyMatch(url, url, start, end, url.split(":", 1)[0].lower() + ":")


class TextExtractor:
    """Bare URLs of a plain-text document. See ``Extractor.extract``."""

    format = DocumentFormat.TEXT

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """See ``Extractor.extract``."""
        text = decode_text(source.data, source.content_type)
        occurrences = []
        lines = LineCounter(text)
        for start, end, url in find_printed(text):
            line, column = lines.at(start)
            occurrence = make_occurrence(
                source.name,
                url,
                source.base_url,
                None,
                line=line,
                column=column,
                element=Element.BARE,
                context=sentence_around(text, start, end) or None,
            )
            occurrences.append(occurrence)
        document = Document(
            path=source.name,
            format=self.format,
            base_url=source.base_url,
            links=len(occurrences),
        )
        return Extraction(document=document, occurrences=occurrences)
