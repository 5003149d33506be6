"""
The one ``httpx.AsyncClient`` of a run, and a single bounded GET.

Polite and bounded by construction: HTTP/1.1 with keep-alive in one small pool per
origin (``transport``), ``trust_env`` (proxies, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` as in
httpx and curl), no automatic redirects (the follower records every hop), no cookie jar
shared across URLs, a total deadline around connect + headers + body, and a body read that
stops at ``max_body_bytes`` on the wire or ``max_inflated_bytes`` once inflated. Inflation
is done here with ``zlib`` and a ``max_length`` per call, so a gzip bomb costs at most the
bound in memory and time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fnmatch
import functools
import http.cookiejar
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx

from linkaudit.check.failures import failure_of
from linkaudit.check.guard import parse_ip_literal, proxy_for, refusal_for_address
from linkaudit.check.hosts import politeness
from linkaudit.check.http11 import Address, OwnBody
from linkaudit.check.retry import retry_after_seconds
from linkaudit.check.transport import OriginRouter, quiet_sniffio_probe
from linkaudit.config import Settings
from linkaudit.verdicts import Reason

__all__ = ["Body", "Fetched", "fetch_once", "headers_for", "make_client", "read_capped"]

_MIN_OPEN_ORIGINS = 16
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


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


class _NoCookies(httpx.Cookies):
    """A client-wide jar that never looks at a response: httpx parses every response's
    cookies into the client's jar, which cost ~5% of a run's CPU only to refuse them all."""

    def __init__(self) -> None:
        super().__init__(http.cookiejar.CookieJar(policy=_RefuseAll()))

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _Client(httpx.AsyncClient):
    """The run's client, with requests prepared once: the merged default headers and the
    timeout extension are computed at construction, not merged again for every request."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        return None

    def prepare(self, router: OriginRouter) -> None:
        """Snapshot the default headers and timeout (call after any change to them)."""
        self.router = router
        self.base_headers = [(k.decode("ascii"), v.decode("latin-1")) for k, v in self.headers.raw]
        self.timeout_ext = {"timeout": self.timeout.as_dict()}
        self.connect_timeout = self.timeout.connect
        self.header_block = _header_block(self.base_headers)


_NO_COOKIES = _NoCookies()
_NO_BODY = httpx.ByteStream(b"")


def make_client(settings: Settings) -> httpx.AsyncClient:
    """The run's client: per-origin pools, timeouts, User-Agent, env proxies and CA settings."""
    quiet_sniffio_probe()
    router = OriginRouter(
        # SSL_CERT_FILE / SSL_CERT_DIR, read once per run, when the first https origin opens
        functools.partial(httpx.create_ssl_context, trust_env=True),
        per_origin=lambda host: politeness(host, settings)[0],
        proxy_connections=settings.max_concurrency,
        keep_open=max(_MIN_OPEN_ORIGINS, settings.max_concurrency),
    )
    client = _Client(
        transport=router,
        trust_env=True,
        follow_redirects=False,
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        headers={
            "User-Agent": settings.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "en;q=0.9, *;q=0.5",
        },
    )
    client.prepare(router)
    return client


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
    reply: _Reply | None = None
    kept: dict[str, str] = {}
    body = Body()
    error = None
    try:
        async with asyncio.timeout(settings.timeout):
            try:
                reply = await _open(client, url, headers, cookies)
            except (httpx.HTTPError, OSError, ValueError) as exc:
                reason, text = failure_of(exc)
                return Fetched(url=url, failure=reason, error=text)
            refused = _peer_refusal(reply.connection, url, settings)
            if refused is not None:
                return Fetched(url=url, failure=Reason.PRIVATE_ADDRESS, error=refused)
            kept = _kept_headers(reply.headers)
            if cookies is not None and "set-cookie" in kept:
                cookies.extract_cookies(reply.as_response(url))
            try:
                await _read_into(reply.stream, settings, body, kept.get("content-encoding", ""))
            except (httpx.HTTPError, OSError, zlib.error) as exc:
                body.truncated = True
                error = f"body read stopped: {failure_of(exc)[1]}"
    except TimeoutError as exc:
        if reply is None:
            reason, text = failure_of(exc)
            return Fetched(url=url, failure=reason, error=text)
        body.truncated = True
        error = f"body read stopped at the {settings.timeout:g} s deadline"
        kept = kept or _kept_headers(reply.headers)
    finally:
        if reply is not None:
            await reply.close()
    return Fetched(
        url=url,
        status=reply.status,
        headers=kept,
        body=bytes(body.data),
        truncated=body.truncated,
        error=error,
        retry_after_header=kept.get("retry-after"),
        raw_bytes=body.raw_bytes,
    )


