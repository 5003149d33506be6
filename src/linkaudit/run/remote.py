"""
The network half of a check run: the checker's observations classified, enriched (drift,
snapshots) and saved as they arrive, and ``--check-originals``.

Apart from ``pipeline`` so that a run with nothing to fetch (``--offline``, local files
only) never imports the HTTP stack, the check stage, the archive look-ups or drift
(docs/development.md#lazy-imports).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable, MutableMapping, Sequence
from typing import Any

from linkaudit.archive import attach_snapshots
from linkaudit.archive.client import make_archive_client, unreachable_services
from linkaudit.archive.recognize import is_web_url
from linkaudit.check import CheckRequest, check_urls, network_available
from linkaudit.check.doi import ServiceHealth
from linkaudit.check.local import is_local
from linkaudit.classify import classify
from linkaudit.config import Settings
from linkaudit.drift import assess, wants_drift
from linkaudit.models import Observation, Occurrence, Result
from linkaudit.run.feed import Feed
from linkaudit.run.state import Run
from linkaudit.verdicts import Reason, Verdict

__all__ = ["check_originals", "check_remote"]

#: Archive look-ups and drift comparisons under way at once.
ARCHIVE_LOOKUPS = 8
#: Results waiting for an archive look-up or a drift comparison at most (each may hold a
#: page's body): beyond it the checking waits, so a slow archive cannot fill memory.
ARCHIVE_BACKLOG = 256
#: Failures that say nothing about the link when the whole machine is offline.
NETWORK_FAILURES = frozenset({Reason.DNS, Reason.CONNECTION, Reason.TIMEOUT})
#: Verdicts worth an archive look-up under ``archive = "dead"``.
ARCHIVE_VERDICTS = frozenset({Verdict.DEAD, Verdict.REDIRECTED, Verdict.UNREACHABLE})


async def check_remote(feed: Feed, run: Run, deadline: float | None) -> None:
    """Fetch the feed's URLs until they are all checked or ``deadline`` (``--max-time``)
    passes; each result is classified, enriched when it asks for it, and saved."""
    settings, store = run.settings, run.store
    archive_tasks: set[asyncio.Task[None]] = set()
    limit = asyncio.Semaphore(ARCHIVE_LOOKUPS)
    backlog = asyncio.Semaphore(ARCHIVE_BACKLOG)
    # Snapshot look-ups outlive the run in the store, so a re-run does not ask the archives again.
    storage = run.storage
    post = storage.post if storage is not None else None
    lookup_cache: MutableMapping[str, Any] = store.snapshot_cache(post) if store is not None else {}
    archives = _ArchiveClient(settings)
    services = ServiceHealth()
    doi_cache = store.doi_cache(settings.doi_max_age, post) if store is not None else None
    observations = check_urls(feed.requests(), settings, services=services, doi_cache=doi_cache)
    try:
        # Without --max-time, no wrapper: one async generator less for every URL to pass.
        arriving = observations if deadline is None else _until(observations, deadline)
        async for observation in arriving:
            url = observation.url
            result = await _classify(observation, feed.flight[url], run)
            drift = _wants_drift(result, observation, run)
            if drift or _wants_snapshot(result, run):
                body = observation.body if drift else None
                await backlog.acquire()  # a slow archive holds the checking back, not memory
                lookup = _enrich_then_save(result, body, run, limit, lookup_cache, archives)
                task = asyncio.create_task(lookup)
                archive_tasks.add(task)
                task.add_done_callback(archive_tasks.discard)
                task.add_done_callback(lambda _: backlog.release())
                task.add_done_callback(lambda _, url=url: feed.landed(url))  # type: ignore[misc]
            else:
                await run.save(result)
                feed.landed(url)
    finally:
        await observations.aclose()  # stop its workers
        if archive_tasks:
            await asyncio.gather(*archive_tasks, return_exceptions=True)
        run.warnings.extend(archives.unreachable())
        await archives.aclose()
        run.warnings.extend(services.summary())


async def check_originals(run: Run) -> None:
    """``--check-originals``: is the page an archive link preserves alive again?"""
    for chunk in run.ledger.select("verdict = ?", [Verdict.ARCHIVED.value]):
        await _check_originals_of(chunk, run)


async def _check_originals_of(archived: list[Result], run: Run) -> None:
    """One chunk of archive links' originals, checked together."""
    settings = run.settings
    snapshots = {
        r.archive.original: r
        for r in archived
        if r.archive is not None
        and r.archive.original
        and is_web_url(r.archive.original)  # never a file: or other original (SECURITY.md)
    }
    requests = [CheckRequest(url=url) for url in snapshots]
    async for observation in check_urls(requests, settings):
        archived_result = snapshots[observation.url]
        original = classify(observation, archived_result.occurrences, settings)
        alive = original.verdict in (Verdict.OK, Verdict.REDIRECTED)
        note = (
            f"the original {original.url} is alive again ({original.verdict.value})"
            if alive
            else f"the original {original.url} is {original.verdict.value} ({original.reason})"
        )
        run.ledger.put(dataclasses.replace(archived_result, error=note))


