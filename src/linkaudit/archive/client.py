"""
The one boundary between the archive stage and httpx.

Archive services are outside hosts like any other: a 429 is honoured once (``Retry-After``,
capped by ``settings.retry_after_cap``), and every httpx failure becomes an ``ArchiveError``
here, so the look-ups above never see a foreign exception.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import httpx

from linkaudit.config import Settings
from linkaudit.exceptions import ArchiveError
from linkaudit.retry_after import retry_after_seconds as parse_retry_after

__all__ = ["make_client", "request", "response_json", "retry_after_seconds"]

#: Seconds waited on a 429 that names no ``Retry-After``.
DEFAULT_RETRY_AFTER = 1.0


def make_client(settings: Settings) -> httpx.AsyncClient:
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
        wait = retry_after_seconds(response.headers.get("retry-after"), DEFAULT_RETRY_AFTER)
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
        raise ArchiveError(f"{url}: timed out after {settings.timeout:g} s") from exc
    except httpx.TimeoutException as exc:
        raise ArchiveError(f"{url}: timed out ({type(exc).__name__})") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise ArchiveError(f"{url}: {type(exc).__name__}: {exc}") from exc


def retry_after_seconds(value: str | None, default: float) -> float:
    """``Retry-After`` as seconds (``linkaudit.retry_after``), or ``default`` when the
    header is missing or says nothing valid."""
    seconds = parse_retry_after(value, dt.datetime.now(dt.UTC)) if value else None
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
