"""
Pure: what a ``#fragment`` asks for, and whether the anchors a document defines hold it.

A fragment is read as a browser reads it (HTML's "find a potential indicated element"):

* the fragment directive (``:~:`` and everything after it, e.g. ``#:~:text=…`` or
  ``#intro:~:text=…``, what browsers put in copied links) is stripped before anything else,
  and only the element id before it, if any, is looked for;
* hash routes (``#!/…``, ``#/…``) are read by the page's script, and PDF open parameters
  (``#page=3``, ``#nameddest=x``, ``#zoom=…``, ``#search=…``, ``#view=…``) by the PDF
  viewer: neither names an element, so neither can be missing;
* the empty fragment and ``#top`` (any case) always exist;
* a percent-encoded or non-ASCII id matches after decoding (UTF-8), as browsers try both.

Apart from ``anchors`` (which reads a document's anchors with markdown-it and lxml), so that
the extract stage's link checks import no parser a document does not need.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["GITHUB_PREFIX", "MarkdownAnchors", "element_id", "has_anchor"]

GITHUB_PREFIX = "user-content-"
"""GitHub renders heading ids as ``user-content-…`` and maps ``#x`` to it at run time."""

_DIRECTIVE = ":~:"
_PDF_PARAMETER = re.compile(
    r"^(?:page|nameddest|zoom|search|view|viewrect|pagemode|scrollbar|toolbar|navpanes|"
    r"statusbar|messages|highlight|comment|fdf)=",
    re.IGNORECASE,
)


class MarkdownAnchors(frozenset[str]):
    """The anchors of a Markdown document. Its heading slugs are lower case and GitHub finds
    ``#Install`` as ``install``: a fragment matches them without regard to case (an HTML
    page's ids are matched exactly, as browsers do)."""


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
    if any(c in defined for c in candidates):
        return True
    if isinstance(defined, MarkdownAnchors):
        return any(c.lower() in defined for c in candidates)
    return False


def _decodes(text: str) -> bool:
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return True
