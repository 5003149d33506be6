"""
The documents of a run as they are read: their citations into the run's ledger (on disk,
URLs in first-cited order), the results that need no fetch (precheck, resume, cache), the
local links' results (checked on disk as each document is read: ``run/local.py``), and the
URLs left to fetch.

Checking starts with the first document: documents are extracted one at a time in a worker
thread while the checker works, and each document's new distinct URLs go to the checker as
they appear; the checker's bounded queues hold the feed back, so extraction never runs far
ahead. A URL cited again by a later document gets that occurrence too: the ledger gives
every result all its occurrences when the report reads it, ``complete`` lets a late
citation with an offline problem decide, and the store keeps occurrences by document, so
what it holds is complete as it stands.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from linkaudit.check import CheckRequest
from linkaudit.classify import precheck
from linkaudit.config import Settings
from linkaudit.models import Document, Extraction, Occurrence, Result
from linkaudit.run.local import check_local
from linkaudit.run.state import Run

if TYPE_CHECKING:  # sqlite-utils only for a run with a store
    from linkaudit.store import Store

__all__ = ["Feed", "complete", "settle"]


@dataclass
class Feed:
    """The documents as they are extracted, one at a time in a worker thread (one document
    ahead of the checker), and what the run learns from each: its citations and first-cited
    URLs (into the run's ledger, on disk), the results that need no fetch, its local links'
    results, and in ``remote`` its new URLs to fetch (at most one document's worth).

    ``flight`` holds the places of the URLs between ``remote`` and their result only (the
    checker's bounded queues: ``check/dispatch.py``'s lookahead), so that classifying sees
    every place read so far, as it did when all of them were held."""

    run: Run
    source: Iterator[Extraction]
    on_document: Callable[[Extraction], None] | None = None
    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    roots: dict[str, str | None] = field(default_factory=dict)
    remote: deque[str] = field(default_factory=deque)
    flight: dict[str, list[Occurrence]] = field(default_factory=dict)
    deadline: float | None = None
    """``--max-time``'s end (``time.monotonic``): the local links of documents read after it
    are not checked."""
    _next: asyncio.Future[Extraction | None] | None = None

    async def read(self) -> bool:
        """Take in the next document; ``False`` when there are no more."""
        if self._next is None:
            self._next = self._extract_next()
        # Shielded: a cancelled reader (the checker stopping) leaves the document to the next.
        extraction = await asyncio.shield(self._next)
        self._next = None
        if extraction is None:
            return False
        # The document's citations go into the ledger before the next document's extraction
        # starts: SQLite lets go of the GIL at every row, and a parsing thread would take it
        # each time, stalling the loop with every request's hand-off waiting
        # (docs/benchmarks.md).
        await self._take(extraction)
        # One document ahead: the next one is extracted while this one's URLs are checked.
        self._next = self._extract_next()
        return True

    def _extract_next(self) -> asyncio.Future[Extraction | None]:
        return asyncio.get_running_loop().run_in_executor(None, next, self.source, None)

    async def _take(self, extraction: Extraction) -> None:
        run, document = self.run, extraction.document
        self.documents.append(document)
        self.warnings.extend(extraction.warnings)
        if run.storage is not None:  # queued before any of its checks
            await run.storage.write(
                lambda store: store.record_documents(store.current_run, [extraction]), None
            )
        self.roots[document.path] = _document_root(document, run.settings.root_dir)
        run.published[document.path] = document.published
        new = run.ledger.cite(extraction.occurrences)
        fresh = set(new)
        places: dict[str, list[Occurrence]] = {}
        flight = self.flight
        for occurrence in extraction.occurrences:
            url = occurrence.url
            if url in fresh:
                places.setdefault(url, []).append(occurrence)
            elif url in flight:  # cited again while its check is under way
                flight[url].append(occurrence)
        if self.on_document is not None:
            self.on_document(extraction)
        if new:
            run.listener.grew(run.ledger.urls())
            remote = await settle(new, places, run)
            remote = await check_local(remote, places, self.roots, run, self.deadline)
            for url in remote:
                flight[url] = places[url]
            self.remote.extend(remote)

    def landed(self, url: str) -> None:
        """``url`` has its result: its places now live in the ledger alone."""
        self.flight.pop(url, None)

    async def until_remote(self) -> bool:
        """Read documents until one has a URL to fetch; ``False`` if none has."""
        while not self.remote:
            if not await self.read():
                return False
        return True

    async def requests(self) -> AsyncIterator[CheckRequest]:
        """Every URL to fetch, as the documents citing them first are read."""
        while self.remote or await self.read():
            while self.remote:
                url = self.remote.popleft()
                yield CheckRequest(url=url, root=self.roots.get(self.flight[url][0].document))

    async def drain(self) -> None:
        """Read the documents left without fetching anything more (``--max-time`` ran out)."""
        self._forget_remote()
        while await self.read():
            self._forget_remote()

    def _forget_remote(self) -> None:
        while self.remote:
            self.flight.pop(self.remote.popleft(), None)


async def settle(
    urls: list[str], groups: Mapping[str, Sequence[Occurrence]], run: Run
) -> list[str]:
    """Decide offline what can be and reuse what the store knows, for one document's new
    URLs (a set-based look-up each, on the store's reader thread); return the URLs left
    to fetch."""
    settings, storage = run.settings, run.storage
    resumed: dict[str, Result] = {}
    fresh: dict[str, Result] = {}
    if storage is not None:

        def look_up(store: Store) -> tuple[dict[str, Result], dict[str, Result]]:
            resumed = store.finished_in_unfinished_run(urls, settings)
            left = (u for u in urls if u not in resumed)
            return resumed, store.cached_results(left, settings, groups)

        nothing: tuple[dict[str, Result], dict[str, Result]] = ({}, {})
        resumed, fresh = await storage.read(look_up, nothing)
    remote: list[str] = []
    known: list[Result] = []
    for url in urls:
        occurrences = groups[url]
        result = precheck(url, occurrences, settings)
        if result is None and url in resumed:
            result = dataclasses.replace(resumed[url], occurrences=tuple(occurrences), cached=True)
        elif result is None and url in fresh:
            result = fresh[url]  # read with its occurrences
        if result is None:
            remote.append(url)
        else:
            known.append(result)
    await _accept_known(known, run)
    return remote


async def _accept_known(known: list[Result], run: Run) -> None:
    """Results that needed no fetch: one transaction, so the stored run is complete and cheap."""
    storage = run.storage
    if storage is None or not known:
        for result in known:
            run.accept(result)
        return
    for result in known:
        run.pending[result.url] = result
    settings = run.settings

    def accept(saved: list[Result]) -> None:
        for s in saved:
            run.accept(s)

    await storage.write(
        lambda store: store.save_results(store.current_run, known, settings), known, accept
    )


async def complete(run: Run) -> None:
    """Give the late citations their say: a URL whose check began before a later document
    cited it with an offline problem gets the precheck verdict, as it did when every
    document was read first (a chunk of results at a time, from the ledger)."""
    for chunk in run.ledger.with_late_problems():
        decided = [late for r in chunk if (late := _late_problem(r, run.settings)) is not None]
        if decided:
            await _accept_known(decided, run)


def _late_problem(result: Result, settings: Settings) -> Result | None:
    """The precheck verdict when a citation read after the URL went to the checker has an
    offline problem: it decides, as it did when every document was read first."""
    occurrences = result.occurrences
    if len(occurrences) < 2 or all(o.problem is None for o in occurrences):
        return None
    late = precheck(result.url, occurrences, settings)
    if late is None or (late.verdict, late.reason) == (result.verdict, result.reason):
        return None
    return late


def _document_root(document: Document, root_dir: str | None) -> str | None:
    """The folder a local document's relative links may not escape: ``--root-dir`` for the
    documents inside it, else the working directory for the documents inside it (a checkout
    in CI: ``../README.md`` from ``docs/`` is fine), else the document's own folder."""
    if document.base_url and document.base_url.startswith("file:"):
        folder = Path(unquote(urlsplit(document.base_url).path)).parent.resolve()
        for root in (root_dir, str(Path.cwd())):
            if root is not None and folder.is_relative_to(Path(root).resolve()):
                return root
        return str(folder)
    return None
