"""
The ``Store``: one open linkaudit database, every check kept in SQLite with its history.

    store = Store.open("linkaudit.sqlite")
    run = store.begin_run(sys.argv[1:], __version__)
    store.record_documents(run, extractions)
    for url in urls:
        result = store.cached_results([url], settings).get(url) or await check(url)
        result = store.save_result(run, result, settings)   # one small transaction
    store.finish_run(run, counts)

Each result is committed as it arrives, so a run killed halfway keeps what it checked and
the next run takes it back through ``finished_in_unfinished_run`` (by the cache's age rules,
never under ``--fresh``; a run left unfinished for longer than ``ABANDON_AFTER`` is closed
as ``abandoned`` when the next one begins). WAL mode, a busy
timeout and retried transactions let two processes write one file. Every failure of the
file (not SQLite, corrupt, read-only, locked, disk full) is a one-line ``StoreError``
naming it. The schema, views and history rules are described in docs/store.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from linkaudit.config import Settings
from linkaudit.exceptions import StoreError
from linkaudit.models import Document, Extraction, Occurrence, Result, RunId
from linkaudit.store import ABANDON_AFTER, _batch, _reads, _writes
from linkaudit.store._codec import result_from_row
from linkaudit.store._connection import (
    DEFAULT_BUSY_TIMEOUT,
    check_integrity,
    connect,
    translate,
    use_wal,
    write,
)
from linkaudit.store._types import Changes, CheckRecord, RunInfo
from linkaudit.store.history import FAILING, NO_EVIDENCE
from linkaudit.store.lookups import DoiCache, FirstChecks, SnapshotCache
from linkaudit.store.schema import LATEST, check_version, ensure_schema

__all__ = ["Store", "utc_now"]

T = TypeVar("T")
DbWork = Callable[[Database], object]
"""A look-up cache's write, given the writable connection."""
Post = Callable[[Callable[["Store"], object]], object]
"""Hands store work to a run's writer thread without waiting for it."""


def utc_now() -> dt.datetime:
    """The current time, aware and in UTC (the default clock)."""
    return dt.datetime.now(dt.UTC)


def _is_fresh(result: Result, settings: Settings, now: dt.datetime) -> bool:
    """Younger than ``max_age`` (``max_age_failure`` for a failing verdict)."""
    if result.checked_at is None:
        return False
    max_age = settings.max_age_failure if result.verdict in FAILING else settings.max_age
    return now - result.checked_at <= dt.timedelta(seconds=max_age)


def _fresh_results(
    found: Iterable[Mapping[str, Any]],
    settings: Settings,
    now: dt.datetime,
    occurrences: Mapping[str, Sequence[Occurrence]],
) -> dict[str, tuple[Result, int]]:
    """The usable cache entries among last-check rows, as results marked cached, each with
    the id of the check it was read from."""
    fresh: dict[str, tuple[Result, int]] = {}
    for row in found:
        cited = tuple(occurrences.get(row["url"], ()))
        result = result_from_row(row, cached=True, occurrences=cited)
        if result.verdict in NO_EVIDENCE or not _is_fresh(result, settings, now):
            continue
        history = result.history
        if history is not None and history.recovered:  # a change event, not a state
            result = dataclasses.replace(
                result, history=dataclasses.replace(history, recovered=False)
            )
        fresh[result.url] = (result, int(row["id"]))
    return fresh


