"""Pure text helpers: whitespace folding and the sentence around a link."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["find_date", "fold_whitespace", "github_slug", "sentence_around"]

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
_END_BEFORE = re.compile(r"(?:[.!?][\"”’)]?\s+" + _NEXT_STARTS + r"|[。！？]|\n\s*\n)")
_END_AFTER = re.compile(r"(?:[.!?][\"”’)]?(?=\s+[A-Z0-9\"“‘(\[]|\s*$)|[。！？]|\n\s*\n)")


def fold_whitespace(s: str) -> str:
    """Runs of whitespace (line breaks, tabs, no-break spaces) as one space, ends trimmed."""
    return " ".join(s.split())


def sentence_around(text: str, start: int, end: int, limit: int = 300) -> str:
    """The sentence holding ``text[start:end]``, folded, at most ``limit`` characters."""
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
    return _window(text, begin, start, end, stop, limit)


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


_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower-cased, punctuation dropped, spaces as ``-``."""
    return _SLUG_DROP.sub("", heading.strip().lower()).replace(" ", "-")
