"""Pure text helpers: whitespace folding and the sentence around a link."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["LineCounter", "find_date", "fold_whitespace", "sentence_around"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<num>0[1-9]|1[0-2])-(?P<day>[0-3]\d)\b"),
    re.compile(r"\b(?P<day>[0-3]?\d)\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b" + _MONTH + r"\s+(?P<day>[0-3]?\d),?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)[-/ ]" + _MONTH + r"(?![a-z])", re.I),
)

# A sentence ends at . ! ? followed by a space and a capital (so "U.S. regulations" does
# not end one), at their CJK forms, or at a blank line.
_NEXT_STARTS = r"(?=[A-Z0-9\"“‘(\[]|\W*$)"
# Each pattern opens with the class of every character a boundary can start with, then
# tells the cases apart by that character: re then skips ahead to those characters instead
# of trying every position (the same matches as ``[.!?]…|[。！？]|\n\s*\n``, much faster).
_END_BEFORE = re.compile(
    r"[.!?。！？\n](?:(?<=[.!?])[\"”’)]?\s+" + _NEXT_STARTS + r"|(?<=[。！？])|(?<=\n)\s*\n)"
)
_END_AFTER = re.compile(
    r"[.!?。！？\n](?:(?<=[.!?])[\"”’)]?(?=\s+[A-Z0-9\"“‘(\[]|\s*$)|(?<=[。！？])|(?<=\n)\s*\n)"
)


class LineCounter:
    """
    The 1-based line and column of offsets met in increasing order, in linear time overall
    (counting from the start for each link is quadratic on a document of one long line).
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._line, self._line_start, self._counted = 1, 0, 0

    def at(self, offset: int) -> tuple[int, int]:
        """``(line, column)`` of ``offset``; an earlier offset than the last restarts the count."""
        if offset < self._counted:
            self._line, self._line_start, self._counted = 1, 0, 0
        newlines = self._text.count("\n", self._counted, offset)
        if newlines:
            self._line += newlines
            self._line_start = self._text.rfind("\n", self._counted, offset) + 1
        self._counted = offset
        return self._line, offset - self._line_start + 1


def fold_whitespace(s: str) -> str:
    """Runs of whitespace (line breaks, tabs, no-break spaces) as one space, ends trimmed."""
    return " ".join(s.split())


def sentence_around(text: str, start: int, end: int, limit: int = 300) -> str:
    """The sentence holding ``text[start:end]``, folded, at most ``limit`` characters."""
    begin = _sentence_begin(text, start, limit)
    stop = _sentence_stop(text, end, limit)
    if begin is not None and stop is not None:
        sentence = fold_whitespace(text[begin:stop])
        if len(sentence) <= limit:
            return sentence
    # Over-long: only whether the sentence reaches past the window matters, so a bound
    # past the window stands in for a boundary that was not looked for.
    begin = 0 if begin is None else begin
    stop = len(text) if stop is None else stop
    return _window(text, begin, start, end, stop, limit)


# Searching only near the link keeps a document with thousands of links linear. The
# result is the same as a scan from the start of ``text``: a search restarted just after
# a letter or digit (which no boundary contains) finds the same boundaries from there on.
_FIRST_WINDOW = 128  # most sentences start within it: one pass, few boundaries to walk


def _sentence_begin(text: str, start: int, limit: int) -> int | None:
    """Where the sentence before ``start`` begins, or ``None`` when it is longer than
    ``limit`` visible characters (the exact start is then irrelevant)."""
    width = _FIRST_WINDOW
    while True:
        pos = max(start - width, 0)
        while pos > 0 and not text[pos - 1].isalnum():
            pos -= 1
        last = None
        for match in _END_BEFORE.finditer(text, pos, start):
            last = match
        if last is not None:
            return last.end()
        if pos == 0:
            return 0
        if _visible(text, pos, start) > limit:
            return None
        width *= 4


def _sentence_stop(text: str, end: int, limit: int) -> int | None:
    """Where the sentence after ``end`` stops, or ``None`` when it is longer than
    ``limit`` visible characters."""
    width = _FIRST_WINDOW
    while True:
        endpos = min(end + width, len(text))
        if endpos == len(text):
            after = _END_AFTER.search(text, end)
        else:
            after = _END_AFTER.search(text, end, endpos)
            # A boundary near the cut may depend on what follows the cut (a run of
            # spaces, then a capital); trust only one with visible text after it.
            if after is not None and not text[after.end() : endpos].strip():
                after = None
            elif after is None and _visible(text, end, endpos) > limit:
                return None
        if after is not None:
            if text[after.start()] == "\n":
                return after.start()
            return after.end()
        if endpos == len(text):
            return len(text)
        width *= 4


def _visible(text: str, start: int, stop: int) -> int:
    """Non-whitespace characters in ``text[start:stop]``."""
    return sum(map(len, text[start:stop].split()))


def _window(text: str, begin: int, start: int, end: int, stop: int, limit: int) -> str:
    """A ``limit``-long cut of an over-long sentence, centred on the link, marked with …."""
    room = max(limit - (end - start), 0) // 2
    left = max(begin, start - room)
    right = min(stop, end + room)
    cut = fold_whitespace(text[left:right])
    prefix = "…" if left > begin else ""
    suffix = "…" if right < stop else ""
    return (prefix + cut + suffix)[: limit + 2]


def find_date(text: str) -> dt.date | None:
    """
    The first publication-like date in ``text`` (``2025-03-14``, ``14 March 2025``,
    ``March 14, 2025``, ``March 2025``, ``2025-Apr.``); a month alone gives its first day.
    """
    best: tuple[int, dt.date] | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            date = _to_date(match)
            if date is not None:
                if best is None or match.start() < best[0]:
                    best = (match.start(), date)
                break
    return best[1] if best else None


def _to_date(match: re.Match[str]) -> dt.date | None:
    groups = match.groupdict()
    month = int(groups["num"]) if groups.get("num") else _MONTHS[groups["month"].lower()]
    day = int(groups["day"]) if groups.get("day") else 1
    try:
        return dt.date(int(groups["year"]), month, day)
    except ValueError:
        return None
