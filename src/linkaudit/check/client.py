"""
The one ``httpx.AsyncClient`` of a run, and a single bounded GET.

httpx is the API; under it, aiohttp's connector and its C parser (llhttp) through the
``httpx_aiohttp`` transport (docs/http.md says why and what it measured). One way to send:
``client.send(request, stream=True)``.

Polite and bounded by construction: HTTP/1.1 keep-alive pools per host (the connector's;
``pool_limits`` sizes them by hosts × per-host limit), the guard in the connector's
resolver (``guard.GuardedResolver``: a connection goes only to an address the guard
approved, on every hop), proxies from the environment decided by ``guard.proxy_from`` as
the guard decides them, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` as in httpx and curl, no
automatic redirects (the follower records every hop), no cookie jar shared across URLs,
a total deadline around connect + headers + body, and a body read that stops at
``max_body_bytes`` on the wire or ``max_inflated_bytes`` once inflated. Inflation is done
here with ``zlib`` and a ``max_length`` per call, so a gzip bomb costs at most the bound.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fnmatch
import http.cookiejar
import ssl
import urllib.request
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

import aiohttp
import anyio
import httpx
from httpx_aiohttp import AiohttpTransport

from linkaudit.check.failures import TRANSPORT_ERRORS, failure_of
from linkaudit.check.guard import GuardedResolver, proxy_from
from linkaudit.check.retry import retry_after_seconds
from linkaudit.config import Settings
from linkaudit.exceptions import ConfigError
from linkaudit.verdicts import Reason

__all__ = [
    "Body",
    "Fetched",
    "PoolLimits",
    "fetch_once",
    "headers_for",
    "make_client",
    "pool_limits",
    "read_capped",
]

_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_KEEPALIVE_SECONDS = 30.0
"""How long an idle connection is kept for the next request to its host."""
_DEFAULT_HOSTS = 256
"""Hosts whose idle connections the pool keeps at once, before any is closed for another."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """What one GET of one URL produced (no redirect following)."""

    url: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    failure: Reason | None = None
    error: str | None = None
    retry_after_header: str | None = None
    raw_bytes: int = 0
    attempts: int = 1

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait before the next attempt, if it did."""
        if self.retry_after_header is None:
            return None
        return retry_after_seconds(self.retry_after_header, dt.datetime.now(dt.UTC))


@dataclass(slots=True)
class Body:
    """A capped body as it is read; filled in place so a deadline keeps what arrived."""

    data: bytearray = field(default_factory=bytearray)
    raw_bytes: int = 0
    inflated_bytes: int = 0
    truncated: bool = False


class _RefuseAll(http.cookiejar.DefaultCookiePolicy):
    """The client-wide jar keeps nothing: cookies live for one redirect chain only."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


class PoolLimits(NamedTuple):
    """Connections the connector may hold: in use at once, and per host."""

    total: int
    per_host: int


def pool_limits(settings: Settings, hosts: int = _DEFAULT_HOSTS) -> PoolLimits:
    """Keep-alive pools sized by hosts × per-host limit, under a global cap.

    Requests in flight are bounded by the checker (``max_concurrency``, per-host limits);
    the connector's own cap only has to leave room for them and for the idle connections
    of ``hosts`` hosts, so that a host's next request finds its connection still open
    whatever the number of hosts (issue 21: a connection per request beyond the bound).
    """
    per_host = max([settings.max_per_host, *settings.host_limits.values()])
    total = max(settings.max_concurrency, hosts * settings.max_per_host)
    return PoolLimits(total=total, per_host=max(1, per_host))


def make_client(settings: Settings) -> httpx.AsyncClient:
    """The run's client: the guarded aiohttp connector, timeouts, headers, env proxies."""
    _refuse_bad_fields(settings)
    proxies = urllib.request.getproxies_environment()
    session = _SessionFactory(settings, proxies)
    direct = AiohttpTransport(verify=_UNUSED_TLS, client=session)
    return httpx.AsyncClient(
        transport=_Routes(direct, session, proxies),
        trust_env=False,  # the transport reads the environment: one decision, the guard's
        follow_redirects=False,
        cookies=http.cookiejar.CookieJar(policy=_RefuseAll()),  # kept as given, keeps nothing
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        headers={
            "User-Agent": settings.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "en;q=0.9, *;q=0.5",
        },
    )


