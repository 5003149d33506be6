"""
``check_urls``: a bounded pool of workers turning ``CheckRequest``s into ``Observation``s.

Workers take requests from per-host queues (``dispatch``), only for a host with fewer than
``max_per_host`` checks under way, so a busy host never holds a global slot idle. The
requests come from an iterable read lazily, or from an async iterable (a run's feed, as
documents are extracted: ``run/feed.py``) fed into bounded queues: 100,000 URLs never
become 100,000 tasks. Each worker follows one URL's chain, one attempt at a time inside a
per-host slot (``hosts``), retrying by the pure predicate (``retry``), then probes for a
soft 404 and looks for the fragment.

A retry's backoff sleep holds nothing: the worker gives its host's dispatch slot back for
the sleep (the host starts another URL meanwhile) and reclaims it before the next attempt.
``max_concurrency`` therefore bounds *requests in flight* (a semaphore around each
attempt), not workers: the pool has a few spare workers (``spare_workers``) so that a
host's freed lane finds a worker while others sleep. Without them a pool of exactly
``max_concurrency`` workers, all busy, would leave the freed lane idle, and the release
would gain nothing. Per-host in-flight requests stay bounded by ``HostLimiter.slot``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import re
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Iterable,
    Mapping,
    MutableMapping,
)
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urldefrag

import anyio
import httpx

from linkaudit.check.charset import decode_body, is_textual
from linkaudit.check.client import Fetched, fetch_once, make_check_client
from linkaudit.check.contain import unexpected
from linkaudit.check.dispatch import Dispatcher, lookahead
from linkaudit.check.doi import DoiServices, JsonAnswer, ServiceHealth, parse_json
from linkaudit.check.failures import describe
from linkaudit.check.fragments import checkable as fragment_checkable
from linkaudit.check.fragments import fragment_found
from linkaudit.check.guard import needs_dns, refusal
from linkaudit.check.hosts import HostLimiter, host_key, politeness
from linkaudit.check.local import observe_file
from linkaudit.check.redirects import Chain, follow
from linkaudit.check.request import CheckRequest
from linkaudit.check.retry import backoff_seconds, build_retrying, should_retry, wait_seconds
from linkaudit.check.soft404 import (
    SHELL_TEXT,
    Probe,
    ProbeCache,
    main_text,
    normalise_markup,
    normalise_visible,
    should_probe,
    similarity_of_page,
    visible_text,
)
from linkaudit.config import Settings
from linkaudit.dois import doi_of
from linkaudit.exceptions import LinkauditError
from linkaudit.models import Notice, Observation, OpenAccess
from linkaudit.urls import split_url, url_defect
from linkaudit.verdicts import Reason

__all__ = ["BODY_SAMPLE", "Checker", "check_urls", "spare_workers"]

BODY_SAMPLE = 64 * 1024
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_DONE = object()
_ON_LOOP_BYTES = 256 * 1024
"""Bodies up to this size are read on the event loop (a thread's hand-off costs more)."""
_PROBE_RETRY_WAIT = 2.0
"""The longest a soft-404 probe waits before its one retry (a longer Retry-After: none)."""


Requests = Iterable[CheckRequest] | AsyncIterable[CheckRequest]


@dataclass(slots=True)
class _Lease:
    """The dispatch slot a worker holds for one request's host."""

    dispatcher: Dispatcher[CheckRequest]
    host: str
    held: bool = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self.dispatcher.done(self.host)

    async def reclaim(self) -> None:
        if not self.held:
            await self.dispatcher.reclaim(self.host)
            self.held = True


_LEASE: ContextVar[_Lease | None] = ContextVar("linkaudit_dispatch_lease", default=None)
"""The current worker's lease, so a retry deep in a redirect chain can lend it out."""


def spare_workers(max_concurrency: int) -> int:
    """Workers beyond ``max_concurrency``, for lanes freed by checks in a backoff sleep."""
    return max(2, max_concurrency // 8)


async def check_urls(
    requests: Requests,
    settings: Settings,
    *,
    services: ServiceHealth | None = None,
    doi_cache: MutableMapping[str, Any] | None = None,
) -> AsyncGenerator[Observation, None]:
    """Check every request; yield each ``Observation`` as soon as it is complete (``aclose``
    stops the workers of a run that ends early).

    ``services`` learns which outside services (the DOI APIs) were down; ``doi_cache`` keeps
    Crossref's and Unpaywall's answers across runs (the store's).
    """
    async with make_check_client(settings) as client:
        checker = Checker(client, settings, services=services, doi_cache=doi_cache)
        async for observation in checker.run(requests):
            yield observation


class Checker:
    """One run's shared state: the client, host limits, the in-flight bound, the guard's
    answers, the DOI services and the soft-404 probe cache."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        *,
        services: ServiceHealth | None = None,
        doi_cache: MutableMapping[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.hosts = HostLimiter(settings)
        self.probes = ProbeCache()
        self.dois = DoiServices(self._get_json, settings, services, doi_cache)
        self.in_flight = asyncio.Semaphore(max(1, settings.max_concurrency))
        """The global bound: requests in flight (see the module docstring)."""
        self._refusals: dict[tuple[str, str, int | None], str | None] = {}

    async def run(self, requests: Requests) -> AsyncIterator[Observation]:
        """The worker pool; see the module docstring."""
        concurrency = max(1, self.settings.max_concurrency)
        workers = concurrency + spare_workers(concurrency)
        dispatcher = self._dispatcher(requests, lookahead(workers))
        outbox: asyncio.Queue[object] = asyncio.Queue(maxsize=workers * 2)
        tasks = [asyncio.create_task(self._work(dispatcher, outbox)) for _ in range(workers)]
        if isinstance(requests, AsyncIterable):
            tasks.append(asyncio.create_task(_feed(requests, dispatcher, outbox)))
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

    def _dispatcher(self, requests: Requests, lookahead: int) -> Dispatcher[CheckRequest]:
        def limit(host: str) -> int:
            return politeness(host, self.settings)[0]

        if isinstance(requests, AsyncIterable):
            return Dispatcher.open(_host_of, limit, lookahead)
        return Dispatcher(requests, _host_of, limit, lookahead)

    async def _work(
        self, dispatcher: Dispatcher[CheckRequest], outbox: asyncio.Queue[object]
    ) -> None:
        try:
            while (taken := await dispatcher.next()) is not None:
                host, request = taken
                lease = _Lease(dispatcher, host)
                token = _LEASE.set(lease)
                try:
                    observation = await self.contained(request)
                finally:
                    _LEASE.reset(token)
                    lease.release()
                await outbox.put(observation)
        except Exception as exc:  # a bug: hand it to the consumer rather than hang
            await outbox.put(exc)
        await outbox.put(_DONE)

    async def contained(self, request: CheckRequest) -> Observation:
        """``check``, with whatever goes wrong inside it (a server's answer no rule foresaw,
        a bug) turned into this URL's result: one URL never ends the run."""
        try:
            return await self.check(request)
        except LinkauditError:  # about the run (a CA bundle, the store), not this URL
            raise
        except Exception as exc:  # the containment boundary: see SECURITY.md
            return unexpected(request.url, exc, describe(exc))

    async def check(self, request: CheckRequest) -> Observation:
        """Observe one URL (file: on disk, http(s) over the network)."""
        defect = url_defect(request.url)
        if defect is not None:
            return Observation(url=request.url, failure=Reason.MALFORMED, error=defect)
        scheme = _scheme(request.url)
        if scheme == "file":  # a run checks its own in run/local.py; check_urls is public
            return await anyio.to_thread.run_sync(observe_file, request, self.settings)
        checked_at = dt.datetime.now(dt.UTC)
        if scheme not in ("http", "https"):
            error = f"cannot check {scheme or 'a relative'} URL"
            return Observation(url=request.url, failure=Reason.UNSUPPORTED_SCHEME, error=error)
        doi = doi_of(request.url)
        if doi is not None:
            return await self._check_doi(request.url, doi, checked_at)
        return await self._check_web(request.url, checked_at)

    async def _check_web(self, url: str, checked_at: dt.datetime) -> Observation:
        started = time.monotonic()
        target, fragment = urldefrag(url)
        chain = await follow(target, self._fetch, self.settings, self._guard)
        probe = await self._probe_soft404(target, chain)
        elapsed_ms = round((time.monotonic() - started) * 1000, 1)
        seen = _Seen(url, chain, checked_at, fragment or None, probe, elapsed_ms)
        if len(chain.last.body) <= _ON_LOOP_BYTES and not fragment:
            return _observe(seen, self.settings)
        # A large body, or a page to search for a fragment: decoded and parsed in a worker
        # thread, so one hostile page cannot stall every other check, and abandoned when
        # --max-time cancels the run (the work itself is bounded by the body's cap).
        return await anyio.to_thread.run_sync(_observe, seen, self.settings, abandon_on_cancel=True)

    async def _check_doi(self, url: str, doi: str, checked_at: dt.datetime) -> Observation:
        """A DOI: the handle API decides whether it exists; Crossref and Unpaywall add its
        notices and an open copy; the publisher's page only with ``--doi-follow``."""
        started = time.monotonic()
        answer = await self.dois.resolve(doi)
        record = answer.record
        notices: tuple[Notice, ...] = ()
        open_access: OpenAccess | None = None
        if record.registered:
            notices = await self.dois.notices(doi)
            open_access = await self.dois.open_access(doi)
        if record.registered and self.settings.doi_follow:
            # The handle's target is where doi.org would redirect: fetch it directly.
            observed = replace(await self._check_web(record.target or url, checked_at), url=url)
        else:
            elapsed_ms = round((time.monotonic() - started) * 1000, 1)
            observed = Observation(
                url=url,
                final_url=record.target,
                failure=answer.failure,
                error=answer.error,
                checked_at=checked_at,
                elapsed_ms=elapsed_ms,
            )
        return replace(observed, doi=record, notices=notices, open_access=open_access)

    async def _get_json(self, url: str) -> JsonAnswer:
        """GET a JSON API through the guard, the host limits and the retries."""
        chain = await follow(url, self._fetch, self.settings, self._guard)
        if chain.failure is not None or chain.last.status is None:
            failure = chain.failure or chain.last.failure
            return JsonAnswer(None, failure=failure, error=chain.error or chain.last.error)
        last = chain.last
        return JsonAnswer(last.status, parse_json(last.body, last.truncated))

    async def _guard(self, url: str, settings: Settings) -> str | None:
        """The guard, decided once per (scheme, host, port) a run meets (its answer depends on
        nothing else); the connector's resolver judges every lookup it connects by again
        (``guard.GuardedResolver``), so a name that resolves elsewhere later is caught there."""
        parts = split_url(url)
        try:
            key = (parts.scheme, parts.hostname or "", parts.port)
        except ValueError:  # a port out of range: not cached, the fetch reports it
            return refusal(url, settings) if not needs_dns(url, settings) else None
        if key in self._refusals:
            return self._refusals[key]
        if needs_dns(url, settings):
            found = await anyio.to_thread.run_sync(refusal, url, settings)
        else:
            found = refusal(url, settings)
        self._refusals[key] = found
        return found

    async def _fetch(self, url: str, headers: Mapping[str, str], jar: httpx.Cookies) -> Fetched:
        attempts = 0

        async def attempt() -> Fetched:
            nonlocal attempts
            attempts += 1
            async with self.hosts.slot(url), self.in_flight:
                fetched = await fetch_once(
                    self.client, url, self.settings, headers=headers, cookies=jar
                )
            if fetched.status == 429:
                self.hosts.slow_down(url, fetched.retry_after)
            elif fetched.status is not None:
                self.hosts.relax(url)
            return fetched

        result = await attempt()  # most requests need no retry: no tenacity loop for them
        if self.settings.retries > 0 and should_retry(result, self.settings):
            await _backoff(wait_seconds(1, result, self.settings))
            retrying = build_retrying(self.settings, done=1).copy(sleep=_backoff)
            result = await retrying(attempt)
        return replace(result, attempts=attempts) if attempts != result.attempts else result

    async def _probe_soft404(self, target: str, chain: Chain) -> Probe | None:
        if not self.settings.soft404 or chain.failure is not None:
            return None
        if not should_probe(target, chain.last.status) or not _comparable(chain.last):
            return None
        return await self.probes.get(target, self._send_probe, self._probe_budget())

    def _probe_budget(self) -> float:
        """The longest a probe may take (two attempts and a short wait): after it, the probe
        is no evidence, and nobody waits for it any longer."""
        return 2 * self.settings.timeout + _PROBE_RETRY_WAIT + 1.0

    async def _send_probe(self, url: str, name: str) -> Probe:
        try:
            async with asyncio.timeout(self._probe_budget()):
                chain = await follow(url, self._probe_fetch, self.settings, self._guard)
        except TimeoutError:
            return Probe(url=url, status=None, final_url=None, text="", comparable=False)
        last = chain.last
        decoded = _decode(last) if chain.failure is None else ""
        sample = decoded[:BODY_SAMPLE]
        text = normalise_visible(main_text(sample), name)
        shell = len(normalise_visible(visible_text(sample), name)) < SHELL_TEXT
        markup = normalise_markup(decoded, name) if shell else None
        final = chain.final_url if chain.failure is None else None
        status = last.status if chain.failure is None else None
        comparable = chain.failure is None and _comparable(last)
        return Probe(url, status, final, text, markup=markup, comparable=comparable)

    async def _probe_fetch(
        self, url: str, headers: Mapping[str, str], jar: httpx.Cookies
    ) -> Fetched:
        """A probe's request: tried again at most once, and only after a transient status
        (503, 429…), after a short wait that keeps the worker's dispatch slot (a probe never
        waits for a slot its own host might hold). A probe that is dropped or times out is
        not sent again: a host that drops or ignores unknown paths would only do it again."""

        async def attempt() -> Fetched:
            async with self.hosts.slot(url), self.in_flight:
                return await fetch_once(
                    self.client, url, self.settings, headers=headers, cookies=jar
                )

        result = await attempt()
        retry = result.failure is None and should_retry(result, self.settings)
        if self.settings.retries > 0 and retry:
            asked = result.retry_after
            if asked is None or asked <= _PROBE_RETRY_WAIT:
                wait = min(backoff_seconds(1, self.settings.backoff_base), _PROBE_RETRY_WAIT)
                await asyncio.sleep(max(wait, asked or 0.0))
                result = replace(await attempt(), attempts=2)
        return result


async def _feed(
    requests: AsyncIterable[CheckRequest],
    dispatcher: Dispatcher[CheckRequest],
    outbox: asyncio.Queue[object],
) -> None:
    """Move requests from an async source into the dispatcher as they come, then close it."""
    try:
        async for request in requests:
            await dispatcher.put(request)
    except Exception as exc:  # the source failed (extraction, the store): the run must see it
        await outbox.put(exc)
    finally:
        dispatcher.close()
        aclose = getattr(requests, "aclose", None)
        if aclose is not None:
            await aclose()


async def _backoff(seconds: float) -> None:
    """A retry's wait, with the host's dispatch slot lent out meanwhile (module docstring)."""
    lease = _LEASE.get()
    if lease is None:
        await asyncio.sleep(seconds)
        return
    lease.release()
    await asyncio.sleep(seconds)  # cancelled here, the worker holds no slot: nothing to undo
    await lease.reclaim()


def _scheme(url: str) -> str:
    """``urlsplit(url).scheme.lower()``, without splitting the common http(s) URL."""
    head = url[:8].lower()
    if head.startswith("http://"):
        return "http"
    if head == "https://":
        return "https"
    return split_url(url).scheme.lower()


def _host_of(request: CheckRequest) -> str:
    """The dispatch queue of a request: its host, or one queue for file: and the rest."""
    if request.url[:4].lower() != "http":
        return ""
    try:
        return host_key(request.url)
    except ValueError:  # a malformed authority: ``check`` reports it, the queue is shared
        return ""


@dataclass(frozen=True, slots=True)
class _Seen:
    """What one check saw, before it becomes an ``Observation``."""

    url: str
    chain: Chain
    checked_at: dt.datetime
    fragment: str | None
    probe: Probe | None
    elapsed_ms: float


def _observe(seen: _Seen, settings: Settings) -> Observation:
    """The observation, built once (with the soft-404 comparison when a probe was sent)."""
    chain, probe, fragment = seen.chain, seen.probe, seen.fragment
    last = chain.last
    content_type = last.headers.get("content-type")
    text = _decode(last)
    found = None
    is_html = content_type is not None and "html" in content_type.lower()
    ok = last.status is not None and 200 <= last.status < 300
    searchable = fragment_checkable(content_type)
    if fragment and settings.check_fragments and searchable and ok and chain.failure is None:
        found = fragment_found(text, fragment, content_type)
    sample = text[:BODY_SAMPLE]
    visible = visible_text(sample) if sample else ""
    normalised = normalise_visible(visible)
    return Observation(
        url=seen.url,
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
        checked_at=seen.checked_at,
        fragment=fragment,
        fragment_found=found,
        fingerprint=hashlib.sha256(normalised.encode()).hexdigest() if sample else None,
        truncated=last.truncated,
        elapsed_ms=seen.elapsed_ms,
        probe_status=probe.status if probe else None,
        probe_final_url=probe.final_url if probe else None,
        probe_similarity=_probe_score(seen, normalised, sample),
    )


def _probe_score(seen: _Seen, normalised: str, sample: str) -> float | None:
    """The page's likeness to its probe, or ``None`` where a comparison would prove nothing:
    no probe, a probe without a 2xx or without a body of text, or a page without one."""
    probe = seen.probe
    if probe is None or not probe.comparable or not _comparable(seen.chain.last):
        return None
    if probe.status is None or not 200 <= probe.status < 300:
        return None
    path = split_url(seen.url).path
    page = normalise_visible(main_text(sample), path)
    shell = len(normalised) < SHELL_TEXT  # the whole page shows (almost) no text
    markup = normalise_markup(sample, path) if shell else None
    return similarity_of_page(page, markup, seen.chain.final_url, probe)


def _comparable(fetched: Fetched) -> bool:
    """A body worth comparing as text: not empty, not a 204, of a textual type."""
    if fetched.status == 204 or not fetched.body:
        return False
    return is_textual(fetched.headers.get("content-type", ""))


def _decode(fetched: Fetched) -> str:
    """The body as text when it is text (in a browser's encoding); ``""`` for binary content."""
    return decode_body(fetched.body, fetched.headers.get("content-type", ""))


def _title(text: str) -> str | None:
    match = _TITLE.search(text)
    if match is None:
        return None
    return " ".join(html.unescape(match.group(1)).split())[:300] or None
