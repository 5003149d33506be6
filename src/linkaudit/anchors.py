"""
Pure: what a ``#fragment`` asks for, and the anchors a Markdown or HTML document defines.

A fragment is read as a browser reads it (HTML's "find a potential indicated element"):

* the fragment directive (``:~:`` and everything after it, e.g. ``#:~:text=…`` or
  ``#intro:~:text=…``, what browsers put in copied links) is stripped before anything else,
  and only the element id before it, if any, is looked for;
* hash routes (``#!/…``, ``#/…``) are read by the page's script, and PDF open parameters
  (``#page=3``, ``#nameddest=x``, ``#zoom=…``, ``#search=…``, ``#view=…``) by the PDF
  viewer: neither names an element, so neither can be missing;
* the empty fragment and ``#top`` (any case) always exist;
* a percent-encoded or non-ASCII id matches after decoding (UTF-8), as browsers try both.

Markdown anchors are the ids a renderer gives headings: markdown-it's anchors plugin
(mdit-py-plugins, GitHub's slug rules and ``-1``, ``-2`` for repeats), Pandoc's explicit
``## Heading {#id}``, and the ``id``/``name`` of raw HTML in the document. An id written
inside a code span or a code block is text, not a definition.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.anchors.index import slugify

__all__ = [
    "GITHUB_PREFIX",
    "element_id",
    "fragment_found",
    "has_anchor",
    "html_anchors",
    "markdown_anchors",
]

GITHUB_PREFIX = "user-content-"
"""GitHub renders heading ids as ``user-content-…`` and maps ``#x`` to it at run time."""

_DIRECTIVE = ":~:"
_PDF_PARAMETER = re.compile(
    r"^(?:page|nameddest|zoom|search|view|viewrect|pagemode|scrollbar|toolbar|navpanes|"
    r"statusbar|messages|highlight|comment|fdf)=",
    re.IGNORECASE,
)
_PANDOC_ATTRIBUTES = re.compile(r"\s*\{(?=[^}]*#)([^{}]*)\}\s*$")
_PANDOC_ID = re.compile(r"(?:^|\s)#([^\s}]+)")


def element_id(fragment: str) -> str | None:
    """The element id ``fragment`` names, ``""`` for the top of the page, or ``None`` when
    it names no element (a hash route, PDF open parameters, only a fragment directive)."""
    directive = fragment.find(_DIRECTIVE)
    if directive >= 0:
        fragment = fragment[:directive]
        if not fragment:
            return None
    if fragment[:1] in ("!", "/") or _PDF_PARAMETER.match(fragment):
        return None
    if fragment.lower() == "top":
        return ""
    return fragment


def has_anchor(fragment: str, defined: frozenset[str]) -> bool:
    """Whether ``fragment`` (as in the URL, maybe percent-encoded) is satisfied by ``defined``;
    a fragment that names no element is satisfied by any page."""
    wanted = element_id(fragment)
    if not wanted:
        return True
    candidates = {wanted, unquote(wanted, errors="strict") if _decodes(wanted) else wanted}
    for name in list(candidates):
        candidates.add(GITHUB_PREFIX + name)
        if name.startswith(GITHUB_PREFIX):
            candidates.add(name[len(GITHUB_PREFIX) :])
    return any(c in defined for c in candidates)


def _decodes(text: str) -> bool:
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def fragment_found(text: str, fragment: str, markdown: bool = False) -> bool | None:
    """Whether the document ``text`` (HTML, or Markdown when ``markdown``) defines
    ``fragment``; ``None`` when the fragment names no element, so nothing was checked."""
    if element_id(fragment) is None:
        return None
    return has_anchor(fragment, markdown_anchors(text) if markdown else html_anchors(text))


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value and (key == "id" or (key == "name" and tag == "a")):
                self.found.add(value)

    handle_startendtag = handle_starttag


def html_anchors(html: str) -> frozenset[str]:
    """Every ``id`` and ``<a name>`` in ``html`` (tolerant of broken markup)."""
    if "id" not in html and "name" not in html:
        return frozenset()
    parser = _AnchorParser()
    parser.feed(html)
    parser.close()
    return frozenset(parser.found)


def markdown_anchors(text: str) -> frozenset[str]:
    """The anchors a renderer gives ``text``: heading slugs, Pandoc ids, raw HTML ids."""
    found: set[str] = set()
    for token in _parser().parse(text):
        if token.type == "heading_open":
            found.update(str(v) for v in (token.attrGet("id"), token.meta.get("slug")) if v)
        elif token.type == "html_block":
            found.update(html_anchors(token.content))
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "html_inline":
                    found.update(html_anchors(child.content))
    return frozenset(found)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.core.ruler.push("pandoc_heading_id", _pandoc_heading_ids)
    anchors_plugin(md, min_level=1, max_level=6)  # after the explicit ids, as it expects
    return md


def _pandoc_heading_ids(state: StateCore) -> None:
    """``## Method {#method .class}``: Pandoc's explicit id, the attributes off the title."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        match = _PANDOC_ATTRIBUTES.search(inline.content)
        identifier = _PANDOC_ID.search(match.group(1)) if match else None
        if match is None or identifier is None or not inline.children:
            continue
        last = inline.children[-1]
        if last.type == "text" and last.content.endswith(match.group(0).strip()):
            last.content = last.content[: len(last.content) - len(match.group(0).strip())]
            last.content = last.content.rstrip()
        token.attrSet("id", identifier.group(1))
        # GitHub shows the attributes as text: its slug of the full title is kept too.
        token.meta = {**(token.meta or {}), "slug": slugify(inline.content)}
