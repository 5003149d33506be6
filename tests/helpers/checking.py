"""Helpers for the check stage's tests: run check_urls over a few URLs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from linkaudit.check import CheckRequest, check_urls
from linkaudit.config import Settings
from linkaudit.models import Observation
from web import LogEntry, Reply, SimWeb, WebRequest


async def observe_all(urls: Iterable[str], settings: Settings) -> dict[str, Observation]:
    """Check ``urls`` in one run; observations keyed by URL."""
    return {o.url: o async for o in check_urls([CheckRequest(u) for u in urls], settings)}


async def observe(url: str, settings: Settings) -> Observation:
    """Check one URL."""
    return (await observe_all([url], settings))[url]


async def check_slowly(
    web: SimWeb,
    prefix: str,
    urls: list[str],
    settings: Settings,
    *,
    delay: float = 0.02,
    host: str | None = None,
) -> tuple[list[str], list[LogEntry]]:
    """Serve ``prefix/*`` with a ``delay`` per answer, check ``urls`` in one run, and give
    the URLs observed and the server's log of those requests (in-flight counts included)."""

    async def slow(request: WebRequest) -> Reply:
        await asyncio.sleep(delay)
        return Reply(200, "<title>p</title>" + request.path)

    web.route(f"{prefix}/*", slow, host=host)
    try:
        web.reset_log()
        seen = [o.url async for o in check_urls([CheckRequest(u) for u in urls], settings)]
        log = [e for e in web.requests if e.path.startswith(f"{prefix}/")]
    finally:
        web.unroute(f"{prefix}/*", host=host)
    return seen, log
