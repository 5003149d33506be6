"""
Whether a fetched or local document defines the ``#fragment`` a link asks for.

The rules (fragment directives, hash routes, PDF open parameters, ``#top``, decoding,
GitHub's ``user-content-`` ids, Markdown heading slugs) live in ``linkaudit.fragment`` and
``linkaudit.anchors``, shared with the extractors' check of a document's own fragments.
Here: which documents can be looked into, by their media type (a local file's, by its
name: ``check/local.py``).
"""

from __future__ import annotations

from linkaudit.anchors import fragment_found as _found_in
from linkaudit.fragment import element_id

__all__ = [
    "checkable",
    "fragment_found",
    "is_markdown",
]

_MARKDOWN_TYPES = ("text/markdown", "text/x-markdown")


def is_markdown(content_type: str | None) -> bool:
    """A Markdown media type (RFC 7763 ``text/markdown``, or the older ``text/x-markdown``)."""
    return content_type is not None and content_type.lower().startswith(_MARKDOWN_TYPES)


def checkable(content_type: str | None) -> bool:
    """Whether a body of this media type can be searched for an element id (HTML, XHTML,
    Markdown); a PDF's or an image's fragment is read by its viewer."""
    if content_type is None:
        return False
    lowered = content_type.lower()
    return "html" in lowered or is_markdown(lowered)


def fragment_found(text: str, fragment: str, content_type: str | None = None) -> bool | None:
    """Whether ``text`` (HTML, or Markdown by its media type) defines ``fragment``; ``None``
    when the fragment names no element (a hash route, a text fragment alone…)."""
    if element_id(fragment) is None:
        return None
    return _found_in(text, fragment, markdown=is_markdown(content_type))
