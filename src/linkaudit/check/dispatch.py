"""
Per-host dispatch: hand a free worker only a URL whose host has a free slot.

One global queue makes a worker that took a URL of a busy host wait for that host while
other hosts sit idle (head-of-line blocking). Here every host has its own queue, and a
worker takes the next URL round-robin from the hosts with fewer than ``per_host`` checks
under way. At most ``lookahead`` URLs wait in the queues, so memory stays bounded for
100,000 URLs, however they arrive:

* from a sync iterable, read lazily, only while no host is ready (``Dispatcher(items, …)``);
* fed by a producer (``Dispatcher.open(…)``): ``await put(item)`` waits while the queues
  are full, and the workers end only once ``close()`` was called and every item is out.

A check that must wait (a retry's backoff) gives its host's slot back with ``done`` and
takes it again with ``reclaim``; a reclaiming check goes before any new URL of its host.

Every step is O(1) whatever the number of hosts (no step looks at all hosts: the ready
hosts wait in a deque), and a host's state (its queue, slots taken, limit) is dropped as
soon as it has nothing queued, under way or reclaiming: ``hosts_held`` counts what is kept.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from linkaudit.check.waiters import Waiters, wait_in, wake_first

__all__ = ["LOOKAHEAD", "Dispatcher", "lookahead"]

T = TypeVar("T")

LOOKAHEAD = 1024
"""URLs read ahead of the workers at least (more when the pool is larger), for busy hosts."""


def lookahead(workers: int) -> int:
    """URLs a run's dispatcher holds at most for ``workers`` workers: also the most hosts
    that can have work queued at once (the connection pool keeps that many hosts' sockets)."""
    return max(LOOKAHEAD, 4 * workers)


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
        self._open = False
        self._host_of = host_of
        self._limit_of = per_host if callable(per_host) else _constant(max(1, per_host))
        self._limits: dict[str, int] = {}
        self._lookahead = max(1, lookahead)
        self._pending: dict[str, deque[T]] = {}
        self._active: dict[str, int] = {}
        self._ready: deque[str] = deque()
        self._is_ready: set[str] = set()
        self._buffered = 0
        self._waiters: Waiters = deque()
        self._putters: Waiters = deque()
        self._returning: dict[str, Waiters] = {}

    @classmethod
    def open(
        cls, host_of: Callable[[T], str], per_host: int | Callable[[str], int], lookahead: int
    ) -> Dispatcher[T]:
        """A dispatcher fed with ``put`` until ``close``."""
        dispatcher = cls((), host_of, per_host, lookahead)
        dispatcher._open = True
        return dispatcher

    @property
    def buffered(self) -> int:
        """URLs read from the source and not yet handed out."""
        return self._buffered

    @property
    def hosts_held(self) -> int:
        """Hosts with any state kept (queued, under way, reclaiming or a cached limit);
        for tests: it looks at them all."""
        return len(
            self._pending.keys()
            | self._active.keys()
            | self._returning.keys()
            | self._limits.keys()
        )

    def active(self, host: str) -> int:
        """Checks of ``host`` handed out and not yet ``done``."""
        return self._active.get(host, 0)

    async def put(self, item: T) -> None:
        """Queue ``item``, waiting while ``lookahead`` items already wait."""
        if not self._open:
            raise RuntimeError("put on a closed dispatcher")
        while self._buffered >= self._lookahead:
            await wait_in(self._putters)
        self._queue(item)
        self._wake_one()
        if self._buffered < self._lookahead:
            wake_first(self._putters)  # another producer may go on

    def close(self) -> None:
        """No more items: workers end once the queues are empty."""
        self._open = False
        if self._finished():
            self._wake_all()

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
            await wait_in(self._waiters)

    def done(self, host: str) -> None:
        """A check handed out for ``host`` has ended or is waiting: its slot is free again."""
        if self._hand_back(host):
            return
        left = self._active.get(host, 0) - 1
        if left > 0:
            self._active[host] = left
        else:
            self._active.pop(host, None)
        if host in self._pending:
            self._mark_ready(host)
        elif left <= 0 and host not in self._returning:
            self._limits.pop(host, None)  # nothing of the host left: forget it
        if self._ready:
            self._wake_one()
        elif self._finished():
            self._wake_all()

    async def reclaim(self, host: str) -> None:
        """Take a slot of ``host`` again after ``done`` (before any new URL of the host)."""
        if host not in self._returning and self.active(host) < self._limit(host):
            self._active[host] = self.active(host) + 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._returning.setdefault(host, deque()).append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.done(host)  # the slot was handed over as we were cancelled: pass it on
            else:
                self._forget(host, waiter)
            raise

    def _forget(self, host: str, waiter: asyncio.Future[None]) -> None:
        waiter.cancel()
        returning = self._returning.get(host)
        if returning is not None and waiter in returning:
            returning.remove(waiter)
            if not returning:
                del self._returning[host]
                if host not in self._active and host not in self._pending:
                    self._limits.pop(host, None)

    def _hand_back(self, host: str) -> bool:
        """Give a freed slot of ``host`` straight to a reclaiming check, if one waits."""
        returning = self._returning.get(host)
        while returning:
            waiter = returning.popleft()
            if not waiter.done():
                waiter.set_result(None)
                if not returning:
                    del self._returning[host]
                return True
        self._returning.pop(host, None)
        return False

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
        wake_first(self._putters)
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
        self._queue(item)
        return True

    def _queue(self, item: T) -> None:
        host = self._host_of(item)
        self._pending.setdefault(host, deque()).append(item)
        self._buffered += 1
        self._mark_ready(host)

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
        return self._source is None and not self._open and not self._pending

    def _wake_one(self) -> None:
        wake_first(self._waiters)

    def _wake_all(self) -> None:
        while wake_first(self._waiters):
            pass


def _constant(value: int) -> Callable[[str], int]:
    return lambda host: value