async def _until(
    observations: AsyncIterator[Observation], deadline: float
) -> AsyncIterator[Observation]:
    """Observations until the run's ``--max-time`` deadline."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            observation = await asyncio.wait_for(anext(observations), remaining)
        except (StopAsyncIteration, TimeoutError):
            return
        yield observation


async def _classify(
    observation: Observation, occurrences: Sequence[Occurrence], run: Run
) -> Result:
    """Classify; a network failure while the machine itself is offline is not the link's fault."""
    if observation.status is not None:
        run.any_response = True
    elif observation.failure in NETWORK_FAILURES and not run.any_response:
        if run.offline is None:
            run.offline = not await network_available(run.settings)
        if run.offline:
            observation = dataclasses.replace(
                observation, failure=Reason.NETWORK_UNAVAILABLE, error=_offline_error(observation)
            )
    return classify(observation, occurrences, run.settings)


def _offline_error(observation: Observation) -> str:
    detail = f" ({observation.error})" if observation.error else ""
    return f"network unavailable: no remote host could be reached{detail}"


def _wants_snapshot(result: Result, run: Run) -> bool:
    mode = run.settings.archive
    if run.offline or mode == "none" or result.archive is not None:
        return False
    if is_local(result.url):  # a local path never leaves the machine
        return False
    if mode == "all":
        return result.verdict not in (Verdict.INVALID, Verdict.SKIPPED)
    return result.verdict in ARCHIVE_VERDICTS


class _ArchiveClient:
    """One HTTP client for every archive look-up of a run, made on first use (most runs,
    having no dead link, never need it)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Any = None

    def get(self) -> Any:
        if self._client is None:
            self._client = make_archive_client(self._settings)
        return self._client

    def unreachable(self) -> list[str]:
        """One summary line per archive service marked down in this run."""
        if self._client is None:
            return []
        return unreachable_services(self._client, self._settings)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def _wants_drift(result: Result, observation: Observation, run: Run) -> bool:
    if not run.settings.drift or run.offline:
        return False
    return wants_drift(result, observation.body, observation.content_type, run.settings)


async def _enrich_then_save(
    result: Result,
    body: str | None,
    run: Run,
    limit: asyncio.Semaphore,
    lookup_cache: MutableMapping[str, Any],
    archives: _ArchiveClient,
) -> None:
    """Drift (when ``body`` is given), then a snapshot (when wanted), then the store."""
    async with limit:
        if body is not None:
            result = await _drift(result, body, run, lookup_cache, archives)
        if not _wants_snapshot(result, run):
            await run.save(result)
            return
        try:
            (result,) = await attach_snapshots(
                [result],
                _cited_on(run.published),
                run.settings,
                lookup_cache=lookup_cache,
                client=archives.get(),
            )
        except Exception as exc:  # an archive service must never break the run
            run.warnings.append(f"archive look-up failed for {result.url}: {exc}")
    await run.save(result)


async def _drift(
    result: Result,
    body: str,
    run: Run,
    lookup_cache: MutableMapping[str, Any],
    archives: _ArchiveClient,
) -> Result:
    first_checks: MutableMapping[str, Any] = (
        run.store.first_checks(run.storage.post)
        if run.store is not None and run.storage is not None
        else run.first_checks
    )
    cited_on = run.settings.cited_on or _cited_on(run.published)(result)
    try:
        return await assess(
            result,
            body,
            cited_on,
            run.settings,
            archives.get(),
            first_checks=first_checks,
            lookup_cache=lookup_cache,
            today=dt.date.today(),
        )
    except Exception as exc:  # a comparison must never break the run
        run.warnings.append(f"drift check failed for {result.url}: {exc}")
        return result


def _cited_on(published: dict[str, dt.date | None]) -> Callable[[Result], dt.date | None]:
    """The citing document's publication date (the archive stage prefers --cited-on and a
    Robust Links date when there is one)."""

    def cited_on(result: Result) -> dt.date | None:
        return published.get(result.occurrences[0].document) if result.occurrences else None

    return cited_on
