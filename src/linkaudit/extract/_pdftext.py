"""
Bare URLs in PDF page text, rejoined where a line break cut them.

PDF text has no notion of a URL: a long URL in an endnote is simply broken where the line
is full. A line break is taken to be inside a URL when the URL found on the line runs to
the very end of the line (nothing trimmed) and

* the URL ends with ``-`` and the next line starts with a lower-case letter, digit or
  ``/``: the hyphen is kept (in citations a hyphen at a URL line break is part of the URL,
  ``…/very-long-`` + ``path``; pdfium's own hyphenation mark U+FFFE is read as ``-``), or
* the URL ends with a character that cannot end a URL in prose (``/ ? & = # _ % ~ : +``)
  and the next line's first word looks like URL material (lower-case start, or a digit,
  ``/``, ``.``, ``-``, ``_``, ``=``, ``&`` or ``?`` in it), or
* the next line's first word itself starts with URL punctuation (``/ ? & = # . _ %``)
  or contains a ``/``.

A capitalised plain word (``Accessed 4 March``) never continues a URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkaudit.extract.context import sentence_around
from linkaudit.extract.text import find_urls

__all__ = ["PrintedUrl", "printed_urls"]

_OPEN_END = "/?&=#_%~:+"
_CONTINUATION_START = "/?&=#._%"
_URL_MARKS = re.compile(r"[/.\-_=&?\d]")


@dataclass(frozen=True, slots=True)
class PrintedUrl:
    """A URL as printed on one page, with the logical line it sits in."""

    url: str
    offset: int
    """Start in the page's joined text (document order within the page)."""
    end: int
    joined: str
    """The page's joined text, for the context (built only for the URLs that are kept)."""

    def context(self) -> str:
        """The sentence around the URL."""
        return sentence_around(self.joined, self.offset, self.end)


def printed_urls(page_text: str) -> list[PrintedUrl]:
    """Every bare URL in ``page_text`` (lines separated by ``\\n``), broken URLs rejoined."""
    text = page_text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-\n")
    joined = _join_lines(text.split("\n"))
    return [PrintedUrl(url, start, end, joined) for start, end, url in find_urls(joined)]


def _join_lines(lines: list[str]) -> str:
    """One string where URL-continuing line breaks are removed and the others kept."""
    if not lines:
        return ""
    pieces = [lines[0]]
    current = lines[0]  # the joined line being built (not the whole text: no rescans)
    for line in lines[1:]:
        if _continues(current, line):
            pieces.append(line)
            current += line
        else:
            pieces.append("\n" + line)
            current = line
    return "".join(pieces)


def _may_hold_url(line: str) -> bool:
    """A cheap test first: find_urls only finds what starts with ``scheme://`` or ``www.``."""
    return "://" in line or "www." in line.lower()


def _continues(line: str, nxt: str) -> bool:
    if not nxt or nxt[0].isspace() or not _may_hold_url(line):
        return False
    found = find_urls(line)
    if not found or found[-1][1] != len(line.rstrip()) or line != line.rstrip():
        return False
    url = found[-1][2]
    head = nxt.split(None, 1)[0]
    if any(start == 0 for start, _, _ in find_urls(head)):
        return False  # the next line starts a URL of its own
    if url.endswith("-"):
        return head[0].islower() or head[0].isdigit() or head[0] == "/"
    if head[0] in _CONTINUATION_START or "/" in head.rstrip(".,;:)"):
        return True
    if url[-1] in _OPEN_END:
        return head[0].islower() or bool(_URL_MARKS.search(head))
    return False
