"""
The one boundary between the archive stage and httpx.

Archive services are outside hosts like any other: a 429 is honoured once (``Retry-After``,
capped by ``settings.retry_after_cap``), and every httpx failure becomes an ``ArchiveError``
here, so the look-ups above never see a foreign exception.

They count toward a per-host limit too: ``host_limits`` when a glob names the host, else
``max_per_host`` but never more than ``ARCHIVE_PER_HOST`` (shared services ask for
politeness). A service host that fails to connect or times out ``DOWN_AFTER`` times in a
run is marked down: later calls to it fail at once with ``ServiceDown`` (no request, no
warning per link), and ``unreachable_services`` names it once for the run's summary.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fnmatch
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from linkaudit.config import Settings
from linkaudit.exceptions import ArchiveError
from linkaudit.retry_after import retry_after_seconds

__all__ = [
    "ARCHIVE_PER_HOST",
    "DOWN_AFTER",
    "ServiceDown",
    "make_archive_client",
    "request",
    "response_json",
    "retry_after_or_default",
    "unreachable_services",
]

#: Seconds waited on a 429 that names no ``Retry-After``.
DEFAULT_RETRY_AFTER = 1.0
#: Requests in flight to one archive host at most, unless ``host_limits`` names it.
ARCHIVE_PER_HOST = 2
#: Connection failures and timeouts after which a service host is down for the run.
DOWN_AFTER = 3


class ServiceDown(ArchiveError):
    """The service was marked down earlier in this run: not asked again."""


@dataclass
class _Hosts:
    """One client's per-host slots and failure counts (a run has one archive client)."""

    slots: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)

    def slot(self, host: str, settings: Settings) -> asyncio.Semaphore:
        found = self.slots.get(host)
        if found is None:
            found = self.slots[host] = asyncio.Semaphore(_limit(host, settings))
        return found


_HOSTS: weakref.WeakKeyDictionary[httpx.AsyncClient, _Hosts] = weakref.WeakKeyDictionary()


def _hosts(client: httpx.AsyncClient) -> _Hosts:
    found = _HOSTS.get(client)
    if found is None:
        found = _HOSTS[client] = _Hosts()
    return found


def _limit(host: str, settings: Settings) -> int:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    for glob, limit in settings.host_limits.items():
        if fnmatch.fnmatchcase(name, glob.lower()):
            return max(1, limit)
    return max(1, min(settings.max_per_host, ARCHIVE_PER_HOST))


def unreachable_services(client: httpx.AsyncClient, settings: Settings) -> list[str]:
    """One line per service marked down in this run, for the run's summary."""
    down = _hosts(client).down
    services = (
        ("Wayback", (settings.wayback_url, settings.cdx_url)),
        ("Memento TimeGate", (settings.memento_url,)),
    )
    return [
        f"{name} unreachable: no snapshots looked up"
        for name, urls in services
        if any(_host(url) in down for url in urls)
    ]


def _host(url: str) -> str:
    """The service's host and port (two services on one name are two hosts here)."""
    return urlsplit(url).netloc.lower().rpartition("@")[2]


def make_archive_client(settings: Settings) -> httpx.AsyncClient:
    """A client for archive services: proxies from the environment, linkaudit's User-Agent."""
    return httpx.AsyncClient(
        trust_env=True,
        headers={"User-Agent": settings.user_agent},
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        follow_redirects=False,
    )


async def request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    settings: Settings,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
) -> httpx.Response:
    """One call, retried once after a 429; transport errors and a second 429 raise ArchiveError."""
    for attempt in (1, 2):
        response = await _send(
            client, method, url, settings, params, headers, data, follow_redirects
        )
        if response.status_code != 429:
            return response
        wait = retry_after_or_default(response.headers.get("retry-after"), DEFAULT_RETRY_AFTER)
        if attempt == 2 or wait > settings.retry_after_cap:
            break
        await asyncio.sleep(wait)
    raise ArchiveError(f"{url}: rate limited (429)")


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    settings: Settings,
    params: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    data: Mapping[str, str] | None,
    follow_redirects: bool,
) -> httpx.Response:
    host = _host(url)
    hosts = _hosts(client)
    if host in hosts.down:
        raise ServiceDown(f"{host} is unreachable (marked down for this run)")
    async with hosts.slot(host, settings):
        if host in hosts.down:  # marked down while this call waited for its slot
            raise ServiceDown(f"{host} is unreachable (marked down for this run)")
        try:
            return await _call(
                client, method, url, settings, params, headers, data, follow_redirects
            )
        except _Unreachable as exc:
            hosts.failures[host] = hosts.failures.get(host, 0) + 1
            if hosts.failures[host] >= DOWN_AFTER:
                hosts.down.add(host)
            raise ArchiveError(str(exc)) from exc.__cause__


class _Unreachable(Exception):
    """A connection failure or a timeout (what counts toward marking a service down)."""


async def _call(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    settings: Settings,
    params: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    data: Mapping[str, str] | None,
    follow_redirects: bool,
) -> httpx.Response:
    try:
        # A total deadline too: a server that trickles bytes must not hold a look-up forever.
        async with asyncio.timeout(settings.timeout):
            return await client.request(
                method,
                url,
                params=params,
                headers=headers,
                data=data,
                follow_redirects=follow_redirects,
            )
    except TimeoutError as exc:
        raise _Unreachable(f"{url}: timed out after {settings.timeout:g} s") from exc
    except httpx.TimeoutException as exc:
        raise _Unreachable(f"{url}: timed out ({type(exc).__name__})") from exc
    except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
        raise _Unreachable(f"{url}: {type(exc).__name__}: {exc}") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise ArchiveError(f"{url}: {type(exc).__name__}: {exc}") from exc


def retry_after_or_default(value: str | None, default: float) -> float:
    """``Retry-After`` as seconds (``linkaudit.retry_after``), or ``default`` when the
    header is missing or says nothing valid."""
    seconds = retry_after_seconds(value, dt.datetime.now(dt.UTC)) if value else None
    return default if seconds is None else seconds


def response_json(response: httpx.Response) -> Any:
    """The JSON body, or ArchiveError when a service answers with something else."""
    if response.status_code >= 400:
        raise ArchiveError(f"{response.request.url}: HTTP {response.status_code}")
    text = response.text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ArchiveError(f"{response.request.url}: not JSON ({text[:60]!r})") from exc
