"""
The checker's ``httpx.AsyncClient`` (``make_check_client``; archive look-ups have their own,
``archive/client.py``), and a single bounded GET.

httpx is the API; under it, aiohttp's connector and its C parser (llhttp), through
``AiohttpTransport`` (docs/http.md says why and what was measured). One way to send: the
GET ``client.build_request`` would make (the client's headers, timeouts, the chain's
cookies; ``_get`` builds it without the merging a GET of ours never needs), handed to the
client's transport. Not ``client.send``: it builds the next request of every
redirect answer, and fails on a ``Location`` it cannot parse before the caller sees the
answer; the checker follows (and records) redirects itself.

Polite and bounded by construction: HTTP/1.1 keep-alive pools per host (the connector's;
``pool_limits`` caps connections in use, ``pool.idle_cap`` the idle ones kept, least
recently used closed first), the guard in the connector's
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
import functools
import http.cookiejar
import ipaddress
import re
import ssl
import urllib.request
import weakref
import zlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

import aiohttp
import httpx
import yarl
from httpx._urlparse import ParseResult

from linkaudit.check.dispatch import lookahead
from linkaudit.check.failures import TRANSPORT_ERRORS, failure_of
from linkaudit.check.guard import GuardedResolver, proxy_from
from linkaudit.check.pool import BoundedIdleConnector, idle_cap
from linkaudit.config import Settings
from linkaudit.exceptions import ConfigError
from linkaudit.retry_after import retry_after_seconds
from linkaudit.urls import DEFAULT_PORTS
from linkaudit.verdicts import Reason

__all__ = [
    "AiohttpTransport",
    "Body",
    "Fetched",
    "PoolLimits",
    "fetch_once",
    "headers_for",
    "make_check_client",
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
    """The connector's cap on connections in use, sized by hosts × per-host limit.

    Requests in flight are bounded by the checker (``max_concurrency``, per-host limits),
    so the cap only has to leave them room; idle kept-alive connections are not counted
    in it (aiohttp's rule) but in ``pool.idle_cap`` (docs/http.md, "Pools").
    """
    per_host = max([settings.max_per_host, *settings.host_limits.values()])
    total = max(settings.max_concurrency, hosts * settings.max_per_host)
    return PoolLimits(total=total, per_host=max(1, per_host))


def make_check_client(settings: Settings) -> httpx.AsyncClient:
    """The run's client: the guarded aiohttp connector, timeouts, headers, env proxies.
    (``Settings`` refused a configured header with CR, LF or NUL when it was made.)"""
    transport = AiohttpTransport(settings, urllib.request.getproxies_environment())
    client = httpx.AsyncClient(
        transport=transport,
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
    _TRANSPORTS[client] = transport
    return client


_TRANSPORTS: weakref.WeakKeyDictionary[httpx.AsyncClient, AiohttpTransport] = (
    weakref.WeakKeyDictionary()
)
"""Each client ``make_check_client`` made, and its transport: ``fetch_once`` sends through it."""


_READ_ERRORS: tuple[type[BaseException], ...] = (*TRANSPORT_ERRORS, zlib.error)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx's transport interface over one aiohttp session (made on the first request: it
    needs the running loop), whose connector resolves through the guard.

    ``httpx-aiohttp`` does the same job, and was measured (docs/http.md); this adapter
    exists because that one sends a URL other than the one checked (yarl re-quotes it:
    ``%40`` in a query goes out as ``@``) and reads the proxy settings and ``~/.netrc``
    again for every request. Here the URL goes out as httpx wrote it, and the proxy for
    each URL is ``guard.proxy_from``'s, so the routing and the guard agree.
    """

    def __init__(self, settings: Settings, proxies: Mapping[str, str]) -> None:
        self._settings = settings
        self._proxies = dict(proxies)
        self._session: aiohttp.ClientSession | None = None
        self._tls: ssl.SSLContext | None = None
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; its body streams after (``_Body``)."""
        session = self._session or self._open()
        url = str(request.url)
        proxy = proxy_from(url, self._proxies) if self._proxies else None
        timeouts = request.extensions.get("timeout", {})
        try:
            response = await session.request(
                request.method,
                yarl.URL(url, encoded=True),
                headers=request.headers.multi_items(),
                allow_redirects=False,
                proxy=proxy,
                timeout=self._timeout(timeouts.get("connect"), timeouts.get("read")),
                ssl=self._tls_for(url, proxy),
            )
        except (aiohttp.ClientError, OSError) as exc:
            raise _as_httpx(exc) from exc
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("utf-8", "surrogateescape"),
            },
        )

    def _timeout(self, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
        """One ``ClientTimeout`` per pair of values (a run has one or two)."""
        found = self._timeouts.get((connect, read))
        if found is None:
            found = aiohttp.ClientTimeout(sock_connect=connect, sock_read=read)
            self._timeouts[(connect, read)] = found
        return found

    def _tls_for(self, url: str, proxy: str | None) -> ssl.SSLContext | bool:
        """The run's TLS context for an https URL (or any through a proxy); read on the first
        one, so a run over plain http never loads the CA bundle (``True``: no TLS here)."""
        if proxy is None and url[:6].lower() != "https:":
            return True
        if self._tls is None:
            self._tls = _tls_context()
        return self._tls

    def _open(self) -> aiohttp.ClientSession:
        settings = self._settings
        connector = BoundedIdleConnector(
            idle_cap=idle_cap(settings, lookahead(settings.max_concurrency)),
            resolver=GuardedResolver(settings, trusted=_proxy_hosts(self._proxies)),
            limit=pool_limits(settings).total,
            limit_per_host=0,  # the checker's per-host slots bound each host already
            keepalive_timeout=_KEEPALIVE_SECONDS,
            ttl_dns_cache=10,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx's per-chain jar has the cookies
            trust_env=False,
            auto_decompress=False,  # read_capped inflates within its bounds
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
        )
        return self._session

    async def aclose(self) -> None:
        """Close the session and every kept-alive connection."""
        if self._session is not None:
            await self._session.close()


_PIECE = 16 * 1024


class _Body(httpx.AsyncByteStream):
    """A response body as aiohttp hands it over; closing it early closes its connection."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            # In pieces of at most 16 KiB, whatever aiohttp has buffered: the body bounds
            # (read_capped) then stop within 16 KiB of the byte that reached them.
            async for chunk in self._response.content.iter_chunked(_PIECE):
                yield chunk
        except (aiohttp.ClientError, OSError) as exc:
            raise _as_httpx(exc) from exc

    async def piece(self) -> bytes:
        """The next piece of the body, ``b""`` at its end: ``__aiter__`` without the
        iterators (``read_capped`` reads every body of a run through this)."""
        try:
            return await self._response.content.read(_PIECE)
        except (aiohttp.ClientError, OSError) as exc:
            raise _as_httpx(exc) from exc

    async def aclose(self) -> None:
        self.release()

    def release(self) -> None:
        """Give the connection back (or close it, if the body was not read to its end)."""
        self._response.release()


def _as_httpx(exc: BaseException) -> httpx.TransportError:
    """The httpx error httpx's callers expect; the original stays its cause, and
    ``failures.failure_of`` reads that, by type."""
    kind: type[httpx.TransportError] = httpx.TransportError
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = httpx.ConnectError
    elif isinstance(exc, aiohttp.ClientResponseError | aiohttp.ServerDisconnectedError):
        kind = httpx.RemoteProtocolError
    elif isinstance(exc, aiohttp.ClientPayloadError | OSError):
        kind = httpx.ReadError
    return kind(" ".join(str(exc).split()) or type(exc).__name__)


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
                request = _get(client, url, headers, settings.timeout)
                if cookies:
                    cookies.set_cookie_header(request)
                response = await _TRANSPORTS[client].handle_async_request(request)
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
            await _close(response)
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


async def _close(response: httpx.Response) -> None:
    """``response.aclose()``; our transport's body is given back to its pool directly
    (``_Body.aclose`` never waits), without httpx's request context around it."""
    stream = response.stream
    if isinstance(stream, _Body):
        response.is_closed = True
        stream.release()
    else:
        await response.aclose()


_NO_BODY = httpx.ByteStream(b"")


def _get(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str] | None, deadline: float
) -> httpx.Request:
    """The request ``client.build_request("GET", url, headers=headers)`` makes (the same URL,
    fields in the same order), without merging what our GET never has: a base URL, query
    parameters, a body, the client's cookies (its jar keeps none). A read timeout no
    shorter than the caller's total ``deadline`` is left out: that deadline, started
    earlier, always ends the read first, and the connector then arms no timer per packet."""
    parsed = httpx_url(url)
    if parsed.is_relative_url or client.cookies:
        return client.build_request("GET", url, headers=headers)
    if headers:
        fields = httpx.Headers(client.headers)
        fields.update(headers)
        if "host" not in fields and parsed.host:
            fields = httpx.Headers([(b"Host", parsed.netloc), *fields.raw])
    else:
        fields = _fields_for(client, parsed.netloc)
    timeouts = client.timeout.as_dict()
    if timeouts["read"] is not None and timeouts["read"] >= deadline:
        timeouts["read"] = None
    return httpx.Request(
        "GET", parsed, headers=fields, stream=_NO_BODY, extensions={"timeout": timeouts}
    )


