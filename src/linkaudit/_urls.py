"""One URL split shared by the stages that each look at it."""

from __future__ import annotations

import functools
from urllib.parse import SplitResult, urlsplit

__all__ = ["split_url"]


@functools.lru_cache(maxsize=4096)
def split_url(url: str) -> SplitResult:
    """``urllib.parse.urlsplit(url)``, cached: the guard, the soft-404 probe, the redirect
    follower and classify each split the same URL within a few milliseconds."""
    return urlsplit(url)
