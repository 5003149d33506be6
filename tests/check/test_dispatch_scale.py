"""Dispatch and per-host state at thousands of hosts: work counted, never timed.

The work is the number of lines of ``check/dispatch.py`` (and of the wake-up helpers)
executed, counted with ``sys.settrace``: a step that looked at every host would show as
work growing with the number of hosts. Per-host state is read from ``hosts_held`` and
``HostLimiter.tracked``.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections import deque
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

from linkaudit.check.dispatch import Dispatcher
from linkaudit.check.hosts import HostLimiter
from linkaudit.check.waiters import wait_in
from linkaudit.config import Settings

pytestmark = pytest.mark.anyio

WATCHED = {inspect.getfile(Dispatcher), inspect.getfile(wait_in)}


class LineCounter:
    """Lines executed in the watched modules while active."""

    def __init__(self) -> None:
        self.lines = 0
        self.paused = False
        self._previous: Any = None

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line" and not self.paused:
            self.lines += 1
        return self._local

    def global_trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename in WATCHED:
            return self._local
        return None

    def __enter__(self) -> LineCounter:
        self._previous = sys.gettrace()  # coverage's tracer, when the suite runs under it
        sys.settrace(self.global_trace)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.settrace(self._previous)


def _items(hosts: int, per_host_items: int) -> Iterator[str]:
    """``per_host_items`` URLs of every host, interleaved (as a corpus cites them)."""
    for round_ in range(per_host_items):
        for host in range(hosts):
            yield f"h{host}/{round_}"


async def _drive(hosts: int, per_host_items: int, in_flight: int) -> tuple[int, int, int]:
    """Feed every item through ``put`` (as the pipeline does: the queues fill to the
    look-ahead) and hand it out with ``in_flight`` checks under way, ending the oldest
    first. Returns (lines of dispatch per item, most hosts held at once, hosts held at the
    end)."""
    dispatcher: Dispatcher[str] = Dispatcher.open(
        lambda item: item.split("/")[0], 2, lookahead=1024
    )

    async def feed() -> None:
        for item in _items(hosts, per_host_items):
            await dispatcher.put(item)
        dispatcher.close()

    under_way: deque[str] = deque()
    handed = held = 0
    with LineCounter() as counter:
        producer = asyncio.create_task(feed())
        while (taken := await dispatcher.next()) is not None:
            handed += 1
            under_way.append(taken[0])
            if len(under_way) >= in_flight:
                dispatcher.done(under_way.popleft())
            if handed % 997 == 0:
                counter.paused = True
                held = max(held, dispatcher.hosts_held)
                counter.paused = False
            await asyncio.sleep(0)  # the producer refills, as between real checks
        while under_way:
            dispatcher.done(under_way.popleft())
        await producer
    assert handed == hosts * per_host_items
    return counter.lines // handed, held, dispatcher.hosts_held


async def test_dispatch_work_per_item_does_not_grow_with_hosts() -> None:
    """10,000 items over 50 hosts and over 5,000 hosts: the same lines per item (± 25%)."""
    few, few_held, few_left = await _drive(50, 200, in_flight=64)
    many, many_held, many_left = await _drive(5_000, 2, in_flight=64)
    assert many <= few * 1.25 and few <= many * 1.25, (few, many)
    assert many < 200  # a scan of 5,000 hosts would be thousands of lines per item
    # per-host state bounded by the look-ahead and the checks under way, released at the end
    assert many_held <= 1024 + 64
    assert many_held > 500  # the queues did fill: a scan of them would have shown
    assert few_held <= 50
    assert few_left == many_left == 0


async def test_a_host_with_nothing_left_is_forgotten_and_comes_back_whole() -> None:
    """A host's limit is dropped once it is idle, and looked up again when it returns."""
    asked: list[str] = []

    def limit(host: str) -> int:
        asked.append(host)
        return 1

    dispatcher: Dispatcher[str] = Dispatcher.open(lambda item: item[0], limit, lookahead=8)
    await dispatcher.put("a1")
    taken = await dispatcher.next()
    assert taken == ("a", "a1") and dispatcher.hosts_held == 1
    dispatcher.done("a")
    assert dispatcher.hosts_held == 0
    await dispatcher.put("a2")
    await dispatcher.put("a3")
    assert await dispatcher.next() == ("a", "a2")
    dispatcher.close()
    pending = dispatcher.next()
    dispatcher.done("a")  # one slot per host: a3 only after a2 is done
    assert await pending == ("a", "a3")
    dispatcher.done("a")
    assert await dispatcher.next() is None
    assert asked == ["a", "a"] and dispatcher.hosts_held == 0


async def test_host_limiter_keeps_only_hosts_in_use_over_5000_hosts() -> None:
    """5,000 hosts, 8 at a time: the states kept follow the hosts in use; a 429's slow-down
    is kept until it has decayed, an interval until it has passed."""
    limiter = HostLimiter(Settings(max_per_host=2))
    most = 0
    for n in range(0, 5_000, 8):
        async with _slots(limiter, [f"http://h{n + k}.example/x" for k in range(8)]):
            most = max(most, limiter.tracked)
    assert most <= 8 + 2
    assert limiter.tracked == 0
    limiter.slow_down("http://slow.example/a", retry_after=None)
    async with limiter.slot("http://other.example/"):
        pass
    assert limiter.tracked == 1  # the slowed host, not the other one
    for _ in range(10):
        limiter.relax("http://slow.example/a")
    async with limiter.slot("http://slow.example/b"):
        pass
    assert limiter.tracked == 0


async def test_host_limiter_keeps_a_host_inside_its_interval() -> None:
    """A configured interval outlives the slot: the next request still waits its turn."""
    limiter = HostLimiter(Settings(host_intervals={"paced.example": 60.0}))
    async with limiter.slot("http://paced.example/1"):
        pass
    assert limiter.tracked == 1
    state = limiter.state("http://paced.example/2")
    assert state.next_start > 0


class _slots:
    """Hold one slot of each URL at once."""

    def __init__(self, limiter: HostLimiter, urls: list[str]) -> None:
        self._held = [limiter.slot(url) for url in urls]

    async def __aenter__(self) -> None:
        for slot in self._held:
            await slot.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        for slot in self._held:
            await slot.__aexit__(None, None, None)