_PLAIN = re.compile(
    r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([0-9]{1,5}))?"
    r"(/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*)?(?:\?([A-Za-z0-9._~!$&'()*+,;=:@/?%-]*))?"
)
"""An http(s) URL that httpx's parser would give back unchanged: a lower-case scheme and
host name, digits for a port, and only characters that need no percent-encoding (RFC 3986's
unreserved and sub-delims, ``:@/``, ``?`` in the query) in the path and query; no fragment."""
_NEEDS_WORK = re.compile(r"%(?![0-9A-Fa-f]{2})|/\.\.?(?:[/?]|$)")
"""A ``%`` httpx would encode, or a dot segment it would remove."""
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_LONGEST = 65_536
"""httpx refuses a longer URL."""


def httpx_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``; a URL in the normal form nearly every checked URL has (``_PLAIN``)
    is made from its parts without httpx's general parser, which re-checks and re-quotes
    every component (docs/http.md says what that cost). Equal to what the parser gives, by
    construction and by ``tests/check/test_fast_url.py``; anything else goes through it."""
    plain = _PLAIN.fullmatch(url) if len(url) <= _LONGEST else None
    if plain is None or _NEEDS_WORK.search(url) is not None:
        return httpx.URL(url)
    scheme, host, port, path, query = plain.groups()
    if _IPV4_STYLE.fullmatch(host) and not _is_ipv4(host):
        return httpx.URL(url)  # httpx's error for an invalid address
    number = None if port is None else int(port)
    made = httpx.URL.__new__(httpx.URL)
    made._uri_reference = ParseResult(
        scheme,
        "",
        host,
        None if number == DEFAULT_PORTS[scheme] else number,
        path or "",
        query,
        None,
    )
    return made


@functools.lru_cache(maxsize=1024)
def _is_ipv4(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


_FIELDS: weakref.WeakKeyDictionary[httpx.AsyncClient, dict[bytes, httpx.Headers]] = (
    weakref.WeakKeyDictionary()
)
_FIELDS_KEPT = 1024
"""Origins whose request fields are kept made; past that the lot is made again as needed."""


def _fields_for(client: httpx.AsyncClient, netloc: bytes) -> httpx.Headers:
    """The client's fields with ``Host`` first, made once per origin: ``httpx.Request``
    copies a ``Headers`` as it is, where a list of pairs is normalised field by field."""
    made = _FIELDS.setdefault(client, {})
    fields = made.get(netloc)
    if fields is None:
        if len(made) >= _FIELDS_KEPT:
            made.clear()
        host = [(b"Host", netloc)] if netloc and "host" not in client.headers else []
        fields = made[netloc] = httpx.Headers([*host, *client.headers.raw])
    return fields


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
    # Our transport's stream piece by piece (fetch_once closes the response); any other
    # through httpx's iterator.
    stream = response.stream
    if isinstance(stream, _Body):
        while chunk := await stream.piece():
            if _took(chunk, settings, body, inflater):
                break
    else:
        async for chunk in response.aiter_raw():
            if _took(chunk, settings, body, inflater):
                break
    return body


def _took(chunk: bytes, settings: Settings, body: Body, inflater: _Inflater) -> bool:
    """Add ``chunk`` to ``body``, inflated; ``True`` when a bound is reached (read no more)."""
    room_raw = settings.max_body_bytes - body.raw_bytes
    if room_raw <= 0:
        body.truncated = True
        return True
    chunk = chunk[:room_raw]
    body.raw_bytes += len(chunk)
    room = settings.max_inflated_bytes - body.inflated_bytes
    data, full = inflater.feed(chunk, room)
    body.data += data
    body.inflated_bytes += len(data)
    if full or body.raw_bytes >= settings.max_body_bytes:
        body.truncated = True
        return True
    return False


_NO_INFLATION = zlib.decompressobj()


class _Inflater:
    """gzip/deflate inflation bounded per call (``max_length``), multi-member gzip included."""

    def __init__(self, encoding: str) -> None:
        coding = encoding.strip().lower()
        self._active = coding in ("gzip", "x-gzip", "deflate")
        self._wbits = zlib.MAX_WBITS | 32  # gzip or zlib header, detected
        self._raw_deflate = False
        # Made only for a body to inflate: most bodies are sent as they are.
        self._d = zlib.decompressobj(self._wbits) if self._active else _NO_INFLATION

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
