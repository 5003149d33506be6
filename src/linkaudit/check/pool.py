"""
aiohttp's connector with a bounded idle pool: at most ``idle_cap`` kept-alive connections,
the least recently used one closed only when a release would go past the cap.

aiohttp counts only connections in use against its ``limit``; an idle one stays open until
``keepalive_timeout`` (30 s here), whatever the number of hosts, so a run over thousands of
hosts holds up to hosts × per-host sockets. No option of aiohttp (3.11–3.14) bounds that, so
``BoundedIdleConnector`` extends two of ``BaseConnector``'s private methods, whose shape is
the same in 3.11 to 3.14 (``pyproject.toml`` pins ``<3.15``; ``tests/check/test_pool.py``
checks the shape):

* ``_release(key, protocol, *, should_close=False)``: after aiohttp appended the connection
  to ``_conns[key]`` (a deque of ``(protocol, released_at)``), it is recorded as the most
  recently used idle connection;
* ``_get(key, traces)``: a connection aiohttp hands out again is no longer idle.

Connections aiohttp closes by itself (expired, or found dead by ``_get``) stay in the record
until they reach its front, where they are dropped without counting; the record never holds
more than ``idle_cap`` entries, so it is bounded too. Every step is O(1) but the removal
from one host's deque, which holds at most that host's per-host limit.
"""

from __future__ import annotations

import resource
from collections import OrderedDict
from typing import Any

import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.connector import Connection

from linkaudit.config import Settings

__all__ = ["IDLE_FLOOR", "BoundedIdleConnector", "idle_cap"]

IDLE_FLOOR = 4096
"""Idle connections the cap allows at least (below the file-descriptor budget): 2,000 hosts
× 2 per host. Least-recently-used eviction over hosts met in rotation (the dispatcher's
round-robin) closes exactly the connections about to be reused whenever the cap is below
the hosts in rotation × their connections, so the cap must not follow the look-ahead down:
a cap of 1,024 hosts × 2 would thrash at 2,000 hosts."""


def idle_cap(settings: Settings, hosts_in_play: int, fd_limit: int | None = None) -> int:
    """Kept-alive connections at most: the hosts a run can have work queued for at once
    (``hosts_in_play``, the dispatcher's look-ahead) or in flight (``max_concurrency``)
    × the largest per-host limit, at least ``IDLE_FLOOR``, and at most half the
    file-descriptor limit (``fd_limit``, the process's by default; the other half is for
    the connections in use, the store and the documents)."""
    per_host = max([settings.max_per_host, *settings.host_limits.values(), 1])
    wanted = max(settings.max_concurrency, hosts_in_play) * per_host
    if fd_limit is None:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        fd_limit = soft if soft != resource.RLIM_INFINITY else 1 << 20
    return max(1, min(max(wanted, IDLE_FLOOR), fd_limit // 2))


class BoundedIdleConnector(aiohttp.TCPConnector):
    """A ``TCPConnector`` that keeps at most ``idle_cap`` idle connections (module docstring)."""

    def __init__(self, *, idle_cap: int, **options: Any) -> None:
        super().__init__(**options)
        self.idle_cap = max(1, idle_cap)
        self.evicted = 0
        """Idle connections closed to stay under the cap (for tests and benchmarks)."""
        self._idle: OrderedDict[ResponseHandler, Any] = OrderedDict()
        """Idle connections by release, oldest first, with their pool key."""

    @property
    def idle(self) -> int:
        """Idle connections held now (aiohttp's own count, for tests)."""
        return sum(len(conns) for conns in self._conns.values())

    def _release(self, key: Any, protocol: ResponseHandler, *, should_close: bool = False) -> None:
        super()._release(key, protocol, should_close=should_close)
        if self._closed or not protocol.is_connected():
            return
        conns = self._conns.get(key)
        if not conns or conns[-1][0] is not protocol:
            return  # closed rather than kept (force_close, should_close, the server's word)
        self._idle[protocol] = key
        self._idle.move_to_end(protocol)
        while len(self._idle) > self.idle_cap:
            self._evict_oldest()

    async def _get(self, key: Any, traces: list[Any]) -> Connection | None:
        offered = [protocol for protocol, _ in self._conns.get(key, ())]
        connection = await super()._get(key, traces)
        for protocol in offered:  # at most the host's per-host limit
            if connection is not None and protocol is connection.protocol:
                self._idle.pop(protocol, None)  # in use again
            elif not protocol.is_connected():
                self._idle.pop(protocol, None)  # found dead and closed by aiohttp
        return connection

    def _evict_oldest(self) -> None:
        protocol, key = self._idle.popitem(last=False)
        conns = self._conns.get(key)
        if not protocol.is_connected() or not conns:
            return  # aiohttp closed it already (expired or dead): only the record was left
        for entry in conns:
            if entry[0] is protocol:
                conns.remove(entry)
                break
        else:
            return
        if not conns:
            del self._conns[key]
        self.evicted += 1
        transport = protocol.transport
        protocol.close()
        if key.is_ssl and not self._cleanup_closed_disabled and transport is not None:
            self._cleanup_closed_transports.append(transport)
