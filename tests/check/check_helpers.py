"""Helpers for the check stage's tests: run check_urls over a few URLs."""

from __future__ import annotations

from collections.abc import Iterable

from linkaudit.check import CheckRequest, check_urls
from linkaudit.config import Settings
from linkaudit.models import Observation


async def observe_all(urls: Iterable[str], settings: Settings) -> dict[str, Observation]:
    """Check ``urls`` in one run; observations keyed by URL."""
    return {o.url: o async for o in check_urls([CheckRequest(u) for u in urls], settings)}


async def observe(url: str, settings: Settings) -> Observation:
    """Check one URL."""
    return (await observe_all([url], settings))[url]
