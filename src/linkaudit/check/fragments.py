"""
Pure: the anchors an HTML page defines, and whether a ``#fragment`` is among them.

An anchor is any ``id`` attribute or the ``name`` of an ``<a>`` (HTML's "indicated part of
the document"). GitHub renders README headings as ``id="user-content-…"`` and rewrites the
fragment at run time, so ``#install`` is found as ``user-content-install`` too (lychee does
the same). The empty fragment and ``#top`` always exist (HTML spec).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import unquote

__all__ = ["GITHUB_PREFIX", "anchors", "fragment_found", "has_fragment"]

GITHUB_PREFIX = "user-content-"


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value and (key == "id" or (key == "name" and tag == "a")):
                self.found.add(value)

    handle_startendtag = handle_starttag


def anchors(html: str) -> frozenset[str]:
    """Every ``id`` and ``<a name>`` in ``html`` (tolerant of broken markup)."""
    parser = _AnchorParser()
    parser.feed(html)
    parser.close()
    return frozenset(parser.found)


def has_fragment(fragment: str, defined: frozenset[str]) -> bool:
    """Whether ``fragment`` (as in the URL, maybe percent-encoded) names one of ``defined``."""
    if fragment in ("", "top") or fragment.lower() == "top":
        return True
    candidates = {fragment, unquote(fragment)}
    for name in list(candidates):
        candidates.add(GITHUB_PREFIX + name)
        if name.startswith(GITHUB_PREFIX):
            candidates.add(name[len(GITHUB_PREFIX) :])
    return any(c in defined for c in candidates)


def fragment_found(html: str, fragment: str) -> bool:
    """Whether the page ``html`` defines ``fragment``."""
    return has_fragment(fragment, anchors(html))
