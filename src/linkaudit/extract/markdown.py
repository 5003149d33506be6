"""
Markdown through markdown-it-py (CommonMark, plus GFM tables, strikethrough and
autolinks), never regular expressions over the source.

Every inline rule that makes a link is wrapped so that the token remembers where in the
block's text it began and what it looked like there; that gives the column and tells a
reference link ``[a][b]`` from an inline one ``[a](b)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import attrgetter

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from linkaudit.anchors import token_anchors
from linkaudit.config import Settings
from linkaudit.extract.context import (
    LineCounter,
    find_date,
    fold_whitespace,
    sentence_around,
)
from linkaudit.extract.detect import decode_text
from linkaudit.extract.html import html_links
from linkaudit.extract.text import GfmLinkify
from linkaudit.extract.urls import make_occurrence
from linkaudit.models import Document, DocumentFormat, Element, Extraction, Occurrence, Part, Source

__all__ = ["MarkdownExtractor"]

_WRAPPED_RULES = ("link", "image", "autolink", "html_inline", "linkify")
_TOP_LINES = 40
_LINK_TOKENS = ("link_open", "image", "html_inline")
_CLOSE_A = re.compile(r"</a\s*>", re.IGNORECASE)
_POSITION = attrgetter("line", "column")


class MarkdownExtractor:
    """Links of a Markdown document. See ``Extractor.extract``."""

    format = DocumentFormat.MARKDOWN

    def extract(self, source: Source, settings: Settings) -> Extraction:
        """See ``Extractor.extract``."""
        text = decode_text(source.data, source.content_type)
        tokens = _parser().parse(text)
        lines = text.splitlines()
        fragments = _defined_fragments(tokens)
        walker = _Walker(source, lines, fragments)
        # Footnote definitions come out of the parser after the body: back to document order
        # (every Markdown occurrence has a line and a column).
        occurrences = sorted(walker.walk(tokens), key=_POSITION)
        document = Document(
            path=source.name,
            format=self.format,
            title=_title(tokens),
            published=find_date("\n".join(lines[:_TOP_LINES])),
            base_url=source.base_url,
            links=len(occurrences),
        )
        return Extraction(document=document, occurrences=occurrences)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table", "strikethrough"])
    # Footnotes ([^1]: …) are where briefs put their sources; their links get Part.FOOTNOTE.
    footnote_plugin(md, inline=False)
    md.linkify = GfmLinkify()
    # Keep every target as written: checking, not sanitising, is the job here, so
    # javascript: links must reach the problem check instead of vanishing as text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.normalizeLinkText = _normalised_text  # type: ignore[method-assign]
    for name in _WRAPPED_RULES:
        rule = next(r for r in md.inline.ruler.__rules__ if r.name == name)
        md.inline.ruler.at(name, _remember_start(rule.fn))
    return md


def _remember_start(
    rule: Callable[[StateInline, bool], bool],
) -> Callable[[StateInline, bool], bool]:
    """Wrap an inline rule so that its first token records its offset and source."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            tokens = state.tokens
            for index in range(count, len(tokens)):  # pending text may be pushed first: skip it
                token = tokens[index]
                if token.type in _LINK_TOKENS:
                    source = state.src[start : state.pos]
                    token.meta = {**(token.meta or {}), "start": start, "source": source}
                    break
        return matched

    return wrapped


def _title(tokens: list[Token]) -> str | None:
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return fold_whitespace(_plain(tokens[index + 1].children or [])) or None
    return None