class Store:
    """One open linkaudit database. Create it with ``Store.open``."""

    def __init__(
        self, db: Database, path: str, clock: Callable[[], dt.datetime], busy_timeout: float
    ) -> None:
        self._db = db
        self.path = path
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._current_run = 0
        self.abandoned: list[RunId] = []
        """The runs the last ``begin_run`` closed as ``abandoned``."""
        self._closed = False
        self._readers = threading.local()
        self._opened_readers: list[Database] = []
        self._read_from: dict[str, tuple[Result, int]] = {}
        """What ``cached_results`` read and was not saved yet: each result and the check it
        was read from, so that saving that very result copies the row in SQL instead of
        rebuilding it."""

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        read_only: bool = False,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> Store:
        """Open (creating or upgrading when writable) the store at ``path`` (``":memory:"`` too)."""
        name = str(path)
        with translate(name, busy_timeout=busy_timeout):
            db = connect(name, read_only=read_only, busy_timeout=busy_timeout)
            try:
                if read_only:
                    if check_version(db) < LATEST:
                        raise StoreError(
                            "the store needs an upgrade; open it once without read-only"
                        )
                else:
                    # Read before writing: a foreign, newer or damaged file is left untouched.
                    check_version(db)
                    if name != ":memory:":
                        check_integrity(db)
                        use_wal(db)
                    ensure_schema(db)
            except BaseException:
                db.close()
                raise
        return cls(db, name, clock, busy_timeout)

    def _now(self) -> dt.datetime:
        moment = self._clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    def _write(self, work: Callable[[], T]) -> T:
        with translate(self.path, busy_timeout=self._busy_timeout):
            return write(self._db, work)

    def _thread_db(self) -> Database:
        """A read-only connection of the calling thread's own (WAL lets it read while the
        run writes, and a thread that reads never shares a connection with the writer);
        the one connection of an in-memory store."""
        if self.path == ":memory:":
            return self._db
        found: Database | None = getattr(self._readers, "db", None)
        if found is None:
            if self._closed:
                raise StoreError("closed")
            found = connect(self.path, read_only=True, busy_timeout=self._busy_timeout)
            self._readers.db = found
            self._opened_readers.append(found)
        return found

    def _read(self, work: Callable[[], T]) -> T:
        with translate(self.path, busy_timeout=self._busy_timeout):
            return work()

    # --- runs

    def begin_run(
        self,
        arguments: Sequence[str],
        tool_version: str,
        *,
        abandon_after: dt.timedelta = ABANDON_AFTER,
    ) -> RunId:
        """Record a new run as ``running`` (finish it with ``finish_run``), first closing as
        ``abandoned`` the unfinished runs older than ``abandon_after`` (in ``abandoned``)."""
        now = self._now()

        def work() -> tuple[RunId, list[RunId]]:
            abandoned = _writes.abandon_runs(self._db, now, now - abandon_after)
            run = _writes.begin_run(self._db, now, arguments, tool_version)
            # Before the commit: a reader in another thread never takes this run for the
            # unfinished one to resume.
            self._current_run = int(run)
            return run, abandoned

        run, self.abandoned = self._write(work)
        return run

    @property
    def current_run(self) -> RunId:
        """The run the last ``begin_run`` recorded (a writer thread's saves go to it)."""
        if not self._current_run:
            raise StoreError("no run has begun")
        return RunId(self._current_run)

    def finish_run(
        self, run: RunId, counts: Mapping[str, int], *, interrupted: bool = False
    ) -> None:
        """Mark ``run`` finished (or interrupted: its checks are resumed by the next run)."""
        now = self._now()
        self._write(lambda: _writes.finish_run(self._db, run, now, counts, interrupted))

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first."""
        return self._read(lambda: _reads.runs(self._db))

    # --- documents

    def record_documents(self, run: RunId, extractions: Iterable[Extraction]) -> None:
        """Store each document and its occurrences (replacing those of an earlier scan)."""
        for extraction in extractions:
            self._record_document(run, extraction)

    def _record_document(self, run: RunId, extraction: Extraction) -> None:
        now = self._now()
        self._write(lambda: _writes.record_document(self._db, run, extraction, now))

    def stored_extraction(self, path: str, content_hash: str, key: str) -> Extraction | None:
        """The kept extraction of an unchanged document (``extract.StoredExtractions``).

        Called from the thread that extracts documents, so it reads on a connection of
        its own (WAL lets it read while the run writes). An in-memory store has none."""
        if self.path == ":memory:" or self._closed:
            return None

        def work() -> Extraction | None:
            found = _reads.stored_extraction(self._thread_db(), path, content_hash, key)
            if found is None:
                return None
            document, occurrences, warnings = found
            return Extraction(document, occurrences, warnings, extracted_with=key, reused=True)

        try:
            return self._read(work)
        except StoreError:  # only a shortcut: the document is parsed instead
            return None

    # --- results

    def save_result(self, run: RunId, result: Result, settings: Settings) -> Result:
        """Commit one check; return it with ``history`` set and, when escalated, verdict dead."""
        now = self._now()
        return self._write(lambda: _writes.save_check(self._db, run, result, settings, now))

    def save_results(
        self, run: RunId, results: Sequence[Result], settings: Settings
    ) -> list[Result]:
        """
        ``save_result`` for many results in one transaction (cached and offline verdicts).

        Cached, invalid and skipped results are not new evidence, so they are written
        set-based (``_batch``); the others go through the history rules one by one.
        """
        if not results:
            return []
        now = self._now()
        if len({r.url for r in results}) < len(results):  # a URL twice: keep the order exact
            return self._write(
                lambda: [_writes.save_check(self._db, run, r, settings, now) for r in results]
            )
        return self._write(lambda: self._save_batch(run, results, settings, now))

    def _save_batch(
        self, run: RunId, results: Sequence[Result], settings: Settings, now: dt.datetime
    ) -> list[Result]:
        read_from = {r.url: self._read_from.pop(r.url, (None, 0)) for r in results}
        copies = [i for i, r in enumerate(results) if read_from[r.url][0] is r]
        if copies:  # saved as read: the check row is copied, nothing rebuilt in Python
            _batch.copy_checks(self._db, run, [read_from[results[i].url][1] for i in copies])
        saved: dict[int, Result] = {i: results[i] for i in copies}
        cached = [i for i, r in enumerate(results) if r.cached and i not in saved]
        offline = [i for i, r in enumerate(results) if not r.cached and r.verdict in NO_EVIDENCE]
        for indexes, save in ((cached, _batch.save_cached), (offline, _batch.save_no_evidence)):
            if indexes:
                done = save(self._db, run, [results[i] for i in indexes], now)
                saved.update(zip(indexes, done, strict=True))
        for i, result in enumerate(results):
            if i not in saved:
                saved[i] = _writes.save_check(self._db, run, result, settings, now)
        return [saved[i] for i in range(len(results))]

    def cached_results(
        self,
        urls: Iterable[str],
        settings: Settings,
        occurrences: Mapping[str, Sequence[Occurrence]] | None = None,
    ) -> dict[str, Result]:
        """The URLs' last real checks still fresh per ``settings`` (``cached=True``), in a few
        set-based queries, by URL; given their ``occurrences`` when known (no copy of each
        result to add them).

        Safe from a thread other than the writer's: it reads on that thread's connection."""
        if settings.fresh:
            return {}
        wanted = dict.fromkeys(urls)
        now = self._now()
        found = self._read(
            lambda: _fresh_results(
                _reads.last_checks(self._thread_db(), wanted), settings, now, occurrences or {}
            )
        )
        self._read_from.update(found)
        return {url: result for url, (result, _) in found.items()}

    def finished_in_unfinished_run(
        self, urls: Iterable[str], settings: Settings | None = None
    ) -> dict[str, Result]:
        """Results the latest interrupted (or crashed) run checked, to be reused as cached:
        by the cache's rules (within ``max_age``/``max_age_failure``, never under ``fresh``),
        so a killed run's old verdicts are not taken for today's."""
        settings = settings or Settings()
        if settings.fresh:
            return {}
        wanted = list(urls)
        now = self._now()

        def work() -> dict[str, Result]:
            db = self._thread_db()
            run = self._unfinished_run(db)
            if run is None:
                return {}
            found = _reads.latest_checks(db, run, wanted)
            return {
                r.url: dataclasses.replace(r, cached=True)
                for r in found
                if _is_fresh(r, settings, now)
            }

        return self._read(work)

    def _unfinished_run(self, db: Database) -> RunId | None:
        """The latest running or interrupted run after the latest finished one (not ours)."""
        own = self._current_run
        row = db.execute(
            "SELECT max(id) FROM runs WHERE status IN ('running', 'interrupted') AND id != ? "
            "AND id > coalesce((SELECT max(id) FROM runs WHERE status = 'finished' "
            "AND id != ?), 0)",
            [own, own],
        ).fetchone()
        return None if row[0] is None else RunId(int(row[0]))

    # --- reading back

    def url_history(self, url: str) -> list[CheckRecord]:
        """The timeline of one URL, oldest first."""
        return self._read(lambda: _reads.url_history(self._db, url))

    def run_results(self, run: RunId | None = None) -> tuple[RunInfo, list[Result]]:
        """One run's results (default: the latest finished run) with their occurrences."""
        return self._read(lambda: _reads.run_results(self._db, run))

    def snapshot_cache(self, post: Post | None = None) -> SnapshotCache:
        """The archive look-ups of earlier runs, as the mapping the archive stage fills.

        With ``post`` (a run's writer thread), it reads on the calling thread's own
        connection and hands each write to ``post`` instead of waiting for it."""
        return SnapshotCache(*self._lookup_access(post))

    def first_checks(self, post: Post | None = None) -> FirstChecks:
        """Pages' text as first checked, for content drift without a snapshot."""
        return FirstChecks(*self._lookup_access(post))

    def doi_cache(self, max_age: float, post: Post | None = None) -> DoiCache:
        """Crossref's and Unpaywall's answers of earlier runs, fresh for ``max_age`` seconds."""
        return DoiCache(*self._lookup_access(post), max_age)

    def write_with(self, work: Callable[[Database], T]) -> T:
        """``work`` on the writable connection in one write transaction (a look-up's write)."""
        return self._write(lambda: work(self._db))

    def _lookup_access(
        self, post: Post | None
    ) -> tuple[Callable[[], Database], Callable[[], dt.datetime], Callable[[DbWork], object]]:
        if post is None:
            return (lambda: self._db), self._now, self.write_with
        return self._thread_db, self._now, lambda work: post(lambda store: store.write_with(work))

    def run_documents(self, run: RunId) -> list[Document]:
        """The documents a run scanned, with their stated titles and publication dates."""
        return self._read(lambda: _reads.run_documents(self._db, run))

    def changes_since(self, since: dt.datetime | None = None, run: RunId | None = None) -> Changes:
        """Newly dead, still dead and recovered in ``run`` against ``since`` (or its start)."""
        return self._read(lambda: _reads.changes_since(self._db, since, run))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only SQL query (tests, benchmarks and ad-hoc reports)."""
        return self._read(lambda: list(_reads.rows(self._db, sql, params)))

    def close(self) -> None:
        """Close the connection (a WAL checkpoint happens when the last one closes)."""
        if not self._closed:
            self._closed = True
            with translate(self.path, busy_timeout=self._busy_timeout):
                for reader in self._opened_readers:
                    reader.close()
                self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
