"""
documents → occurrences → distinct URLs → check → classify → archive → store → report.

The only module that knows every stage (with ``feed``, which reads the documents as the
checker works, and ``state``). Results reach the store as they arrive, so an interrupted
run keeps what it checked and the next run resumes from there.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import datetime as dt
import time
from collections.abc import (
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    MutableMapping,
    Sequence,
)
from pathlib import Path
from typing import Any

from linkaudit._version import __version__
from linkaudit.archive import attach_snapshots
from linkaudit.archive.client import make_client, unreachable_services
from linkaudit.archive.recognize import is_web_url
from linkaudit.check import CheckRequest, check_urls, network_available
from linkaudit.check.doi import ServiceHealth
from linkaudit.classify import classify
from linkaudit.config import Settings
from linkaudit.drift import assess, wants_drift
from linkaudit.exceptions import StoreError
from linkaudit.extract import iter_inputs
from linkaudit.models import Extraction, Observation, Occurrence, Result, RunId
from linkaudit.report.base import Report
from linkaudit.report.build import build_report
from linkaudit.run.feed import Feed, complete, group_occurrences
from linkaudit.run.interrupts import INTERRUPTS
from linkaudit.run.state import Listener, Run, RunOutcome, SilentListener
from linkaudit.run.storethread import StoreThread
from linkaudit.store import ABANDON_AFTER, Store
from linkaudit.store.ledger import LedgerResults
from linkaudit.verdicts import Reason, Verdict

__all__ = [
    "Listener",
    "RunOutcome",
    "check",
    "check_async",
    "group_occurrences",
    "run_check",
]

#: Failures that say nothing about the link when the whole machine is offline.
NETWORK_FAILURES = frozenset({Reason.DNS, Reason.CONNECTION, Reason.TIMEOUT})
#: Verdicts worth an archive look-up under ``archive = "dead"``.
ARCHIVE_VERDICTS = frozenset({Verdict.DEAD, Verdict.REDIRECTED, Verdict.UNREACHABLE})


def check(inputs: Sequence[str], settings: Settings | None = None, *, store: bool = True) -> Report:
    """Check every link of ``inputs``; keep results in ``settings.db`` unless ``store=False``.

    Inside a running event loop (Jupyter, an async web app) the run gets its own loop in a
    worker thread, since ``asyncio.run`` refuses to nest; ``check_async`` is the way there.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(check_async(inputs, settings, store=store))
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="linkaudit") as pool:
        return pool.submit(asyncio.run, check_async(inputs, settings, store=store)).result()


async def check_async(
    inputs: Sequence[str], settings: Settings | None = None, *, store: bool = True
) -> Report:
    """``check`` for a caller that already runs an event loop: ``await check_async(...)``."""
    settings = settings or Settings()
    outcome = await run_check(inputs, settings, db=settings.db if store else None)
    return outcome.report


async def run_check(
    inputs: Sequence[str],
    settings: Settings,
    *,
    db: str | Path | None,
    listener: Listener | None = None,
    arguments: Sequence[str] = (),
    extractions: Iterable[Extraction] | None = None,
    on_document: Callable[[Extraction], None] | None = None,
) -> RunOutcome:
    """The whole ``check`` job; ``db=None`` runs without a store.

    ``extractions`` replaces extracting ``inputs``; ``on_document`` hears of each document
    as it is extracted (the CLI prints its warnings then).
    """
    open_error: StoreError | None = None
    try:
        store = await asyncio.to_thread(_open_store, db, settings.store_timeout)
    except StoreError as exc:  # full disk, locked, damaged: the links are checked all the same
        store, open_error = None, exc
    run = Run(settings, store=store, listener=listener or SilentListener())
    if open_error is not None:
        run.warnings.append(f"store error: {open_error}; the run went on without the store")
    if store is not None:
        run.storage = StoreThread(store)
    source = (
        iter(extractions) if extractions is not None else _iter_inputs(inputs, settings, run.store)
    )
    feed = Feed(run, source, on_document)
    interrupted = False
    try:
        if run.storage is not None:
            await _begin(run, arguments)
        run.listener.start(0)
        try:
            with INTERRUPTS.watching(asyncio.current_task()):
                if INTERRUPTS.received is not None:  # a signal came while the store opened
                    raise asyncio.CancelledError
                await _check_all(feed, run)
        except (asyncio.CancelledError, KeyboardInterrupt):
            interrupted = True
        await _settle_writes(run, interrupted)
        run.keep_pending()
        await complete(run)
        if run.settings.check_originals and not run.offline and not interrupted:
            # After complete(): results reused from the store are all in by then.
            await _check_originals(run)
        await _settle_writes(run, interrupted)
        run.keep_pending()  # as saved: history, escalations
        _count_needs_root(run)
        tally = run.ledger.tally()
        if interrupted:
            run.warnings.append(
                f"interrupted: {tally.urls} of {run.ledger.urls()} URLs checked; "
                "run again to resume"
            )
        report = build_report(
            feed.documents,
            LedgerResults(run.ledger),
            network="unavailable" if run.offline else "ok",
            warnings=feed.warnings + run.warnings + _store_warning(run),
            interrupted=interrupted,
            counts=(tally.by_verdict, tally.links),
        )
        if run.storage is not None:
            counts = report.summary.by_verdict
            await run.storage.write(
                lambda store: store.finish_run(store.current_run, counts, interrupted=interrupted),
                None,
            )
    except BaseException:
        run.ledger.close()  # the report that would have owned it never came
        raise
    finally:
        run.listener.finished()
        if run.storage is not None:
            run.storage.close()
            # Not after a signal: the writer thread finishes in the background (the process
            # waits for it at exit) while the partial reports are written.
            await _settle_writes(run, interrupted)
    storage = run.storage
    return RunOutcome(
        report=report,
        run_id=run.run_id,
        interrupted=interrupted,
        store_error=str(storage.error)
        if storage is not None and storage.error
        else (str(open_error) if open_error else None),
    )


