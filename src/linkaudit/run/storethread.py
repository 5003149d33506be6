"""
A run's store work off the event loop: every write goes to one writer thread through a
bounded queue, every look-up the checker waits for goes to one reader thread, so a locked
or slow database delays writes and never the requests in flight (SQLite's busy wait, run
on the loop, once froze every request until it timed out).

The store is a helper, not a single point of failure: the first ``StoreError`` (disk full,
I/O error, lock timeout, damage found mid-run) turns it off for the rest of the run.
Checking goes on without it, every report is still written, and the CLI names the store
and the cause in one line and exits 2. An in-memory store, which never locks, runs its
work inline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from linkaudit.exceptions import StoreError

if TYPE_CHECKING:  # sqlite-utils only for a run with a store
    from linkaudit.store import Store

__all__ = ["QUEUE_LIMIT", "StoreThread"]

T = TypeVar("T")

#: Writes waiting at most; beyond it the run waits for room (results are small: 1,000 of
#: them wait behind a 30 s lock while the requests go on).
QUEUE_LIMIT = 1000


class StoreThread:
    """The run's ``Store`` behind a writer thread and a reader thread."""

    def __init__(self, store: Store, *, limit: int = QUEUE_LIMIT) -> None:
        self.store = store
        self.error: StoreError | None = None
        """The first store failure; the store is not used after it."""
        self._inline = store.path == ":memory:"
        self._writer = concurrent.futures.ThreadPoolExecutor(1, "linkaudit-store-write")
        self._reader = concurrent.futures.ThreadPoolExecutor(1, "linkaudit-store-read")
        self._room = asyncio.Semaphore(limit)
        self._queue: list[tuple[Callable[[Store], Any], Any, Any, bool]] = []
        self._pending: set[asyncio.Future[Any]] = set()

    @property
    def failed(self) -> bool:
        return self.error is not None

    def _guarded(self, work: Callable[[Store], T], fallback: T) -> T:
        """``work`` on the store, or ``fallback`` once the store has failed (in the thread)."""
        if self.error is not None:
            return fallback
        try:
            return work(self.store)
        except StoreError as exc:
            if self.error is None:
                self.error = exc
            return fallback

    async def read(self, work: Callable[[Store], T], fallback: T) -> T:
        """A look-up on the reader thread (WAL: readers never wait for the writer)."""
        if self._inline:
            return self._guarded(work, fallback)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader, self._guarded, work, fallback)

    async def write(
        self,
        work: Callable[[Store], T],
        fallback: T,
        then: Callable[[T], None] | None = None,
    ) -> None:
        """Queue ``work`` on the writer thread (waiting only for room in the queue); ``then``
        gets its value, or ``fallback`` when the store failed, on the loop when done."""
        if self._inline or self.error is not None:
            value = self._guarded(work, fallback)
            if then is not None:
                then(value)
            return
        await self._room.acquire()
        self._enqueue(work, fallback, then, bounded=True)

    def post(self, work: Callable[[Store], object]) -> None:
        """Queue ``work`` with no wait at all and no answer (a look-up cache's writes)."""
        if self._inline or self.error is not None:
            self._guarded(work, None)
            return
        self._enqueue(work, None, None, bounded=False)

    def _enqueue(
        self, work: Callable[[Store], Any], fallback: Any, then: Any, *, bounded: bool
    ) -> None:
        self._queue.append((work, fallback, then, bounded))
        if not self._pending:
            self._flush()

    def _flush(self) -> None:
        """Hand every queued item to the writer thread in one go: one thread hop per batch,
        not per result (the hop cost more CPU than the write)."""
        batch, self._queue = self._queue, []
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._writer, self._run_batch, batch)
        self._pending.add(future)

        def done(finished: asyncio.Future[list[Any]]) -> None:
            self._pending.discard(finished)
            values = finished.result() if not finished.cancelled() else []
            for (_, _, then, bounded), value in zip(batch, values or [], strict=False):
                if bounded:
                    self._room.release()
                if then is not None:
                    then(value)
            if self._queue and not self._pending:
                self._flush()

        future.add_done_callback(done)

    def _run_batch(self, batch: list[tuple[Callable[[Store], Any], Any, Any, bool]]) -> list[Any]:
        return [self._guarded(work, fallback) for work, fallback, _, _ in batch]

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for the queued writes (at most ``timeout`` seconds); whether all are done."""
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        while self._pending or self._queue:
            if not self._pending:
                self._flush()
            left = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if left is not None and left <= 0:
                return False
            await asyncio.wait(set(self._pending), timeout=left)
        return True

    def close(self) -> None:
        """Close the store after the queued writes, without waiting for them here: the
        process waits for the writer thread when it exits (a second signal does not)."""
        self._reader.shutdown(wait=False)
        if self._inline:
            self._close_quietly()
            return
        # Handed over now, not when the batch in hand is done: after a signal the loop may
        # be gone by then, and the queued writes (the run marked interrupted) must not be.
        self._queue.append((lambda store: self._close_quietly(), None, None, False))
        self._flush()
        self._writer.shutdown(wait=False)

    def _close_quietly(self) -> None:
        try:
            self.store.close()
        except StoreError as exc:
            if self.error is None:
                self.error = exc