def _plain(children: list[Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain(child.children or []))
    return "".join(parts)


def _defined_fragments(tokens: list[Token]) -> frozenset[str]:
    """Heading anchors as the renderer makes them, and HTML ids and names (``anchors``)."""
    return token_anchors(tokens)


@dataclass
class _Open:
    """A link whose closing token is still to come."""

    token: Token
    element: Element
    start: int
    parts: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Found:
    """A link whose occurrence is built once its sentence is known (one object, no copies)."""

    raw: str
    text: str
    element: Element
    line: int
    column: int
    shown: str | None = None
    """The target as the reader sees it, when that differs from ``raw`` (bare links)."""


def _may_link(children: list[Token] | None) -> bool:
    """Whether inline content holds a token that makes a link: text alone (a heading, a
    table cell, most paragraphs of prose) is not walked."""
    return children is not None and any(c.type in _LINK_TOKENS for c in children)


def _written(raw: str | float | None) -> str:
    return str(raw or "")


class _Walker:
    """Turns the token stream into occurrences, keeping track of lines and text."""

    def __init__(self, source: Source, lines: list[str], fragments: frozenset[str]) -> None:
        self.source = source
        self.lines = lines
        self.fragments = fragments
        self.part = Part.BODY
        self._shift_of: tuple[tuple[int, int], int] = ((-1, -1), 0)

    def walk(self, tokens: list[Token]) -> Iterator[Occurrence]:
        for token in tokens:
            if token.type == "footnote_block_open":
                self.part = Part.FOOTNOTE
            elif token.type == "footnote_block_close":
                self.part = Part.BODY
            elif token.type == "html_block" and token.map:
                for found in self._html(token.content, token.map[0], 0):
                    yield self._occurrence(found, None)
            elif token.type == "inline" and token.map and _may_link(token.children):
                yield from self._inline(token)

    def _inline(self, inline: Token) -> Iterator[Occurrence]:
        assert inline.map is not None and inline.children is not None
        rendered: list[str] = []
        stack: list[_Open] = []
        pending: list[tuple[_Found, int, int]] = []
        html_open: list[tuple[int, int]] = []  # raw <a> awaiting its </a>: (pending, texts)
        texts: list[str] = []  # the text pieces, read by each raw <a> from where it opened
        cursor = offset = 0  # offset: length of ``rendered`` so far
        counter = LineCounter(inline.content)
        for child in inline.children:
            if child.type == "link_open":
                stack.append(_Open(child, _element(child), offset))
            elif child.type == "link_close" and stack:
                link = stack.pop()
                text = fold_whitespace("".join(link.parts)) or " ".join(link.images)
                where = self._locate(inline, counter, link.token, text, cursor)
                cursor = where[2]
                href = link.token.attrGet("href")
                found = _Found(_written(href), text, link.element, where[0], where[1])
                if link.element == Element.BARE:  # written without the http:// or mailto: added
                    found.shown = text
                pending.append((found, link.start, offset))
            elif child.type == "image":
                alt = fold_whitespace(_plain(child.children or []))
                for link in stack:
                    link.images.append(alt)
                where = self._locate(inline, counter, child, alt, cursor)
                cursor = where[2]
                found = _Found(_written(child.attrGet("src")), alt, Element.IMAGE, *where[:2])
                pending.append((found, offset, offset + len(alt)))
                rendered.append(alt)
                offset += len(alt)
            elif child.type == "html_inline":
                where = self._locate(inline, counter, child, "", cursor)
                cursor = where[2]
                if _CLOSE_A.match(child.content) and html_open:
                    index, first = html_open.pop()
                    found, start, _ = pending[index]
                    found.text = fold_whitespace("".join(texts[first:]))
                    pending[index] = (found, start, offset)
                for found in self._html(child.content, where[0] - 1, where[1] - 1):
                    pending.append((found, offset, offset))
                    if found.element == Element.LINK and not child.content.endswith("/>"):
                        html_open.append((len(pending) - 1, len(texts)))
            else:
                piece = _rendered(child)
                for link in stack:
                    link.parts.append(piece)
                if html_open:
                    texts.append(piece)
                rendered.append(piece)
                offset += len(piece)
        yield from self._with_context("".join(rendered), pending)

    def _with_context(
        self, rendered: str, pending: list[tuple[_Found, int, int]]
    ) -> Iterator[Occurrence]:
        if len(pending) > 1:  # most paragraphs hold one link
            pending = sorted(pending, key=lambda p: (p[0].line, p[0].column))
        for found, start, end in pending:
            yield self._occurrence(found, sentence_around(rendered, start, end) or None)

    def _locate(
        self, inline: Token, counter: LineCounter, token: Token, text: str, cursor: int
    ) -> tuple[int, int, int]:
        """(line, column, next cursor) of ``token`` in the source, 1-based."""
        assert inline.map is not None
        meta = token.meta or {}
        start = meta.get("start")
        if start is None:  # found by the core linkify rule, after inline parsing
            found = inline.content.find(text, cursor) if text else -1
            start = found if found >= 0 else cursor
        source = str(meta.get("source", text))
        line_in_content, column_in_line = counter.at(start)  # not a count from 0 per link
        line_index = inline.map[0] + line_in_content - 1
        line_begin = start - column_in_line + 1
        column = self._shift(inline.content, line_index, line_begin) + start - line_begin + 1
        return line_index + 1, column, start + max(len(source), 1)

    def _shift(self, content: str, line_index: int, line_begin: int) -> int:
        """Where the content line starting at ``line_begin`` stands in its source line
        (after a list's indent or a quote's ``>``), found once per line: a search per link
        is quadratic on a paragraph of one long line."""
        key = (id(content), line_begin)
        if self._shift_of[0] == key:
            return self._shift_of[1]
        line_end = content.find("\n", line_begin)
        content_line = content[line_begin : line_end if line_end >= 0 else len(content)]
        source_line = self.lines[line_index] if line_index < len(self.lines) else ""
        if not content_line:
            shift = 0
        elif source_line.endswith(content_line):
            shift = len(source_line) - len(content_line)
        else:
            shift = max(source_line.find(content_line), 0)
        self._shift_of = (key, shift)
        return shift

    def _occurrence(self, found: _Found, context: str | None) -> Occurrence:
        # CommonMark percent-encodes what may not stand in a URL (``]``, ``\``, spaces).
        # A target it leaves alone is no other target: ``make_occurrence`` then takes its
        # path for URLs already in normal form (most citations) instead of resolving them.
        target = _normalised(found.raw)
        return make_occurrence(
            self.source.name,
            found.raw,
            self.source.base_url,
            self.fragments,
            target=None if target == found.raw else target,
            text=found.text,
            line=found.line,
            column=found.column,
            element=found.element,
            context=context,
            part=self.part,
            shown=found.shown,
        )

    def _html(self, html: str, line0: int, col0: int) -> Iterator[_Found]:
        """Links of raw HTML starting at 0-based ``line0``/``col0`` of the source."""
        for found in html_links(html):
            line = line0 + found.line
            column = found.column + 1 + (col0 if found.line == 1 else 0)
            if found.line > 1 or col0 == 0:
                column = self._column_of(line, found.tag_source, column)
            element = Element.IMAGE if found.tag == "img" else Element.LINK
            yield _Found(found.target, found.text, element, line, column)

    def _column_of(self, line: int, needle: str, default: int) -> int:
        source_line = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        found = source_line.find(needle) if needle else -1
        return found + 1 if found >= 0 else default


# Targets that CommonMark's normalisation leaves as they are (checked against
# ``normalizeLink`` on generated and corpus URLs): a lower-case ASCII host, maybe a port,
# and only characters that need no percent-encoding. Most citations look like this.
_UNCHANGED_BY_NORMALISATION = re.compile(
    r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[0-9]+)?"
    r"(?:[/?#][A-Za-z0-9/?#._~!$&'()*+,;=:@-]*)?\Z"
)


