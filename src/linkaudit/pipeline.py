"""
documents → occurrences → distinct URLs → check → classify → archive → store → report.

The only module that knows every stage. Results reach the store as they arrive, so an
interrupted run keeps what it checked and the next run resumes from there.

Checking starts with the first document: documents are extracted one at a time in a worker
thread while the checker works, and each document's new distinct URLs go to the checker as
they appear (through the dispatcher's bounded queues). A URL cited again by a later
document gets that occurrence too: results are completed with every occurrence at the end,
and the store keeps occurrences by document, so what it holds is complete as it stands.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from collections import deque
from collections.abc import (
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    MutableMapping,
    Sequence,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from linkaudit._version import __version__
from linkaudit.config import Settings
from linkaudit.models import Document, Observation, Occurrence, Result, RunId
from linkaudit.verdicts import Reason, Verdict

if TYPE_CHECKING:
    from linkaudit.check import CheckRequest
    from linkaudit.extract.base import Extraction
    from linkaudit.report.base import Report
    from linkaudit.store import Store

__all__ = ["Listener", "RunOutcome", "check", "extract", "group_occurrences", "run_check"]

#: Failures that say nothing about the link when the whole machine is offline.
NETWORK_FAILURES = frozenset({Reason.DNS, Reason.CONNECTION, Reason.TIMEOUT})
#: Verdicts worth an archive look-up under ``archive = "dead"``.
ARCHIVE_VERDICTS = frozenset({Verdict.DEAD, Verdict.REDIRECTED, Verdict.UNREACHABLE})


class Listener(Protocol):
    """**Protocol:** hears about progress (the rich progress bar is one listener)."""

    def start(self, total: int) -> None: ...  # pragma: no cover
    def grew(self, total: int) -> None: ...  # pragma: no cover
    def result_ready(self, result: Result) -> None: ...  # pragma: no cover
    def finished(self) -> None: ...  # pragma: no cover


class _SilentListener:
    def start(self, total: int) -> None:
        """Nothing to show."""

    def grew(self, total: int) -> None:
        """Nothing to show."""

    def result_ready(self, result: Result) -> None:
        """Nothing to show."""

    def finished(self) -> None:
        """Nothing to show."""


@dataclass(repr=False)
class RunOutcome:
    """A finished (or interrupted) run: its report and its id in the store."""

    report: Report
    run_id: int | None = None
    interrupted: bool = False

    def __repr__(self) -> str:
        """Counts, not results: Python 3.11's ``asyncio.run`` formats its main task, result
        included, when it restores the SIGINT handler, and the full repr of a 100,000-result
        report is hundreds of megabytes."""
        return (
            f"RunOutcome(run_id={self.run_id!r}, interrupted={self.interrupted!r}, "
            f"urls={self.report.summary.urls}, links={self.report.summary.links})"
        )


@dataclass
class _Run:
    """One check run: its settings, where results go, and what it has learnt so far."""

    settings: Settings
    store: Store | None = None
    run_id: RunId | None = None
    listener: Listener = field(default_factory=_SilentListener)
    results: dict[str, Result] = field(default_factory=dict)
    offline: bool | None = None
    """None until the first network failure makes us ask the canaries."""
    any_response: bool = False
    published: dict[str, dt.date | None] = field(default_factory=dict)
    """Each document's publication date: the default citation date of its links."""
    warnings: list[str] = field(default_factory=list)

    def accept(self, result: Result) -> None:
        """Keep ``result`` for the report and tell the listener."""
        self.results[result.url] = result
        self.listener.result_ready(result)

    def save(self, result: Result) -> None:
        """Store as it arrives; an offline verdict is no evidence about the link: not kept."""
        evidence = result.reason != Reason.NETWORK_UNAVAILABLE
        if evidence and self.store is not None and self.run_id is not None:
            result = self.store.save_result(self.run_id, result, self.settings)
        self.accept(result)


def extract(inputs: Sequence[str], settings: Settings | None = None) -> list[Extraction]:
    """Every document's links, with no network access beyond fetching URL inputs."""
    from linkaudit.extract import iter_inputs

    return list(iter_inputs(inputs, settings or Settings()))


_Groups = dict[str, tuple[Occurrence, ...] | list[Occurrence]]
"""Occurrences by URL, built without a list per URL: each tuple becomes the Result's
``occurrences`` as it is (100,000 lists were 11 MB more of a run's peak)."""