@dataclass(slots=True)
class _Reply:
    """A response head and its body stream, from our own pool or from httpx."""

    status: int
    headers: list[tuple[bytes, bytes]]
    stream: httpx.AsyncByteStream
    connection: Any
    """What httpx's ``network_stream`` extension gives: the guard asks it ``server_addr``."""
    response: httpx.Response | None = None

    def as_response(self, url: str) -> httpx.Response:
        """An ``httpx.Response`` of the head (for the cookie jar), made only when needed."""
        if self.response is None:
            request = httpx.Request("GET", url)
            self.response = httpx.Response(self.status, headers=self.headers, request=request)
        return self.response

    async def close(self) -> None:
        """Close the body: our own pool's close never waits, so it needs no shield from
        cancellation; any other transport's may, and gets a shielded second to finish."""
        if isinstance(self.stream, OwnBody):
            await self.stream.aclose()
            return
        if self.response is not None:
            with anyio.move_on_after(1.0, shield=True):
                await self.response.aclose()


async def _open(
    client: httpx.AsyncClient,
    url: str,
    headers: Mapping[str, str] | None,
    cookies: httpx.Cookies | None,
) -> _Reply:
    """Send the GET and read its head: a plain URL goes straight to its origin's pool as
    bytes made here; any other, or a request with cookies, is built and sent by httpx."""
    if isinstance(client, _Client) and not cookies and not client.router.uses_proxies:
        block = client.header_block
        if headers:  # configured per-host headers: merged as _request merges them
            block = _header_block(_merged(client.base_headers, headers))
        plain = plain_get(url, block)
        if plain is not None:
            scheme, host, port, data, close = plain
            pool = client.router.pool(scheme.encode(), host.encode(), port)
            address = Address(host, port, scheme == "https", client.connect_timeout)
            answer = await pool.send(data, b"GET", address, asked_to_close=close)
            return _Reply(answer.status, answer.headers, answer.body, answer.body.connection)
    response = await _send(client, _request(client, url, headers, cookies))
    stream = response.stream
    assert isinstance(stream, httpx.AsyncByteStream)
    connection = response.extensions.get("network_stream")
    return _Reply(response.status_code, response.headers.raw, stream, connection, response)


#: A URL httpx would send as written: http(s), an ASCII host name or dotted IPv4 address,
#: an optional port, and a path and query only of characters httpx leaves unescaped
#: (``plain_get`` also turns away dot segments, which httpx removes).
_PLAIN = re.compile(
    r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?"
    r"((?:/(?:[-A-Za-z0-9._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)*)"
    r"(\?(?:[-A-Za-z0-9._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?"
)
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_DEFAULT_PORT = {"http": 80, "https": 443}


