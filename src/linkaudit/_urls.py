"""One URL split shared by the stages that each look at it."""

from __future__ import annotations

import functools
from urllib.parse import SplitResult, urlsplit

__all__ = ["split_url", "url_defect"]


@functools.lru_cache(maxsize=4096)
def split_url(url: str) -> SplitResult:
    """``urllib.parse.urlsplit(url)``, cached: the guard, the soft-404 probe, the redirect
    follower and classify each split the same URL within a few milliseconds."""
    return urlsplit(url)


# C0 controls and DEL: never valid in a URL as written (WHATWG drops tab and newline, but
# a document or a server that sends one is hostile or broken, and httpx refuses them).
_CONTROL = frozenset(map(chr, [*range(0x20), 0x7F]))


def url_defect(url: str) -> str | None:
    """Why ``url`` cannot be requested as it stands (a control character, an authority
    urlsplit rejects, a port out of range), or ``None``; what the checker, the redirect
    follower and the extractors test wherever a URL is made."""
    if not _CONTROL.isdisjoint(url):
        bad = next(c for c in url if c in _CONTROL)
        return f"control character U+{ord(bad):04X} in the URL"
    try:
        parts = split_url(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range or not a number
    except ValueError as exc:
        return f"invalid URL: {exc}"
    return None
