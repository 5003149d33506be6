"""Per-host dispatch: politeness and no head-of-line blocking."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from helpers.checking import check_slowly
from linkaudit.check import CheckRequest, check_urls
from linkaudit.check.dispatch import Dispatcher
from linkaudit.config import Settings
from web import Reply, SimWeb, WebRequest

pytestmark = pytest.mark.anyio

BUSY, OTHER, THIRD = "127.0.0.2", "127.0.0.3", "127.0.0.1"


async def _drain(dispatcher: Dispatcher[str], hosts: list[str]) -> None:
    while (taken := await dispatcher.next()) is not None:
        hosts.append(taken[0])


async def test_dispatcher_never_exceeds_per_host_and_reads_lazily() -> None:
    """Handed-out items per host stay ≤ per_host; the source is read only as far as needed."""
    read: list[str] = []

    def source() -> Iterator[str]:
        for i in range(30):
            item = f"{'ab'[i % 2] if i < 10 else 'c'}{i}"
            read.append(item)
            yield item

    dispatcher = Dispatcher(source(), lambda item: item[0], per_host=2, lookahead=4)
    taken = [await dispatcher.next() for _ in range(4)]
    assert [t[0] for t in taken if t] == ["a", "b", "a", "b"]
    assert len(read) == 4  # nothing read beyond what was handed out
    assert dispatcher.active("a") == 2 and dispatcher.active("b") == 2
    waiter = asyncio.create_task(dispatcher.next())
    await asyncio.sleep(0)
    assert not waiter.done()  # a and b are full, and c is beyond the lookahead
    assert dispatcher.buffered == 4 and len(read) == 8
    dispatcher.done("a")
    got = await asyncio.wait_for(waiter, 5)
    assert got == ("a", "a4")
    assert dispatcher.active("a") == 2
    assert dispatcher.buffered == 3 and len(read) == 8  # still nothing read ahead of need


async def test_dispatcher_hands_out_everything_once() -> None:
    """Every item comes out exactly once, and ``None`` ends every waiting worker."""
    items = [f"{h}{i}" for i in range(20) for h in "xyz"]
    dispatcher = Dispatcher(items, lambda item: item[0], per_host=1, lookahead=4)
    out: list[str] = []

    async def worker() -> None:
        while (taken := await dispatcher.next()) is not None:
            out.append(taken[1])
            await asyncio.sleep(0)
            dispatcher.done(taken[0])

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(5))), 10)
    assert sorted(out) == sorted(items)


async def test_busy_host_does_not_block_other_hosts(web: SimWeb, test_settings: Settings) -> None:
    """While the busy host holds its one slot, the other host's URLs are all fetched."""
    served_other = 0

    async def other(request: WebRequest) -> Reply:
        nonlocal served_other
        served_other += 1
        return Reply(200, "<title>other</title>" + request.path)

    async def busy(request: WebRequest) -> Reply:
        for _ in range(100):  # held until the other host is done (a fallback, not a measure)
            if served_other >= 3:
                break
            await asyncio.sleep(0.01)
        return Reply(200, "<title>busy</title>" + request.path)

    web.route("/hol/*", busy, host=BUSY)
    web.route("/hol/*", other, host=OTHER)
    try:
        urls = [web.url(f"/hol/{i}", host=BUSY) for i in range(4)]
        urls += [web.url(f"/hol/{i}", host=OTHER) for i in range(3)]
        settings = test_settings.replace(max_per_host=1, max_concurrency=3, soft404=False)
        web.reset_log()
        found = {o.url: o async for o in check_urls([CheckRequest(u) for u in urls], settings)}
        log = [e for e in web.requests if e.path.startswith("/hol/")]
    finally:
        web.unroute("/hol/*", host=BUSY)
        web.unroute("/hol/*", host=OTHER)
    assert set(found) == set(urls) and all(o.status == 200 for o in found.values())
    order = [e.host for e in log]
    assert order.index(BUSY) == 0
    # The second request to the busy host can only start once its first one has ended,
    # which the busy host only allows after all three requests to the other host arrived.
    second_busy = [i for i, host in enumerate(order) if host == BUSY][1]
    assert order[:second_busy].count(OTHER) == 3
    assert max(e.in_flight for e in log) == 1


async def test_in_flight_per_host_bounded_over_many_hosts(
    web: SimWeb, test_settings: Settings
) -> None:
    """Three hosts, a large global limit: each host sees at most max_per_host at once."""
    urls = [web.url(f"/many/{i}", host=h) for i in range(12) for h in (BUSY, OTHER, THIRD)]
    settings = test_settings.replace(max_per_host=2, max_concurrency=32, soft404=False)
    seen, log = await check_slowly(web, "/many", urls, settings)
    assert sorted(seen) == sorted(urls)
    assert len(log) == len(urls)  # each URL once
    by_host = {h: max(e.in_flight for e in log if e.host == h) for h in (BUSY, OTHER, THIRD)}
    assert all(peak <= 2 for peak in by_host.values())


async def test_per_host_limits_from_config(web: SimWeb, test_settings: Settings) -> None:
    """host_limits gives one host its own budget; the others keep max_per_host."""
    urls = [web.url(f"/limited/{i}", host=h) for i in range(8) for h in (BUSY, OTHER)]
    settings = test_settings.replace(
        max_per_host=3, max_concurrency=16, soft404=False, host_limits={BUSY: 1}
    )
    seen, log = await check_slowly(web, "/limited", urls, settings, delay=0.03)
    assert sorted(seen) == sorted(urls)
    assert max(e.in_flight for e in log if e.host == BUSY) == 1
    assert max(e.in_flight for e in log if e.host == OTHER) > 1


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.sec.gov", (1, 2.0)),
        ("data.census.gov", (1, 0.0)),
        ("example.org", (2, 0.0)),
        ("API.EXAMPLE.ORG", (2, 0.0)),
    ],
)
def test_politeness_first_matching_glob(host: str, expected: tuple[int, float]) -> None:
    """The first matching glob decides; hosts matching none get the defaults."""
    from linkaudit.check.hosts import politeness

    settings = Settings(
        max_per_host=2, host_limits={"*.gov": 1}, host_intervals={"www.sec.gov": 2.0}
    )
    assert politeness(host.lower(), settings) == expected