def plain_get(
    url: str, header_block: tuple[bytes, bool] | None
) -> tuple[str, str, int | None, bytes, bool] | None:
    """(scheme, host, port or ``None``, the request's bytes, asks to close) of a GET of
    ``url`` exactly as httpx would send it with ``header_block`` (``_header_block``), or
    ``None`` when httpx must build it.

    Parsing a URL with ``httpx.URL`` and building an ``httpx.Request`` cost a tenth of a
    checker's CPU; for the plain URLs nearly every document cites, the result is known
    without either. A test holds the bytes to httpx's for generated URLs.
    """
    if header_block is None or (found := _PLAIN.fullmatch(url)) is None:
        return None
    scheme, host, port_text, path, query = found.groups()
    if "/." in path and any(part in (".", "..") for part in path.split("/")):
        return None
    host = host.lower()
    if _IPV4_STYLE.fullmatch(host) and not all(
        int(part) <= 255 and (part == "0" or not part.startswith("0")) for part in host.split(".")
    ):
        return None
    port: int | None = None
    if port_text is not None:
        port = int(port_text)
        if not 0 < port <= 65535:
            return None
        if port == _DEFAULT_PORT[scheme]:
            port = None
    netloc = host if port is None else f"{host}:{port}"
    target = (path or "/") + (query or "")
    block, close = header_block
    head = b"GET " + target.encode("ascii") + b" HTTP/1.1\r\nHost: " + netloc.encode("ascii")
    return scheme, host, port, head + b"\r\n" + block + b"\r\n", close


def _header_block(headers: list[tuple[str, str]]) -> tuple[bytes, bool] | None:
    """The header lines after ``Host`` as ``_serialise`` writes them, and whether they ask
    to close (``None`` when a value is not ASCII: httpx then encodes it its own way)."""
    try:
        block = b"".join(f"{k}: {v}\r\n".encode("ascii") for k, v in headers)
    except UnicodeEncodeError:
        return None
    return block, any(k.lower() == "connection" and "close" in v.lower() for k, v in headers)


def _merged(base: list[tuple[str, str]], extra: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """The client's header fields with ``extra`` replacing those of the same name, after
    them, as ``client.build_request`` merges them."""
    if not extra:
        return base
    names = {k.lower() for k in extra}
    return [(k, v) for k, v in base if k.lower() not in names] + list(extra.items())


async def _send(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Straight to the run's transport: the checker needs none of ``AsyncClient.send``'s
    redirect, auth and hook machinery (it follows redirects itself), which cost a tenth of
    a run's CPU. Any other client goes through ``send`` as usual."""
    if isinstance(client, _Client):
        response = await client.router.handle_async_request(request)
        response.request = request
        return response
    return await client.send(request, stream=True)


def _request(
    client: httpx.AsyncClient,
    url: str,
    headers: Mapping[str, str] | None,
    cookies: httpx.Cookies | None,
) -> httpx.Request:
    """The GET as ``client.build_request`` would build it, without its per-request merging."""
    if not isinstance(client, _Client):
        return client.build_request("GET", url, headers=dict(headers or {}), cookies=cookies)
    merged = _merged(client.base_headers, headers)
    # A GET has no body: with the (empty) stream given and Host set here, as httpx's own
    # preparation would set it, httpx skips encoding a body and merging default headers.
    parsed = httpx.URL(url)
    request = httpx.Request(
        "GET",
        parsed,
        headers=[("Host", parsed.netloc.decode("ascii")), *merged],
        stream=_NO_BODY,
        extensions=client.timeout_ext,
    )
    if cookies:
        cookies.set_cookie_header(request)
    return request


def _peer_refusal(connection: Any, url: str, settings: Settings) -> str | None:
    """Refuse the address the connection really reached (DNS rebinding), unless proxied."""
    if settings.allow_private or proxy_for(url) is not None:
        return None
    peer = connection.get_extra_info("server_addr") if connection is not None else None
    if not isinstance(peer, tuple) or not peer:
        return None
    address = parse_ip_literal(str(peer[0]))
    if address is None:
        return None
    return refusal_for_address(address, settings, urlsplit(url).hostname or "")


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
    stream = response.stream
    assert isinstance(stream, httpx.AsyncByteStream)
    return await _read_into(stream, settings, body, encoding)


async def _read_into(
    stream: httpx.AsyncByteStream, settings: Settings, body: Body, encoding: str
) -> Body:
    inflater = _Inflater(encoding)
    async for chunk in stream:  # as the transport hands it over: no re-chunking by httpx
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
