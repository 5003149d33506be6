"""
``check_urls``: a bounded pool of workers turning ``CheckRequest``s into ``Observation``s.

``max_concurrency`` workers read from a small queue that a feeder fills lazily from the
requests iterable, so 100,000 URLs never become 100,000 tasks. Each worker follows one
URL's chain, one attempt at a time inside a per-host slot (``hosts``), retrying by the
pure predicate (``retry``), then probes for a soft 404 and looks for the fragment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import re
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urldefrag, urlsplit

import anyio
import httpx

from linkaudit.check.client import Fetched, fetch_once, make_client
from linkaudit.check.fragments import fragment_found
from linkaudit.check.hosts import HostLimiter
from linkaudit.check.local import check_file
from linkaudit.check.redirects import Chain, follow
from linkaudit.check.retry import build_retrying
from linkaudit.check.soft404 import Probe, ProbeCache, normalise_text, should_probe, similarity
from linkaudit.config import Settings
from linkaudit.models import Observation
from linkaudit.verdicts import Reason

__all__ = ["BODY_SAMPLE", "CheckRequest", "Checker", "check_urls"]

BODY_SAMPLE = 64 * 1024
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_DONE = object()


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """One distinct URL to check."""

    url: str
    """Absolute: http, https or file:."""
    root: str | None = None
    """The directory file: URLs may not escape unless ``Settings.allow_file_escape``."""


async def check_urls(
    requests: Iterable[CheckRequest], settings: Settings
) -> AsyncIterator[Observation]:
    """Check every request; yield each ``Observation`` as soon as it is complete."""
    async with make_client(settings) as client:
        checker = Checker(client, settings)
        async for observation in checker.run(requests):
            yield observation


class Checker:
    """One run's shared state: the client, host limits and the soft-404 probe cache."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.hosts = HostLimiter(settings)
        self.probes = ProbeCache()

    async def run(self, requests: Iterable[CheckRequest]) -> AsyncIterator[Observation]:
        """The worker pool; see the module docstring."""
        workers = max(1, self.settings.max_concurrency)
        inbox: asyncio.Queue[object] = asyncio.Queue(maxsize=workers * 2)
        outbox: asyncio.Queue[object] = asyncio.Queue(maxsize=workers * 2)
        tasks = [asyncio.create_task(self._feed(requests, inbox, workers))]
        tasks += [asyncio.create_task(self._work(inbox, outbox)) for _ in range(workers)]
        try:
            finished = 0
            while finished < workers:
                item = await outbox.get()
                if item is _DONE:
                    finished += 1
                elif isinstance(item, BaseException):
                    raise item
                elif isinstance(item, Observation):
                    yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _feed(
        self, requests: Iterable[CheckRequest], inbox: asyncio.Queue[object], n: int
    ) -> None:
        for request in requests:
            await inbox.put(request)
        for _ in range(n):
            await inbox.put(_DONE)

    async def _work(self, inbox: asyncio.Queue[object], outbox: asyncio.Queue[object]) -> None:
        while (request := await inbox.get()) is not _DONE:
            assert isinstance(request, CheckRequest)
            try:
                await outbox.put(await self.check(request))
            except Exception as exc:  # a bug: hand it to the consumer rather than hang
                await outbox.put(exc)
                break
        await outbox.put(_DONE)

    async def check(self, request: CheckRequest) -> Observation:
        """Observe one URL (file: on disk, http(s) over the network)."""
        scheme = urlsplit(request.url).scheme.lower()
        if scheme == "file":
            return await anyio.to_thread.run_sync(
                check_file, request.url, request.root, self.settings
            )
        checked_at = dt.datetime.now(dt.UTC)
        if scheme not in ("http", "https"):
            error = f"cannot check {scheme or 'a relative'} URL"
            return Observation(url=request.url, failure=Reason.UNSUPPORTED_SCHEME, error=error)
        started = time.monotonic()
        target, fragment = urldefrag(request.url)
        chain = await follow(target, self._fetch, self.settings)
        observation = _observe(request.url, chain, checked_at, fragment or None, self.settings)
        observation = await self._probe_soft404(target, observation)
        return replace(observation, elapsed_ms=round((time.monotonic() - started) * 1000, 1))

    async def _fetch(self, url: str, headers: Mapping[str, str], jar: httpx.Cookies) -> Fetched:
        attempts = 0

        async def attempt() -> Fetched:
            nonlocal attempts
            attempts += 1
            async with self.hosts.slot(url):
                fetched = await fetch_once(
                    self.client, url, self.settings, headers=headers, cookies=jar
                )
            if fetched.status == 429:
                self.hosts.slow_down(url, fetched.retry_after)
            elif fetched.status is not None:
                self.hosts.relax(url)
            return fetched

        result: Fetched = await build_retrying(self.settings)(attempt)
        return replace(result, attempts=attempts)

    async def _probe_soft404(self, target: str, observation: Observation) -> Observation:
        if not self.settings.soft404 or observation.failure is not None:
            return observation
        if not should_probe(target, observation.status):
            return observation
        probe = await self.probes.get(target, self._send_probe)
        score = similarity(observation.body, observation.final_url, probe, urlsplit(target).path)
        return replace(
            observation,
            probe_status=probe.status,
            probe_final_url=probe.final_url,
            probe_similarity=score,
        )

    async def _send_probe(self, url: str, name: str) -> Probe:
        chain = await follow(url, self._fetch, self.settings)
        text = normalise_text(_decode(chain.last), name)
        final = chain.final_url if chain.failure is None else None
        return Probe(url=url, status=chain.last.status, final_url=final, text=text)


def _observe(
    url: str, chain: Chain, checked_at: dt.datetime, fragment: str | None, settings: Settings
) -> Observation:
    last = chain.last
    content_type = last.headers.get("content-type")
    text = _decode(last)
    found = None
    is_html = content_type is not None and "html" in content_type.lower()
    ok = last.status is not None and 200 <= last.status < 300
    if fragment and settings.check_fragments and is_html and ok and chain.failure is None:
        found = fragment_found(text, fragment)
    sample = text[:BODY_SAMPLE]
    return Observation(
        url=url,
        status=last.status,
        final_url=chain.final_url,
        redirects=chain.redirects,
        headers=dict(last.headers),
        content_type=content_type,
        title=_title(sample) if is_html else None,
        body=sample,
        failure=chain.failure,
        error=chain.error or last.error,
        attempts=last.attempts,
        checked_at=checked_at,
        fragment=fragment,
        fragment_found=found,
        fingerprint=hashlib.sha256(normalise_text(sample).encode()).hexdigest() if sample else None,
        truncated=last.truncated,
    )


def _decode(fetched: Fetched) -> str:
    """The body as text when it is text; ``""`` for binary content."""
    content_type = fetched.headers.get("content-type", "").lower()
    textual = not content_type or any(
        t in content_type for t in ("text/", "html", "xml", "json", "javascript")
    )
    if not textual or not fetched.body:
        return ""
    return fetched.body.decode(_charset(content_type, fetched.body), "replace")


def _charset(content_type: str, body: bytes) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip() == "charset" and value.strip():
            return _known(value.strip().strip("\"'"))
    meta = _CHARSET.search(body[:2048])
    return _known(meta.group(1).decode("ascii", "replace")) if meta else "utf-8"


def _known(name: str) -> str:
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name


def _title(text: str) -> str | None:
    match = _TITLE.search(text)
    if match is None:
        return None
    return " ".join(html.unescape(match.group(1)).split())[:300] or None
