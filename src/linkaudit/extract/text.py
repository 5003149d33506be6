"""
Bare URLs in prose, and the plain-text extractor built on them.

``find_urls`` is shared: the PDF and DOCX extractors use it for URLs printed as text.
The trimming rules follow GFM's extended autolinks: trailing punctuation is not part of
the URL, and a closing parenthesis is kept only when it balances an opening one.
"""

from __future__ import annotations

import re

__all__ = ["find_urls"]

# A candidate starts with a scheme we check (or ``www.``) at a word boundary and runs to
# whitespace or a character that cannot appear unescaped in a written URL.
_CANDIDATE = re.compile(
    r"(?<![\w@.+-])(?:(?:https?|ftp)://|www\.)[^\s<>\"`{}|\\^\u00a0\u3000]+",
    re.IGNORECASE,
)
_TRAILING = set(".,:!?*_~'\"\u2018\u2019\u201c\u201d\u00bb\u3002\uff0c\uff1b\uff1a\u3001")
_ENTITY_AT_END = re.compile(r"&[a-zA-Z0-9]+;$")
_PAIRS = {")": "(", "]": "[", "}": "{"}


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """Every bare URL in ``text`` as ``(start, end, url as written)``, in order."""
    found: list[tuple[int, int, str]] = []
    for match in _CANDIDATE.finditer(text):
        start = match.start()
        url = _trim(match.group())
        if _is_plausible(url):
            found.append((start, start + len(url), url))
    return found


def _trim(url: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets, repeatedly."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
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
