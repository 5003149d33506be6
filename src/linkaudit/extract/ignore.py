"""
What the author asked not to check, applied after any extractor, whatever its parser:

- inline comments in Markdown and HTML: ``<!-- linkaudit-ignore -->`` skips the links on its
  line (or, when none follows it there, the next link), ``<!-- linkaudit-ignore-start -->`` …
  ``<!-- linkaudit-ignore-end -->`` every link between them. Positions come from the raw
  text, compared with each occurrence's line and column, so the filter does not depend on
  how an extractor parses;
- ``--remap PATTERN REPLACEMENT``: URLs rewritten before they are checked (a staging host
  for the production one, a local mirror);
- the ignore file (``.linkauditignore``): URL regexes, one a line, that join ``exclude``.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from linkaudit.config import check_regex
from linkaudit.exceptions import ConfigError
from linkaudit.models import DocumentFormat, Occurrence

__all__ = ["COMMENT_FORMATS", "MARKER_BYTES", "inline_ignored", "read_ignore_file", "remapped"]

#: The formats whose comments can carry an ignore marker.
COMMENT_FORMATS = frozenset({DocumentFormat.MARKDOWN, DocumentFormat.HTML})
_MARKER = re.compile(r"<!--\s*linkaudit-ignore(-start|-end)?\s*-->")
MARKER_BYTES = b"linkaudit-ignore"

_Position = tuple[int, int]
"""(line, column), both from 1, as occurrences carry them."""


def inline_ignored(
    text: str, occurrences: Sequence[Occurrence], *, markdown: bool = False
) -> list[Occurrence]:
    """``occurrences`` without those an ignore comment in ``text`` covers. In Markdown a
    marker quoted in a code span or a fenced block (documentation about the marker) is text."""
    if "linkaudit-ignore" not in text:
        return list(occurrences)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    fenced = _fenced_lines(text) if markdown else frozenset()
    singles: list[_Position] = []
    regions: list[tuple[_Position, _Position]] = []
    opened: _Position | None = None
    for match in _MARKER.finditer(text):
        where = _position(line_starts, match.start())
        if markdown and (where[0] in fenced or _in_code_span(text, line_starts, match.start())):
            continue
        kind = match.group(1) or ""
        if kind == "-start":
            opened = opened or where
        elif kind == "-end":
            if opened is not None:
                regions.append((opened, where))
            opened = None
        else:
            singles.append(_position(line_starts, match.end()))
    if opened is not None:  # an unclosed region runs to the end
        regions.append((opened, (len(line_starts) + 1, 0)))
    ignored = _covered_by_singles(occurrences, singles)
    return [
        o
        for index, o in enumerate(occurrences)
        if index not in ignored and not any(a <= _at(o) <= b for a, b in regions)
    ]


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _fenced_lines(text: str) -> frozenset[int]:
    """Line numbers inside fenced code blocks (the fences included)."""
    inside: set[int] = set()
    fence = ""
    for number, line in enumerate(text.split("\n"), 1):
        match = _FENCE.match(line)
        if fence:
            inside.add(number)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
        elif match:
            fence = match.group(1)
            inside.add(number)
    return frozenset(inside)


def _in_code_span(text: str, line_starts: list[int], offset: int) -> bool:
    """An odd number of backticks before the marker on its line: it is inside a code span."""
    start = line_starts[bisect.bisect_right(line_starts, offset) - 1]
    return text.count("`", start, offset) % 2 == 1


def _covered_by_singles(occurrences: Sequence[Occurrence], singles: list[_Position]) -> set[int]:
    """Indexes of the links each single marker covers: those on its line, else the next."""
    order = sorted(range(len(occurrences)), key=lambda i: _at(occurrences[i]))
    positions = [_at(occurrences[i]) for i in order]
    covered: set[int] = set()
    for marker in singles:
        same_line = [order[i] for i, p in enumerate(positions) if p[0] == marker[0]]
        if same_line:
            covered.update(same_line)
            continue
        following = bisect.bisect_left(positions, marker)
        if following < len(positions):
            covered.add(order[following])
    return covered


def _at(occurrence: Occurrence) -> _Position:
    return (occurrence.line or 0, occurrence.column or 0)


def _position(line_starts: list[int], offset: int) -> _Position:
    line = bisect.bisect_right(line_starts, offset)
    return (line, offset - line_starts[line - 1] + 1)


def remapped(
    occurrences: Sequence[Occurrence], rules: Sequence[tuple[re.Pattern[str], str]]
) -> list[Occurrence]:
    """Each URL rewritten by the first rule that matches it (``raw`` keeps what was cited)."""
    out: list[Occurrence] = []
    for occurrence in occurrences:
        for pattern, replacement in rules:
            url, count = pattern.subn(replacement, occurrence.url, count=1)
            if count:
                occurrence = dataclasses.replace(occurrence, url=url)
                break
        out.append(occurrence)
    return out


def read_ignore_file(path: Path) -> tuple[str, ...]:
    """The URL regexes of an ignore file (blank lines and ``#`` comments skipped); () when
    there is no such file. A bad regex is a ``ConfigError`` naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    patterns: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        check_regex(pattern, f"{path}:{number}")
        patterns.append(pattern)
    return tuple(patterns)