_LINE_BREAKERS = frozenset("\r\n\0")


def _refuse_bad_fields(settings: Settings) -> None:
    """A configured header the connector would refuse to send stops the run with one line,
    instead of failing every request (RFC 9110: no CR, LF or NUL in a field)."""
    fields = [("User-Agent", settings.user_agent)]
    fields += [item for headers in settings.headers.values() for item in headers.items()]
    for name, value in fields:
        if _LINE_BREAKERS.intersection(name + value):
            raise ConfigError(f"the configured header {name!r} holds a CR, LF or NUL character")


_READ_ERRORS: tuple[type[BaseException], ...] = (*TRANSPORT_ERRORS, zlib.error)

_UNUSED_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
"""What ``AiohttpTransport`` wants at construction (it would load a CA bundle otherwise);
the session's connector carries the real context, made when the first request goes out."""


class _SessionFactory:
    """The one aiohttp session of a client, made on its first request (it needs the loop)."""

    def __init__(self, settings: Settings, proxies: Mapping[str, str]) -> None:
        self._settings = settings
        self._proxies = proxies
        self.session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        if self.session is None:
            settings = self._settings
            limits = pool_limits(settings)
            connector = aiohttp.TCPConnector(
                ssl=_tls_context(),
                resolver=GuardedResolver(settings, trusted=_proxy_hosts(self._proxies)),
                limit=limits.total,
                limit_per_host=0,  # the checker's per-host slots bound each host already
                keepalive_timeout=_KEEPALIVE_SECONDS,
                ttl_dns_cache=10,
            )
            self.session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx's per-chain jar has the cookies
                trust_env=False,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            )
        return self.session


def _tls_context() -> ssl.SSLContext:
    """The run's TLS context (``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured, as httpx does)."""
    try:
        return httpx.create_ssl_context(trust_env=True)
    except OSError as exc:  # ssl.SSLError too: a bad SSL_CERT_FILE stops the run
        cause = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(f"cannot load the CA certificates: {cause}") from exc


def _proxy_hosts(proxies: Mapping[str, str]) -> list[str]:
    return [
        host for name, url in proxies.items() if name != "no" and (host := urlsplit(url).hostname)
    ]