def group_occurrences(extractions: Iterable[Extraction]) -> dict[str, tuple[Occurrence, ...]]:
    """Occurrences by URL as cited, in first-cited order (one check per distinct URL)."""
    groups: _Groups = {}
    for extraction in extractions:
        _add_occurrences(groups, extraction)
    return _as_tuples(groups)


def _add_occurrences(groups: _Groups, extraction: Extraction) -> list[str]:
    """Add one document's occurrences; the URLs it is the first to cite, in order."""
    new: list[str] = []
    for occurrence in extraction.occurrences:
        found = groups.get(occurrence.url)
        if found is None:
            groups[occurrence.url] = (occurrence,)
            new.append(occurrence.url)
        elif isinstance(found, tuple):
            groups[occurrence.url] = [*found, occurrence]
        else:
            found.append(occurrence)
    return new


def _as_tuples(groups: _Groups) -> dict[str, tuple[Occurrence, ...]]:
    for url, found in groups.items():
        if isinstance(found, list):
            groups[url] = tuple(found)
    return cast(dict[str, tuple[Occurrence, ...]], groups)


def check(inputs: Sequence[str], settings: Settings | None = None, *, store: bool = True) -> Report:
    """Check every link of ``inputs``; keep results in ``settings.db`` unless ``store=False``."""
    settings = settings or Settings()
    outcome = asyncio.run(run_check(inputs, settings, db=settings.db if store else None))
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
    from linkaudit.report.build import build_report

    run = _Run(settings, store=_open_store(db), listener=listener or _SilentListener())
    source = iter(extractions) if extractions is not None else _iter_inputs(inputs, settings)
    feed = _Feed(run, source, on_document)
    interrupted = False
    try:
        if run.store is not None:
            run.run_id = run.store.begin_run(list(arguments), __version__)
        run.listener.start(0)
        try:
            await _check_all(feed, run)
        except (asyncio.CancelledError, KeyboardInterrupt):
            interrupted = True
        groups = feed.grouped()
        ordered = _complete(groups, run)
        if interrupted:
            run.warnings.append(
                f"interrupted: {len(ordered)} of {len(groups)} URLs checked; run again to resume"
            )
        report = build_report(
            [e.document for e in feed.extractions],
            ordered,
            network="unavailable" if run.offline else "ok",
            warnings=[w for e in feed.extractions for w in e.warnings] + run.warnings,
            interrupted=interrupted,
        )
        if run.store is not None and run.run_id is not None:
            run.store.finish_run(run.run_id, report.summary.by_verdict, interrupted=interrupted)
    finally:
        run.listener.finished()
        if run.store is not None:
            run.store.close()
    return RunOutcome(report=report, run_id=run.run_id, interrupted=interrupted)


def _iter_inputs(inputs: Sequence[str], settings: Settings) -> Iterator[Extraction]:
    from linkaudit.extract import iter_inputs

    return iter_inputs(inputs, settings)


@dataclass
class _Feed:
    """The documents as they are extracted, one at a time in a worker thread (one document
    ahead of the checker), and what the run learns from each: its occurrences grouped by
    URL, the results that need no fetch, and in ``remote`` its new URLs that do (at most
    one document's worth)."""

    run: _Run
    source: Iterator[Extraction]
    on_document: Callable[[Extraction], None] | None = None
    extractions: list[Extraction] = field(default_factory=list)
    groups: _Groups = field(default_factory=dict)
    roots: dict[str, str | None] = field(default_factory=dict)
    remote: deque[str] = field(default_factory=deque)
    _next: asyncio.Future[Extraction | None] | None = None

    async def read(self) -> bool:
        """Take in the next document; ``False`` when there are no more."""
        if self._next is None:
            self._next = self._extract_next()
        # Shielded: a cancelled reader (the checker stopping) leaves the document to the next.
        extraction = await asyncio.shield(self._next)
        if extraction is None:
            return False
        # One document ahead: the next one is extracted while this one's URLs are fed.
        self._next = self._extract_next()
        self._take(extraction)
        return True

    def _extract_next(self) -> asyncio.Future[Extraction | None]:
        return asyncio.get_running_loop().run_in_executor(None, next, self.source, None)

    def _take(self, extraction: Extraction) -> None:
        run, document = self.run, extraction.document
        self.extractions.append(extraction)
        if run.store is not None and run.run_id is not None:
            run.store.record_documents(run.run_id, [extraction])  # before any of its checks
        self.roots[document.path] = _document_root(document)
        run.published[document.path] = document.published
        new = _add_occurrences(self.groups, extraction)
        if self.on_document is not None:
            self.on_document(extraction)
        if new:
            run.listener.grew(len(self.groups))
            self.remote.extend(_settle(new, self.groups, run))

    async def until_remote(self) -> bool:
        """Read documents until one has a URL to fetch; ``False`` if none has."""
        while not self.remote:
            if not await self.read():
                return False
        return True

    async def requests(self) -> AsyncIterator[CheckRequest]:
        """Every URL to fetch, as the documents citing them first are read."""
        from linkaudit.check import CheckRequest

        while self.remote or await self.read():
            while self.remote:
                url = self.remote.popleft()
                yield CheckRequest(url=url, root=self.roots.get(self.groups[url][0].document))

    async def drain(self) -> None:
        """Read the documents left without fetching anything more (``--max-time`` ran out)."""
        self.remote.clear()
        while await self.read():
            self.remote.clear()

    def grouped(self) -> dict[str, tuple[Occurrence, ...]]:
        """Every occurrence read, by URL in first-cited order."""
        return _as_tuples(self.groups)


