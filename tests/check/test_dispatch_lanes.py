"""A fed dispatcher, and a host's lane lent out during a retry's backoff sleep."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from helpers.checking import check_slowly
from linkaudit.check import CheckRequest, check_urls
from linkaudit.check.dispatch import Dispatcher
from linkaudit.config import Settings
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

LANE_HOST = "127.0.0.2"


async def test_fed_dispatcher_is_bounded_and_ends_only_when_closed() -> None:
    """``put`` waits while ``lookahead`` items wait; workers end once closed and drained."""
    dispatcher: Dispatcher[str] = Dispatcher.open(lambda item: item[0], 1, lookahead=2)
    await dispatcher.put("a1")
    await dispatcher.put("a2")
    third = asyncio.create_task(dispatcher.put("b1"))
    await asyncio.sleep(0)
    assert not third.done() and dispatcher.buffered == 2  # full: the producer waits
    assert await dispatcher.next() == ("a", "a1")
    await asyncio.wait_for(third, 5)
    assert dispatcher.buffered == 2
    assert await dispatcher.next() == ("b", "b1")  # a is busy: b goes first
    waiting = asyncio.create_task(dispatcher.next())
    await asyncio.sleep(0)
    assert not waiting.done()  # a2 waits for its host
    dispatcher.done("a")
    assert await asyncio.wait_for(waiting, 5) == ("a", "a2")
    dispatcher.done("a")
    dispatcher.done("b")
    ending = asyncio.create_task(dispatcher.next())
    await asyncio.sleep(0)
    assert not ending.done()  # empty but open: more may come
    dispatcher.close()
    assert await asyncio.wait_for(ending, 5) is None


async def test_reclaimed_slot_goes_before_new_items() -> None:
    """A check that lent its host's slot out gets it back before the host's next new item."""
    dispatcher = Dispatcher(["h1", "h2", "h3"], lambda item: item[0], per_host=1, lookahead=8)
    first = await dispatcher.next()
    assert first == ("h", "h1")
    dispatcher.done("h")  # h1 sleeps before a retry: the lane is lent out
    assert await dispatcher.next() == ("h", "h2")
    back = asyncio.create_task(dispatcher.reclaim("h"))
    later = asyncio.create_task(dispatcher.next())
    await asyncio.sleep(0)
    assert not back.done() and not later.done()
    dispatcher.done("h")  # h2 ends: its slot goes to h1's retry, not to h3
    await asyncio.wait_for(back, 5)
    await asyncio.sleep(0)
    assert not later.done() and dispatcher.active("h") == 1
    dispatcher.done("h")
    assert await asyncio.wait_for(later, 5) == ("h", "h3")


async def test_cancelled_reclaim_frees_nothing_it_does_not_hold() -> None:
    """A reclaim cancelled while waiting leaves the counts as they were."""
    dispatcher = Dispatcher(["h1", "h2"], lambda item: item[0], per_host=1, lookahead=8)
    await dispatcher.next()
    back = asyncio.create_task(dispatcher.reclaim("h"))
    await asyncio.sleep(0)
    back.cancel()
    await asyncio.gather(back, return_exceptions=True)
    assert dispatcher.active("h") == 1
    dispatcher.done("h")
    assert await asyncio.wait_for(dispatcher.next(), 5) == ("h", "h2")


async def test_async_source_is_checked_as_it_comes(web: SimWeb, test_settings: Settings) -> None:
    """Requests from an async source are fetched before the source has ended."""
    fetched = asyncio.Event()

    async def requests() -> AsyncIterator[CheckRequest]:
        yield CheckRequest(web.url("/status/200"))
        await asyncio.wait_for(fetched.wait(), 10)  # the first is observed before the second
        yield CheckRequest(web.url("/status/404"))

    seen: list[int | None] = []
    settings = test_settings.replace(soft404=False)
    async for observation in check_urls(requests(), settings):
        seen.append(observation.status)
        fetched.set()
    assert seen == [200, 404]


async def test_backoff_lends_the_lane_out(web: SimWeb, test_settings: Settings) -> None:
    """While one URL waits to retry a 503, its host runs two other checks at once; the
    host never has more than ``max_per_host`` requests in flight (server side)."""

    async def lane(request: WebRequest) -> Reply:
        if request.path.endswith("/retry") and request.count == 1:
            return Reply(503, "busy")
        await asyncio.sleep(0.05)
        return Reply(200, "<title>p</title>" + request.path)

    key = f"/lanes-{id(web)}-{asyncio.get_running_loop().time()}"
    web.route(f"{key}/*", lane, host=LANE_HOST)
    try:
        urls = [web.url(f"{key}/retry", host=LANE_HOST)]
        urls += [web.url(f"{key}/{i}", host=LANE_HOST) for i in range(12)]
        settings = test_settings.replace(
            max_per_host=2, max_concurrency=2, retries=1, backoff_base=0.4, soft404=False
        )
        web.reset_log()
        found = {o.url: o async for o in check_urls([CheckRequest(u) for u in urls], settings)}
        log = [e for e in web.requests if e.path.startswith(key)]
    finally:
        web.unroute(f"{key}/*", host=LANE_HOST)
    assert all(o.status == 200 for o in found.values()) and len(found) == len(urls)
    retries = [i for i, e in enumerate(log) if e.path.endswith("/retry")]
    assert len(retries) == 2
    during_backoff = log[retries[0] + 1 : retries[1]]
    # Before, the sleeping check kept its lane: one request at a time during the backoff.
    assert any(e.in_flight == 2 for e in during_backoff), [e.in_flight for e in during_backoff]
    assert max(e.in_flight for e in log) <= 2


async def test_global_limit_bounds_requests_not_workers(
    web: SimWeb, test_settings: Settings
) -> None:
    """Spare workers never raise the requests in flight above ``max_concurrency``."""

    key = f"/global-{asyncio.get_running_loop().time()}"
    urls = [web.url(f"{key}/{i}", host=LANE_HOST) for i in range(10)]
    settings = test_settings.replace(max_per_host=4, max_concurrency=1, soft404=False)
    seen, log = await check_slowly(web, key, urls, settings, host=LANE_HOST)
    assert sorted(seen) == sorted(urls)
    assert max(e.in_flight for e in log) == 1
