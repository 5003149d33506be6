"""
Per-host politeness: at most ``max_per_host`` requests in flight to one host, an optional
minimum interval between request starts, and a host-wide slow-down after a 429 that
decays again (halved by every other answer) once the host stops complaining.

The global bound (``max_concurrency`` requests in flight) is ``Checker.in_flight`` in
``runner``; this module only knows hosts. A slot is held for one attempt, never across a
retry wait or a redirect to another host, so chains cannot deadlock.

A host's state lives while it is of use: while a request holds or waits for its slot,
while its interval or a 429's slow-down still delays its next start. Then it is dropped
(when its last slot ends, or later, two of the oldest looked at for each new host), so
a run over a million hosts holds the state of the hosts it is busy with, not of all.
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from linkaudit.config import Settings

__all__ = ["HostLimiter", "HostState", "Slot", "host_key"]

_MAX_INTERVAL = 30.0


def politeness(host: str, settings: Settings) -> tuple[int, float]:
    """(requests in flight, seconds between starts) for ``host``: the first matching glob of
    ``host_limits`` and ``host_intervals``, else ``max_per_host`` and ``min_interval``."""
    if not settings.host_limits and not settings.host_intervals:  # the default: no globs
        return max(1, settings.max_per_host), max(0.0, settings.min_interval)
    limit = next(
        (n for glob, n in settings.host_limits.items() if fnmatchcase(host, glob.lower())),
        settings.max_per_host,
    )
    interval = next(
        (s for glob, s in settings.host_intervals.items() if fnmatchcase(host, glob.lower())),
        settings.min_interval,
    )
    return max(1, limit), max(0.0, interval)


_PLAIN_HOST = re.compile(r"https?://([^/?#@:\[\]\\]+)(?::\d*)?(?:[/?#]|$)", re.IGNORECASE)
"""An http(s) URL whose authority is a plain host and port, as nearly every cited URL is."""


@functools.lru_cache(maxsize=4096)
def host_key(url: str) -> str:
    """The host a URL counts against (name only: http and https share the budget)."""
    plain = _PLAIN_HOST.match(url)
    if plain is not None:
        return plain.group(1).lower()
    return (urlsplit(url).hostname or "").lower()


@dataclass
class HostState:
    """One host's budget: its slots, the interval between starts, and a 429's slow-down."""

    semaphore: asyncio.Semaphore
    interval: float
    lock: asyncio.Lock | None = None
    """Orders the starts of a host with an interval; made when one first has to wait."""
    next_start: float = 0.0
    floor: float = 0.0
    """The configured interval a 429's slow-down relaxes back to."""
    users: int = 0
    """Requests holding or waiting for a slot of this host."""

    def idle(self, now: float) -> bool:
        """Nothing would be lost by forgetting this state: no request holds or waits for
        a slot, no interval or slow-down still delays the next start."""
        return self.users == 0 and self.interval <= self.floor and self.next_start <= now


class HostLimiter:
    """Hands out per-host slots; one per run."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._hosts: OrderedDict[str, HostState] = OrderedDict()
        """Hosts by last use, oldest first (module docstring: which are kept)."""

    def state(self, url: str) -> HostState:
        """The state of ``url``'s host, created when none is kept."""
        key = host_key(url)
        found = self._hosts.get(key)
        if found is None:
            self._forget_idle(2)
            limit, interval = politeness(key, self._settings)
            found = HostState(asyncio.Semaphore(limit), interval=interval, floor=interval)
            self._hosts[key] = found
        return found

    @property
    def tracked(self) -> int:
        """Hosts whose state is kept now."""
        return len(self._hosts)

    def _forget_idle(self, looks: int) -> None:
        """Look at up to ``looks`` of the least recently used states; drop the idle ones
        (constant work per new host, so the states kept follow the hosts in use)."""
        now = time.monotonic()
        for _ in range(min(looks, len(self._hosts))):
            key, oldest = next(iter(self._hosts.items()))
            if oldest.idle(now):
                del self._hosts[key]
            else:
                self._hosts.move_to_end(key)

    def slot(self, url: str) -> Slot:
        """Wait for a free slot on ``url``'s host and its interval, then hold the slot:
        ``async with limiter.slot(url) as state``."""
        return Slot(self, url)

    def _enter(self, url: str) -> tuple[str, HostState]:
        key = host_key(url)
        state = self.state(url)
        self._hosts.move_to_end(key)
        state.users += 1
        return key, state

    def _leave(self, key: str, state: HostState) -> None:
        state.users -= 1
        if state.idle(time.monotonic()) and self._hosts.get(key) is state:
            del self._hosts[key]

    async def _wait_turn(self, state: HostState) -> None:
        if state.interval <= 0 and state.next_start <= time.monotonic():
            return  # no interval to keep (the default): no lock, no wait
        if state.lock is None:
            state.lock = asyncio.Lock()
        async with state.lock:
            now = time.monotonic()
            start = max(now, state.next_start)
            state.next_start = start + state.interval
        if start > now:
            await asyncio.sleep(start - now)

    def slow_down(self, url: str, retry_after: float | None) -> None:
        """A 429: double the host's interval (at least 1 s, or what Retry-After asked)."""
        state = self.state(url)
        wanted = max(state.interval * 2, 1.0, retry_after or 0.0)
        state.interval = min(wanted, _MAX_INTERVAL, max(self._settings.retry_after_cap, 1.0))

    def relax(self, url: str) -> None:
        """Any answer but a 429: halve a raised interval back towards the configured one."""
        state = self._hosts.get(host_key(url))
        if state is not None and state.interval > state.floor:
            state.interval = max(state.floor, state.interval / 2)
            if state.interval < 0.05:
                state.interval = state.floor


class Slot:
    """One attempt's hold on its host's budget (``HostLimiter.slot``). A class rather than
    an ``asynccontextmanager``: every request takes one (docs/benchmarks.md says what the
    generator cost)."""

    __slots__ = ("_key", "_limiter", "_state", "_url")

    def __init__(self, limiter: HostLimiter, url: str) -> None:
        self._limiter = limiter
        self._url = url
        self._key = ""
        self._state: HostState | None = None

    async def __aenter__(self) -> HostState:
        limiter = self._limiter
        self._key, state = limiter._enter(self._url)
        self._state = state
        try:
            await state.semaphore.acquire()
        except BaseException:
            limiter._leave(self._key, state)
            raise
        try:
            await limiter._wait_turn(state)
        except BaseException:
            state.semaphore.release()
            limiter._leave(self._key, state)
            raise
        return state

    async def __aexit__(self, *_exc: object) -> None:
        state = self._state
        assert state is not None
        state.semaphore.release()
        self._limiter._leave(self._key, state)