#: Seconds an interrupted run waits for the store's queued writes before its reports.
INTERRUPTED_WRITE_GRACE = 2.0


async def _begin(run: Run, arguments: Sequence[str]) -> None:
    """Queue the run's ``running`` row (first on the writer thread: every later write finds
    its id there); a locked store delays it without delaying the checking."""
    assert run.storage is not None

    def begun(run_id: RunId | None) -> None:
        run.run_id = run_id
        if run.storage is not None and run.storage.store is not None:
            run.warnings.extend(_abandoned_warning(run.storage.store.abandoned))

    await run.storage.write(
        lambda store: store.begin_run(list(arguments), __version__), None, begun
    )


async def _settle_writes(run: Run, interrupted: bool) -> None:
    if run.storage is not None:
        await run.storage.drain(INTERRUPTED_WRITE_GRACE if interrupted else None)


def _store_warning(run: Run) -> list[str]:
    error = run.storage.error if run.storage is not None else None
    return [f"store error: {error}; the run went on without the store"] if error else []


def _count_needs_root(run: Run) -> None:
    """Say how many root-relative links went unchecked and what would check them."""
    unrooted = run.ledger.count_reason(Reason.NEEDS_ROOT.value)
    if unrooted:
        run.warnings.append(
            f"{unrooted} root-relative link{'s' if unrooted > 1 else ''} of local documents "
            "not checked (needs_root): give --root-dir or --base-url to resolve them"
        )


def _abandoned_warning(runs: Sequence[int]) -> list[str]:
    if not runs:
        return []
    named = ", ".join(str(r) for r in runs)
    hours = ABANDON_AFTER.total_seconds() / 3600
    return [
        f"run {named} never finished and was closed as abandoned (unfinished for more than "
        f"{hours:g} h); its results are not reused"
    ]


def _iter_inputs(
    inputs: Sequence[str], settings: Settings, store: Store | None
) -> Iterator[Extraction]:
    """The documents; an unchanged one comes back from the store unparsed (not with
    ``--fresh``, which re-reads everything)."""
    stored = store.stored_extraction if store is not None and not settings.fresh else None
    return iter_inputs(inputs, settings, stored)


def _open_store(db: str | Path | None, busy_timeout: float) -> Store | None:
    if db is None:
        return None
    return Store.open(db, busy_timeout=busy_timeout)


async def _check_all(feed: Feed, run: Run) -> None:
    """Check each document's URLs as it is read, until all are done or ``--max-time``."""
    settings = run.settings
    deadline = None if settings.max_time is None else time.monotonic() + settings.max_time
    if await feed.until_remote():
        await _check_remote(feed, run, deadline)
        await feed.drain()
    feed.flight.clear()
    await _settle_writes(run, False)  # the store's answers are in the ledger
    run.keep_pending()
    unchecked = 0
    for chunk in run.ledger.unresolved():
        unchecked += len(chunk)
        for url in chunk:
            run.accept(_not_checked(url, run.ledger.citations(url)))
    if unchecked:
        run.warnings.append(
            f"--max-time reached: {unchecked} URLs not checked, reported as timeout"
        )


async def _check_remote(feed: Feed, run: Run, deadline: float | None) -> None:
    settings, store = run.settings, run.store
    archive_tasks: set[asyncio.Task[None]] = set()
    limit = asyncio.Semaphore(8)
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
                lookup = _enrich_then_save(result, body, run, limit, lookup_cache, archives)
                task = asyncio.create_task(lookup)
                archive_tasks.add(task)
                task.add_done_callback(archive_tasks.discard)
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


async def _check_originals(run: Run) -> None:
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
    observations: AsyncIterator[Observation], deadline: float | None
) -> AsyncIterator[Observation]:
    """Observations until the run's ``--max-time`` deadline, if any."""
    while True:
        try:
            if deadline is None:
                observation = await anext(observations)
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                observation = await asyncio.wait_for(anext(observations), remaining)
        except (StopAsyncIteration, TimeoutError):
            return
        yield observation


def _not_checked(url: str, occurrences: tuple[Occurrence, ...]) -> Result:
    return Result(
        url=url,
        verdict=Verdict.UNREACHABLE,
        reason=Reason.TIMEOUT,
        error="not checked before --max-time ran out",
        occurrences=occurrences,
    )


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
    if result.url[:5].lower() == "file:":  # a local path never leaves the machine
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
            self._client = make_client(self._settings)
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
