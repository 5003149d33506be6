"""
Pure: the anchors a Markdown or HTML document defines (what a ``#fragment`` asks for, and
whether a set of anchors holds it, is ``linkaudit.fragment``).

Markdown anchors are the ids a renderer gives headings: markdown-it's anchors plugin
(mdit-py-plugins, GitHub's slug rules and ``-1``, ``-2`` for repeats), Pandoc's explicit
``## Heading {#id}``, and the ``id``/``name`` of raw HTML in the document. An id written
inside a code span or a code block is text, not a definition.

markdown-it is imported on first use (``_parser``, ``token_anchors``): a run that reads only
HTML anchors (a fragment into a local ``.html`` file) never loads it
(docs/development.md#lazy-imports).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from lxml import etree

from linkaudit.fragment import MarkdownAnchors, element_id, has_anchor

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "fragment_found",
    "html_anchors",
    "markdown_anchors",
    "token_anchors",
]

_PANDOC_ATTRIBUTES = re.compile(r"\{(?=[^}]*#)([^{}]*)\}\s*$")
_PANDOC_ID = re.compile(r"(?:^|\s)#([^\s}]+)")


def fragment_found(text: str, fragment: str, markdown: bool = False) -> bool | None:
    """Whether the document ``text`` (HTML, or Markdown when ``markdown``) defines
    ``fragment``; ``None`` when the fragment names no element, so nothing was checked."""
    if element_id(fragment) is None:
        return None
    return has_anchor(fragment, markdown_anchors(text) if markdown else html_anchors(text))


class _AnchorTarget:
    """An lxml parser target collecting ``id``s and ``<a name>``s as libxml2 reads them:
    linear in the page (the standard library's tokenizer is quadratic on some pages:
    docs/extraction.md#why-these-libraries-measured), and no tree is built."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        for key, value in attrib.items():
            if value and (key == "id" or (key == "name" and tag.lower() == "a")):
                self.found.add(value)

    def close(self) -> frozenset[str]:
        return frozenset(self.found)


def html_anchors(html: str) -> frozenset[str]:
    """Every ``id`` and ``<a name>`` in ``html`` (tolerant of broken markup)."""
    if "id" not in html and "name" not in html:
        return frozenset()
    parser = etree.HTMLParser(target=_AnchorTarget())
    parser.feed(html)
    found: frozenset[str] = parser.close()
    return found


def markdown_anchors(text: str) -> MarkdownAnchors:
    """The anchors a renderer gives the Markdown ``text`` (see ``token_anchors``)."""
    return token_anchors(_parser().parse(text))


def token_anchors(tokens: Sequence[Token]) -> MarkdownAnchors:
    """The anchors of parsed Markdown: heading ids as markdown-it's anchors plugin makes them
    (its slug function and its ``-1``, ``-2`` for repeats; an explicit Pandoc ``{#id}``
    first), and the ``id``/``name`` of raw HTML blocks and inline tags. Code spans and code
    blocks are other token types: an id written there is not a definition."""
    from mdit_py_plugins.anchors.index import slugify, unique_slug  # on first use

    found: set[str] = set()
    explicit_ids: set[str] = set()
    headings: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            inline = tokens[index + 1]
            title = _title(inline)
            explicit = _pandoc_attributes(inline.content)
            identifier = _PANDOC_ID.search(explicit.group(1)) if explicit else None
            if identifier is not None:
                explicit_ids.add(identifier.group(1))
                found.add(slugify(title))  # GitHub shows the attributes as text
            else:
                headings.append(title)
        elif token.type == "html_block":
            found.update(html_anchors(token.content))
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "html_inline":
                    found.update(html_anchors(child.content))
    taken = set(explicit_ids)  # the plugin reserves explicit ids before making slugs
    for title in headings:
        found.add(unique_slug(slugify(title), taken))
    return MarkdownAnchors(found | explicit_ids)


def _pandoc_attributes(heading: str) -> re.Match[str] | None:
    """The trailing ``{… #id …}`` of a heading: matched from its last ``{`` only (a search
    from every position is quadratic on a heading of 100,000 spaces)."""
    start = heading.rfind("{")
    return _PANDOC_ATTRIBUTES.match(heading, start) if start >= 0 else None


def _title(inline: Token) -> str:
    """The heading text the anchors plugin slugs: its text and code spans."""
    children = inline.children or []
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # on first use (module docstring)

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])
