"""
Per-host dispatch: hand a free worker only a URL whose host has a free slot.

One global queue makes a worker that took a URL of a busy host wait for that host while
other hosts sit idle (head-of-line blocking). Here every host has its own queue, and a
worker takes the next URL round-robin from the hosts with fewer than ``per_host`` checks
under way. The source iterable is read lazily, only while no host is ready, and at most
``lookahead`` URLs wait in the queues, so memory stays bounded for 100,000 URLs.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["Dispatcher"]

T = TypeVar("T")


class Dispatcher(Generic[T]):
    """Items grouped by host; ``await next()`` gives one whose host may take another check."""

    def __init__(
        self,
        items: Iterable[T],
        host_of: Callable[[T], str],
        per_host: int | Callable[[str], int],
        lookahead: int,
    ) -> None:
        self._source: Iterator[T] | None = iter(items)
        self._host_of = host_of
        self._limit_of = per_host if callable(per_host) else _constant(max(1, per_host))
        self._limits: dict[str, int] = {}
        self._lookahead = max(1, lookahead)
        self._pending: dict[str, deque[T]] = {}
        self._active: dict[str, int] = {}
        self._ready: deque[str] = deque()
        self._is_ready: set[str] = set()
        self._buffered = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def buffered(self) -> int:
        """URLs read from the source and not yet handed out."""
        return self._buffered

    def active(self, host: str) -> int:
        """Checks of ``host`` handed out and not yet ``done``."""
        return self._active.get(host, 0)

    async def next(self) -> tuple[str, T] | None:
        """The next (host, item) to check, waiting for a free host; ``None`` when all are out."""
        while True:
            taken = self._take()
            if taken is not None:
                if self._ready or self._can_read():
                    self._wake_one()  # another idle worker may find work now
                return taken
            if self._finished():
                self._wake_all()
                return None
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if not waiter.done():
                    waiter.cancel()

    def done(self, host: str) -> None:
        """A check handed out for ``host`` has ended: its slot is free again."""
        left = self._active.get(host, 0) - 1
        if left > 0:
            self._active[host] = left
        else:
            self._active.pop(host, None)
        if host in self._pending:
            self._mark_ready(host)
        if self._ready:
            self._wake_one()
        elif self._finished():
            self._wake_all()

    def _take(self) -> tuple[str, T] | None:
        while not self._ready and self._read_one():
            pass
        if not self._ready:
            return None
        host = self._ready.popleft()
        self._is_ready.discard(host)
        queue = self._pending[host]
        item = queue.popleft()
        self._buffered -= 1
        self._active[host] = self._active.get(host, 0) + 1
        if not queue:
            del self._pending[host]
        else:
            self._mark_ready(host)
        return host, item

    def _read_one(self) -> bool:
        """Move one item from the source into its host's queue; ``False`` if none may be read."""
        if not self._can_read():
            return False
        assert self._source is not None
        try:
            item = next(self._source)
        except StopIteration:
            self._source = None
            return False
        host = self._host_of(item)
        self._pending.setdefault(host, deque()).append(item)
        self._buffered += 1
        self._mark_ready(host)
        return True

    def _can_read(self) -> bool:
        return self._source is not None and self._buffered < self._lookahead

    def _mark_ready(self, host: str) -> None:
        if host not in self._is_ready and self._active.get(host, 0) < self._limit(host):
            self._ready.append(host)
            self._is_ready.add(host)

    def _limit(self, host: str) -> int:
        limit = self._limits.get(host)
        if limit is None:
            limit = self._limits[host] = max(1, self._limit_of(host))
        return limit

    def _finished(self) -> bool:
        return self._source is None and not self._pending

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _wake_all(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)


def _constant(value: int) -> Callable[[str], int]:
    return lambda host: value
