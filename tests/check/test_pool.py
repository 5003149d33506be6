"""The bounded idle pool (``check/pool.py``) against real servers on many loopback hosts."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import aiohttp
import pytest

from linkaudit.check import CheckRequest, check_urls
from linkaudit.check.client import AiohttpTransport, make_check_client
from linkaudit.check.pool import IDLE_FLOOR, BoundedIdleConnector, idle_cap
from linkaudit.config import Settings
from web.server import Reply, Router, Server, WebRequest

pytestmark = pytest.mark.anyio

HOSTS = tuple(f"127.77.{n // 250}.{n % 250 + 1}" for n in range(120))


class Many:
    """One server listening on every address of ``HOSTS``, counting client connections."""

    def __init__(self) -> None:
        self.peers: set[tuple[str, str, int]] = set()
        router = Router()
        router.add("/p/*", self._page)
        self.server = Server(router)
        self.server.start()
        self.port = self.server.listen(HOSTS, None)

    async def _page(self, request: WebRequest) -> Reply:
        peer = request.writer.get_extra_info("peername")
        self.peers.add((request.host, peer[0], peer[1]))  # one (client address, port): one TCP
        return Reply(200, "<title>page</title>fine")

    def url(self, host: str, page: int) -> str:
        return f"http://{host}:{self.port}/p/{page}"

    @property
    def connections(self) -> int:
        return len(self.peers)


@pytest.fixture(scope="module")
def many() -> Iterator[Many]:
    web = Many()
    yield web
    web.server.stop()


@pytest.fixture
def settings() -> Settings:
    return Settings(
        allow_private=True,
        timeout=5.0,
        connect_timeout=5.0,
        retries=0,
        soft404=False,
        max_per_host=1,
        max_concurrency=16,
    )


def test_aiohttp_keeps_the_shape_the_subclass_extends() -> None:
    """``_release`` and ``_get`` as aiohttp 3.11–3.14 define them (pyproject pins <3.15)."""
    release = inspect.signature(aiohttp.BaseConnector._release)
    assert list(release.parameters) == ["self", "key", "protocol", "should_close"]
    assert inspect.iscoroutinefunction(aiohttp.BaseConnector._get)
    assert list(inspect.signature(aiohttp.BaseConnector._get).parameters) == [
        "self",
        "key",
        "traces",
    ]


def test_the_cap_follows_the_settings_within_the_floor_and_the_fd_budget() -> None:
    """Hosts with queued work (or in flight) × per-host limit, at least IDLE_FLOOR, at most
    half the file-descriptor limit."""
    small = Settings(max_per_host=2, max_concurrency=8)
    assert idle_cap(small, hosts_in_play=1024, fd_limit=20_000) == IDLE_FLOOR
    assert idle_cap(small, hosts_in_play=4_000, fd_limit=20_000) == 8_000
    wide = Settings(max_per_host=2, max_concurrency=8, host_limits={"slow.example": 6})
    assert idle_cap(wide, hosts_in_play=1_000, fd_limit=20_000) == 6_000
    many = Settings(max_per_host=2, max_concurrency=3_000)
    assert idle_cap(many, hosts_in_play=1_024, fd_limit=20_000) == 6_000
    assert idle_cap(many, hosts_in_play=1_024, fd_limit=1_024) == 512  # the fd budget rules
    assert idle_cap(small, hosts_in_play=1_024) >= 1


async def _get(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(url) as response:
        await response.read()
        return response.status


async def test_idle_connections_stay_under_the_cap_least_recent_closed_first(
    many: Many,
) -> None:
    """40 hosts one after another with room for 10 idle connections: never more than 10
    idle, the 30 oldest closed; an evicted host is reached again on a new connection, a
    kept one on its old connection."""
    connector = BoundedIdleConnector(idle_cap=10, limit=100, limit_per_host=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = many.connections
        for n, host in enumerate(HOSTS[:40]):
            assert await _get(session, many.url(host, n)) == 200
            assert connector.idle <= 10
        assert connector.idle == 10
        assert connector.evicted == 30
        assert many.connections - start == 40
        assert await _get(session, many.url(HOSTS[39], 100)) == 200  # kept: reused
        assert many.connections - start == 40
        assert await _get(session, many.url(HOSTS[0], 100)) == 200  # evicted: a new one
        assert many.connections - start == 41
        assert connector.idle == 10


async def test_a_connection_in_use_again_is_not_evicted(many: Many) -> None:
    """Reusing a host's connection makes it the most recent: the oldest other one goes."""
    connector = BoundedIdleConnector(idle_cap=3, limit=100, limit_per_host=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = many.connections
        for n, host in enumerate(HOSTS[40:43]):
            await _get(session, many.url(host, n))
        await _get(session, many.url(HOSTS[40], 10))  # the oldest, used again
        await _get(session, many.url(HOSTS[43], 11))  # a fourth host: HOSTS[41] goes
        assert connector.evicted == 1
        await _get(session, many.url(HOSTS[40], 12))
        await _get(session, many.url(HOSTS[42], 13))
        assert many.connections - start == 4
        await _get(session, many.url(HOSTS[41], 14))
        assert many.connections - start == 5


async def test_a_run_over_many_hosts_opens_what_the_per_host_limits_need(
    many: Many, settings: Settings
) -> None:
    """120 hosts, 3 URLs each, interleaved, 1 per host: 120 connections, each used 3 times."""
    urls = [
        many.url(host, 1000 + round_ * 1000 + n)
        for round_ in range(3)
        for n, host in enumerate(HOSTS)
    ]
    start = many.connections
    seen = [o async for o in check_urls([CheckRequest(u) for u in urls], settings)]
    assert len(seen) == 360
    assert all(o.status == 200 for o in seen)
    assert many.connections - start <= len(HOSTS) * settings.max_per_host


async def test_the_runs_client_uses_the_bounded_connector(settings: Settings, many: Many) -> None:
    """make_check_client's transport opens a BoundedIdleConnector with the settings' cap."""
    client = make_check_client(settings)
    async with client:
        response = await client.get(many.url(HOSTS[0], 5000))
        assert response.status_code == 200
        transport = client._transport
        assert isinstance(transport, AiohttpTransport)
        assert transport._session is not None
        connector = transport._session.connector
        assert isinstance(connector, BoundedIdleConnector)
        assert connector.idle_cap == idle_cap(settings, 1024)