class _Routes(httpx.AsyncBaseTransport):
    """Direct, or through the proxy the environment names for the URL (``guard.proxy_from``,
    so the guard and the routing agree); every route shares the one session and its pools."""

    def __init__(
        self,
        direct: AiohttpTransport,
        session: _SessionFactory,
        proxies: Mapping[str, str],
    ) -> None:
        self._direct = direct
        self._session = session
        self._proxies = dict(proxies)
        self._via: dict[str, AiohttpTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` on its route."""
        route = self._direct
        if self._proxies and (proxy := proxy_from(str(request.url), self._proxies)) is not None:
            route = self._via.get(proxy) or self._proxied(proxy)
        return await route.handle_async_request(request)

    def _proxied(self, proxy: str) -> AiohttpTransport:
        route = AiohttpTransport(verify=_UNUSED_TLS, client=self._session, proxy=httpx.Proxy(proxy))
        self._via[proxy] = route
        return route

    async def aclose(self) -> None:
        """Close the session (every route's connections)."""
        if self._session.session is not None:
            await self._session.session.close()


def headers_for(url: str, settings: Settings) -> dict[str, str]:
    """Extra headers configured for ``url``'s host (fnmatch globs on the host name)."""
    if not settings.headers:
        return {}
    host = (urlsplit(url).hostname or "").lower()
    merged: dict[str, str] = {}
    for pattern, headers in settings.headers.items():
        if fnmatch.fnmatchcase(host, pattern.lower()):
            merged.update(headers)
    return merged


async def fetch_once(
    client: httpx.AsyncClient,
    url: str,
    settings: Settings,
    *,
    headers: Mapping[str, str] | None = None,
    cookies: httpx.Cookies | None = None,
) -> Fetched:
    """One GET of ``url`` within ``settings.timeout`` in total; never raises for the network.

    The deadline covers connecting, the head and the body; a body cut off by it is kept
    as far as it arrived (``truncated``), as is one cut off by a bound or a broken stream.
    """
    response: httpx.Response | None = None
    kept: dict[str, str] = {}
    body = Body()
    error = None
    try:
        async with asyncio.timeout(settings.timeout):
            try:
                request = client.build_request("GET", url, headers=headers)
                if cookies:
                    cookies.set_cookie_header(request)
                response = await client.send(request, stream=True)
            except TRANSPORT_ERRORS as exc:
                reason, text = failure_of(exc)
                return Fetched(url=url, failure=reason, error=text)
            kept = _kept_headers(response.headers.raw)
            if cookies is not None and "set-cookie" in kept:
                cookies.extract_cookies(response)
            try:
                await read_capped(response, settings, body, kept.get("content-encoding", ""))
            except _READ_ERRORS as exc:
                body.truncated = True
                error = f"body read stopped: {failure_of(exc)[1]}"
    except TimeoutError as exc:
        if response is None:
            reason, text = failure_of(exc)
            return Fetched(url=url, failure=reason, error=text)
        body.truncated = True
        error = f"body read stopped at the {settings.timeout:g} s deadline"
        kept = kept or _kept_headers(response.headers.raw)
    finally:
        if response is not None:
            with anyio.move_on_after(1.0, shield=True):
                await response.aclose()
    return Fetched(
        url=url,
        status=response.status_code,
        headers=kept,
        body=bytes(body.data),
        truncated=body.truncated,
        error=error,
        retry_after_header=kept.get("retry-after"),
        raw_bytes=body.raw_bytes,
    )


def _kept_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-cased names, repeated fields joined with ", " (as ``httpx.Headers.items()``
    gives them, in the encoding ``httpx.Headers.encoding`` would pick for the lot)."""
    for encoding in ("ascii", "utf-8", "iso-8859-1"):
        try:
            pairs = [(k.decode(encoding).lower(), v.decode(encoding)) for k, v in raw]
            break
        except UnicodeDecodeError:
            continue
    kept: dict[str, str] = {}
    cookies: list[str] = []
    for key, text in pairs:
        kept[key] = f"{kept[key]}, {text}" if key in kept else text
        if key == "set-cookie":
            cookies.append(text)
    if cookies:
        # Names only: cookie values can be session secrets and end up in reports and the store.
        names = [c.split("=", 1)[0].strip() for c in cookies]
        kept["set-cookie"] = "; ".join(n for n in names if n) or "(set)"
    return kept


async def read_capped(
    response: httpx.Response, settings: Settings, body: Body, encoding: str | None = None
) -> Body:
    """Read and inflate ``response`` into ``body`` until the end or a bound is reached
    (``encoding``: its Content-Encoding, when the caller has read it already)."""
    if encoding is None:
        encoding = response.headers.get("content-encoding", "")
    inflater = _Inflater(encoding)
    async for chunk in response.aiter_raw():
        room_raw = settings.max_body_bytes - body.raw_bytes
        if room_raw <= 0:
            body.truncated = True
            break
        chunk = chunk[:room_raw]
        body.raw_bytes += len(chunk)
        room = settings.max_inflated_bytes - body.inflated_bytes
        data, full = inflater.feed(chunk, room)
        body.data += data
        body.inflated_bytes += len(data)
        if full or body.raw_bytes >= settings.max_body_bytes:
            body.truncated = True
            break
    return body


class _Inflater:
    """gzip/deflate inflation bounded per call (``max_length``), multi-member gzip included."""

    def __init__(self, encoding: str) -> None:
        coding = encoding.strip().lower()
        self._active = coding in ("gzip", "x-gzip", "deflate")
        self._wbits = zlib.MAX_WBITS | 32  # gzip or zlib header, detected
        self._raw_deflate = False
        self._d = zlib.decompressobj(self._wbits)

    def feed(self, data: bytes, room: int) -> tuple[bytes, bool]:
        """Inflate ``data``; at most ``room`` bytes out; ``True`` when the room ran out."""
        if not self._active:
            return data[: max(room, 0)], len(data) > room
        out = bytearray()
        pending = data
        while pending and len(out) < room:
            try:
                out += self._d.decompress(pending, room - len(out))
            except zlib.error:
                if self._raw_deflate or out:
                    raise
                self._raw_deflate = True  # "deflate" sent without its zlib header
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            pending = self._d.unconsumed_tail
            if self._d.eof and self._d.unused_data:
                pending = self._d.unused_data
                self._d = zlib.decompressobj(self._wbits)
        return bytes(out), len(out) >= room and bool(pending or not self._d.eof)