def _open_store(db: str | Path | None) -> Store | None:
    if db is None:
        return None
    from linkaudit.store import Store

    return Store.open(db)


async def _check_all(feed: _Feed, run: _Run) -> None:
    """Check each document's URLs as it is read, until all are done or ``--max-time``."""
    settings = run.settings
    deadline = None if settings.max_time is None else time.monotonic() + settings.max_time
    if await feed.until_remote():
        await _check_remote(feed, run, deadline)
        await feed.drain()
        if settings.check_originals and not run.offline:
            await _check_originals(run)
    unchecked = [url for url in feed.groups if url not in run.results]
    if unchecked:
        run.warnings.append(
            f"--max-time reached: {len(unchecked)} URLs not checked, reported as timeout"
        )
        for url in unchecked:
            run.accept(_not_checked(url, tuple(feed.groups[url])))


def _settle(urls: list[str], groups: _Groups, run: _Run) -> list[str]:
    """Decide offline what can be and reuse what the store knows, for one document's new
    URLs (a set-based look-up each); return the URLs left to fetch."""
    from linkaudit.classify import precheck

    settings, store = run.settings, run.store
    resumed = store.finished_in_unfinished_run(urls) if store is not None else {}
    fresh = (
        store.cached_results((u for u in urls if u not in resumed), settings)
        if store is not None
        else {}
    )
    remote: list[str] = []
    known: list[Result] = []
    for url in urls:
        occurrences = groups[url]
        result = precheck(url, occurrences, settings)
        if result is None and url in resumed:
            result = dataclasses.replace(resumed[url], occurrences=tuple(occurrences), cached=True)
        elif result is None and url in fresh:
            result = dataclasses.replace(fresh[url], occurrences=tuple(occurrences))
        if result is None:
            remote.append(url)
        else:
            known.append(result)
    _accept_known(known, run)
    return remote


def _accept_known(known: list[Result], run: _Run) -> None:
    """Results that needed no fetch: one transaction, so the stored run is complete and cheap."""
    store = run.store
    if store is not None and run.run_id is not None:
        saved = store.save_results(run.run_id, known, run.settings)
        known = [
            dataclasses.replace(s, occurrences=k.occurrences)
            for s, k in zip(saved, known, strict=True)
        ]
    for result in known:
        run.accept(result)


def _complete(groups: dict[str, tuple[Occurrence, ...]], run: _Run) -> list[Result]:
    """The results in first-cited order, each with every occurrence: a later document may
    have cited a URL after its check began."""
    ordered: list[Result] = []
    decided: list[Result] = []
    for url, occurrences in groups.items():
        result = run.results.get(url)
        if result is None:
            continue
        if len(result.occurrences) != len(occurrences):
            result = run.results[url] = dataclasses.replace(result, occurrences=occurrences)
        late = _late_problem(result, run.settings)
        if late is not None:
            decided.append(late)
        ordered.append(result)
    if decided:
        _accept_known(decided, run)
        ordered = [run.results[r.url] for r in ordered]
    return ordered