def _normalised(written: str) -> str:
    """CommonMark's percent-encoded form of a target (``]``, ``\\``, spaces encoded)."""
    if not written or _UNCHANGED_BY_NORMALISATION.match(written):
        return written
    return _normalize_link(written)


#: ``normalizeLink`` (a parse, a format and an encode: about 30 µs) once per target: a
#: document links ``#`` and its own relative paths again and again.
_normalize_link = lru_cache(maxsize=4096)(normalizeLink)


def _normalised_text(link: str) -> str:
    """markdown-it-py's autolink text (hostnames shown in Unicode, escapes decoded),
    without its parse for the common case it would leave unchanged."""
    if _UNCHANGED_BY_NORMALISATION.match(link) and "xn--" not in link:
        return link
    return normalizeLinkText(link)


def _element(token: Token) -> Element:
    if token.markup == "autolink":
        return Element.AUTOLINK
    if token.markup == "linkify":
        return Element.BARE
    source = str((token.meta or {}).get("source", ""))
    return Element.LINK if source.endswith(")") else Element.REFERENCE


def _rendered(token: Token) -> str:
    if token.type in ("text", "code_inline", "text_special"):
        return token.content
    if token.type == "softbreak":
        return "\n"
    if token.type == "hardbreak":  # a forced line break ends a sentence for context
        return "\n\n"
    return ""