def _late_problem(result: Result, settings: Settings) -> Result | None:
    """The precheck verdict when a citation read after the URL went to the checker has an
    offline problem: it decides, as it did when every document was read first."""
    from linkaudit.classify import precheck

    occurrences = result.occurrences
    if len(occurrences) < 2 or all(o.problem is None for o in occurrences):
        return None
    late = precheck(result.url, occurrences, settings)
    if late is None or (late.verdict, late.reason) == (result.verdict, result.reason):
        return None
    return late


def _document_root(document: Document) -> str | None:
    """The folder a local document's relative links may not escape."""
    if document.base_url and document.base_url.startswith("file:"):
        from urllib.parse import unquote, urlsplit

        return str(Path(unquote(urlsplit(document.base_url).path)).parent)
    return None


async def _check_remote(feed: _Feed, run: _Run, deadline: float | None) -> None:
    from linkaudit.check import check_urls

    settings, store = run.settings, run.store
    archive_tasks: set[asyncio.Task[None]] = set()
    limit = asyncio.Semaphore(8)
    # Snapshot look-ups outlive the run in the store, so a re-run does not ask the archives again.
    lookup_cache: MutableMapping[str, Any] = store.snapshot_cache() if store is not None else {}
    archives = _ArchiveClient(settings)
    observations = check_urls(feed.requests(), settings)
    try:
        async for observation in _until(observations, deadline):
            result = await _classify(observation, feed.groups[observation.url], run)
            if _wants_snapshot(result, run):
                lookup = _archive_then_save(result, run, limit, lookup_cache, archives)
                task = asyncio.create_task(lookup)
                archive_tasks.add(task)
                task.add_done_callback(archive_tasks.discard)
            else:
                run.save(result)
    finally:
        aclose = getattr(observations, "aclose", None)  # an async generator: stop its workers
        if aclose is not None:
            await aclose()
        if archive_tasks:
            await asyncio.gather(*archive_tasks, return_exceptions=True)
        await archives.aclose()


async def _check_originals(run: _Run) -> None:
    """``--check-originals``: is the page an archive link preserves alive again?"""
    from linkaudit.check import CheckRequest, check_urls
    from linkaudit.classify import classify

    settings = run.settings
    snapshots = {
        r.archive.original: r
        for r in run.results.values()
        if r.verdict is Verdict.ARCHIVED and r.archive is not None and r.archive.original
    }
    requests = [CheckRequest(url=url) for url in snapshots]
    async for observation in check_urls(requests, settings):
        archived = snapshots[observation.url]
        original = classify(observation, archived.occurrences, settings)
        alive = original.verdict in (Verdict.OK, Verdict.REDIRECTED)
        note = (
            f"the original {original.url} is alive again ({original.verdict.value})"
            if alive
            else f"the original {original.url} is {original.verdict.value} ({original.reason})"
        )
        run.results[archived.url] = dataclasses.replace(archived, error=note)


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
    observation: Observation, occurrences: Sequence[Occurrence], run: _Run
) -> Result:
    """Classify; a network failure while the machine itself is offline is not the link's fault."""
    from linkaudit.classify import classify

    if observation.status is not None:
        run.any_response = True
    elif observation.failure in NETWORK_FAILURES and not run.any_response:
        if run.offline is None:
            from linkaudit.check import network_available

            run.offline = not await network_available(run.settings)
        if run.offline:
            observation = dataclasses.replace(
                observation, failure=Reason.NETWORK_UNAVAILABLE, error=_offline_error(observation)
            )
    return classify(observation, occurrences, run.settings)


def _offline_error(observation: Observation) -> str:
    detail = f" ({observation.error})" if observation.error else ""
    return f"network unavailable: no remote host could be reached{detail}"


def _wants_snapshot(result: Result, run: _Run) -> bool:
    mode = run.settings.archive
    if run.offline or mode == "none" or result.archive is not None:
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
            from linkaudit.archive.client import make_client

            self._client = make_client(self._settings)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


async def _archive_then_save(
    result: Result,
    run: _Run,
    limit: asyncio.Semaphore,
    lookup_cache: MutableMapping[str, Any],
    archives: _ArchiveClient,
) -> None:
    from linkaudit.archive import attach_snapshots

    async with limit:
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
    run.save(result)


def _cited_on(published: dict[str, dt.date | None]) -> Callable[[Result], dt.date | None]:
    """The citing document's publication date (the archive stage prefers --cited-on and a
    Robust Links date when there is one)."""

    def cited_on(result: Result) -> dt.date | None:
        return published.get(result.occurrences[0].document) if result.occurrences else None

    return cited_on
